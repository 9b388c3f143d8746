/**
 * A TLS socket for Node: a `stream.Duplex` that speaks TLS (1.3, or 1.2) over another duplex (a TCP
 * socket, usually) by driving a sans-IO {@link ClientConnection} or
 * {@link ServerConnection}. This file is the glue, and all of it: bytes from the
 * transport go into `receive()`, the records `takeOutgoingRecords()` returns go back to
 * the transport, `readChunks()` feeds the readable side and the writable side feeds `write()`.
 *
 * Backpressure holds both ways. When the reader does not keep up (`push()` returns
 * false) the transport is paused, so TCP's own flow control slows the peer down; a
 * write completes only when the transport has taken the bytes (its `write()` returned
 * true, or it drained).
 * @module
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TlsError } from '../alert.js';
import { ClientConnection } from '../connection/client-connection.js';
import type { CertificateVerifier, ClientConfig, ServerConfig } from '../handshake/config.js';
import type { Connection, ConnectionEvent, ConnectionInfo } from '../connection/connection.js';
import { ServerConnection } from '../connection/server-connection.js';
import { encodeSession } from '../handshake/session.js';
import { nodeCryptoProvider } from './crypto/index.js';
import type { KeyLogWriter } from '../trace/keylog.js';
import { isIP } from '../wire/ip.js';
import type { ProtocolName } from '../handshake/versions.js';
import { opensslCipherName } from './options.js';
import { peerCertificate, type DetailedPeerCertificate, type PeerCertificate } from './peer-certificate.js';

/** What both sides of a {@link TLSSocket} are set up with. */
interface SocketSetup {
  /**
   * Keep the writable side open after the peer's close_notify (RFC 8446 §6.1 lets each side
   * close its direction on its own). Default false, as in `node:tls`: the socket ends its
   * side too once the peer's end has been read.
   */
  allowHalfOpen?: boolean;
  /**
   * Whether a peer certificate that fails verification ends the handshake (true) or is
   * accepted with `authorized === false` and the reason in `authorizationError` (false).
   */
  rejectUnauthorized: boolean;
}

/** How a client {@link TLSSocket} is set up (see `connect()` for the Node-style options). */
export interface ClientSocketSetup extends SocketSetup {
  isServer: false;
  /**
   * The engine's configuration, except what the socket supplies itself. Its `provider`
   * defaults to `nodeCryptoProvider` here (the sans-IO engine's own default is `nobleProvider`).
   */
  config: Omit<ClientConfig, 'verifyServerCertificate' | 'keyLog'>;
  /** Decides whether the server's chain is trusted; it is never skipped. */
  verifier: CertificateVerifier;
}

/** How a server {@link TLSSocket} is set up (see `createServer()`). */
export interface ServerSocketSetup extends SocketSetup {
  isServer: true;
  /** The engine's configuration, except what the socket supplies itself; `provider` defaults to `nodeCryptoProvider`. */
  config: Omit<ServerConfig, 'verifyClientCertificate' | 'keyLog'>;
  /** Decides whether a client's chain is trusted (needed when `config.clientAuth` asks for one). */
  verifier?: CertificateVerifier;
}

/** Either side's setup. */
export type TLSSocketSetup = ClientSocketSetup | ServerSocketSetup;

/** The negotiated cipher, as `node:tls`'s `getCipher()` reports it. */
export interface CipherNameAndProtocol {
  /** OpenSSL's name: for TLS 1.3 suites the IANA name, for TLS 1.2 ones e.g. `ECDHE-RSA-AES128-GCM-SHA256`. */
  name: string;
  /** The IANA name. */
  standardName: string;
  /** The protocol version the suite was negotiated in. */
  version: ProtocolName;
}

