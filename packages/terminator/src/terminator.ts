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
 * and nothing else. With `proxyProtocol`, each TCP connection first gives its PROXY
 * protocol header (proxy-protocol.ts), and TLS begins with the bytes after it. With
 * `acme`, the terminator gets its own certificates (acme-manager.ts) once it listens: it
 * answers tls-alpn-01 on its HTTPS listener and http-01 on its redirect listener.
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { RotatingTicketer, SharedTicketer, SingleUseTickets, nobleProvider, verifyWithTrustStore, type CertificateVerifier, type Ticketer } from '@lucid-tls/tls';
import { TLSSocket, nodeCryptoProvider, type ServerSocketSetup } from '@lucid-tls/tls/node';
import { parseCertificate } from '@lucid-tls/tls/x509';
import { ACME_TLS_ALPN_PROTOCOL, type ChallengeResponses } from '@lucid-tls/acme';
import { Pool } from 'undici';
import { AcmeManager, type AcmeOrderEntry, type AcmeStartResult } from './acme-manager.js';
import type { ManagedCertificate } from './acme-store.js';
import { openAccessLog, type AccessLog, type AccessLogSink } from './access-log.js';
import { CertificateStore } from './certificates.js';
import { resolveConfig, type HostPort, type ResolvedConfig, type TerminatorConfig } from './config.js';
import { TrackedConnection } from './connections.js';
import { EarlyDataTracker } from './early-data.js';
import { TrustedProxies } from './forwarded-headers.js';
import { Metrics, createMetricsServer } from './metrics.js';
import { handleRequest, handleUpgrade, type ProxyContext } from './proxy.js';
import { createRedirectServer } from './redirect.js';
import { PROXY_HEADER_TIMEOUT_MS, readProxyHeader, type ProxyHeader, type ProxyProtocolError } from './proxy-protocol.js';
import { closingResponse } from './responses.js';
import { readTicketKeys } from './ticket-keys.js';

/** Options of {@link startTerminator} that are code, not configuration. */
export interface TerminatorOptions {
  /** Where relative file names of the config are taken from (default: the working directory). */
  baseDir?: string;
  /** Receives every access-log entry, besides the config's `accessLog` target. */
  onAccessLog?: AccessLogSink;
  /** Receives operational messages: reloads, their failures, shutdown (default: stderr). */
  logger?: (message: string) => void;
  /**
   * Session ticket keys held by the caller (a cluster's primary process), instead of the
   * config's `ticketKeys` file or keys of the terminator's own: the first seals, all
   * open. Replace them with {@link Terminator.setTicketKeys}.
   */
  ticketKeys?: readonly Uint8Array[];
  /**
   * With `acme` in the config: the caller (a cluster's primary) runs the ACME client. The
   * terminator answers the challenges the caller puts in `challenges`, and serves the
   * certificates the caller has at start, then each it passes to
   * {@link Terminator.installCertificate}. Without it, the terminator runs its own ACME client.
   */
  acmeFromCaller?: { challenges: ChallengeResponses; certificates: readonly ManagedCertificate[] };
  /** Receives every ACME order, besides the config's `accessLog` target. */
  onAcmeOrder?: (entry: AcmeOrderEntry) => void;
}

