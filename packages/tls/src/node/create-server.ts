/**
 * `createServer()`: a TLS server (TLS 1.3, and TLS 1.2's safe subset) in the shape of `node:tls`'s. A `net.Server` whose
 * every connection is wrapped in a server {@link TLSSocket}; `'secureConnection'` hands
 * over those whose handshake completed. A handshake that fails or stalls only costs its
 * own connection: it is destroyed and reported as `'tlsClientError'`.
 * @module
 */
import { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CertifiedKey, ServerConfig } from '../handshake/config.js';
import { verifyWithTrustStore } from '../connection/verifiers.js';
import type { CryptoProvider, NamedGroupName } from '../crypto/provider.js';
import { SingleUseTickets } from '../handshake/server/anti-replay.js';
import { RotatingTicketer, type Ticketer } from '../handshake/server/ticketer.js';
import { parseCertificate } from '../x509/certificate.js';
import { matchesHostname } from '../x509/hostname.js';
import { algorithmSettings, certifiedKeyFromPem, systemTrustStore, trustStoreFromPem, type PemInput } from './options.js';
import { nodeCryptoProvider } from './crypto/index.js';
import { chainSignatures } from './crypto/certificate-signatures.js';
import { TLSSocket, type ServerSocketSetup } from './tls-socket.js';

/** The options of {@link createServer}, named as in `node:tls` where Node has the option. */
export interface ServerOptions {
  /** The certificate chain (PEM, leaf first) and its key. */
  cert?: PemInput;
  key?: PemInput;
  /**
   * Several certificates, chosen by the client's server_name (SNI) against each leaf's DNS
   * subjectAltNames; the first one also serves clients whose name matches none.
   */
  certificates?: readonly { cert: PemInput; key: PemInput }[];
  /** Ask clients for a certificate (RFC 8446 §4.3.2). */
  requestCert?: boolean;
  /**
   * With `requestCert`: true (default) requires a client certificate that verifies against
   * `ca`; false makes it optional and records a failure as `authorized === false`.
   */
  rejectUnauthorized?: boolean;
  /** The CAs client certificates must chain to (PEM; default: the system store). */
  ca?: PemInput | readonly PemInput[];
  /** ALPN protocols (RFC 7301) in our preference order. */
  ALPNProtocols?: readonly (string | Uint8Array)[];
  /**
   * Seals the session tickets (§4.6.1). Default: a `RotatingTicketer` of this server's own,
   * so tickets resume on any of its connections. Share one among servers to resume across them.
   */
  ticketer?: Ticketer;
  /** NewSessionTickets sent after each full handshake (default 2; 0 sends none). */
  tickets?: number;
  /**
   * Accept up to this many bytes of 0-RTT data (§4.2.10; default 0: refuse). Each ticket is
   * then good for early data once (a single-use store per server, §8.1). Early data may be a
   * replay of another connection's: accept it only for requests that are safe to repeat.
   */
  maxEarlyDataSize?: number;
  /** Milliseconds a client has to complete the handshake (default 10 000). */
  handshakeTimeout?: number;
  /** Cipher suites, `:`-separated or a list, by the RFC's or OpenSSL's names, in preference order. */
  ciphers?: string | readonly string[];
  /** The lowest protocol version, `'TLSv1.2'` (default) or `'TLSv1.3'`, as in node:tls. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The highest protocol version, `'TLSv1.3'` (default, preferred) or `'TLSv1.2'`, as in node:tls. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /**
   * TLS 1.2: refuse a peer without the extended master secret (RFC 7627; default true, with
   * handshake_failure). Not a node:tls option: OpenSSL accepts such peers.
   */
  requireExtendedMasterSecret?: boolean;
  /** Key-exchange groups by their IANA names (`X25519MLKEM768`, `x25519`, …, `ffdhe2048`), in preference order (default: the provider's). */
  groups?: readonly NamedGroupName[];
  /** Keep writing after a client's close_notify (default false, as in Node). */
  allowHalfOpen?: boolean;
  /**
   * The crypto provider (default `nodeCryptoProvider`: OpenSSL through `node:crypto`);
   * `nobleProvider` computes in JavaScript instead. The default ticketer uses it too.
   */
  crypto?: CryptoProvider;
}

