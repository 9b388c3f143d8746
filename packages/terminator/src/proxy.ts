/**
 * The reverse proxy: requests that Node's HTTP parser read from a TLS connection go to
 * the upstream over plain HTTP/1.1, through a pool of keep-alive connections (undici),
 * and the responses come back. Bodies stream both ways, never buffered whole: a request
 * body with a Content-Length goes up with it, one without (chunked) goes up chunked; the
 * response is framed for the client by Node (its Content-Length, or chunked).
 *
 * - `Expect: 100-continue`: we answer `100 Continue` ourselves once we have decided to
 *   forward the request (undici cannot wait for an upstream's 100 over HTTP/1.1), so
 *   a request refused here (425) never makes the client send its body.
 * - Upgrade (WebSocket): the request goes up on a connection of its own (Node's
 *   `http.request`), and after `101 Switching Protocols` the two sockets are piped
 *   together. A refusal (any other status) is passed back as it came.
 * - Errors: `502 Bad Gateway` when the upstream cannot be reached or breaks the
 *   connection before its response head, `504 Gateway Timeout` when it is too slow, each
 *   with a one-line body. After the head has been sent an error can only cut the
 *   connection, so the client sees a truncated response rather than a wrong one.
 * @module
 */
import { EventEmitter } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Transform, pipeline } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from '@lucid-tls/tls/node';
import type { Pool } from 'undici';
import { roundMs, type AccessLogEntry, type AccessLogSink } from './access-log.js';
import type { TrackedConnection } from './connections.js';
import { isIdempotent } from './early-data.js';
import { isHopByHopResponseHeader, upstreamRequestHeaders, type TrustedProxies } from './forwarded-headers.js';
import type { Metrics } from './metrics.js';

/** What the proxy needs from the terminator. */
export interface ProxyContext {
  pool: Pool;
  upstream: URL;
  /** Milliseconds to wait for the upstream's response head, and between pieces of its body. */
  upstreamTimeout: number;
  /** `Strict-Transport-Security` max-age, when set. */
  hsts: number | undefined;
  trustedProxies: TrustedProxies;
  metrics: Metrics;
  log: AccessLogSink | undefined;
  /** The connection a socket belongs to. */
  connectionOf(socket: TLSSocket): TrackedConnection | undefined;
}

/** Node's status code for "the client closed the connection before the response was complete" (nginx's 499). */
export const CLIENT_CLOSED = 499;

/** Counts the bytes that pass. */
function byteCounter(count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

/** How an upstream failure is answered. */
function classifyUpstreamError(error: unknown): { status: 502 | 504; kind: 'unavailable' | 'timeout'; reason: string } {
  const code = (error as { code?: string }).code ?? '';
  const reason = code || (error as Error).message || String(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return { status: 504, kind: 'timeout', reason };
  }
  return { status: 502, kind: 'unavailable', reason };
}

const ERROR_BODIES: Record<number, string> = {
  400: '400 Bad Request\n',
  425: '425 Too Early: send this request again after the TLS handshake\n',
  502: '502 Bad Gateway: the upstream server is unavailable\n',
  504: '504 Gateway Timeout: the upstream server did not answer in time\n',
};

/** The path to request upstream: origin-form as is; absolute-form reduced to its path. */
function upstreamPath(url: string): string | undefined {
  if (url.startsWith('/')) return url;
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      return `${parsed.pathname}${parsed.search}`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Response headers for the client: the upstream's minus the hop-by-hop ones, plus HSTS. */
function clientResponseHeaders(headers: IncomingHttpHeaders, hsts: number | undefined): Record<string, string | string[]> {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHopResponseHeader(name) || listed.has(name)) continue;
    out[name] = value;
  }
  if (hsts !== undefined) out['strict-transport-security'] = `max-age=${hsts}`;
  return out;
}

/** The start of an access-log entry for a request on a connection. */
function logEntry(req: IncomingMessage, socket: TLSSocket, conn: TrackedConnection | undefined, early: boolean): AccessLogEntry {
  return {
    time: new Date().toISOString(),
    client: socket.remoteAddress ?? '',
    clientPort: socket.remotePort ?? null,
    sni: socket.servername || null,
    alpn: socket.alpnProtocol || null,
    cipher: socket.getCipher()?.name ?? null,
    resumed: socket.isSessionReused(),
    earlyData: early,
    clientCert: conn?.clientCertHash ?? null,
    method: req.method ?? '',
    path: req.url ?? '',
    host: req.headers.host ?? null,
    status: 0,
    bytesIn: 0,
    bytesOut: 0,
    handshakeMs: conn?.handshakeMs === undefined ? null : roundMs(conn.handshakeMs),
    upstreamMs: null,
    totalMs: 0,
    error: null,
  };
}

/**
 * Serves one request: checks, forwards, streams the response back, logs. Must be called
 * synchronously from the server's `'request'` (or `'checkContinue'`) event, which is
 * when the early-data tracker knows where the request came from.
 */
