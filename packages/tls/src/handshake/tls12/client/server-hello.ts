/**
 * A TLS 1.2 client takes the server's hello (RFC 5246 §7.4.1.3): the suite and extensions
 * must answer what we offered, secure renegotiation and the extended master secret must be
 * there, and an echo of our session id means the server resumed our ticket (RFC 5077 §3.4).
 * @module
 */
import { fail } from '../../../alert.js';
import { equalBytes } from '../../../wire/bytes.js';
import { checkOffered } from '../../authentication.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { UNCOMPRESSED } from '../../extensions/ec-point-formats.js';
import { findExtension, type ServerHello } from '../../messages/types.js';
import { LEGACY_VERSION } from '../../versions.js';
import type { Tls12CipherSuite } from '../cipher-suites.js';
import type { Tls12ClientHandshake } from './client-handshake.js';
import { ExpectServerCertificate } from './expect-certificate.js';
import { resumeSession } from './resumption.js';

/** A TLS 1.2 ServerHello (the branch point has checked the version and the downgrade sentinel). */
export function acceptTls12ServerHello(ctx: HandshakeContext, hs: ClientHandshake, sh: ServerHello, raw: Uint8Array): HandshakeState {
  ctx.info.protocol = 'TLSv1.2';
  // TLS 1.2's change_cipher_spec is a real message, never TLS 1.3's compatibility one (RFC 5246 §7.1).
  ctx.records.allowChangeCipherSpec = false;
  if (hs.retried) fail('illegal_parameter', 'a TLS 1.2 ServerHello after a HelloRetryRequest'); // RFC 8446 §4.2.1
  const suite = checkHello(hs, sh);
  const tls12: Tls12ClientHandshake = {
    hs,
    suite,
    randoms: { client: hs.random, server: sh.random },
    extendedMasterSecret: !!findExtension(sh.extensions, 'extended_master_secret'),
    ticketExpected: !!findExtension(sh.extensions, 'session_ticket'),
  };
  checkExtensions(ctx, hs, sh, tls12.extendedMasterSecret);
  ctx.info.cipherSuite = suite;
  ctx.transcript.useHash(suite.hash);
  ctx.transcript.add(raw);
  if (resumed(hs, sh)) return resumeSession(ctx, tls12);
  return new ExpectServerCertificate(ctx, tls12);
}

/** The fixed fields (RFC 5246 §7.4.1.3): version 1.2, a suite and the compression method we offered. */
function checkHello(hs: ClientHandshake, sh: ServerHello): Tls12CipherSuite {
  if (sh.legacyVersion !== LEGACY_VERSION) fail('protocol_version', `server_version 0x${sh.legacyVersion.toString(16)} is not TLS 1.2`);
  if (sh.legacyCompressionMethod !== 0) fail('illegal_parameter', 'the server chose a compression method; we offered null only');
  const suite = hs.tls12Suites.find((s) => s.id === sh.cipherSuite);
  if (!suite) fail('illegal_parameter', `server chose cipher suite 0x${sh.cipherSuite.toString(16)}, which we did not offer for TLS 1.2`);
  return suite;
}

/** The extensions: answers only (§7.4.1.4), renegotiation_info empty (RFC 5746 §3.4), EMS (RFC 7627 §5.2), ALPN, points. */
function checkExtensions(ctx: HandshakeContext, hs: ClientHandshake, sh: ServerHello, ems: boolean): void {
  checkOffered(sh.extensions, hs.offered, 'ServerHello');
  const ri = findExtension(sh.extensions, 'renegotiation_info');
  // RFC 5746 §4.1 lets a client refuse a server without it: such a server could splice our handshake into another.
  if (!ri) fail('handshake_failure', 'the server does not support secure renegotiation (RFC 5746)');
  if (ri.renegotiatedConnection.length !== 0) fail('handshake_failure', 'renegotiation_info is not empty in an initial handshake (RFC 5746 §3.4)');
  if (!ems && (hs.config.requireExtendedMasterSecret ?? true)) fail('handshake_failure', 'the server does not use the extended master secret (RFC 7627)');
  const points = findExtension(sh.extensions, 'ec_point_formats');
  if (points && !points.formats.includes(UNCOMPRESSED)) fail('illegal_parameter', 'ec_point_formats without uncompressed (RFC 8422 §5.2)');
  const alpn = findExtension(sh.extensions, 'application_layer_protocol_negotiation');
  if (alpn) {
    // RFC 7301 §3.1: one of ours (the codec has checked there is exactly one).
    if (!hs.config.alpnProtocols?.includes(alpn.protocols[0]!)) fail('illegal_parameter', 'server selected an ALPN protocol we did not offer');
    ctx.info.alpnProtocol = alpn.protocols[0]!;
  }
  if (findExtension(sh.extensions, 'server_name')) ctx.info.serverName = hs.config.serverName!;
  const limit = findExtension(sh.extensions, 'record_size_limit');
  if (limit) ctx.records.setWriteRecordSizeLimit(limit.limit); // RFC 8449 §4
}

/**
 * RFC 5077 §3.4: the server echoes the session id we sent with our ticket when it resumes.
 * An echo of an id we sent for another reason (TLS 1.3's middlebox compatibility) resumes a
 * session we never offered.
 */
function resumed(hs: ClientHandshake, sh: ServerHello): boolean {
  const echoed = sh.legacySessionIdEcho.length > 0 && equalBytes(sh.legacySessionIdEcho, hs.legacySessionId);
  if (echoed && !hs.tls12Session) fail('illegal_parameter', 'the server resumes a TLS 1.2 session we did not offer');
  return echoed;
}
