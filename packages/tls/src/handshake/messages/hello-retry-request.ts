/**
 * HelloRetryRequest (RFC 8446 §4.1.4): a ServerHello with a special random, sent when
 * the client's key shares do not fit the server (or the server wants a cookie). The
 * client then sends a second ClientHello.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Reader, Writer } from '../../wire/codec.js';
import { equalBytes, utf8 } from '../../wire/bytes.js';
import { cookie } from '../extensions/cookie.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import { keyShareHelloRetryRequest } from '../extensions/key-share.js';
import { supportedVersionsSelected } from '../extensions/supported-versions.js';
import { suiteValue } from './field-values.js';
import { readLegacyVersion, SESSION_ID_BOUNDS, writeLegacyVersion, writeRandom } from './hello-fields.js';
import type { HelloRetryRequest, HelloRetryRequestExtension } from './types.js';

/**
 * The random of every HelloRetryRequest: SHA-256("HelloRetryRequest") (§4.1.3). A
 * ServerHello carrying it is a HelloRetryRequest.
 */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = sha256(utf8('HelloRetryRequest'));

/** Whether a ServerHello's random marks it as a HelloRetryRequest. */
export const isHelloRetryRequestRandom = (random: Uint8Array): boolean =>
  equalBytes(random, HELLO_RETRY_REQUEST_RANDOM);

/** The extensions a HelloRetryRequest interprets. */
const extensionCodecs: ExtensionCodecs<HelloRetryRequestExtension> = {
  key_share: keyShareHelloRetryRequest,
  supported_versions: supportedVersionsSelected,
  cookie,
};

const RANDOM_INFO = {
  value: 'SHA-256("HelloRetryRequest")',
  note: 'Not random: this fixed value is what makes this ServerHello a HelloRetryRequest (§4.1.3).',
};
const SESSION_ID_NOTE = 'The client’s legacy_session_id, echoed back.';
const SUITE_NOTE = 'The cipher suite the server will choose; the second ClientHello must still offer it.';
const COMPRESSION_NOTE = 'Always 0 (null).';

/** Reads a HelloRetryRequest body (a ServerHello whose random is {@link HELLO_RETRY_REQUEST_RANDOM}). */
export function readHelloRetryRequest(r: Reader): HelloRetryRequest {
  const legacyVersion = readLegacyVersion(r);
  r.bytes(32, 'random', RANDOM_INFO); // the caller has recognised the special value
  const legacySessionIdEcho = r.opaque(1, 'legacy_session_id_echo', SESSION_ID_BOUNDS, SESSION_ID_NOTE);
  const cipherSuite = r.u16('cipher_suite');
  r.describe({ value: suiteValue(cipherSuite), note: SUITE_NOTE });
  const legacyCompressionMethod = r.u8('legacy_compression_method', COMPRESSION_NOTE);
  const extensions = readExtensions(r, 'HRR', extensionCodecs);
  return {
    type: 'hello_retry_request',
    legacyVersion,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod,
    extensions,
  };
}

/** Writes a HelloRetryRequest body: a ServerHello with the special random. */
export function writeHelloRetryRequest(w: Writer, msg: HelloRetryRequest): void {
  writeLegacyVersion(w, msg.legacyVersion);
  writeRandom(w, HELLO_RETRY_REQUEST_RANDOM, RANDOM_INFO);
  w.opaque(1, msg.legacySessionIdEcho, 'legacy_session_id_echo', SESSION_ID_NOTE);
  w.u16(msg.cipherSuite, 'cipher_suite', { value: suiteValue(msg.cipherSuite), note: SUITE_NOTE });
  w.u8(msg.legacyCompressionMethod, 'legacy_compression_method', COMPRESSION_NOTE);
  writeExtensions(w, msg.extensions, extensionCodecs);
}
