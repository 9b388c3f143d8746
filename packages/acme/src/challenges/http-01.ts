/**
 * http-01 (RFC 8555 §8.3): proof by web server. The ACME server fetches
 * `http://DOMAIN/.well-known/acme-challenge/TOKEN` on port 80, plain HTTP (not HTTPS, so
 * that a hosting provider's default TLS site cannot answer for its tenants), and expects
 * the key authorization as the body.
 *
 * {@link answerHttp01} lets any Node HTTP server answer (a redirecting listener, say,
 * before it redirects); {@link serveHttp01} is a standalone one.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOn, type ChallengeListener, type ListenAddress } from './listener.js';

/**
 * Where http-01 responses live (RFC 8555 §8.3, §9.2).
 *
 * @example
 * ```ts
 * import { HTTP01_PATH_PREFIX } from '@lucid-tls/acme';
 * console.log(HTTP01_PATH_PREFIX); // → /.well-known/acme-challenge/
 * ```
 */
export const HTTP01_PATH_PREFIX = '/.well-known/acme-challenge/';

/** What answers http-01 requests: the key authorization of a token, when there is one. */
export interface Http01Source {
  /** The key authorization to serve for `token`, or undefined for a token not provisioned. */
  http01KeyAuthorization(token: string): string | undefined;
}

/**
 * Answers an http-01 request, if `req` is one: 200 with the key authorization, or 404 for
 * a token we do not know. Returns false, having done nothing, for any other path.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { ChallengeResponses, answerHttp01 } from '@lucid-tls/acme';
 * const responses = new ChallengeResponses();
 * // A port-80 server that answers challenges and redirects everything else to https.
 * createServer((req, res) => {
 *   if (answerHttp01(responses, req, res)) return;
 *   res.writeHead(301, { location: `https://${req.headers.host}${req.url}` }).end();
 * }).listen(80);
 * ```
 */
export function answerHttp01(source: Http01Source, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0]!;
  if (!path.startsWith(HTTP01_PATH_PREFIX)) return false;
  const value = source.http01KeyAuthorization(path.slice(HTTP01_PATH_PREFIX.length));
  if (value === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such challenge\n');
  } else {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(value) });
    res.end(req.method === 'HEAD' ? undefined : value);
  }
  return true;
}

/**
 * A standalone http-01 responder (the CLI's `--http-listen`): every path outside
 * `/.well-known/acme-challenge/` is 404.
 *
 * @example
 * ```ts
 * import { serveHttp01, type ChallengeResponses } from '@lucid-tls/acme';
 * declare const responses: ChallengeResponses;
 * const listener = await serveHttp01(responses, { port: 80 });
 * // … obtainCertificate(client, { domains, challenge: 'http-01', responder: responses }) …
 * await listener.close();
 * ```
 */
export function serveHttp01(source: Http01Source, listen: ListenAddress): Promise<ChallengeListener> {
  const server = createServer((req, res) => {
    if (!answerHttp01(source, req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not an ACME challenge\n');
  });
  return listenOn(server, listen);
}
