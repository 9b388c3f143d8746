/**
 * The plain-HTTP listener of `--redirect-from`: every request, whatever its method, is
 * answered `301 Moved Permanently` to the same host and path on https, except, with ACME
 * http-01, the requests for `/.well-known/acme-challenge/` (RFC 8555 §8.3). Nothing is
 * forwarded upstream over plain HTTP. No Strict-Transport-Security here: browsers ignore
 * it over plain HTTP (RFC 6797 §7.2); it comes with the https response the client is sent to.
 * @module
 */
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { answerHttp01, type Http01Source } from '@lucid-tls/acme';

/** A host name or IP literal acceptable in a Location header (no userinfo, path or spaces). */
const HOSTNAME = /^[a-z0-9.-]+$/i;

/**
 * The https URL for a plain-HTTP request, or undefined when the Host header is missing or
 * malformed. The port of the Host header is replaced by `httpsPort` (left out when 443).
 */
export function httpsLocation(hostHeader: string | undefined, target: string, httpsPort: number): string | undefined {
  if (!hostHeader) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d*)?$/i.exec(hostHeader.trim());
  if (!match) return undefined;
  const host = match[1]!;
  const ok = host.startsWith('[') ? isIP(host.slice(1, -1)) === 6 : HOSTNAME.test(host);
  if (!ok) return undefined;
  // The request target is origin-form (`/path?q`); anything else (absolute-form, `*`) redirects to `/`.
  const path = target.startsWith('/') && !target.startsWith('//') ? target : '/';
  return `https://${host.toLowerCase()}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
}

/**
 * The redirecting server; `httpsPort()` is read per request (the https port may be chosen
 * by the OS). With `http01`, ACME's http-01 requests are answered from it instead.
 */
export function createRedirectServer(httpsPort: () => number, maxHeaderSize: number, http01?: Http01Source): Server {
  const server = createServer({ maxHeaderSize }, (req, res) => {
    // RFC 8555 §8.3: validation is plain HTTP on this port; it is answered here, not redirected.
    if (http01 && answerHttp01(http01, req, res)) {
      req.resume();
      return;
    }
    const location = httpsLocation(req.headers.host, req.url ?? '/', httpsPort());
    if (!location) {
      res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('400 Bad Request: missing or malformed Host header\n');
      return;
    }
    const body = `Moved to ${location}\n`;
    res.writeHead(301, { Location: location, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    // The body of a POST is not wanted: drain it so keep-alive goes on.
    req.resume();
  });
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  return server;
}