export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
  const socket = req.socket as unknown as TLSSocket;
  const conn = ctx.connectionOf(socket);
  const early = conn?.early?.inEarlyData ?? false;
  const started = performance.now();
  const entry = logEntry(req, socket, conn, early);
  conn?.requestStarted(req, res);

  if (ctx.hsts !== undefined) res.setHeader('Strict-Transport-Security', `max-age=${ctx.hsts}`);

  let logged = false;
  const finish = () => {
    if (logged) return;
    logged = true;
    if (res.writableFinished) entry.status = res.statusCode;
    else {
      // Cut short: by the client, or by us after an upstream failure mid-response.
      entry.status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
      entry.error ??= 'client closed the connection';
    }
    entry.totalMs = roundMs(performance.now() - started);
    // A request in early data is read before the handshake ends; by now it has.
    if (entry.handshakeMs === null && conn?.handshakeMs !== undefined) entry.handshakeMs = roundMs(conn.handshakeMs);
    ctx.metrics.requests.inc(String(entry.status));
    ctx.log?.(entry);
  };
  res.once('close', finish);

  const reply = (status: number, extraHeaders: Record<string, string> = {}) => {
    const body = ERROR_BODIES[status] ?? `${status}\n`;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
    res.end(req.method === 'HEAD' ? undefined : body);
    entry.bytesOut = req.method === 'HEAD' ? 0 : Buffer.byteLength(body);
  };

  if (early) {
    ctx.metrics.earlyDataRequests += 1;
    // RFC 8470 §5.2: what must not be replayed waits for the handshake.
    if (!isIdempotent(req.method ?? '')) {
      entry.error = 'non-idempotent request in early data';
      reply(425);
      return;
    }
  }

  const path = upstreamPath(req.url ?? '');
  if (path === undefined) {
    entry.error = 'unsupported request target';
    reply(400, { Connection: 'close' });
    return;
  }

  const headers = forwardedRequestHeaders(ctx, req, socket, conn);
  // RFC 8470 §5.1: tell the application; a value from an earlier hop is kept (it stays true).
  if (early && req.headers['early-data'] === undefined) headers.push('Early-Data', '1');

  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  let body: Transform | null = null;
  if (hasBody) {
    body = byteCounter((n) => (entry.bytesIn += n));
    pipeline(req, body, () => {});
  } else {
    req.resume();
  }
  if (expectsContinue) res.writeContinue();

  // Cancels the upstream request when the client leaves first (undici takes an emitter as signal).
  const abort = new EventEmitter();
  let aborted = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    aborted = true;
    abort.emit('abort');
  });

  const upstreamStarted = performance.now();
  ctx.pool
    .request({
      path,
      method: (req.method ?? 'GET') as 'GET',
      headers,
      body,
      signal: abort,
      headersTimeout: ctx.upstreamTimeout,
      bodyTimeout: ctx.upstreamTimeout,
    })
    .then(
      (response) => {
        entry.upstreamMs = roundMs(performance.now() - upstreamStarted);
        if (res.destroyed) {
          response.body.destroy();
          return;
        }
        try {
          res.writeHead(response.statusCode, response.statusText || undefined, clientResponseHeaders(response.headers, ctx.hsts));
        } catch (error) {
          // A status or header Node will not send (e.g. a status below 100): the upstream is broken.
          response.body.destroy();
          ctx.metrics.upstreamErrors.inc('unavailable');
          entry.error = `upstream response unusable: ${(error as Error).message}`;
          reply(502);
          return;
        }
        // pipe() rather than pipeline(): this is the hot path, and pipeline's bookkeeping costs
        // more than the three listeners that do its job here.
        const body = response.body;
        body.on('data', (chunk: Buffer) => (entry.bytesOut += chunk.length));
        body.once('error', (error: Error & { code?: string }) => {
          entry.error ??= `upstream response: ${error.code ?? error.message}`;
          res.destroy();
        });
        res.once('close', () => {
          if (!body.readableEnded) body.destroy();
        });
        body.pipe(res);
      },
      (error: unknown) => {
        entry.upstreamMs = roundMs(performance.now() - upstreamStarted);
        if (aborted || res.destroyed) return; // the client left first
        if ((error as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
          entry.error = `bad request: ${(error as Error).message}`;
          reply(400, { Connection: 'close' });
          return;
        }
        const failure = classifyUpstreamError(error);
        ctx.metrics.upstreamErrors.inc(failure.kind);
        entry.error = `upstream ${failure.kind}: ${failure.reason}`;
        if (res.headersSent) res.destroy();
        else reply(failure.status, hasBody && !req.complete ? { Connection: 'close' } : {});
      },
    )
    .catch((error: unknown) => {
      // A bug in the handlers above: an unhandled rejection would end the process.
      entry.error = `internal error: ${(error as Error).message}`;
      res.destroy();
    });
}

