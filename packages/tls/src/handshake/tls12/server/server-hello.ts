/**
 * A TLS 1.2 server's ServerHello (RFC 5246 §7.4.1.3): the suite, and extensions answering
 * the client's — and only those (§7.4.1.4).
 * @module
 */
import type { HandshakeContext } from '../../context.js';
import { UNCOMPRESSED } from '../../extensions/ec-point-formats.js';
import { findExtension, type ServerHelloExtension } from '../../messages/types.js';
import { LEGACY_VERSION } from '../../versions.js';
import type { Tls12ServerHandshake } from './server-handshake.js';

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3): a client's signal of secure renegotiation without the extension. */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** The largest record_size_limit TLS 1.2 allows: its records carry at most 2^14 bytes (RFC 8449 §4). */
const TLS12_MAX_RECORD_SIZE_LIMIT = 2 ** 14;

/**
 * Sends the ServerHello. A resumption echoes the client's session id (RFC 5077 §3.4); a full
 * handshake sends none, since we keep nothing by session id. `nameUsed`: the certificate
 * was chosen by server_name (RFC 6066 §3; never acknowledged in a resumption).
 */
export function sendServerHello(ctx: HandshakeContext, t: Tls12ServerHandshake, resumed: boolean, nameUsed: boolean): void {
  ctx.sendHandshake({
    type: 'server_hello',
    legacyVersion: LEGACY_VERSION,
    random: t.randoms.server,
    legacySessionIdEcho: resumed ? t.ch.legacySessionId : new Uint8Array(0),
    cipherSuite: t.suite.id,
    legacyCompressionMethod: 0,
    extensions: extensions(ctx, t, resumed, nameUsed),
  });
}

function extensions(ctx: HandshakeContext, t: Tls12ServerHandshake, resumed: boolean, nameUsed: boolean): ServerHelloExtension[] {
  const { ch, hs } = t;
  const exts: ServerHelloExtension[] = [];
  // RFC 5746 §3.6: a client that signalled secure renegotiation gets an empty renegotiation_info.
  if (findExtension(ch.extensions, 'renegotiation_info') || ch.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) {
    exts.push({ type: 'renegotiation_info', renegotiatedConnection: new Uint8Array(0) });
  }
  if (!resumed && nameUsed) exts.push({ type: 'server_name' });
  if (t.extendedMasterSecret) exts.push({ type: 'extended_master_secret' });
  if (findExtension(ch.extensions, 'ec_point_formats')) exts.push({ type: 'ec_point_formats', formats: [UNCOMPRESSED] }); // RFC 8422 §5.2
  if (t.issueTicket) exts.push({ type: 'session_ticket', ticket: new Uint8Array(0) });
  if (ctx.info.alpnProtocol) exts.push({ type: 'application_layer_protocol_negotiation', protocols: [ctx.info.alpnProtocol] });
  const clientLimit = findExtension(ch.extensions, 'record_size_limit');
  if (clientLimit) {
    ctx.records.setWriteRecordSizeLimit(clientLimit.limit);
    // RFC 8449 §4: we answer only a client that sent one, with at most TLS 1.2's record size.
    if (hs.config.recordSizeLimit) {
      const limit = Math.min(hs.config.recordSizeLimit, TLS12_MAX_RECORD_SIZE_LIMIT);
      exts.push({ type: 'record_size_limit', limit });
      ctx.records.setReadRecordSizeLimit(limit);
    }
  }
  return exts;
}
