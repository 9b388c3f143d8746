/**
 * What a client or server is configured with. Everything has a sensible default
 * except what only the application can know: the server's certificate and key, and
 * how the client decides to trust the server.
 * @module
 */
import type {
  CipherSuiteName,
  CryptoProvider,
  NamedGroupName,
  PrivateKey,
  SignatureSchemeName,
} from '../crypto/provider.js';
import type { KeyLogWriter } from '../trace/keylog.js';
import type { TraceObserver } from '../trace/events.js';
import type { Ticketer } from './server/ticketer.js';
import type { AntiReplay } from './server/anti-replay.js';
import type { Session } from './session.js';
import type { ProtocolName } from './versions.js';

/**
 * A certificate chain (DER, leaf first) and the private key of its leaf.
 * @category Configuration
 */
export interface CertifiedKey {
  chain: Uint8Array[];
  privateKey: PrivateKey;
}

/**
 * What a certificate verifier is told about the peer.
 * @category Configuration
 */
export interface PeerCertificateContext {
  /** `server` when a client checks a server, `client` when a server checks a client. */
  purpose: 'server' | 'client';
  /** The name the client asked for (server_name), when verifying a server. */
  serverName?: string;
  /** The time to check validity at, from the connection's clock. */
  now: Date;
}

/**
 * Decides whether a peer's certificate chain (DER, leaf first) is trusted.
 * Throw a {@link TlsError} (e.g. `bad_certificate`, `unknown_ca`, `certificate_expired`) to reject it.
 * The handshake separately checks the CertificateVerify signature with the leaf's key.
 *
 * @example
 * ```ts
 * import { ClientConnection, TlsError, type CertificateVerifier } from '@lucid-tls/tls';
 * import { fromHex, sha256, toHex } from '@lucid-tls/tls/learn';
 * // Certificate pinning: trust exactly the leaf whose SHA-256 we know, whoever issued it.
 * const pinnedSha256 = fromHex('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
 * const pinned: CertificateVerifier = (chain, context) => {
 *   if (context.purpose !== 'server' || toHex(sha256.hash(chain[0]!)) !== toHex(pinnedSha256)) {
 *     throw new TlsError('bad_certificate', 'not the pinned certificate');
 *   }
 * };
 * const client = new ClientConnection({ serverName: 'example.com', verifyServerCertificate: pinned });
 * console.log(client.stateName); // → ExpectServerHello
 * ```
 * @category Configuration
 */
export type CertificateVerifier = (chain: Uint8Array[], context: PeerCertificateContext) => void;

/**
 * Settings shared by clients and servers.
 * @category Configuration
 */
