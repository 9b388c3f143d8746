/**
 * `@lucid-tls/tls/learn`: the building blocks the engine is made of, for reading the
 * protocol piece by piece (the tutorials use them): the key schedule of RFC 8446 §7, the
 * transcript, the record protection of §5, the message codec, the hashes and AEADs, TLS 1.2's
 * PRF, key block and record protection (RFC 5246), and the RFC 8448 replay. An application that only wants TLS needs none of them; the engine is
 * `@lucid-tls/tls`.
 *
 * @example
 * ```ts
 * import { hkdfExtract, sha256, toHex } from '@lucid-tls/tls/learn';
 * // The Early Secret of every full handshake with SHA-256 (RFC 8448 §3).
 * console.log(toHex(hkdfExtract(sha256, new Uint8Array(32), new Uint8Array(32)))); // → 33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a
 * ```
 * @module \@lucid-tls/tls/learn
 */

export {
  KeySchedule,
  TrafficSecret,
  deriveSecret,
  emptyHash,
  exportKeyingMaterial,
  finishedKey,
  finishedVerifyData,
  hkdfExpand,
  hkdfExpandLabel,
  hkdfExtract,
  hkdfLabel,
  nextTrafficSecret,
  pskBinder,
  resumptionPsk,
  tls13Exporter,
  trafficKey,
} from './handshake/tls13/key-schedule.js';
export type { DerivedSecret, SecretName, SecretObserver, TrafficKind } from './handshake/tls13/key-schedule.js';
export { Transcript, messageHash } from './handshake/transcript.js';
export { HandshakeDeframer } from './handshake/deframer.js';
export { decodeHandshakeMessage, encodeHandshakeMessage, messageTitle } from './handshake/messages/handshake-message.js';
export { truncatedClientHello } from './handshake/messages/psk-binders.js';
export type * from './handshake/messages/types.js';
export { findExtension } from './handshake/messages/types.js';

export { RecordProtection, perRecordNonce } from './record/record-protection.js';
export type { OpenedRecord, Protection } from './record/record-protection.js';
export { Tls12RecordProtection } from './record/tls12-record-protection.js';

export {
  MasterSecret,
  exportKeyingMaterialTls12,
  extendedMasterSecret,
  keyBlock,
  masterSecret,
  pHash,
  prf,
  verifyData,
} from './handshake/tls12/prf.js';
export type { KeyBlock, Tls12Secret } from './handshake/tls12/prf.js';
export { tls12CipherSuites } from './handshake/tls12/cipher-suites.js';
export type { Tls12CipherSuite } from './handshake/tls12/cipher-suites.js';
export { serverEcdhParams } from './handshake/tls12/messages/server-key-exchange.js';
export { RecordLayer } from './record/record-layer.js';
export { ContentType, contentTypeName } from './record/content-type.js';
export { MAX_CIPHERTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from './record/limits.js';

export { sha256, sha384, sha512 } from './crypto/hash.js';
export { aes128gcm, aes256gcm, chacha20poly1305 } from './crypto/aead.js';

export { Reader, Writer } from './wire/codec.js';
export type { DecodedView, FieldInfo } from './wire/codec.js';
export { concat, fromHex, toHex } from './wire/bytes.js';

export { runScenario, SCENARIOS } from './rfc8448/replay.js';
export { compareHandshakes, COMPARED } from './compare/compare.js';
export type { ComparedHandshake, ComparisonRun, Flight } from './compare/compare.js';
export type { ScenarioName, ScenarioOptions, ScenarioRun } from './rfc8448/replay.js';