/**
 * The default time a client has to complete its handshake.
 *
 * @example
 * ```ts
 * import { DEFAULT_HANDSHAKE_TIMEOUT } from '@lucid-tls/tls/node';
 * console.log(DEFAULT_HANDSHAKE_TIMEOUT); // → 10000
 * ```
 */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** The error a stalled handshake ends with (Node's code). */
function handshakeTimeoutError(): Error {
  return Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
}

/**
 * A TLS server (TLS 1.3, and TLS 1.2 for clients that stop there). Events, besides `net.Server`'s: `'secureConnection'` (socket) after a
 * handshake, for every connection; `'earlyData'` (socket) before that, for a connection whose
 * 0-RTT data was accepted (RFC 8446 §4.2.10), as soon as our first flight is out: its early
 * data is readable at once and writes go out as 0.5-RTT data (§4.4.4). What is read before
 * `'secure'` is unauthenticated and may be a replay (§8): serve only requests that are safe
 * to repeat from it. A server that handles `'earlyData'` handles those sockets there, and the
 * others in `'secureConnection'` (`socket.earlyDataAccepted` tells them apart).
 * `'tlsClientError'` (error, socket) when one fails or times out;
 * `'keylog'` (line, socket) with the NSS key log lines, while someone listens.
 */
export class Server extends NetServer {
  private readonly socketSetup: ServerSocketSetup;
  private readonly handshakeTimeout: number;

  constructor(options: ServerOptions, secureConnectionListener?: (socket: TLSSocket) => void) {
    // The TCP sockets stay half-open: closing happens at the TLS level (§6.1).
    super({ allowHalfOpen: true });
    this.socketSetup = serverSocketSetup(options);
    this.handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    // 0 means no timeout; anything setTimeout cannot hold is a mistake, not a very long wait.
    if (!(this.handshakeTimeout >= 0 && this.handshakeTimeout < 2 ** 31)) throw new RangeError(`handshakeTimeout must be 0..2^31-1 ms, not ${this.handshakeTimeout}`);
    this.on('connection', (transport: Duplex) => this.accept(transport));
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
  }

  /** Wraps a new connection (also one given with `server.emit('connection', duplex)`). */
  private accept(transport: Duplex): void {
    const socket = new TLSSocket(transport, this.socketSetup);
    let secured = false;
    // Before the handshake completes, errors belong to the server, never the process.
    socket.on('error', (error: Error) => {
      if (!secured) this.emit('tlsClientError', error, socket);
    });
    if (this.listenerCount('keylog') > 0) socket.on('keylog', (line: Buffer) => this.emit('keylog', line, socket));
    if (this.handshakeTimeout > 0) {
      const timer = setTimeout(() => socket.destroy(handshakeTimeoutError()), this.handshakeTimeout);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      socket.once('secure', () => clearTimeout(timer));
    }
    socket.once('earlyData', () => this.emit('earlyData', socket));
    socket.once('secure', () => {
      secured = true;
      this.emit('secureConnection', socket);
    });
  }
}

/**
 * A TLS server (TLS 1.3, and TLS 1.2 for clients that stop there). `secureConnectionListener` is added to `'secureConnection'`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createServer } from '@lucid-tls/tls/node';
 * const server = createServer({ cert: readFileSync('cert.pem'), key: readFileSync('key.pem') }, (socket) => {
 *   socket.end(`hello over ${socket.getCipher()?.name}\n`);
 * });
 * server.listen(8443);
 * ```
 */
export function createServer(options: ServerOptions, secureConnectionListener?: (socket: TLSSocket) => void): Server {
  return new Server(options, secureConnectionListener);
}

/** Translates the Node-style options into what every connection of the server shares. */
function serverSocketSetup(options: ServerOptions): ServerSocketSetup {
  const provider = options.crypto ?? nodeCryptoProvider;
  const config: ServerSocketSetup['config'] = { certificate: certificateChooser(options), provider, ...algorithmSettings(options) };
  config.tickets = { count: options.tickets ?? 2, ticketer: options.ticketer ?? new RotatingTicketer(provider) };
  if (options.maxEarlyDataSize) {
    config.maxEarlyDataSize = options.maxEarlyDataSize;
    config.antiReplay = new SingleUseTickets();
  }
  const rejectUnauthorized = options.rejectUnauthorized !== false;
  const setup: ServerSocketSetup = { isServer: true, config, rejectUnauthorized };
  if (options.allowHalfOpen !== undefined) setup.allowHalfOpen = options.allowHalfOpen;
  if (options.requestCert) {
    config.clientAuth = rejectUnauthorized ? 'required' : 'optional';
    setup.verifier = verifyWithTrustStore(options.ca !== undefined ? trustStoreFromPem(options.ca) : systemTrustStore(), chainSignatures(provider));
  }
  return setup;
}

/** The certificate to present: the only one, or the first whose DNS names match the SNI. */
function certificateChooser(options: ServerOptions): ServerConfig['certificate'] {
  const pairs = options.certificates ?? [];
  if (options.cert !== undefined || options.key !== undefined) {
    if (options.cert === undefined || options.key === undefined) throw new TypeError('cert and key go together');
    if (pairs.length > 0) throw new TypeError('give either cert and key or certificates, not both');
    return certifiedKeyFromPem(options.cert, options.key);
  }
  if (pairs.length === 0) throw new TypeError('createServer needs cert and key (or certificates)');
  const candidates: { certified: CertifiedKey; leaf: ReturnType<typeof parseCertificate> }[] = pairs.map(({ cert, key }) => {
    const certified = certifiedKeyFromPem(cert, key);
    return { certified, leaf: parseCertificate(certified.chain[0]!) };
  });
  if (candidates.length === 1) return candidates[0]!.certified;
  return (serverName) => {
    const match = serverName === undefined ? undefined : candidates.find((c) => matchesHostname(c.leaf, serverName));
    return (match ?? candidates[0]!).certified;
  };
}