export interface CommonConfig {
  /** The crypto provider (default: `nobleProvider`). */
  provider?: CryptoProvider;
  /**
   * The lowest protocol version to speak (default `'TLSv1.2'`), as in node:tls. TLS 1.2 is the
   * safe subset (ECDHE and AEADs only, FEATURES.md); `'TLSv1.3'` refuses it.
   */
  minVersion?: ProtocolName;
  /** The highest protocol version to speak (default `'TLSv1.3'`, preferred whenever the peer has it). */
  maxVersion?: ProtocolName;
  /**
   * Cipher suites to offer or accept, in preference order (default: the provider's TLS 1.3
   * suites and the six TLS 1.2 suites made from them). A version is spoken only when this
   * list leaves it a suite: TLS 1.3 names (`TLS_AES_…`) alone mean TLS 1.3 alone.
   */
  cipherSuites?: CipherSuiteName[];
  /**
   * Key-exchange groups by their IANA names (`X25519MLKEM768`, `x25519`, `secp256r1`, …,
   * `ffdhe2048`, `MLKEM768`), in preference order (default: the provider's).
   */
  groups?: NamedGroupName[];
  /** Signature schemes we accept from the peer and may sign with (default: the provider's). */
  signatureSchemes?: SignatureSchemeName[];
  /** ALPN protocols (RFC 7301), in preference order. */
  alpnProtocols?: string[];
  /** The record_size_limit to advertise (RFC 8449), 64..16385. Default: not sent (2^14 applies). */
  recordSizeLimit?: number;
  /** Zero padding to add to protected records (§5.4), as a function of content type and length. */
  recordPadding?: (contentType: number, length: number) => number;
  /** Receives every trace event (records, messages with fields, secrets, states). Contains secrets. */
  trace?: TraceObserver;
  /** Receives NSS key log lines, for Wireshark. Only set this when asked to. */
  keyLog?: KeyLogWriter;
  /** The clock in milliseconds since the epoch (default `Date.now`); tickets and certificate validity use it. */
  now?: () => number;
  /**
   * How a resumption may establish keys (§4.2.9), in preference order. `psk_dhe_ke` (the
   * default, alone) adds a fresh (EC)DHE or KEM exchange, so a stolen ticket key does not
   * reveal past traffic; `psk_ke` resumes on the PSK alone, which saves the key exchange and
   * gives up that forward secrecy. A server prefers `psk_dhe_ke` when the client offers both.
   */
  pskKeyExchangeModes?: PskKeyExchangeModeName[];
  /**
   * TLS 1.2 only: whether the peer must use the extended master secret (RFC 7627), which binds
   * the master secret to the whole handshake and so defeats the triple handshake attack.
   * Default true: a peer without it gets handshake_failure. False lets such peers in, and their
   * connections then have no exporter (RFC 7627 §5.4) and no resumption.
   */
  requireExtendedMasterSecret?: boolean;
}

/**
 * A PSK key exchange mode (RFC 8446 §4.2.9).
 * @category Configuration
 */
export type PskKeyExchangeModeName = 'psk_dhe_ke' | 'psk_ke';

/**
 * Client settings.
 *
 * @example
 * ```ts
 * import { ClientConnection, verifyWithTrustStore, type ClientConfig } from '@lucid-tls/tls';
 * import { TrustStore } from '@lucid-tls/tls/x509';
 * const config: ClientConfig = {
 *   serverName: 'example.com',
 *   verifyServerCertificate: verifyWithTrustStore(TrustStore.system()),
 *   alpnProtocols: ['h2', 'http/1.1'],
 *   cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
 *   keyShareGroups: ['x25519', 'secp256r1'], // a share for each: no HelloRetryRequest from P-256-only servers
 * };
 * console.log(new ClientConnection(config).takeOutgoing().length > 200); // → true
 * ```
 * @category Configuration
 */
export interface ClientConfig extends CommonConfig {
  /** The host name to send as server_name (RFC 6066 §3) and to check the certificate against. IP addresses are not sent. */
  serverName?: string;
  /** How the server's certificate chain is trusted. Required: use `insecureSkipVerify` only deliberately. */
  verifyServerCertificate: CertificateVerifier;
  /** A client certificate, sent when the server asks for one (otherwise an empty Certificate, §4.4.2.4). */
  certificate?: CertifiedKey;
  /** A session from an earlier connection's NewSessionTicket, to resume (§4.6.1, §2.2). */
  session?: Session;
  /** Application data to send as 0-RTT early data with the resumed session (§4.2.10). */
  earlyData?: Uint8Array;
  /**
   * Groups that get a key share in the first ClientHello. Default: X25519MLKEM768 and x25519
   * (`DEFAULT_KEY_SHARE_GROUPS`) where `groups` has them, else the first of `groups`.
   */
  keyShareGroups?: NamedGroupName[];
  /** Middlebox compatibility mode (§D.4): a fake session id and change_cipher_spec records. */
  middleboxCompatibility?: boolean;
  /**
   * Exactly what to advertise, for reproducing another implementation's ClientHello
   * (RFC 8448's traces were made by NSS). Code points we cannot use are harmless to
   * advertise only when the server cannot pick them; this is for tests and tutorials.
   */
  advertise?: {
    groups?: number[];
    signatureAlgorithms?: number[];
    /** renegotiation_info with an empty renegotiated_connection (RFC 5746 §3.4). */
    renegotiationInfo?: boolean;
    /** An empty TLS 1.2 session_ticket extension (RFC 5077). */
    sessionTicket?: boolean;
    /** Pad the ClientHello to this many bytes with the padding extension (RFC 7685), when it is shorter. */
    padToLength?: number;
  };
}