/** Writes a response head (status line and headers) as HTTP/1.1 wire text. */
/** The request's headers for the upstream: the client's, with the forwarding headers this hop sets. */
function forwardedRequestHeaders(ctx: ProxyContext, req: IncomingMessage, socket: TLSSocket, conn: TrackedConnection | undefined): string[] {
  return upstreamRequestHeaders(req.rawHeaders, {
    peerAddress: socket.remoteAddress ?? '',
    host: req.headers.host ?? (socket.servername || undefined),
    trustedPeer: ctx.trustedProxies.has(socket.remoteAddress),
    clientIdentity: conn?.identity,
  });
}

function responseHead(status: number, statusText: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * Serves a request to switch protocols (WebSocket, RFC 6455 §4; RFC 9110 §7.8). The
 * upstream gets the request with its Upgrade and Connection headers and ours; if it
 * answers 101 the client's socket and the upstream's are joined, byte for byte.
 */
export function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, clientSocket: Duplex, head: Buffer): void {
  const socket = clientSocket as TLSSocket;
  const conn = ctx.connectionOf(socket);
  conn?.upgradedTo();
  const started = performance.now();
  const entry = logEntry(req, socket, conn, conn?.early?.inEarlyData ?? false);
  let logged = false;
  const finish = (status: number, error?: string) => {
    if (logged) return;
    logged = true;
    entry.status = status;
    if (error) entry.error = error;
    entry.totalMs = roundMs(performance.now() - started);
    ctx.metrics.requests.inc(String(status));
    ctx.log?.(entry);
  };
  const hstsHeader = ctx.hsts === undefined ? [] : ['Strict-Transport-Security', `max-age=${ctx.hsts}`];
  const fail = (status: 502 | 504, error: string) => {
    const body = ERROR_BODIES[status]!;
    const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close', ...hstsHeader];
    if (socket.writable) socket.end(responseHead(status, status === 502 ? 'Bad Gateway' : 'Gateway Timeout', headers) + body);
    entry.bytesOut = Buffer.byteLength(body);
    finish(status, error);
  };
  if (conn?.early?.inEarlyData) {
    // An upgrade is not idempotent: RFC 8470 §5.2.
    const body = ERROR_BODIES[425]!;
    socket.end(responseHead(425, 'Too Early', ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close', ...hstsHeader]) + body);
    finish(425, 'upgrade in early data');
    return;
  }

  const headers = forwardedRequestHeaders(ctx, req, socket, conn);
  // Upgrade and Connection are hop-by-hop, but this hop's request is the upgrade itself.
  headers.push('Connection', 'Upgrade', 'Upgrade', String(req.headers.upgrade ?? ''));

  const upstreamStarted = performance.now();
  const upstream = httpRequest({
    host: ctx.upstream.hostname,
    port: Number(ctx.upstream.port || 80),
    method: req.method ?? 'GET',
    path: upstreamPath(req.url ?? '') ?? '/',
    headers,
    agent: false,
    timeout: ctx.upstreamTimeout,
  });
  upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' })));
  upstream.on('error', (error) => {
    if (logged) return;
    const failure = classifyUpstreamError(error);
    ctx.metrics.upstreamErrors.inc(failure.kind);
    fail(failure.status, `upstream ${failure.kind}: ${failure.reason}`);
  });
  socket.on('error', () => upstream.destroy());

  upstream.on('upgrade', (response: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
    entry.upstreamMs = roundMs(performance.now() - upstreamStarted);
    (upstreamSocket as Socket).setTimeout(0);
    socket.write(responseHead(101, response.statusMessage || 'Switching Protocols', [...response.rawHeaders, ...hstsHeader]));
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    socket.on('data', (chunk: Buffer) => (entry.bytesIn += chunk.length));
    upstreamSocket.on('data', (chunk: Buffer) => (entry.bytesOut += chunk.length));
    // Each side's end goes to the other; an error on either ends both.
    pipeline(socket, upstreamSocket, () => socket.destroy());
    pipeline(upstreamSocket, socket, () => {
      upstreamSocket.destroy();
      finish(101);
    });
  });

  upstream.on('response', (response: IncomingMessage) => {
    // The upstream refused to switch: pass its answer on, then close (the socket is no longer Node's to reuse).
    entry.upstreamMs = roundMs(performance.now() - upstreamStarted);
    const kept: string[] = [];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
      if (!isHopByHopResponseHeader(response.rawHeaders[i]!)) kept.push(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
    }
    socket.write(responseHead(response.statusCode ?? 502, response.statusMessage ?? '', [...kept, 'Connection', 'close', ...hstsHeader]));
    response.on('data', (chunk: Buffer) => (entry.bytesOut += chunk.length));
    // Whatever the client sends now is not wanted, but must be read for the connection to end.
    socket.resume();
    pipeline(response, socket, () => finish(response.statusCode ?? 0));
  });

  upstream.end();
}