/** The outcome of a reload. */
export interface ReloadResult {
  ok: boolean;
  /** Why it failed (the old certificates stay in use). */
  error?: string;
  /** The SAN names of each certificate now served. */
  certificates: string[][];
  /** With a `ticketKeys` file: how many ticket keys are now in use. */
  ticketKeys?: number;
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
  /** Reads the certificates, keys, client CAs and ticket keys file again (what SIGHUP does). */
  reload(): ReloadResult;
  /** Seals new session tickets with `keys[0]` and opens them with any of `keys` (from the next handshake on). */
  setTicketKeys(keys: readonly Uint8Array[]): void;
  /**
   * With `acme`: resolves once each certificate missing at start has been ordered once,
   * saying which are served and which could not be had (they are tried again later).
   * Undefined without `acme`, or when the caller runs the ACME client (`acmeFromCaller`).
   */
  readonly acmeStarted: Promise<AcmeStartResult> | undefined;
  /** Serves a certificate obtained by ACME for its names, from the next handshake on (throws if its key does not match). */
  installCertificate(certificate: ManagedCertificate): void;
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
function socketSetup(config: ResolvedConfig, certificates: CertificateStore, ticketKeys: readonly Uint8Array[] | undefined): ServerSocketSetup {
  const provider = config.crypto === 'noble' ? nobleProvider : nodeCryptoProvider;
  const setup: ServerSocketSetup = {
    isServer: true,
    rejectUnauthorized: true,
    config: {
      certificate: certificates.chooser,
      // RFC 8737 §4: the ACME server offers only acme-tls/1, so no other client ever gets it.
      alpnProtocols: config.acme?.challenge === 'tls-alpn-01' ? ['http/1.1', ACME_TLS_ALPN_PROTOCOL] : ['http/1.1'],
      minVersion: config.minVersion,
      provider,
    },
  };
  const mtls = config.clientCa !== undefined;
  // A resumed session carries no client certificate (RFC 8446 §4.3.2 forbids asking for
  // one), so with mTLS every connection does a full handshake and proves who it is.
  if (config.tickets.count > 0 && !mtls) {
    setup.config.tickets = {
      count: config.tickets.count,
      lifetime: config.tickets.lifetimeSeconds,
      // Shared keys make every holder resume the others' sessions; without, keys of our own.
      ticketer: ticketKeys ? sharedTicketer(setup, ticketKeys) : new RotatingTicketer(provider, { rotateAfterMs: config.tickets.rotateMs }),
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

/** A ticketer of shared keys, with the setup's crypto provider. */
function sharedTicketer(setup: ServerSocketSetup, keys: readonly Uint8Array[]): Ticketer {
  return new SharedTicketer(setup.config.provider ?? nobleProvider, keys);
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
  const terminator = new RunningTerminator(resolveConfig(input, options.baseDir), options);
  await terminator.listen();
  return terminator;
}

/** The upstream's pool of keep-alive connections. */
function upstreamPool(config: ResolvedConfig): Pool {
  return new Pool(config.upstream.origin, {
    connections: config.upstreamConnections,
    headersTimeout: config.timeouts.upstream,
    bodyTimeout: config.timeouts.upstream,
    connectTimeout: Math.min(config.timeouts.upstream, 10_000),
    keepAliveTimeout: 4_000,
  });
}

/** The status for an error of Node's HTTP parser (llhttp's `HPE_` codes), or undefined for any other error. */
function parseErrorStatus(code: string | undefined): 400 | 413 | 431 | undefined {
  if (!code?.startsWith('HPE_')) return undefined;
  return code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
}

/**
 * A running terminator, in layers kept apart so that each can grow on its own: what every
 * connection shares (built by the constructor), the listeners (`listen`), the setup of
 * each accepted connection (`accept`), and each request, which the HTTP parser hands to
 * proxy.ts; then reload and shutdown.
 */
class RunningTerminator implements Terminator {
  address: HostPort = { host: '', port: 0 };
  redirectAddress: HostPort | undefined;
  metricsAddress: HostPort | undefined;
  readonly metrics = new Metrics();

  private readonly logger: (message: string) => void;
  private readonly certificates: CertificateStore;
  private readonly trustedProxies: TrustedProxies;
  /** The ticket keys come from the caller (a cluster's primary), not from the config's file. */
  private readonly ticketKeysFromCaller: boolean;
  /** Connections still sending their PROXY protocol header. */
  private readonly awaitingHeader = new Set<Socket>();
  private readonly setup: ServerSocketSetup;
  private readonly accessLog: AccessLog;
  private readonly pool: Pool;
  /** The TLS connections open now, by socket. */
  private readonly connections = new Map<Duplex, TrackedConnection>();
  private readonly proxy: ProxyContext;
  private readonly http: HttpServer;
  private readonly tcp: NetServer;
  private redirect: HttpServer | undefined;
  private metricsServer: HttpServer | undefined;
  private stopWatching: (() => void) | undefined;
  private acme: AcmeManager | undefined;
  acmeStarted: Promise<AcmeStartResult> | undefined;
  private shuttingDown = false;
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: ResolvedConfig,
    options: TerminatorOptions,
  ) {
    this.logger = options.logger ?? ((message: string) => process.stderr.write(`lucid-terminator: ${message}\n`));
    this.certificates = new CertificateStore(config.certificates, config.clientCa, config.acme?.certificates.flat(), options.acmeFromCaller?.challenges);
    for (const certificate of options.acmeFromCaller?.certificates ?? []) this.certificates.setManaged(certificate);
    this.updateExpiry();
    this.trustedProxies = new TrustedProxies(config.trustedProxies);
    this.ticketKeysFromCaller = options.ticketKeys !== undefined;
    const fileKeys = config.ticketKeys !== undefined && !this.ticketKeysFromCaller ? readTicketKeys(config.ticketKeys) : undefined;
    this.setup = socketSetup(config, this.certificates, options.ticketKeys ?? fileKeys);
    // Made now, so that a folder that cannot be written stops the start; started once we listen.
    if (config.acme && !options.acmeFromCaller) {
      this.acme = this.acmeManager(config.acme, options.onAcmeOrder);
      this.acme.loadStored();
    }
    this.accessLog = openAccessLog(config.accessLog);
    this.pool = upstreamPool(config);
    this.proxy = {
      pool: this.pool,
      upstream: config.upstream,
      upstreamTimeout: config.timeouts.upstream,
      hsts: config.hsts,
      trustedProxies: this.trustedProxies,
      metrics: this.metrics,
      log: this.accessLogSink(options.onAccessLog),
      connectionOf: (socket) => this.connections.get(socket),
    };
    this.http = this.httpParser();
    this.tcp = this.tlsListener();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Where each access-log entry goes: the configured log and the caller's sink, if any. */
  private accessLogSink(extra: AccessLogSink | undefined): AccessLogSink | undefined {
    const sinks = [this.accessLog.sink, extra].filter((s): s is AccessLogSink => s !== undefined);
    return sinks.length === 0 ? undefined : (entry) => sinks.forEach((sink) => sink(entry));
  }

  // ---- Listeners ----------------------------------------------------------------------

  /** The TCP listener for HTTPS: each connection it accepts gets TLS, then HTTP. */
  private tlsListener(): NetServer {
    const tcp = createNetServer({ allowHalfOpen: true, pauseOnConnect: false });
    tcp.maxConnections = this.config.maxConnections;
    tcp.on('drop', () => (this.metrics.refusedConnections += 1));
    tcp.on('connection', (transport: Socket) => this.accept(transport));
    return tcp;
  }

  /** Opens every listener; if one cannot listen, closes those that did and releases the rest. */
  async listen(): Promise<void> {
    const { config } = this;
    try {
      this.address = await listen(this.tcp, config.listen);
      if (config.redirectFrom) {
        // The port of the redirect's https:// URLs; ours, as the OS chose it, by default.
        const http01 = config.acme?.challenge === 'http-01' ? this.certificates.challenges : undefined;
        this.redirect = createRedirectServer(() => config.redirectToPort ?? this.address.port, config.maxHeaderSize, http01);
        this.redirectAddress = await listen(this.redirect, config.redirectFrom);
      }
      if (config.metrics) {
        this.metricsServer = createMetricsServer(this.metrics);
        this.metricsAddress = await listen(this.metricsServer, config.metrics);
      }
    } catch (error) {
      await Promise.all([closeServer(this.tcp), closeServer(this.redirect), closeServer(this.metricsServer)]);
      await this.pool.destroy();
      await this.accessLog.close();
      throw error;
    }
    if (config.watchCertificates) this.stopWatching = this.certificates.watch(() => this.reload());
    if (this.acme) this.acmeStarted = this.acme.start();
  }

  // ---- ACME ---------------------------------------------------------------------------

  /** Our own ACME client; it starts once we listen (the ACME server validates on our listeners). */
  private acmeManager(settings: NonNullable<ResolvedConfig['acme']>, onOrder: ((entry: AcmeOrderEntry) => void) | undefined): AcmeManager {
    return new AcmeManager(settings, {
      responder: this.certificates.challenges,
      install: (certificate) => this.installCertificate(certificate),
      log: this.logger,
      order: (entry) => {
        this.accessLog.record?.(entry);
        onOrder?.(entry);
      },
      metrics: this.metrics,
    });
  }

  installCertificate(certificate: ManagedCertificate): void {
    this.certificates.setManaged(certificate);
    this.updateExpiry();
  }

  /** `lucid_certificate_expiry_timestamp_seconds`: for each name, the certificate a handshake for it gets. */
  private updateExpiry(): void {
    const expiry = new Map<string, number>();
    for (const { names, leaf } of this.certificates.current) {
      for (const name of names) if (!expiry.has(name)) expiry.set(name, Math.floor(leaf.notAfter.getTime() / 1000));
    }
    this.metrics.certificateExpiry.replace(expiry);
  }

  // ---- Each connection ------------------------------------------------------------------

  /** An accepted TCP connection: its PROXY protocol header if one is expected, then TLS. */
  private accept(transport: Socket): void {
    transport.setNoDelay(true);
    this.metrics.activeConnections += 1;
    transport.once('close', () => (this.metrics.activeConnections -= 1));
    if (this.config.proxyProtocol) this.receiveProxyHeader(transport);
    else this.startTls(transport, undefined);
  }

  /**
   * PROXY protocol: only a trusted load balancer may send the header (§5), and it must
   * send it before anything else (§2); a connection that does not is closed, alone.
   */
  private receiveProxyHeader(transport: Socket): void {
    transport.on('error', () => {});
    if (!this.trustedProxies.has(transport.remoteAddress)) {
      this.metrics.proxyProtocolRefused.inc('untrusted');
      transport.destroy();
      return;
    }
    this.awaitingHeader.add(transport);
    // Never longer than a handshake may take: the header is part of setting the connection up.
    readProxyHeader(transport, Math.min(PROXY_HEADER_TIMEOUT_MS, this.config.timeouts.handshake)).then(
      (header) => {
        this.awaitingHeader.delete(transport);
        if (!transport.destroyed) this.startTls(transport, header);
      },
      (error: ProxyProtocolError) => {
        this.awaitingHeader.delete(transport);
        this.metrics.proxyProtocolRefused.inc(error.reason);
        transport.destroy();
      },
    );
  }

  /** TLS over the connection, watched over, and handed to the HTTP parser. */
  private startTls(transport: Socket, proxyHeader: ProxyHeader | undefined): void {
    const socket = new TLSSocket(transport, this.setup);
    const conn = this.track(socket);
    // The client the load balancer names; LOCAL and UNKNOWN headers leave the TCP peer.
    if (proxyHeader?.source) conn.client = { ...proxyHeader.source };
    // Errors of a connection are its own: they end it, never the process.
    socket.on('error', () => {});
    socket.once('secure', () => this.secured(conn));
    // Before the handshake, so that a request in 0-RTT data is read before it completes.
    this.http.emit('connection', socket);
  }

  /** Keeps a new connection's deadlines and counts how its handshake ends if it does not complete. */
  private track(socket: TLSSocket): TrackedConnection {
    const conn = new TrackedConnection(socket, { timeouts: this.config.timeouts, hsts: this.config.hsts });
    this.connections.set(socket, conn);
    if (this.config.earlyData) conn.early = new EarlyDataTracker(socket);
    let timedOut = false;
    conn.onTimeout = (phase) => {
      if (phase === 'handshake') timedOut = true;
      if (phase === 'headers') this.metrics.requests.inc('408');
    };
    socket.once('close', () => {
      this.connections.delete(socket);
      // A handshake cut short by the end of a shutdown is not a failure.
      if (!conn.secure && !this.shuttingDown) this.metrics.handshakes.inc(timedOut ? 'timeout' : 'failure');
    });
    // Accepted before the shutdown began (its PROXY header came after): it finishes too.
    if (this.shuttingDown) conn.shutdown();
    return conn;
  }

  /** The handshake completed: its metrics, and with mTLS who the client is. */
  private secured(conn: TrackedConnection): void {
    const socket = conn.socket;
    conn.secured();
    // A tls-alpn-01 validation: the handshake was the whole exchange (RFC 8737 §4).
    if (socket.alpnProtocol === ACME_TLS_ALPN_PROTOCOL) {
      socket.end();
      return;
    }
    this.metrics.handshakeSucceeded((performance.now() - conn.acceptedAt) / 1000, socket.isSessionReused(), socket.getProtocol() ?? 'unknown');
    const leaf = socket.info?.peerCertificates[0];
    if (!leaf || !socket.authorized) return;
    try {
      conn.identity = { der: leaf, subject: parseCertificate(leaf).subject };
      conn.clientCertHash = createHash('sha256').update(leaf).digest('hex');
    } catch {
      socket.destroy(); // verified, so parsable; if not, no identity can be vouched for
    }
  }

  // ---- Each request ---------------------------------------------------------------------

  /** Node's parser, fed by TLS sockets; it never listens itself. */
  private httpParser(): HttpServer {
    // Its own timeouts are off: connections.ts keeps the handshake, header and idle deadlines.
    const http = createHttpServer({ maxHeaderSize: this.config.maxHeaderSize, requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 });
    http.on('request', (req, res) => this.request(req, res, false));
    http.on('checkContinue', (req, res) => this.request(req, res, true));
    http.on('upgrade', (req, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    http.on('clientError', (error: Error & { code?: string }, socket: Duplex) => this.clientError(error, socket));
    return http;
  }

  /** A request, to the proxy. A bug of ours must cost one request, never the process: the last line of defence. */
  private request(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    try {
      handleRequest(this.proxy, req, res, expectsContinue);
    } catch (error) {
      this.logger(`internal error on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('500 Internal Server Error\n');
      else res.destroy();
    }
  }

  /** A request to switch protocols, to the proxy; guarded in the same way. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      handleUpgrade(this.proxy, req, socket, head);
    } catch (error) {
      this.logger(`internal error on an upgrade to ${req.url}: ${(error as Error).stack ?? String(error)}`);
      socket.destroy();
    }
  }

  /** A request the parser refused: a malformed one gets its status; anything else (TLS alerts, resets) just ends. */
  private clientError(error: Error & { code?: string }, socket: Duplex): void {
    const conn = this.connections.get(socket);
    const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    const status = parseErrorStatus(error.code);
    if (!conn?.secure || !socket.writable || pending?.headersSent || status === undefined) {
      socket.destroy();
      return;
    }
    this.metrics.requests.inc(String(status));
    conn.close(closingResponse(status, this.config.hsts));
  }

  // ---- Reload and shutdown --------------------------------------------------------------

  reload(): ReloadResult {
    const result = this.reloadCertificates();
    if (this.config.ticketKeys === undefined || this.ticketKeysFromCaller) return result;
    try {
      const keys = readTicketKeys(this.config.ticketKeys);
      this.setTicketKeys(keys);
      this.logger(`ticket keys reloaded: ${keys.length}`);
      return { ...result, ticketKeys: keys.length };
    } catch (error) {
      const message = (error as Error).message;
      this.logger(`ticket key reload failed, keeping the previous ones: ${message}`);
      return { ...result, ok: false, error: result.error ? `${result.error}; ${message}` : message };
    }
  }

  private reloadCertificates(): ReloadResult {
    const { certificates, metrics } = this;
    try {
      certificates.reload();
      metrics.reloads.inc('success');
      this.updateExpiry();
      const names = certificates.current.map((c) => c.names);
      this.logger(`certificates reloaded: ${names.map((n) => n.join(' ')).join('; ')}`);
      return { ok: true, certificates: names };
    } catch (error) {
      metrics.reloads.inc('failure');
      const message = (error as Error).message;
      this.logger(`certificate reload failed, keeping the previous ones: ${message}`);
      return { ok: false, error: message, certificates: certificates.current.map((c) => c.names) };
    }
  }

  setTicketKeys(keys: readonly Uint8Array[]): void {
    // Each connection copies the setup's config when it starts: the next ones get the new ticketer.
    const { tickets } = this.setup.config;
    if (tickets) this.setup.config.tickets = { ...tickets, ticketer: sharedTicketer(this.setup, keys) };
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const { redirect, connections, config } = this;
    this.shuttingDown = true;
    this.stopWatching?.();
    this.acme?.stop();
    const stoppedAccepting = Promise.all([closeServer(this.tcp), closeServer(redirect)]);
    redirect?.closeIdleConnections();
    for (const conn of connections.values()) conn.shutdown();
    // Wait for the requests in flight, up to the shutdown timeout; then cut what is left.
    const deadline = performance.now() + config.timeouts.shutdown;
    const busy = () => connections.size > 0 || this.awaitingHeader.size > 0;
    while (busy() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const transport of this.awaitingHeader) transport.destroy();
    for (const socket of connections.keys()) socket.destroy();
    redirect?.closeAllConnections();
    await stoppedAccepting;
    await this.pool.close().catch(() => this.pool.destroy());
    this.metricsServer?.closeAllConnections();
    await closeServer(this.metricsServer);
    await this.accessLog.close();
    this.logger('shut down');
  }
}
