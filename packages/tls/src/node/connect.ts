/**
 * `connect()`: a TLS client (TLS 1.3, and TLS 1.2's safe subset) in the shape of `node:tls`'s. It opens a TCP connection
 * (or uses the duplex given as `socket`), and returns a {@link TLSSocket} that verifies
 * the server's certificate against the given CAs, or the system's, and checks it was
 * issued for the server name (a DNS name or an IP address).
 * @module
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientConfig } from '../handshake/config.js';
import { verifyWithTrustStore } from '../connection/verifiers.js';
import type { CryptoProvider, NamedGroupName } from '../crypto/provider.js';
import { decodeSession } from '../handshake/session.js';
import { algorithmSettings, certifiedKeyFromPem, systemTrustStore, trustStoreFromPem, type PemInput } from './options.js';
import { nodeCryptoProvider } from './crypto/index.js';
import { chainSignatures } from './crypto/certificate-signatures.js';
import { TLSSocket } from './tls-socket.js';

/** The options of {@link connect}, named as in `node:tls`. */
export interface ConnectOptions {
  /** The host to connect to (default `localhost`). */
  host?: string;
  port?: number;
  /**
   * The name sent in server_name (RFC 6066 §3) and that the certificate must be valid for.
   * Default: `host`. An IP address is not sent (§3 forbids it) but is still checked
   * against the certificate's IP address SANs.
   */
  servername?: string;
  /** Trusted CA certificates, PEM (replaces the system store, as in Node). */
  ca?: PemInput | readonly PemInput[];
  /**
   * Default true: an untrusted certificate ends the handshake with the alert RFC 8446 §6.2
   * names. False accepts it, with `socket.authorized === false` and the reason in
   * `socket.authorizationError`: a deliberate choice, never a default.
   */
  rejectUnauthorized?: boolean;
  /** A client certificate chain (PEM, leaf first) and its key, sent when the server asks. */
  cert?: PemInput;
  key?: PemInput;
  /** ALPN protocols to offer (RFC 7301), in preference order. */
  ALPNProtocols?: readonly (string | Uint8Array)[];
  /** A session from an earlier connection's `'session'` event, to resume (RFC 8446 §2.2). */
  session?: Uint8Array;
  /**
   * Data to send first: as 0-RTT early data when `session` allows it (§4.2.10), otherwise, or
   * when the server refuses it, as ordinary data right after the handshake.
   */
  earlyData?: Uint8Array;
  /** Cipher suites, `:`-separated as in OpenSSL or as a list, by the RFC's or OpenSSL's names, in preference order. */
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
  /**
   * Key-exchange groups by their IANA names (`X25519MLKEM768`, `x25519`, `secp256r1`, …,
   * `ffdhe2048`, `MLKEM768`), in preference order. The client sends key shares for
   * X25519MLKEM768 and x25519 when they are listed, else for the first group. Default: the
   * provider's.
   */
  groups?: readonly NamedGroupName[];
  /**
   * The crypto provider (default `nodeCryptoProvider`: OpenSSL through `node:crypto`);
   * `nobleProvider` computes in JavaScript instead.
   */
  crypto?: CryptoProvider;
  /** An already connected duplex (e.g. a `net.Socket`) to run TLS over, instead of connecting to host:port. */
  socket?: Duplex;
  /** The transport's idle timeout in ms (`socket.setTimeout`). */
  timeout?: number;
  /** Keep writing after the server's close_notify (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** Passed to `net.connect`. */
  localAddress?: string;
  family?: number;
}

/**
 * Opens a TLS connection (TLS 1.3 when the server has it, else TLS 1.2). `secureConnectListener` is added to `'secureConnect'`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { connect } from '@lucid-tls/tls/node';
 * const socket = connect({ host: 'localhost', port: 8443, ca: readFileSync('ca.pem') }, () => {
 *   socket.end('hello');
 * });
 * socket.on('data', (data) => console.log(data.toString()));
 * ```
 */
export function connect(options: ConnectOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(port: number, options?: ConnectOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(...args: unknown[]): TLSSocket {
  const { options, listener } = normalizeArguments(args);
  const host = options.host ?? 'localhost';
  const serverName = options.servername ?? host;
  // What the certificate must name: the servername, or else the host; never nothing.
  // (An empty servername only turns SNI off, as in node:tls.)
  const identity = options.servername || host;
  if (!identity) throw new TypeError('connect: host or servername is required');

  const config: Omit<ClientConfig, 'verifyServerCertificate' | 'keyLog'> = { serverName, provider: options.crypto ?? nodeCryptoProvider, ...algorithmSettings(options) };
  if (options.cert !== undefined || options.key !== undefined) {
    if (options.cert === undefined || options.key === undefined) throw new TypeError('cert and key go together');
    config.certificate = certifiedKeyFromPem(options.cert, options.key);
  }
  if (options.session) {
    // The engine offers it only to the name it was made for (RFC 8446 §4.6.1).
    config.session = decodeSession(options.session);
  }
  // Sent as 0-RTT when the session allows it, otherwise right after the handshake.
  if (options.earlyData) config.earlyData = options.earlyData;

  const trustStore = options.ca !== undefined ? trustStoreFromPem(options.ca) : systemTrustStore();
  const transport = options.socket ?? netConnect({ host, port: options.port ?? 443, allowHalfOpen: true, ...netOptions(options) });
  const socket = new TLSSocket(transport, {
    isServer: false,
    config,
    verifier: verifyWithTrustStore(trustStore, { hostname: identity, ...chainSignatures(config.provider) }),
    rejectUnauthorized: options.rejectUnauthorized !== false,
    ...(options.allowHalfOpen === undefined ? {} : { allowHalfOpen: options.allowHalfOpen }),
  });
  if (options.timeout !== undefined) socket.setTimeout(options.timeout);
  if (listener) socket.once('secureConnect', listener);
  return socket;
}

function netOptions(options: ConnectOptions): { localAddress?: string; family?: number } {
  const out: { localAddress?: string; family?: number } = {};
  if (options.localAddress !== undefined) out.localAddress = options.localAddress;
  if (options.family !== undefined) out.family = options.family;
  return out;
}

/** The three call forms of `connect`, reduced to options and a listener. */
function normalizeArguments(args: unknown[]): { options: ConnectOptions; listener: (() => void) | undefined } {
  const listener = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
  if (typeof args[0] !== 'number') return { options: { ...(args[0] as ConnectOptions) }, listener };
  const [port, second, third] = args;
  const options: ConnectOptions = typeof second === 'object' && second !== null ? { ...(second as ConnectOptions) } : { ...(third as ConnectOptions | undefined) };
  options.port = port as number;
  if (typeof second === 'string') options.host = second;
  return { options, listener };
}
