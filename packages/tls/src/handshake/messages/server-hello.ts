/**
 * ServerHello (RFC 8446 §4.1.3): the server's choices — the cipher suite, and in
 * extensions the version, its key share and, when resuming, the PSK it accepted.
 * @module
 */
import type { FieldInfo, Reader, Writer } from '../../wire/codec.js';
import {
  peekExtensionCodes,
  readExtensions,
  writeExtensions,
  type ExtensionCodecs,
} from '../extensions/extension-block.js';
import { ExtensionType } from '../extensions/extension-type.js';
import { keyShareServerHello } from '../extensions/key-share.js';
import { alpnSelected } from '../extensions/alpn.js';
import { ecPointFormats } from '../extensions/ec-point-formats.js';
import { extendedMasterSecret } from '../extensions/extended-master-secret.js';
import { renegotiationInfo, sessionTicket } from '../extensions/legacy-extensions.js';
import { recordSizeLimit } from '../extensions/record-size-limit.js';
import { serverNameAcknowledged } from '../extensions/server-name.js';
import { selectedIdentity } from '../extensions/pre-shared-key.js';
import { supportedVersionsSelected } from '../extensions/supported-versions.js';
import { equalBytes } from '../../wire/bytes.js';
import { suiteValue } from './field-values.js';
import { readLegacyVersion, SESSION_ID_BOUNDS, writeLegacyVersion, writeRandom } from './hello-fields.js';
import type { ServerHello, ServerHelloExtension } from './types.js';

/** The extensions a TLS 1.3 ServerHello interprets (§4.2). */
const tls13Codecs: Partial<ExtensionCodecs<ServerHelloExtension>> = {
  key_share: keyShareServerHello,
  supported_versions: supportedVersionsSelected,
  pre_shared_key: selectedIdentity,
};

/** The extensions a TLS 1.2 ServerHello interprets: its answers to a ClientHello's (RFC 5246 §7.4.1.4). */
const tls12Codecs: Partial<ExtensionCodecs<ServerHelloExtension>> = {
  server_name: serverNameAcknowledged,
  renegotiation_info: renegotiationInfo,
  extended_master_secret: extendedMasterSecret,
  ec_point_formats: ecPointFormats,
  session_ticket: sessionTicket,
  application_layer_protocol_negotiation: alpnSelected,
  record_size_limit: recordSizeLimit,
};

/** A ServerHello's codecs: TLS 1.3's when it carries supported_versions (§4.2.1), else TLS 1.2's. */
const codecsFor = (tls13: boolean) => (tls13 ? tls13Codecs : tls12Codecs) as ExtensionCodecs<ServerHelloExtension>;

/**
 * The last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 or below
 * (§4.1.3): a client that supports TLS 1.3 and sees them is being downgraded.
 */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
/** The same for TLS 1.1 and below. */
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

const RANDOM_NOTE = '32 bytes from a secure random generator; both randoms enter the transcript hash.';
const SESSION_ID_NOTE = 'The client’s legacy_session_id, echoed back.';
const SUITE_NOTE = 'The one cipher suite the server chose from the client’s list.';
const COMPRESSION_NOTE = 'Always 0 (null).';

/** The random's annotation, pointing out a downgrade sentinel (§4.1.3) when there is one. */
function randomInfo(random: Uint8Array): FieldInfo {
  const tail = random.subarray(24);
  if (equalBytes(tail, DOWNGRADE_TLS12)) {
    return { note: RANDOM_NOTE, value: 'ends in "DOWNGRD\\x01": TLS 1.2 chosen by a TLS 1.3 server (§4.1.3)' };
  }
  if (equalBytes(tail, DOWNGRADE_TLS11)) {
    return { note: RANDOM_NOTE, value: 'ends in "DOWNGRD\\x00": TLS 1.1 or below chosen by a TLS 1.3 server (§4.1.3)' };
  }
  return RANDOM_NOTE;
}

/**
 * Reads a ServerHello body. `message` is the whole message, `r` positioned after its header.
 */
export function readServerHello(r: Reader, message: Uint8Array): ServerHello {
  const legacyVersion = readLegacyVersion(r);
  const random = r.bytes(32, 'random');
  r.describe(randomInfo(random));
  const legacySessionIdEcho = r.opaque(1, 'legacy_session_id_echo', SESSION_ID_BOUNDS, SESSION_ID_NOTE);
  const cipherSuite = r.u16('cipher_suite');
  r.describe({ value: suiteValue(cipherSuite), note: SUITE_NOTE });
  const legacyCompressionMethod = r.u8('legacy_compression_method', COMPRESSION_NOTE);
  // Only a TLS 1.3 ServerHello carries supported_versions (§4.1.3, §4.2.1). Without it
  // the server chose TLS 1.2 (or older): its extensions answer the ClientHello's under
  // RFC 5246 §7.4.1.4, not the table of §4.2. (An older ServerHello may lack the block.)
  const codes = peekExtensionCodes(message, r.offset);
  const tls13 = codes === undefined || codes.includes(ExtensionType.supported_versions);
  const extensions = r.remaining === 0 ? [] : readExtensions(r, tls13 ? 'SH' : 'SH12', codecsFor(tls13));
  return {
    type: 'server_hello',
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod,
    extensions,
  };
}

/** Writes a ServerHello body. */
export function writeServerHello(w: Writer, msg: ServerHello): void {
  writeLegacyVersion(w, msg.legacyVersion);
  writeRandom(w, msg.random, randomInfo(msg.random));
  w.opaque(1, msg.legacySessionIdEcho, 'legacy_session_id_echo', SESSION_ID_NOTE);
  w.u16(msg.cipherSuite, 'cipher_suite', { value: suiteValue(msg.cipherSuite), note: SUITE_NOTE });
  w.u8(msg.legacyCompressionMethod, 'legacy_compression_method', COMPRESSION_NOTE);
  writeExtensions(w, msg.extensions, codecsFor(msg.extensions.some((e) => e.type === 'supported_versions')));
}
