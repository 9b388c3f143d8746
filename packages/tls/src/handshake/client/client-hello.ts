/**
 * Building the client's ClientHello (RFC 8446 §4.1.2), including the PSK binder
 * (§4.2.11.2) and the changes a HelloRetryRequest asks for (§4.1.4).
 * @module
 */
import type { CipherSuite, KeyExchangeGroup, KeyPair, SignatureScheme } from '../../crypto/provider.js';
import { isIP } from '../../wire/ip.js';
import type { Connection } from '../../connection/connection.js';
import type { ClientConfig } from '../../connection/config.js';
import type { Session } from '../session.js';
import { finishedKey, KeySchedule, pskBinder } from '../key-schedule.js';
import { encodeHandshakeMessage } from '../messages/handshake-message.js';
import { patchBinders, truncatedClientHello } from '../messages/psk-binders.js';
import type { ClientHello, ClientHelloExtension } from '../messages/types.js';
import { Transcript } from '../transcript.js';
import type { Field } from '../../wire/codec.js';

/** TLS 1.3's version number in supported_versions (§4.2.1). */
export const TLS13 = 0x0304;
/** legacy_version: frozen at TLS 1.2 for middleboxes (§4.1.2). */
export const LEGACY_VERSION = 0x0303;
/** psk_dhe_ke: PSK with (EC)DHE, the only PSK mode we use: it keeps forward secrecy (§4.2.9). */
export const PSK_DHE_KE = 1;

/** The client's negotiation state that every later step needs. */
export interface ClientHandshake {
  config: ClientConfig;
  suites: CipherSuite[];
  groups: KeyExchangeGroup[];
  /** Signature schemes we accept and may sign with (configured subset of the provider's). */
  schemes: SignatureScheme[];
  /** Signature schemes we listed in signature_algorithms. */
  offeredSchemes: number[];
  /** Our key pairs, by group id, for the shares we sent. */
  keyShares: Map<number, KeyPair>;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  /** The session whose ticket we offered, if any (and still offered after an HRR). */
  offeredSession?: Session;
  /** Whether we sent early data with the first flight. */
  sentEarlyData: boolean;
  /** Extension types we sent (server messages may only answer those, §4.2). */
  offered: Set<string>;
  clientHello: ClientHello;
  /** The cookie of a HelloRetryRequest, echoed in ClientHello2. */
  cookie?: Uint8Array;
  retried: boolean;
  /** The cipher suite a HelloRetryRequest chose; the ServerHello must keep it (§4.1.4). */
  hrrSuite?: number;
  schedule?: KeySchedule;
}

/** The extensions of a ClientHello, in the order NSS uses (and RFC 8448's traces show). */
export function clientHelloExtensions(hs: ClientHandshake, withEarlyData: boolean): ClientHelloExtension[] {
  const { config } = hs;
  const adv = config.advertise ?? {};
  const exts: ClientHelloExtension[] = [];
  // RFC 6066 §3: literal IP addresses are not permitted in server_name.
  if (config.serverName && !isIP(config.serverName)) exts.push({ type: 'server_name', hostName: config.serverName });
  if (adv.renegotiationInfo) exts.push({ type: 'renegotiation_info', renegotiatedConnection: new Uint8Array(0) });
  exts.push({ type: 'supported_groups', groups: adv.groups ?? hs.groups.map((g) => g.id) });
  if (adv.sessionTicket) exts.push({ type: 'session_ticket', ticket: new Uint8Array(0) });
  if (config.alpnProtocols?.length) exts.push({ type: 'application_layer_protocol_negotiation', protocols: config.alpnProtocols });
  exts.push({ type: 'key_share', clientShares: [...hs.keyShares].map(([group, kp]) => ({ group, keyExchange: kp.publicKey })) });
  if (withEarlyData) exts.push({ type: 'early_data' });
  exts.push({ type: 'supported_versions', versions: [TLS13] });
  exts.push({ type: 'signature_algorithms', schemes: hs.offeredSchemes });
  if (hs.cookie) exts.push({ type: 'cookie', cookie: hs.cookie });
  exts.push({ type: 'psk_key_exchange_modes', modes: [PSK_DHE_KE] });
  if (config.recordSizeLimit) exts.push({ type: 'record_size_limit', limit: config.recordSizeLimit });
  return exts;
}

/**
 * Encodes the ClientHello: adds padding (RFC 7685) when configured and, when a session
 * is offered, the pre_shared_key extension with its binder computed over the truncated
 * ClientHello and everything before it in `transcript` (§4.2.11.2).
 */
export function encodeClientHello(
  conn: Connection,
  hs: ClientHandshake,
  hello: ClientHello,
  transcript: Transcript,
  annotate: boolean,
): { bytes: Uint8Array; fields: Field[] } {
  const session = hs.offeredSession;
  const suite = session && hs.suites.find((s) => s.id === session.cipherSuite);
  const psk: ClientHelloExtension[] = [];
  if (session && suite) {
    // §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32.
    const age = Math.max(0, conn.now() - session.receivedAt);
    psk.push({
      type: 'pre_shared_key',
      identities: [{ identity: session.ticket, obfuscatedTicketAge: (age + session.ticketAgeAdd) % 2 ** 32 }],
      binders: [new Uint8Array(suite.hash.outputLength)],
    });
  }
  const padTo = hs.config.advertise?.padToLength;
  if (padTo) {
    const length = encodeHandshakeMessage({ ...hello, extensions: [...hello.extensions, ...psk] }).bytes.length;
    // RFC 7685 §1 (the F5 workaround NSS applies): lengths 256..511 are padded up.
    if (length >= 256 && length < padTo) hello.extensions.push({ type: 'padding', length: Math.max(0, padTo - length - 4) });
  }
  hello.extensions.push(...psk);
  const encoded = encodeHandshakeMessage(hello, { annotate });
  if (!session || !suite) return encoded;

  // The binder: HMAC over Transcript-Hash(earlier messages + truncated ClientHello), keyed by binder_key.
  const schedule = new KeySchedule(suite.hash, session.psk, (s) => conn.secret(s));
  const binderKey = schedule.binderKey(true);
  const binderHash = transcript.digestWith(suite.hash, truncatedClientHello(encoded.bytes));
  const binder = pskBinder(suite.hash, binderKey, binderHash);
  conn.secret({ name: 'binder_finished_key', label: 'finished', derivation: 'HKDF-Expand-Label(binder_key, "finished", "", Hash.length)', secret: finishedKey(suite.hash, binderKey) });
  conn.secret({ name: 'binder_transcript_hash', label: 'Transcript-Hash', derivation: 'Transcript-Hash(truncated ClientHello)', secret: binderHash });
  conn.secret({ name: 'psk_binder', label: 'finished', derivation: 'HMAC(finished_key(binder_key), binder_transcript_hash)', secret: binder });
  const binders = [binder];
  (hello.extensions[hello.extensions.length - 1] as Extract<ClientHelloExtension, { type: 'pre_shared_key' }>).binders = binders;
  hs.schedule = schedule;
  return { bytes: patchBinders(encoded.bytes, binders), fields: encoded.fields };
}
