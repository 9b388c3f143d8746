/**
 * The terminator itself: where the pieces meet.
 *
 * ```
 * client ──TCP──► net.Server ──► TLSSocket (lucid-tls) ──► http.Server (Node's parser)
 *                                                              │ proxy.ts
 *                                          upstream ◄──HTTP── undici Pool (keep-alive)
 * ```
 *
 * A `net.Server` accepts TCP connections; each becomes a lucid-tls {@link TLSSocket} and is
 * handed at once, before its handshake, to an `http.Server` that never listens itself
 * (`server.emit('connection', socket)`). Handing it over before the handshake is what lets
 * a request in 0-RTT data be read before the handshake completes. Certificates are
 * chosen per handshake by a function, so a reload changes what the next handshake gets
 * and nothing else.
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { RotatingTicketer, SingleUseTickets, nobleProvider, verifyWithTrustStore, type CertificateVerifier } from '@lucid-tls/tls';
import { TLSSocket, type ServerSocketSetup } from '@lucid-tls/tls/node';
import { parseCertificate } from '@lucid-tls/tls/x509';
import { Pool } from 'undici';
import { openAccessLog, type AccessLogSink } from './access-log.js';
import { CertificateStore } from './certificates.js';
import { resolveConfig, type HostPort, type ResolvedConfig, type TerminatorConfig } from './config.js';
import { TrackedConnection } from './connections.js';
import { EarlyDataTracker } from './early-data.js';
import { TrustedProxies } from './forwarded-headers.js';
import { Metrics, createMetricsServer } from './metrics.js';
import { handleRequest, handleUpgrade, type ProxyContext } from './proxy.js';
import { createRedirectServer } from './redirect.js';

/** Options of {@link startTerminator} that are code, not configuration. */
export interface TerminatorOptions {
  /** Where relative file names of the config are taken from (default: the working directory). */
  baseDir?: string;
  /** Receives every access-log entry, besides the config's `accessLog` target. */
  onAccessLog?: AccessLogSink;
  /** Receives operational messages: reloads, their failures, shutdown (default: stderr). */
  logger?: (message: string) => void;
}

/** The outcome of a reload. */
export interface ReloadResult {
  ok: boolean;
  /** Why it failed (the old certificates stay in use). */
  error?: string;
  /** The SAN names of each certificate now served. */
  certificates: string[][];
}

/** A running terminator. */
export interface Terminator {
  /** Where HTTPS is served (the port the OS chose, for port 0). */
  readonly address: HostPort;
  /** The plain-HTTP redirect listener, with `redirectFrom`. */
  readonly redirectAddress: HostPort | undefined;
  /** The metrics listener, with `metrics`. */
  readonly metricsAddress: HostPort | undefined;
  readonly metrics: Metrics;
  readonly config: ResolvedConfig;
  /** TLS connections open now. */
  readonly connectionCount: number;
  /** Reads the certificates, keys and client CAs again (what SIGHUP does). */
  reload(): ReloadResult;
  /**
   * Graceful shutdown (what SIGTERM does): stop accepting, let the requests in flight
   * finish (up to `timeouts.shutdown`), close every connection with close_notify.
   */
  close(): Promise<void>;
}

function listen(server: NetServer, where: HostPort): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(where.port, where.host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}

