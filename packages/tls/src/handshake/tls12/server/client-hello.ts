/**
 * A TLS 1.2 server reads the ClientHello (RFC 5246 §7.4.1.2): the rules every ClientHello
 * must meet, then a resumption if its ticket is good, else a full handshake.
 * @module
 */
import { fail } from '../../../alert.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { UNCOMPRESSED } from '../../extensions/ec-point-formats.js';
import { DOWNGRADE_TLS12 } from '../../messages/server-hello.js';
import { findExtension, type ClientHello } from '../../messages/types.js';
import { chooseAlpn } from '../../server/choices.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { TLS13 } from '../../versions.js';
import { resumableTicket, resumeTls12Session } from './resumption.js';
import { sendTls12ServerFlight } from './server-flight.js';

/** Answers a ClientHello for which TLS 1.2 was chosen. */
export function respondToTls12ClientHello(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, raw: Uint8Array): HandshakeState {
  ctx.info.protocol = 'TLSv1.2';
  checkClientHello(hs, ch);
  const serverName = findExtension(ch.extensions, 'server_name')?.hostName;
  if (serverName !== undefined) ctx.info.serverName = serverName;
  const alpn = chooseAlpn(hs.config, ch);
  if (alpn) ctx.info.alpnProtocol = alpn;
  const random = serverRandom(ctx, hs);
  const ticket = resumableTicket(ctx, hs, ch);
  if (ticket) return resumeTls12Session(ctx, hs, ch, raw, random, ticket);
  return sendTls12ServerFlight(ctx, hs, ch, raw, random, alpn);
}

/** The rules a TLS 1.2 ClientHello must meet whatever we answer. */
function checkClientHello(hs: ServerHandshake, ch: ClientHello): void {
  // RFC 5246 §7.4.1.2: null compression must be offered; we never compress (CRIME, FEATURES.md).
  if (!ch.legacyCompressionMethods.includes(0)) fail('illegal_parameter', 'compression_methods lacks null (RFC 5246 §7.4.1.2)');
  // RFC 5746 §3.6: an initial handshake's renegotiation_info is empty.
  const ri = findExtension(ch.extensions, 'renegotiation_info');
  if (ri && ri.renegotiatedConnection.length !== 0) fail('handshake_failure', 'renegotiation_info is not empty in an initial handshake (RFC 5746 §3.6)');
  // RFC 7627 §5.2: a server that does not wish to talk to legacy clients aborts.
  if (!findExtension(ch.extensions, 'extended_master_secret') && (hs.config.requireExtendedMasterSecret ?? true)) {
    fail('handshake_failure', 'the client does not use the extended master secret (RFC 7627)');
  }
  // RFC 8422 §5.1.2: a point format list without uncompressed cannot be answered.
  const points = findExtension(ch.extensions, 'ec_point_formats');
  if (points && !points.formats.includes(UNCOMPRESSED)) fail('illegal_parameter', 'ec_point_formats lacks uncompressed (RFC 8422 §5.1.2)');
}

/**
 * Our random. RFC 8446 §4.1.3: a server that speaks TLS 1.3 and negotiates TLS 1.2 ends it
 * with "DOWNGRD\x01", so a TLS 1.3 client whose offer was cut down by an attacker notices.
 */
function serverRandom(ctx: HandshakeContext, hs: ServerHandshake): Uint8Array {
  const random = ctx.provider.randomBytes(32).slice();
  if (hs.versions.includes(TLS13)) random.set(DOWNGRADE_TLS12, 24);
  return random;
}