/**
 * Client-certificate policy of a server (§4.3.2).
 * @category Configuration
 */
export type ClientAuthPolicy = 'none' | 'optional' | 'required';

/**
 * Server settings.
 *
 * @example
 * ```ts
 * import { RotatingTicketer, ServerConnection, SingleUseTickets, nobleProvider, type ServerConfig } from '@lucid-tls/tls';
 * import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const site = issueCertificate(ca, { names: ['example.com', 'www.example.com'] });
 * const ticketer = new RotatingTicketer(nobleProvider); // share it among every connection of the server
 * const config: ServerConfig = {
 *   certificate: (serverName) => (serverName === 'example.com' || serverName === 'www.example.com' ? { chain: [site.certificate.der], privateKey: site.privateKey } : undefined),
 *   alpnProtocols: ['h2', 'http/1.1'],
 *   tickets: { ticketer, count: 2, lifetime: 3600 },
 *   maxEarlyDataSize: 0, // no 0-RTT; to allow it, set a size and share an antiReplay store
 *   antiReplay: new SingleUseTickets(),
 * };
 * const server = new ServerConnection(config);
 * console.log(server.stateName); // → ExpectClientHello
 * ```
 * @category Configuration
 */
export interface ServerConfig extends CommonConfig {
  /**
   * The certificate and key to present, or a function choosing one by server_name (SNI) and
   * by the ALPN protocol already chosen (RFC 8737: `acme-tls/1` is answered with the
   * challenge certificate).
   */
  certificate: CertifiedKey | ((serverName: string | undefined, hello: { alpnProtocol?: string }) => CertifiedKey | undefined);
  /** Whether to ask for a client certificate (default `none`). */
  clientAuth?: ClientAuthPolicy;
  /** How client certificates are trusted (required when clientAuth is not `none`). */
  verifyClientCertificate?: CertificateVerifier;
  /**
   * Session tickets (§4.6.1), sent only when a `ticketer` is given: share one ticketer (e.g. a
   * `RotatingTicketer`) among all of a server's connections so its tickets can be resumed.
   * `count` defaults to 2.
   */
  tickets?: {
    count?: number;
    /** ticket_lifetime in seconds (at most 604800, §4.6.1; default 7200). */
    lifetime?: number;
    ticketer?: Ticketer;
  };
  /** Accept 0-RTT data up to this many bytes per connection (§4.2.10; default 0: reject). */
  maxEarlyDataSize?: number;
  /** Single-use ticket store for 0-RTT anti-replay (§8.1); required to accept early data. */
  antiReplay?: AntiReplay;
  /**
   * Group choice. `client-shares` (default) picks, in our order, a group the client already
   * sent a key share for and retries only when there is none; `server-preference` insists on
   * our first mutually supported group, with a HelloRetryRequest when needed.
   */
  groupSelection?: 'client-shares' | 'server-preference';
  /** Send a HelloRetryRequest even when not needed, to make the client prove its address with the cookie (§4.2.2). */
  alwaysRetry?: boolean;
  /** Makes the cookie of a HelloRetryRequest (§4.2.2); default: an HMAC of Hash(ClientHello1) under a per-connection key. */
  makeCookie?: (hashOfClientHello1: Uint8Array) => Uint8Array;
  /** Signature schemes to list in a CertificateRequest (default: the ones we verify), for reproducing traces. */
  advertiseSignatureAlgorithms?: number[];
  /** Groups to list in EncryptedExtensions' supported_groups (§4.2.7), for reproducing traces; default: none sent. */
  advertiseGroups?: number[];
}