function closeServer(server: NetServer | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The lucid-tls server setup every connection shares. */
function socketSetup(config: ResolvedConfig, certificates: CertificateStore): ServerSocketSetup {
  const setup: ServerSocketSetup = {
    isServer: true,
    rejectUnauthorized: true,
    config: {
      certificate: (serverName) => certificates.choose(serverName),
      alpnProtocols: ['http/1.1'],
      minVersion: config.minVersion,
    },
  };
  const mtls = config.clientCa !== undefined;
  // A resumed session carries no client certificate (RFC 8446 §4.3.2 forbids asking for
  // one), so with mTLS every connection does a full handshake and proves who it is.
  if (config.tickets.count > 0 && !mtls) {
    setup.config.tickets = {
      count: config.tickets.count,
      lifetime: config.tickets.lifetimeSeconds,
      ticketer: new RotatingTicketer(nobleProvider, { rotateAfterMs: config.tickets.rotateMs }),
    };
    if (config.earlyData) {
      setup.config.maxEarlyDataSize = config.maxEarlyDataSize;
      setup.config.antiReplay = new SingleUseTickets();
    }
  }
  if (mtls) {
    setup.config.clientAuth = config.clientCert;
    // Looked up per handshake, so a reloaded CA file applies to the next one.
    const verifier: CertificateVerifier = (chain, context) => verifyWithTrustStore(certificates.clientTrustStore!)(chain, context);
    setup.verifier = verifier;
  }
  return setup;
}

/**
 * Starts a terminator: HTTPS on `config.listen` in front of `config.upstream`, and the
 * redirect and metrics listeners when configured.
 *
 * @example
 * ```ts
 * const terminator = await startTerminator({
 *   listen: '0.0.0.0:443', upstream: 'http://127.0.0.1:8080',
 *   certificates: [{ cert: 'site.pem', key: 'site-key.pem' }], hsts: 31536000,
 * });
 * process.on('SIGTERM', () => terminator.close());
 * ```
 */
export async function startTerminator(input: TerminatorConfig, options: TerminatorOptions = {}): Promise<Terminator> {
  const config = resolveConfig(input, options.baseDir);
  const logger = options.logger ?? ((message: string) => process.stderr.write(`lucid-terminator: ${message}\n`));
  const certificates = new CertificateStore(config.certificates, config.clientCa);
  const setup = socketSetup(config, certificates);
  const metrics = new Metrics();
  const accessLog = openAccessLog(config.accessLog);
  const sinks = [accessLog.sink, options.onAccessLog].filter((s): s is AccessLogSink => s !== undefined);
  const log: AccessLogSink | undefined = sinks.length === 0 ? undefined : (entry) => sinks.forEach((sink) => sink(entry));

  const pool = new Pool(config.upstream.origin, {
    connections: config.upstreamConnections,
    headersTimeout: config.timeouts.upstream,
    bodyTimeout: config.timeouts.upstream,
    connectTimeout: Math.min(config.timeouts.upstream, 10_000),
    keepAliveTimeout: 4_000,
  });

  const connections = new Map<Duplex, TrackedConnection>();
  const context: ProxyContext = {
    pool,
    upstream: config.upstream,
    upstreamTimeout: config.timeouts.upstream,
    hsts: config.hsts,
    trustedProxies: new TrustedProxies(config.trustedProxies),
    metrics,
    log,
    connectionOf: (socket) => connections.get(socket),
  };

  // Node's parser, fed by TLS sockets; it never listens itself. Its own timeouts are off:
  // connections.ts keeps the handshake, header and idle deadlines.
  const http: HttpServer = createHttpServer({ maxHeaderSize: config.maxHeaderSize, requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 });
  // A bug of ours must cost one request, never the process: the last line of defence.
  const guarded = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    try {
      handleRequest(context, req, res, expectsContinue);
    } catch (error) {
      logger(`internal error on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('500 Internal Server Error\n');
      else res.destroy();
    }
  };
  http.on('request', (req, res) => guarded(req, res, false));
  http.on('checkContinue', (req, res) => guarded(req, res, true));
  http.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    try {
      handleUpgrade(context, req, socket, head);
    } catch (error) {
      logger(`internal error on an upgrade to ${req.url}: ${(error as Error).stack ?? String(error)}`);
      socket.destroy();
    }
  });
  http.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    const conn = connections.get(socket);
    const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    // A malformed request gets Node's status for it; anything else (TLS alerts, resets) just ends.
    if (conn?.secure && socket.writable && !pending?.headersSent && error.code?.startsWith('HPE_')) {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
      const text = status === 431 ? 'Request Header Fields Too Large' : status === 413 ? 'Content Too Large' : 'Bad Request';
      const body = `${status} ${text}\n`;
      const hsts = config.hsts === undefined ? '' : `Strict-Transport-Security: max-age=${config.hsts}\r\n`;
      metrics.requests.inc(String(status));
      conn.close(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${hsts}\r\n${body}`);
    } else {
      socket.destroy();
    }
  });

  let shuttingDown = false;
  const tcp = createNetServer({ allowHalfOpen: true, pauseOnConnect: false });
  tcp.maxConnections = config.maxConnections;
  tcp.on('drop', () => (metrics.refusedConnections += 1));
  tcp.on('connection', (transport: Socket) => {
    transport.setNoDelay(true);
    metrics.activeConnections += 1;
    transport.once('close', () => (metrics.activeConnections -= 1));
    const socket = new TLSSocket(transport, setup);
    const conn = new TrackedConnection(socket, { timeouts: config.timeouts, hsts: config.hsts });
    connections.set(socket, conn);
    if (config.earlyData) conn.early = new EarlyDataTracker(socket);
    let timedOut = false;
    conn.onTimeout = (phase) => {
      if (phase === 'handshake') timedOut = true;
      if (phase === 'headers') metrics.requests.inc('408');
    };
    // Errors of a connection are its own: they end it, never the process.
    socket.on('error', () => {});
    socket.once('secure', () => {
      conn.secured();
      metrics.handshakeSucceeded((performance.now() - conn.acceptedAt) / 1000, socket.isSessionReused(), socket.getProtocol() ?? 'unknown');
      const leaf = socket.info?.peerCertificates[0];
      if (leaf && socket.authorized) {
        try {
          conn.identity = { der: leaf, subject: parseCertificate(leaf).subject };
          conn.clientCertHash = createHash('sha256').update(leaf).digest('hex');
        } catch {
          socket.destroy(); // verified, so parsable; if not, no identity can be vouched for
        }
      }
    });
    socket.once('close', () => {
      connections.delete(socket);
      if (!conn.secure && !shuttingDown) metrics.handshakes.inc(timedOut ? 'timeout' : 'failure');
    });
    http.emit('connection', socket);
  });

  let redirect: HttpServer | undefined;
  let metricsServer: HttpServer | undefined;
  let stopWatching: (() => void) | undefined;
  let address: HostPort;
  let redirectAddress: HostPort | undefined;
  let metricsAddress: HostPort | undefined;
  try {
    address = await listen(tcp, config.listen);
    if (config.redirectFrom) {
      redirect = createRedirectServer(() => config.redirectToPort ?? address.port, config.maxHeaderSize);
      redirectAddress = await listen(redirect, config.redirectFrom);
    }
    if (config.metrics) {
      metricsServer = createMetricsServer(metrics);
      metricsAddress = await listen(metricsServer, config.metrics);
    }
  } catch (error) {
    await Promise.all([closeServer(tcp), closeServer(redirect), closeServer(metricsServer)]);
    await pool.destroy();
    await accessLog.close();
    throw error;
  }

  const reload = (): ReloadResult => {
    try {
      certificates.reload();
      metrics.reloads.inc('success');
      const names = certificates.current.map((c) => c.names);
      logger(`certificates reloaded: ${names.map((n) => n.join(' ')).join('; ')}`);
      return { ok: true, certificates: names };
    } catch (error) {
      metrics.reloads.inc('failure');
      const message = (error as Error).message;
      logger(`certificate reload failed, keeping the previous ones: ${message}`);
      return { ok: false, error: message, certificates: certificates.current.map((c) => c.names) };
    }
  };
  if (config.watchCertificates) stopWatching = certificates.watch(() => reload());

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      stopWatching?.();
      const stoppedAccepting = Promise.all([closeServer(tcp), closeServer(redirect)]);
      redirect?.closeIdleConnections();
      for (const conn of connections.values()) conn.shutdown();
      // Wait for the requests in flight, up to the shutdown timeout; then cut what is left.
      const deadline = performance.now() + config.timeouts.shutdown;
      while (connections.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const socket of connections.keys()) socket.destroy();
      redirect?.closeAllConnections();
      await stoppedAccepting;
      await pool.close().catch(() => pool.destroy());
      metricsServer?.closeAllConnections();
      await closeServer(metricsServer);
      await accessLog.close();
      logger('shut down');
    })();
    return closing;
  };

  return {
    address,
    redirectAddress,
    metricsAddress,
    metrics,
    config,
    get connectionCount() {
      return connections.size;
    },
    reload,
    close,
  };
}
