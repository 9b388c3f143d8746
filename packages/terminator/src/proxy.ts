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
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Transform, pipeline } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from '@lucid-tls/tls/node';
import type { Dispatcher, Pool } from 'undici';
import { roundMs, type AccessLogEntry, type AccessLogSink } from './access-log.js';
import type { TrackedConnection } from './connections.js';
import { isIdempotent } from './early-data.js';
import { isHopByHopResponseHeader, upstreamRequestHeaders, type TrustedProxies } from './forwarded-headers.js';
import type { Metrics } from './metrics.js';
import { closingResponse, errorBody, hstsHeader, responseHead } from './responses.js';

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
    client: conn?.client.address ?? socket.remoteAddress ?? '',
    clientPort: conn ? conn.client.port : (socket.remotePort ?? null),
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
  new ProxiedRequest(ctx, req, res).serve(expectsContinue);
}

/** One request on its way through the proxy, step by step; each step reads what the earlier ones settled. */
class ProxiedRequest {
  private readonly socket: TLSSocket;
  private readonly conn: TrackedConnection | undefined;
  /** Whether the request came in 0-RTT data (RFC 8446 §2.3), before the handshake completed. */
  private readonly early: boolean;
  private readonly started = performance.now();
  private readonly entry: AccessLogEntry;
  private hasBody = false;
  private logged = false;
  /** The client left before the response was complete. */
  private aborted = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.socket = req.socket as unknown as TLSSocket;
    this.conn = ctx.connectionOf(this.socket);
    this.early = this.conn?.early?.inEarlyData ?? false;
    this.entry = logEntry(req, this.socket, this.conn, this.early);
  }

  serve(expectsContinue: boolean): void {
    const { ctx, req, res } = this;
    this.conn?.requestStarted(req, res);
    if (ctx.hsts !== undefined) res.setHeader('Strict-Transport-Security', `max-age=${ctx.hsts}`);
    res.once('close', () => this.finish());
    if (this.early && !this.admitEarlyData()) return;
    const path = upstreamPath(req.url ?? '');
    if (path === undefined) return this.refuse(400, 'unsupported request target', { Connection: 'close' });
    const headers = this.upstreamHeaders();
    const body = this.requestBody();
    if (expectsContinue) res.writeContinue();
    this.forward(path, headers, body);
  }

  /** RFC 8470 §5.2: what must not be replayed waits for the handshake (425 Too Early). */
  private admitEarlyData(): boolean {
    this.ctx.metrics.earlyDataRequests += 1;
    if (isIdempotent(this.req.method ?? '')) return true;
    this.refuse(425, 'non-idempotent request in early data');
    return false;
  }

  /** The request's headers for the upstream, with this hop's forwarding headers. */
  private upstreamHeaders(): string[] {
    const headers = forwardedRequestHeaders(this.ctx, this.req, this.socket, this.conn);
    // RFC 8470 §5.1: tell the application; a value from an earlier hop is kept (it stays true).
    if (this.early && this.req.headers['early-data'] === undefined) headers.push('Early-Data', '1');
    return headers;
  }

  /** The request body as a stream to send up (counted for the log), or null when there is none. */
  private requestBody(): Transform | null {
    const { req, entry } = this;
    this.hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (!this.hasBody) {
      req.resume();
      return null;
    }
    const body = byteCounter((n) => (entry.bytesIn += n));
    pipeline(req, body, () => {});
    return body;
  }

  /** Sends the request up through the pool; the response, or the failure, comes back to the client. */
  private forward(path: string, headers: string[], body: Transform | null): void {
    const { ctx, req, res } = this;
    // Cancels the upstream request when the client leaves first (undici takes an emitter as signal).
    const abort = new EventEmitter();
    res.once('close', () => {
      if (res.writableFinished) return;
      this.aborted = true;
      abort.emit('abort');
    });
    const upstreamStarted = performance.now();
    const timed = () => (this.entry.upstreamMs = roundMs(performance.now() - upstreamStarted));
    ctx.pool
      .request({ path, method: (req.method ?? 'GET') as 'GET', headers, body, signal: abort, headersTimeout: ctx.upstreamTimeout, bodyTimeout: ctx.upstreamTimeout })
      .then(
        (response) => {
          timed();
          this.relay(response);
        },
        (error: unknown) => {
          timed();
          this.upstreamFailed(error);
        },
      )
      .catch((error: unknown) => {
        // A bug in the handlers above: an unhandled rejection would end the process.
        this.entry.error = `internal error: ${(error as Error).message}`;
        res.destroy();
      });
  }

  /** Streams the upstream's response to the client: its status and end-to-end headers, then its body. */
  private relay(response: Dispatcher.ResponseData): void {
    const { ctx, res, entry } = this;
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
      this.refuse(502, `upstream response unusable: ${(error as Error).message}`);
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
  }

  /** No response from the upstream: 400 for a request undici will not send, else 502 or 504. */
  private upstreamFailed(error: unknown): void {
    const { ctx, req, res } = this;
    if (this.aborted || res.destroyed) return; // the client left first
    if ((error as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
      this.refuse(400, `bad request: ${(error as Error).message}`, { Connection: 'close' });
      return;
    }
    const failure = classifyUpstreamError(error);
    ctx.metrics.upstreamErrors.inc(failure.kind);
    this.entry.error = `upstream ${failure.kind}: ${failure.reason}`;
    if (res.headersSent) res.destroy();
    // A request body not yet read whole is not worth reading: close instead.
    else this.reply(failure.status, this.hasBody && !req.complete ? { Connection: 'close' } : {});
  }

  /** Answers with an error of ours, noting `error` for the log. */
  private refuse(status: number, error: string, extraHeaders: Record<string, string> = {}): void {
    this.entry.error = error;
    this.reply(status, extraHeaders);
  }

  /** Writes an error response of ours with its one-line body. */
  private reply(status: number, extraHeaders: Record<string, string>): void {
    const { req, res } = this;
    const body = errorBody(status);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
    res.end(req.method === 'HEAD' ? undefined : body);
    this.entry.bytesOut = req.method === 'HEAD' ? 0 : Buffer.byteLength(body);
  }

  /** Logs the request once its response is done or cut short. */
  private finish(): void {
    const { ctx, res, entry, conn } = this;
    if (this.logged) return;
    this.logged = true;
    if (res.writableFinished) entry.status = res.statusCode;
    else {
      // Cut short: by the client, or by us after an upstream failure mid-response.
      entry.status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
      entry.error ??= 'client closed the connection';
    }
    entry.totalMs = roundMs(performance.now() - this.started);
    // A request in early data is read before the handshake ends; by now it has.
    if (entry.handshakeMs === null && conn?.handshakeMs !== undefined) entry.handshakeMs = roundMs(conn.handshakeMs);
    ctx.metrics.requests.inc(String(entry.status));
    ctx.log?.(entry);
  }
}

