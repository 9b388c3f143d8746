/**
 * The fields ClientHello, ServerHello and HelloRetryRequest share (RFC 8446 §4.1.2,
 * §4.1.3): the frozen legacy_version, the random, and the legacy session id.
 * @module
 */
import type { FieldInfo, Reader, Writer } from '../../wire/codec.js';
import { legacyVersionValue } from './field-values.js';

const LEGACY_VERSION_NOTE =
  'Frozen at 0x0303 (TLS 1.2) so old middleboxes let TLS 1.3 through; the real version is in supported_versions (§4.2.1).';

/** Reads `ProtocolVersion legacy_version`. */
export function readLegacyVersion(r: Reader): number {
  const version = r.u16('legacy_version');
  r.describe({ value: legacyVersionValue(version), note: LEGACY_VERSION_NOTE });
  return version;
}

/** Writes `ProtocolVersion legacy_version`. */
export function writeLegacyVersion(w: Writer, version: number): void {
  w.u16(version, 'legacy_version', { value: legacyVersionValue(version), note: LEGACY_VERSION_NOTE });
}

/** `opaque legacy_session_id<0..32>` (or its echo): 32 bytes in middlebox compatibility mode (Appendix D.4). */
export const SESSION_ID_BOUNDS = { max: 32 };

/** Writes `Random random` (exactly 32 bytes). */
export function writeRandom(w: Writer, random: Uint8Array, info: FieldInfo): void {
  if (random.length !== 32) throw new RangeError(`random: ${random.length} bytes, not 32`);
  w.bytes(random, 'random', info);
}
