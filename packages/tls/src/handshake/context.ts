/**
 * What a handshake state sees of its connection: a narrow context (what rustls calls the
 * common state and the output), not the whole `Connection`. A state reads and fills in
 * what was negotiated, adds to the transcript, queues messages, installs keys and reports
 * secrets; framing, records, alerts and application data stay with the connection.
 *
 * Each state is a small object whose `handle(message)` returns the next state.
 * @module
 */
import type { AlertName } from '../alert.js';
import type { CipherSuite, CryptoProvider } from '../crypto/provider.js';
import type { Protection } from '../record/record-protection.js';
import type { TrafficSecret } from './tls13/key-schedule.js';
import type { Side } from '../trace/events.js';
import type { Field } from '../wire/codec.js';
import type { HandshakeMessage } from './messages/types.js';
import type { Session } from './session.js';
import type { Transcript } from './transcript.js';
import type { ProtocolName } from './versions.js';

/**
 * Something the application may want to act on, taken with `Connection.takeEvents()`.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, type ConnectionEvent, type Session } from '@lucid-tls/tls';
 * const client = new ClientConnection({ serverName: 'example.com', verifyServerCertificate: insecureSkipVerify });
 * // … after client.receive(bytes):
 * const sessions: Session[] = [];
 * for (const event of client.takeEvents() as ConnectionEvent[]) {
 *   if (event.type === 'session') sessions.push(event.session); // keep for resumption
 *   if (event.type === 'close_notify') client.close();
 * }
 * console.log(sessions.length); // → 0
 * ```
 * @category Engine
 */
export type ConnectionEvent =
  | { type: 'handshake_complete' }
  | { type: 'session'; session: Session }
  | { type: 'early_data'; status: 'accepted' | 'rejected' }
  | { type: 'key_update'; direction: 'sent' | 'received'; updateRequested: boolean }
  | { type: 'close_notify' };

/**
 * What was negotiated; filled in as the handshake goes.
 * @category Engine
 */
export interface ConnectionInfo {
  /** The protocol version, once the hellos have settled it (TLS 1.3 until then). */
  protocol: ProtocolName;
  cipherSuite?: CipherSuite;
  /** The key-exchange group (undefined for a PSK-only handshake, which we never do). */
  group?: string;
  /** The signature scheme of the peer's (client: server's) CertificateVerify, or ours on the server. */
  signatureScheme?: string;
  alpnProtocol?: string;
  serverName?: string;
  resumed: boolean;
  earlyData: 'accepted' | 'rejected' | 'none';
  helloRetryRequest: boolean;
  /** The peer's certificate chain (DER, leaf first), if it sent one. */
  peerCertificates: Uint8Array[];
}

/** A secret as it is reported to the trace and the key log. */
export interface ReportedSecret {
  /** The name of RFC 8448's vectors, e.g. `client_handshake_traffic_secret`. */
  name: string;
  /** The RFC's label, e.g. `"c hs traffic"`. */
  label: string;
  /** How it was computed, in the RFC's notation. */
  derivation: string;
  secret: Uint8Array;
  /** The transcript hash or other context it was bound to, when there is one. */
  context?: Uint8Array;
  /** Its NSS key log label when its name alone does not say (TLS 1.2's master secret is `CLIENT_RANDOM`). */
  keyLog?: string;
}

/** One handshake state. Handling a message returns the next state (which may be itself). */
export interface HandshakeState {
  /** The state's name, e.g. `"ExpectServerHello"` (shown in traces). */
  readonly name: string;
  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState;
  /** Whether application data may arrive now. */
  readonly acceptsApplicationData?: boolean;
  /** Whether application data arriving now is the client's 0-RTT data (§4.2.10), counted against its limit. */
  readonly earlyData?: boolean;
}

/** The record-layer settings the handshake negotiates (§5, §4.2.10, RFC 8449). */
export interface RecordSettings {
  /** Whether a compatibility change_cipher_spec record is dropped silently (§5, §D.4). */
  allowChangeCipherSpec: boolean;
  /** Skips the early data of a client whose 0-RTT was rejected (§4.2.10). */
  skipEarlyData(maxBytes: number, mode: 'trial-decrypt' | 'skip-application-data'): void;
  /** The peer's record_size_limit (RFC 8449 §4). */
  setWriteRecordSizeLimit(limit: number): void;
  /** The record_size_limit we advertised (RFC 8449 §4). */
  setReadRecordSizeLimit(limit: number): void;
  /** TLS 1.2: the peer's next record must be a change_cipher_spec, after which `protection` protects what we receive (RFC 5246 §7.1). */
  expectChangeCipherSpec(protection: Protection): void;
  /** TLS 1.2: whether that change_cipher_spec is still awaited. */
  readonly awaitingChangeCipherSpec: boolean;
}

/**
 * Keying material exporters (RFC 5705's interface; in TLS 1.3 the TLS-Exporter of §7.5). An
 * undefined context is RFC 5705's "no context", which only TLS 1.2 tells from an empty one.
 */
export type Exporter = (label: string, context: Uint8Array | undefined, length: number) => Uint8Array;

/** What a handshake state may do to its connection. */
export interface HandshakeContext {
  readonly side: Side;
  readonly provider: CryptoProvider;
  /** The transcript hash (§4.4.1) of this handshake. */
  readonly transcript: Transcript;
  /** What was negotiated; the states fill it in. */
  readonly info: ConnectionInfo;
  /** Whether a trace observer listens: messages are then encoded with their fields. */
  readonly tracing: boolean;
  readonly records: RecordSettings;
  /** The configured clock, in milliseconds since the epoch. */
  now(): number;
  /** The client's random, once known: NSS key log lines name their connection by it. */
  setClientRandom(random: Uint8Array): void;
  /** Reports a secret to the trace and the key log. */
  secret(secret: ReportedSecret): void;
  /** Encodes, traces, adds to the transcript and queues a handshake message. Returns its bytes. */
  sendHandshake(message: HandshakeMessage): Uint8Array;
  /** Queues an already-encoded handshake message (the ClientHello with binders) after tracing it. */
  sendEncodedHandshake(type: HandshakeMessage['type'], bytes: Uint8Array, fields: Field[]): void;
  /** Sends a post-handshake message (NewSessionTicket), outside the transcript (§4.4.1). */
  sendPostHandshake(message: HandshakeMessage): void;
  /** A compatibility change_cipher_spec record (§D.4), sent in plaintext. */
  sendChangeCipherSpec(): void;
  /** Sends the client's 0-RTT data under the current (early) write key (§4.2.10). */
  sendEarlyData(data: Uint8Array): void;
  /** Protects what we receive from now on with the key and IV of a traffic secret (§7.3). */
  setReadSecret(secret: TrafficSecret): void;
  /** Protects what we send from now on (after what is queued) with the key and IV of a traffic secret. */
  setWriteSecret(secret: TrafficSecret): void;
  /** Goes back to plaintext records (the client's ClientHello2 after rejected 0-RTT, §4.2.10). */
  setPlaintextWrite(): void;
  /** TLS 1.2: protects what we send from now on (after what is queued) with keys from the key block (RFC 5246 §6.3). */
  setWriteProtection(protection: Protection): void;
  /** TLS 1.2: a warning alert, after which the connection carries on (RFC 5246 §7.2): `no_renegotiation`. */
  sendWarning(alert: Extract<AlertName, 'no_renegotiation'>): void;
  /** Adds an event for the application. */
  emit(event: ConnectionEvent): void;
  /** The handshake is complete: application data may flow both ways, and `exporter` serves `exportKeyingMaterial`. */
  completeHandshake(exporter: Exporter): void;
}
