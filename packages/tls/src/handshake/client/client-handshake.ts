/**
 * The client's negotiation state: what it offered in its ClientHello, which every later
 * step checks the server's answers against.
 * @module
 */
import type { CipherSuite, KeyExchangeGroup, KeyPair, SignatureScheme } from '../../crypto/provider.js';
import type { ClientConfig } from '../config.js';
import type { ClientHello } from '../messages/types.js';
import type { Session } from '../session.js';
import type { KeySchedule } from '../tls13/key-schedule.js';
import type { Tls12CipherSuite } from '../tls12/cipher-suites.js';

/** What goes into a ClientHello (the first, or the second after a HelloRetryRequest). */
export interface ClientOffer {
  config: ClientConfig;
  /** The versions we offer, highest first: TLS 1.3 alone, both, or TLS 1.2 alone. */
  versions: number[];
  /** TLS 1.3 cipher suites (none when only TLS 1.2 is offered). */
  suites: CipherSuite[];
  /** TLS 1.2 cipher suites (none when TLS 1.2 is not offered). */
  tls12Suites: Tls12CipherSuite[];
  groups: KeyExchangeGroup[];
  /** Signature schemes we accept and may sign with (configured subset of the provider's). */
  schemes: SignatureScheme[];
  /** Signature schemes we list in signature_algorithms. */
  offeredSchemes: number[];
  /** Our key pairs, by group id, for the shares we send. */
  keyShares: Map<number, KeyPair>;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  /** The TLS 1.3 session whose ticket we offer as a PSK, if any (and still offered after an HRR). */
  offeredSession?: Session;
  /** The TLS 1.2 session whose ticket we offer in session_ticket (RFC 5077 §3.4), if any. */
  tls12Session?: Session;
  /** The cookie of a HelloRetryRequest, echoed in ClientHello2 (§4.2.2). */
  cookie?: Uint8Array;
}

/** The client's state through the handshake. */
export interface ClientHandshake extends ClientOffer {
  /** The ClientHello we sent last. */
  clientHello: ClientHello;
  /** Extension types we sent (server messages may only answer those, §4.2). */
  offered: Set<string>;
  /** Whether we sent early data with the first flight (and it still counts). */
  sentEarlyData: boolean;
  /** Whether the server sent a HelloRetryRequest. */
  retried: boolean;
  /** The cipher suite a HelloRetryRequest chose; the ServerHello must keep it (§4.1.4). */
  hrrSuite?: number;
  /** The key schedule, from the PSK's binder on (§7.1), or from the ServerHello. */
  schedule?: KeySchedule;
}