/** The error Node gives when the transport closes before the handshake is done. */
function disconnectedError(isServer: boolean): Error {
  const who = isServer ? 'Client' : 'Client network socket';
  return Object.assign(new Error(`${who} disconnected before secure TLS connection was established`), { code: 'ECONNRESET' });
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * A TLS connection (1.3, or 1.2) as a Node `Duplex`, with the events and methods of `node:tls`'s
 * `TLSSocket`, so that `http.request({ createConnection })` and `http.Server` work over it.
 *
 * Events, besides the stream's own: `'secureConnect'` (client) / `'secure'` (server) once
 * the handshake is complete; `'session'` (client, a `Buffer` to pass back as
 * `connect({ session })`); `'keylog'` (a `Buffer` line of the NSS key log format, with its
 * newline; secrets are formatted only while someone listens); `'keyUpdate'` (`'sent'` or
 * `'received'`); `'earlyData'` (server) when it accepted the client's 0-RTT data, as soon
 * as its own first flight is out: from then on the early data is readable as it arrives and
 * writes go out at once as 0.5-RTT data (RFC 8446 §4.4.4), both before `'secure'`, and both
 * unauthenticated (early data may be a replay, §8); `'connect'` when the transport connects;
 * `'timeout'` from the transport.
 * Errors, a {@link TlsError} for anything the protocol rejects, arrive as `'error'` after
 * the alert for the peer has been sent.
 *
 * @example
 * ```ts
 * import { connect } from '@lucid-tls/tls/node';
 * const socket = connect({ host: 'example.com', port: 443, ALPNProtocols: ['http/1.1'] }, () => {
 *   console.log(socket.getProtocol(), socket.getCipher()?.name, socket.alpnProtocol);
 * });
 * ```
 */
export class TLSSocket extends Duplex {
  /** Always true (what `http` checks to tell https from http). */
  readonly encrypted = true;
  /** The transport the records travel over. */
  readonly transport: Duplex;
  /** Whether the peer's certificate was verified (on a client, or on a resumed connection: the server's identity). */
  authorized = false;
  /** Why the peer's certificate was not accepted, when `rejectUnauthorized` was false and verification failed. */
  authorizationError: Error | undefined;

  private readonly setup: TLSSocketSetup;
  private connection: Connection | undefined;
  private secured = false;
  private peerVerified = false;
  private peerClosed = false;
  private endPushed = false;
  /** Set when we paused the transport because the reader is full; `_read` resumes it. */
  private transportPaused = false;
  /** Writes (and the final close) waiting for the handshake to complete. */
  /** Writes and end() waiting for the handshake: each resumes, or fails if the socket is destroyed first. */
  private readonly waitingForHandshake: { resume: () => void; abandon: (error: Error) => void }[] = [];
  /** The callback of the write waiting for the transport to drain. */
  private waitingForDrain: ((error?: Error) => void) | undefined;
  private lastSession: Buffer | undefined;
  private earlyBytes = 0;
  /** Whether 'earlyData' was emitted (a server that accepted 0-RTT). */
  private earlyAnnounced = false;

  /**
   * Wraps `transport`. The handshake starts when the transport is connected (at once for
   * a transport that already is), so listeners added right after construction see it all.
   */
  constructor(transport: Duplex, setup: TLSSocketSetup) {
    super({ allowHalfOpen: setup.allowHalfOpen ?? false });
    this.transport = transport;
    this.setup = setup;
    transport.on('end', () => this.onTransportEnd());
    transport.on('close', () => this.onTransportClose());
    transport.on('error', (error: Error) => this.destroy(error));
    transport.on('drain', () => {
      const callback = this.waitingForDrain;
      this.waitingForDrain = undefined;
      callback?.();
    });
    transport.on('timeout', () => this.emit('timeout'));
    if ((transport as Partial<Socket>).connecting) {
      transport.once('connect', () => {
        this.emit('connect');
        this.start();
      });
    } else {
      process.nextTick(() => this.start());
    }
  }

  // ---- What node:tls offers -------------------------------------------------------

  /** The protocol negotiated with ALPN (RFC 7301), or false. */
  get alpnProtocol(): string | false {
    return this.connection?.info.alpnProtocol ?? false;
  }

  /** The server name: on a client the one asked for, on a server the one the client sent (SNI). */
  get servername(): string | false {
    if (this.setup.isServer) return this.connection?.info.serverName ?? false;
    const name = this.setup.config.serverName;
    return name !== undefined && !isIP(name) ? name : false;
  }

  /** Everything negotiated so far (suite, group, resumption, early data, peer chain…); undefined before the handshake starts. */
  get info(): ConnectionInfo | undefined {
    return this.connection?.info;
  }

  /** Whether the server accepted the client's 0-RTT data (RFC 8446 §4.2.10). */
  get earlyDataAccepted(): boolean {
    return this.connection?.info.earlyData === 'accepted';
  }

  /**
   * On a server: how many bytes of 0-RTT data have been pushed to the reader so far. They
   * are always the first bytes of the stream, so a reader counting what it reads can tell
   * which of its bytes may be a replay (RFC 8446 §8), e.g. to answer HTTP 425 (RFC 8470).
   */
  get earlyDataReceived(): number {
    return this.earlyBytes;
  }

  /** Whether the transport is still connecting (as `net.Socket#connecting`). */
  get connecting(): boolean {
    return (this.transport as Partial<Socket>).connecting ?? false;
  }

  /** `'TLSv1.3'` or `'TLSv1.2'` once the handshake is complete, null before. */
  getProtocol(): ProtocolName | null {
    return this.secured && this.connection ? this.connection.info.protocol : null;
  }

  /** The negotiated cipher suite, or undefined before the ServerHello. */
  getCipher(): CipherNameAndProtocol | undefined {
    const suite = this.connection?.info.cipherSuite;
    return suite && { name: opensslCipherName(suite.name), standardName: suite.name, version: this.connection!.info.protocol };
  }

  /** The peer's certificate in Node's shape; `{}` when it sent none (or the session was resumed). */
  getPeerCertificate(detailed?: false): PeerCertificate | Record<string, never>;
  getPeerCertificate(detailed: true): DetailedPeerCertificate | Record<string, never>;
  getPeerCertificate(detailed = false): PeerCertificate | DetailedPeerCertificate | Record<string, never> {
    return peerCertificate(this.connection?.info.peerCertificates ?? [], detailed);
  }

  /** The most recent session (client), to resume with `connect({ session })`. */
  getSession(): Buffer | undefined {
    return this.lastSession;
  }

  /** Whether the handshake resumed a session (a PSK handshake, RFC 8446 §2.2). */
  isSessionReused(): boolean {
    return this.connection?.info.resumed ?? false;
  }

  /**
   * Keying material exported per RFC 8446 §7.5 (no context and an empty one are the same in
   * TLS 1.3) or RFC 5705 in TLS 1.2 (where they differ, as in node:tls).
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    if (!this.connection || !this.secured) throw new Error('exportKeyingMaterial: the handshake is not complete');
    return asBuffer(this.connection.exportKeyingMaterial(label, context, length));
  }

  /** Sends a KeyUpdate (RFC 8446 §4.6.3); with `requestPeerUpdate`, asks the peer to update too. */
  keyUpdate(requestPeerUpdate = false): void {
    if (!this.connection || !this.secured) throw new Error('keyUpdate: the handshake is not complete');
    this.connection.keyUpdate(requestPeerUpdate);
    this.sendOutgoing();
  }

  /** The transport's remote address (when it is a `net.Socket`). */
  get remoteAddress(): string | undefined {
    return (this.transport as Partial<Socket>).remoteAddress;
  }

  /** The transport's remote port. */
  get remotePort(): number | undefined {
    return (this.transport as Partial<Socket>).remotePort;
  }

  /** The transport's remote address family (`IPv4`, `IPv6`). */
  get remoteFamily(): string | undefined {
    return (this.transport as Partial<Socket>).remoteFamily;
  }

  /** The transport's local address. */
  get localAddress(): string | undefined {
    return (this.transport as Partial<Socket>).localAddress;
  }

  /** The transport's local port. */
  get localPort(): number | undefined {
    return (this.transport as Partial<Socket>).localPort;
  }

  /** The transport's address (as `net.Socket#address()`). */
  address(): ReturnType<Socket['address']> | {} {
    return (this.transport as Partial<Socket>).address?.() ?? {};
  }

  /** Sets the transport's idle timeout; `'timeout'` is emitted here when it fires. */
  setTimeout(timeout: number, callback?: () => void): this {
    (this.transport as Partial<Socket>).setTimeout?.(timeout);
    if (callback) {
      if (timeout === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  /** Passed to the transport (`net.Socket#setNoDelay`): Nagle's algorithm off or on. */
  setNoDelay(noDelay?: boolean): this {
    (this.transport as Partial<Socket>).setNoDelay?.(noDelay);
    return this;
  }

  /** Passed to the transport (`net.Socket#setKeepAlive`): TCP keep-alive probes. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.transport as Partial<Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }

  /** Passed to the transport: keep the event loop alive while it is open (the default). */
  ref(): this {
    (this.transport as Partial<Socket>).ref?.();
    return this;
  }

  /** Passed to the transport: let the process exit even while it is open. */
  unref(): this {
    (this.transport as Partial<Socket>).unref?.();
    return this;
  }

  // ---- Starting -------------------------------------------------------------------

  /** Makes the sans-IO connection and sends its first flight (a client's ClientHello). */
  private start(): void {
    if (this.destroyed) return;
    try {
      this.connection = this.createConnection();
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.transport.on('data', (chunk: Buffer) => this.onTransportData(chunk));
    this.sendOutgoing();
  }

  private createConnection(): Connection {
    const setup = this.setup;
    // Over Node, the engine computes with OpenSSL unless the setup names a provider.
    const provider = setup.config.provider ?? nodeCryptoProvider;
    if (setup.isServer) {
      const config: ServerConfig = { ...setup.config, provider };
      if (setup.verifier) config.verifyClientCertificate = this.recordingVerifier(setup.verifier);
      return new ServerConnection(this.withKeyLog(config));
    }
    const config: ClientConfig = { ...setup.config, provider, verifyServerCertificate: this.recordingVerifier(setup.verifier) };
    return new ClientConnection(this.withKeyLog(config));
  }

  /**
   * Wraps a verifier so that its verdict is recorded here. With `rejectUnauthorized`
   * false a failure is kept in {@link authorizationError} instead of ending the
   * handshake: accepting an unverified peer is always the application's explicit choice.
   */
  private recordingVerifier(verify: CertificateVerifier): CertificateVerifier {
    return (chain, context) => {
      try {
        verify(chain, context);
        this.peerVerified = true;
      } catch (e) {
        if (this.setup.rejectUnauthorized) throw e;
        this.authorizationError = e instanceof Error ? e : new Error(String(e));
      }
    };
  }

  /**
   * Gives the config a `keyLog` that exists only while someone listens for 'keylog': the
   * engine looks it up each time it derives a secret, so nobody listening means no
   * secret is ever formatted.
   */
  private withKeyLog<T extends ClientConfig | ServerConfig>(config: T): T {
    const writer: KeyLogWriter = (line) => this.emit('keylog', Buffer.from(`${line}\n`));
    return Object.defineProperty(config, 'keyLog', {
      enumerable: true,
      get: () => (this.listenerCount('keylog') > 0 ? writer : undefined),
    });
  }

  // ---- Bytes from the peer --------------------------------------------------------

  private onTransportData(chunk: Buffer): void {
    const conn = this.connection;
    if (!conn || this.destroyed) return;
    try {
      conn.receive(chunk);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.sendOutgoing();
    this.handleEvents(conn.takeEvents());
    if (this.destroyed) return;
    this.announceEarlyData(conn);
    this.deliver(conn);
  }

  /**
   * A server that accepted 0-RTT data hands the socket over as soon as its own first flight
   * is out: `'earlyData'`, then the early data as it is decrypted (§4.2.10), and writes go
   * out at once as 0.5-RTT data (§4.4.4). Both sides of that are unauthenticated: the data
   * may be a replay (§8), and the client has not yet proven anything but its ticket.
   */
  private announceEarlyData(conn: Connection): void {
    if (!this.setup.isServer || this.earlyAnnounced || this.secured || conn.info.earlyData !== 'accepted') return;
    this.earlyAnnounced = true;
    this.emit('earlyData');
    this.resumeWaitingWrites();
  }

  /** Writes that waited for the handshake go on, once the engine may send them. */
  private resumeWaitingWrites(): void {
    if (!this.connection?.canSendNow && !this.secured) return;
    for (const waiting of this.waitingForHandshake.splice(0)) if (!this.destroyed) waiting.resume();
  }

  private handleEvents(events: ConnectionEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'handshake_complete':
          this.onHandshakeComplete();
          break;
        case 'session':
          // A session carries the server's identity into later connections, which then
          // skip the certificate: keep only sessions of servers that were verified.
          if (this.authorized) {
            this.lastSession = asBuffer(encodeSession(event.session));
            this.emit('session', this.lastSession);
          }
          break;
        case 'key_update':
          this.emit('keyUpdate', event.direction);
          break;
        case 'close_notify':
          // Before the handshake completes, close_notify is an aborted connection, not an end (§6.1).
          if (!this.secured) {
            this.destroy(disconnectedError(this.setup.isServer));
            return;
          }
          this.peerClosed = true;
          break;
      }
    }
  }

  private onHandshakeComplete(): void {
    const conn = this.connection!;
    const info = conn.info;
    // A resumed handshake has no certificate: the session came from a verified server (see 'session').
    this.authorized = this.setup.isServer ? this.peerVerified : this.peerVerified || info.resumed;
    // §4.2.10: 0-RTT data the server refused is lost, and the engine offers none when the
    // session does not allow it; either way it goes now, as ordinary data, before anything else.
    if (!this.setup.isServer && this.setup.config.earlyData && info.earlyData !== 'accepted') {
      conn.write(this.setup.config.earlyData);
      this.sendOutgoing();
    }
    this.secured = true;
    this.emit(this.setup.isServer ? 'secure' : 'secureConnect');
    this.resumeWaitingWrites();
  }

  /** Pushes decrypted data to the reader, pausing the transport when the reader is full. */
  private deliver(conn: Connection): void {
    if (this.endPushed) return;
    // 0-RTT data comes first (it may be a replay, RFC 8446 §8: only servers that asked for it get it).
    if (conn instanceof ServerConnection) {
      const early = conn.readEarlyData();
      this.earlyBytes += early.length;
      this.pushData(early);
    }
    // Record by record, as node:tls does: joining them first would copy every byte once more.
    for (const data of conn.readChunks()) this.pushData(data);
    if (this.peerClosed) this.pushEnd();
  }

  private pushData(data: Uint8Array): void {
    if (data.length === 0) return;
    if (!this.push(asBuffer(data)) && !this.transportPaused) {
      this.transportPaused = true;
      this.transport.pause();
    }
  }

  private pushEnd(): void {
    if (this.endPushed) return;
    this.endPushed = true;
    this.push(null);
  }

  /** The reader wants more: resume the transport if we paused it. */
  override _read(): void {
    if (this.transportPaused) {
      this.transportPaused = false;
      this.transport.resume();
    }
  }

  /**
   * The transport reached its end. Before the handshake that is an error; after it, the
   * readable side ends too. Without a close_notify first the data may have been truncated
   * (§6.1); like `node:tls` we still end normally, since HTTP and most protocols frame
   * their own messages. {@link receivedCloseNotify} tells the two apart.
   */
  private onTransportEnd(): void {
    if (!this.secured) {
      this.destroy(disconnectedError(this.setup.isServer));
      return;
    }
    this.pushEnd();
  }

  private onTransportClose(): void {
    if (this.destroyed) return;
    this.onTransportEnd();
    // A write waiting for 'drain' will never get it now.
    this.abandonDrain(Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }));
  }

  private abandonDrain(error: Error): void {
    const callback = this.waitingForDrain;
    this.waitingForDrain = undefined;
    callback?.(error);
  }

  /** Whether the peer ended its side with close_notify (RFC 8446 §6.1), not just by closing the transport. */
  get receivedCloseNotify(): boolean {
    return this.peerClosed;
  }

  // ---- Bytes to the peer ----------------------------------------------------------

  /** Writes what the connection has queued to the transport; returns the transport's verdict. */
  private sendOutgoing(): boolean {
    const records = this.connection?.takeOutgoingRecords();
    if (!records?.length || !this.transport.writable) return true;
    if (records.length === 1) return this.transport.write(records[0]!);
    // Several records go out in one writev (the socket gathers the corked writes), so
    // they are not copied into one buffer first.
    this.transport.cork();
    let ok = true;
    for (const record of records) ok = this.transport.write(record);
    this.transport.uncork();
    return ok;
  }

  /** write(): application data into records, complete once the transport has taken them. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Before the handshake completes only a server's 0.5-RTT data may go (see announceEarlyData).
    if (!this.secured && !(this.earlyAnnounced && this.connection!.canSendNow)) {
      this.waitingForHandshake.push({ resume: () => this._write(chunk, _encoding, callback), abandon: callback });
      return;
    }
    if (!this.transport.writable) {
      callback(Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }));
      return;
    }
    try {
      this.connection!.write(chunk);
    } catch (e) {
      callback(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    // The write is done when the transport has taken the records, not before.
    if (this.sendOutgoing()) callback();
    else this.waitingForDrain = callback;
  }

  /**
   * Corked writes (an HTTP response's head and body): joined into one plaintext, so they
   * travel as one record and one system call rather than a record each. Small chunks are the
   * common case; a large one is copied once here instead of being framed alone.
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const joined = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this._write(joined, 'binary', callback); // the encoding of a Buffer is not read
  }

  /** end(): close_notify (§6.1), then the transport's write side; reading goes on until the peer's close. */
  override _final(callback: (error?: Error | null) => void): void {
    if (!this.secured) {
      this.waitingForHandshake.push({ resume: () => this._final(callback), abandon: callback });
      return;
    }
    this.connection!.close();
    this.sendOutgoing();
    const transport = this.transport;
    if (!transport.writable) {
      callback();
      return;
    }
    let called = false;
    const done = () => {
      if (!called) (called = true), callback();
    };
    transport.once('finish', done);
    transport.once('close', done);
    transport.end();
  }

  // ---- Errors and the end ---------------------------------------------------------

  /** Ends the connection on an error: the alert the engine queued goes out first. */
  private fail(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const alert = this.connection?.takeOutgoing();
    if (alert?.length && this.transport.writable) this.transport.end(alert);
    this.destroy(error);
  }

  /** destroy(): no close_notify (as in Node), the transport goes too. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Nothing waits forever: writes and end() still pending learn that the socket is gone.
    const gone = error ?? new Error('socket destroyed');
    for (const waiting of this.waitingForHandshake.splice(0)) waiting.abandon(gone);
    this.abandonDrain(gone);
    this.closeTransport();
    callback(error);
  }

  /** Destroys the transport, once a last record on its way out (an alert, close_notify) has left. */
  private closeTransport(): void {
    const transport = this.transport;
    if (transport.destroyed) return;
    if (transport.writableEnded && !transport.writableFinished) {
      const timer = setTimeout(() => transport.destroy(), 1000);
      timer.unref();
      transport.once('finish', () => {
        clearTimeout(timer);
        transport.destroy();
      });
      return;
    }
    transport.destroy();
  }
}
