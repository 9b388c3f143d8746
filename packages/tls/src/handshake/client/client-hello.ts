/**
 * Building the client's ClientHello (RFC 8446 §4.1.2), including the PSK binder
 * (§4.2.11.2).
 * @module
 */
import { isIP } from '../../wire/ip.js';
import type { Field } from '../../wire/codec.js';
import type { HandshakeContext } from '../context.js';
import { encodeHandshakeMessage } from '../messages/handshake-message.js';
import { patchBinders, truncatedClientHello } from '../messages/psk-binders.js';
import type { ClientHello, ClientHelloExtension } from '../messages/types.js';
import { KeySchedule } from '../tls13/key-schedule.js';
import { pskModes, TLS12, TLS13 } from '../versions.js';
import { UNCOMPRESSED } from '../extensions/ec-point-formats.js';
import type { ClientOffer } from './client-handshake.js';

/** The extensions of a ClientHello before pre_shared_key and padding, in the order NSS uses (and RFC 8448's traces show). */
export function clientHelloExtensions(offer: ClientOffer, withEarlyData: boolean): ClientHelloExtension[] {
  const { config } = offer;
  const adv = config.advertise ?? {};
  const [tls13, tls12] = [offer.versions.includes(TLS13), offer.versions.includes(TLS12)];
  const exts: ClientHelloExtension[] = [];
  // RFC 6066 §3: literal IP addresses are not permitted in server_name.
  if (config.serverName && !isIP(config.serverName)) exts.push({ type: 'server_name', hostName: config.serverName });
  // TLS 1.2 needs the extended master secret (RFC 7627 §5.2), secure renegotiation (RFC 5746 §3.4),
  // uncompressed points (RFC 8422 §5.1.2) and, for tickets, session_ticket (RFC 5077 §3.2).
  if (tls12) exts.push({ type: 'extended_master_secret' });
  if (adv.renegotiationInfo || tls12) exts.push({ type: 'renegotiation_info', renegotiatedConnection: new Uint8Array(0) });
  exts.push({ type: 'supported_groups', groups: adv.groups ?? offer.groups.map((g) => g.id) });
  if (tls12) exts.push({ type: 'ec_point_formats', formats: [UNCOMPRESSED] });
  if (adv.sessionTicket || tls12) exts.push({ type: 'session_ticket', ticket: offer.tls12Session?.ticket ?? new Uint8Array(0) });
  if (config.alpnProtocols?.length) exts.push({ type: 'application_layer_protocol_negotiation', protocols: config.alpnProtocols });
  if (tls13) exts.push({ type: 'key_share', clientShares: [...offer.keyShares].map(([group, kp]) => ({ group, keyExchange: kp.publicKey })) });
  if (withEarlyData) exts.push({ type: 'early_data' });
  // §4.2.1: supported_versions is TLS 1.3's; a TLS 1.2-only client has legacy_version alone.
  if (tls13) exts.push({ type: 'supported_versions', versions: offer.versions });
  exts.push({ type: 'signature_algorithms', schemes: offer.offeredSchemes });
  if (offer.cookie) exts.push({ type: 'cookie', cookie: offer.cookie });
  if (tls13) exts.push({ type: 'psk_key_exchange_modes', modes: pskModes(config.pskKeyExchangeModes) });
  if (config.recordSizeLimit) exts.push({ type: 'record_size_limit', limit: config.recordSizeLimit });
  return exts;
}

/** An encoded ClientHello: the message as sent, its bytes and fields, and the key schedule its PSK started. */
export interface EncodedClientHello {
  hello: ClientHello;
  bytes: Uint8Array;
  fields: Field[];
  schedule?: KeySchedule;
}

/**
 * Encodes `hello` with padding (RFC 7685) when configured and, when a session is offered,
 * the pre_shared_key extension with its binder computed over the truncated ClientHello
 * and everything before it in the transcript (§4.2.11.2). `hello` itself is left as it is.
 */
export function encodeClientHello(ctx: HandshakeContext, offer: ClientOffer, hello: ClientHello): EncodedClientHello {
  const session = offer.offeredSession;
  const suite = session && offer.suites.find((s) => s.id === session.cipherSuite);
  const psk: ClientHelloExtension[] = [];
  if (session && suite) {
    // §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32.
    const age = Math.max(0, ctx.now() - session.receivedAt);
    psk.push({
      type: 'pre_shared_key',
      identities: [{ identity: session.ticket, obfuscatedTicketAge: (age + session.ticketAgeAdd) % 2 ** 32 }],
      binders: [new Uint8Array(suite.hash.outputLength)],
    });
  }
  const padded: ClientHello = { ...hello, extensions: [...hello.extensions, ...padding(offer, hello, psk), ...psk] };
  const encoded = encodeHandshakeMessage(padded, { annotate: ctx.tracing });
  if (!session || !suite) return { hello: padded, ...encoded };

  // The binder: HMAC over Transcript-Hash(earlier messages + truncated ClientHello), keyed by binder_key.
  const schedule = new KeySchedule(suite.hash, session.psk, (s) => ctx.secret(s));
  schedule.binderKey(true);
  const binder = schedule.binder(ctx.transcript.digestWith(suite.hash, truncatedClientHello(encoded.bytes)));
  const withBinder: ClientHello = { ...padded, extensions: padded.extensions.map((e) => (e.type === 'pre_shared_key' ? { ...e, binders: [binder] } : e)) };
  return { hello: withBinder, bytes: patchBinders(encoded.bytes, [binder]), fields: encoded.fields, schedule };
}

/** RFC 7685's padding extension, when configured and the ClientHello is 256..511 bytes (the F5 workaround NSS applies, §1). */
function padding(offer: ClientOffer, hello: ClientHello, psk: ClientHelloExtension[]): ClientHelloExtension[] {
  const padTo = offer.config.advertise?.padToLength;
  if (!padTo) return [];
  const length = encodeHandshakeMessage({ ...hello, extensions: [...hello.extensions, ...psk] }).bytes.length;
  return length >= 256 && length < padTo ? [{ type: 'padding', length: Math.max(0, padTo - length - 4) }] : [];
}