/** The request's headers for the upstream: the client's, with the forwarding headers this hop sets. */
function forwardedRequestHeaders(ctx: ProxyContext, req: IncomingMessage, socket: TLSSocket, conn: TrackedConnection | undefined): string[] {
  // The client is the one who wrote the request: with the PROXY protocol, the load
  // balancer's client, not the balancer (it relays bytes and writes no header).
  const client = conn?.client.address ?? socket.remoteAddress ?? '';
  return upstreamRequestHeaders(req.rawHeaders, {
    peerAddress: client,
    host: req.headers.host ?? (socket.servername || undefined),
    trustedPeer: ctx.trustedProxies.has(client),
    clientIdentity: conn?.identity,
  });
}

/**
 * Serves a request to switch protocols (WebSocket, RFC 6455 §4; RFC 9110 §7.8). The
 * upstream gets the request with its Upgrade and Connection headers and ours; if it
 * answers 101 the client's socket and the upstream's are joined, byte for byte.
 */
export function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, clientSocket: Duplex, head: Buffer): void {
  new ProxiedUpgrade(ctx, req, clientSocket as TLSSocket, head).serve();
}

/** One request to switch protocols, step by step: refused in early data, else sent up on a connection of its own. */
class ProxiedUpgrade {
  private readonly conn: TrackedConnection | undefined;
  private readonly started = performance.now();
  private upstreamStarted = 0;
  private readonly entry: AccessLogEntry;
  private readonly hsts: string[];
  private logged = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly socket: TLSSocket,
    private readonly head: Buffer,
  ) {
    this.conn = ctx.connectionOf(socket);
    this.entry = logEntry(req, socket, this.conn, this.conn?.early?.inEarlyData ?? false);
    this.hsts = hstsHeader(ctx.hsts);
  }

  serve(): void {
    const { ctx, socket } = this;
    this.conn?.upgradedTo();
    if (this.conn?.early?.inEarlyData) {
      // An upgrade is not idempotent: RFC 8470 §5.2.
      socket.end(closingResponse(425, ctx.hsts));
      this.finish(425, 'upgrade in early data');
      return;
    }
    const upstream = this.upstreamRequest();
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (error) => this.upstreamFailed(error));
    socket.on('error', () => upstream.destroy());
    upstream.on('upgrade', (response: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => this.join(response, upstreamSocket, upstreamHead));
    upstream.on('response', (response: IncomingMessage) => this.passOnRefusal(response));
    upstream.end();
  }

  /** The request for the upstream, with this hop's forwarding headers, on a connection of its own. */
  private upstreamRequest(): ClientRequest {
    const { ctx, req } = this;
    const headers = forwardedRequestHeaders(ctx, req, this.socket, this.conn);
    // Upgrade and Connection are hop-by-hop, but this hop's request is the upgrade itself.
    headers.push('Connection', 'Upgrade', 'Upgrade', String(req.headers.upgrade ?? ''));
    this.upstreamStarted = performance.now();
    return httpRequest({
      host: ctx.upstream.hostname,
      port: Number(ctx.upstream.port || 80),
      method: req.method ?? 'GET',
      path: upstreamPath(req.url ?? '') ?? '/',
      headers,
      agent: false,
      timeout: ctx.upstreamTimeout,
    });
  }

  /** The upstream switched (101): the client's socket and the upstream's are joined, byte for byte. */
  private join(response: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer): void {
    const { socket, entry } = this;
    entry.upstreamMs = roundMs(performance.now() - this.upstreamStarted);
    (upstreamSocket as Socket).setTimeout(0);
    socket.write(responseHead(101, response.statusMessage || 'Switching Protocols', [...response.rawHeaders, ...this.hsts]));
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (this.head.length > 0) upstreamSocket.write(this.head);
    socket.on('data', (chunk: Buffer) => (entry.bytesIn += chunk.length));
    upstreamSocket.on('data', (chunk: Buffer) => (entry.bytesOut += chunk.length));
    // Each side's end goes to the other; an error on either ends both.
    pipeline(socket, upstreamSocket, () => socket.destroy());
    pipeline(upstreamSocket, socket, () => {
      upstreamSocket.destroy();
      this.finish(101);
    });
  }

  /** The upstream refused to switch: its answer is passed on, then the connection closes (the socket is no longer Node's to reuse). */
  private passOnRefusal(response: IncomingMessage): void {
    const { socket, entry } = this;
    entry.upstreamMs = roundMs(performance.now() - this.upstreamStarted);
    const kept: string[] = [];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
      if (!isHopByHopResponseHeader(response.rawHeaders[i]!)) kept.push(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
    }
    socket.write(responseHead(response.statusCode ?? 502, response.statusMessage ?? '', [...kept, 'Connection', 'close', ...this.hsts]));
    response.on('data', (chunk: Buffer) => (entry.bytesOut += chunk.length));
    // Whatever the client sends now is not wanted, but must be read for the connection to end.
    socket.resume();
    pipeline(response, socket, () => this.finish(response.statusCode ?? 0));
  }

  /** No answer from the upstream: 502 or 504, unless the exchange already ended. */
  private upstreamFailed(error: Error): void {
    if (this.logged) return;
    const failure = classifyUpstreamError(error);
    this.ctx.metrics.upstreamErrors.inc(failure.kind);
    if (this.socket.writable) this.socket.end(closingResponse(failure.status, this.ctx.hsts));
    this.entry.bytesOut = Buffer.byteLength(errorBody(failure.status));
    this.finish(failure.status, `upstream ${failure.kind}: ${failure.reason}`);
  }

  /** Logs the exchange, once. */
  private finish(status: number, error?: string): void {
    if (this.logged) return;
    this.logged = true;
    const { ctx, entry } = this;
    entry.status = status;
    if (error) entry.error = error;
    entry.totalMs = roundMs(performance.now() - this.started);
    ctx.metrics.requests.inc(String(status));
    ctx.log?.(entry);
  }
}
