/**
 * ClientHello (RFC 8446 §4.1.2): the client's first message. It offers cipher suites,
 * and in extensions the versions, groups and key shares, signature schemes and PSKs
 * the client can use; the server picks from them.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { alpnOffered } from '../extensions/alpn.js';
import { certificateAuthorities } from '../extensions/certificate-authorities.js';
import { cookie } from '../extensions/cookie.js';
import { earlyDataOffered } from '../extensions/early-data.js';
import { ecPointFormats } from '../extensions/ec-point-formats.js';
import { extendedMasterSecret } from '../extensions/extended-master-secret.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import { keyShareClientHello } from '../extensions/key-share.js';
import { padding, renegotiationInfo, sessionTicket } from '../extensions/legacy-extensions.js';
import { offeredPsks } from '../extensions/pre-shared-key.js';
import { pskKeyExchangeModes } from '../extensions/psk-key-exchange-modes.js';
import { recordSizeLimit } from '../extensions/record-size-limit.js';
import { serverNameList } from '../extensions/server-name.js';
import { signatureAlgorithms, signatureAlgorithmsCert } from '../extensions/signature-algorithms.js';
import { supportedGroups } from '../extensions/supported-groups.js';
import { supportedVersionsList } from '../extensions/supported-versions.js';
import { readCodeList, writeCodeList, type CodeListShape } from './code-list.js';
import { suiteValue } from './field-values.js';
import { readLegacyVersion, SESSION_ID_BOUNDS, writeLegacyVersion, writeRandom } from './hello-fields.js';
import type { ClientHello, ClientHelloExtension } from './types.js';

/** The extensions a ClientHello interprets, in their ClientHello shapes. */
const extensionCodecs: ExtensionCodecs<ClientHelloExtension> = {
  server_name: serverNameList,
  supported_groups: supportedGroups,
  signature_algorithms: signatureAlgorithms,
  signature_algorithms_cert: signatureAlgorithmsCert,
  application_layer_protocol_negotiation: alpnOffered,
  record_size_limit: recordSizeLimit,
  cookie,
  renegotiation_info: renegotiationInfo,
  session_ticket: sessionTicket,
  padding,
  extended_master_secret: extendedMasterSecret,
  ec_point_formats: ecPointFormats,
  key_share: keyShareClientHello,
  supported_versions: supportedVersionsList,
  psk_key_exchange_modes: pskKeyExchangeModes,
  early_data: earlyDataOffered,
  pre_shared_key: offeredPsks,
};

const cipherSuites: CodeListShape = {
  prefix: 2,
  name: 'cipher_suites',
  item: 'CipherSuite',
  describe: suiteValue,
  bounds: { min: 2, max: 2 ** 16 - 2 },
  note: 'The AEAD + hash pairs the client supports, most preferred first.',
};

const RANDOM_NOTE = '32 bytes from a secure random generator; both randoms enter the transcript hash.';
/** legacy_session_id: what its content says. */
function sessionIdNote(id: Uint8Array): string {
  return id.length === 0
    ? 'Empty: unused by TLS 1.3 (middlebox compatibility mode would put 32 random bytes here, Appendix D.4).'
    : `${id.length} bytes, unused by TLS 1.3: middlebox compatibility mode sends 32 random bytes so that the echo looks like TLS 1.2 resumption (Appendix D.4).`;
}
const COMPRESSION_NOTE = 'Exactly one byte, 0 (null): TLS 1.3 has no compression.';

/** Reads a ClientHello body. */
export function readClientHello(r: Reader): ClientHello {
  const legacyVersion = readLegacyVersion(r);
  const random = r.bytes(32, 'random', RANDOM_NOTE);
  const legacySessionId = r.opaque(1, 'legacy_session_id', SESSION_ID_BOUNDS);
  r.describe(sessionIdNote(legacySessionId));
  const suites = readCodeList(r, cipherSuites);
  const legacyCompressionMethods = r.opaque(1, 'legacy_compression_methods', { min: 1 }, COMPRESSION_NOTE);
  // "TLS 1.3 servers might receive ClientHello messages without an extensions field from
  // prior versions of TLS" (§4.1.2): read it as an empty list and let version
  // negotiation reject the client with protocol_version.
  const extensions = r.remaining === 0 ? [] : readExtensions(r, 'CH', extensionCodecs);
  return {
    type: 'client_hello',
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites: suites,
    legacyCompressionMethods,
    extensions,
  };
}

/** Writes a ClientHello body. */
export function writeClientHello(w: Writer, msg: ClientHello): void {
  writeLegacyVersion(w, msg.legacyVersion);
  writeRandom(w, msg.random, RANDOM_NOTE);
  w.opaque(1, msg.legacySessionId, 'legacy_session_id', sessionIdNote(msg.legacySessionId));
  writeCodeList(w, cipherSuites, msg.cipherSuites);
  w.opaque(1, msg.legacyCompressionMethods, 'legacy_compression_methods', COMPRESSION_NOTE);
  writeExtensions(w, msg.extensions, extensionCodecs);
}
