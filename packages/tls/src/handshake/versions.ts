/**
 * Protocol versions and the constants both sides share. A TLS 1.3 ClientHello negotiates
 * the version with supported_versions alone (RFC 8446 §4.2.1), its legacy fields frozen at
 * TLS 1.2; a TLS 1.2 one has legacy_version only (RFC 5246 §7.4.1.2).
 * @module
 */

/** TLS 1.3's version number in supported_versions (§4.2.1). */
export const TLS13 = 0x0304;
/** TLS 1.2's version number (RFC 5246 §6.2.1; RFC 8446 §4.2.1 lists it in supported_versions). */
export const TLS12 = 0x0303;
/** SSL 3.0: a hello whose legacy_version is this or lower is refused with protocol_version (§D.5). */
export const SSL3 = 0x0300;
/** legacy_version of ClientHello and ServerHello: frozen at TLS 1.2 for middleboxes (§4.1.2, §4.1.3). */
export const LEGACY_VERSION = 0x0303;
/** legacy_record_version of an initial ClientHello record: 0x0301 for old middleboxes (§5.1), as RFC 8448's traces show. */
export const INITIAL_RECORD_VERSION = 0x0301;

/** psk_ke: PSK-only key establishment, without (EC)DHE and so without forward secrecy (§4.2.9). */
export const PSK_KE = 0;
/** psk_dhe_ke: PSK with (EC)DHE, which keeps forward secrecy (§4.2.9). */
export const PSK_DHE_KE = 1;

/**
 * A protocol version by the name `node:tls` gives it.
 * @category Engine
 */
export type ProtocolName = 'TLSv1.2' | 'TLSv1.3';

/** The version number of each protocol name. */
export const VERSION_CODES: Readonly<Record<ProtocolName, number>> = { 'TLSv1.2': TLS12, 'TLSv1.3': TLS13 };

/** The name of a version number we speak. */
export const protocolName = (version: number): ProtocolName => (version === TLS12 ? 'TLSv1.2' : 'TLSv1.3');

/**
 * The versions `minVersion`..`maxVersion` allow, highest (preferred) first. The default is
 * both, as in node:tls; a range that is empty or names another version is a configuration error.
 */
export function versionRange(config: { minVersion?: ProtocolName; maxVersion?: ProtocolName }): number[] {
  const min = VERSION_CODES[config.minVersion ?? 'TLSv1.2'];
  const max = VERSION_CODES[config.maxVersion ?? 'TLSv1.3'];
  if (min === undefined || max === undefined) throw new RangeError(`minVersion and maxVersion are 'TLSv1.2' or 'TLSv1.3'`);
  if (min > max) throw new RangeError(`minVersion ${config.minVersion} is above maxVersion ${config.maxVersion}`);
  return [TLS13, TLS12].filter((v) => v >= min && v <= max);
}

/** The code point of a PSK key exchange mode by its name (§4.2.9). */
export const PSK_MODE_CODES = { psk_ke: PSK_KE, psk_dhe_ke: PSK_DHE_KE } as const;

/** The PSK modes a configuration allows, as code points in its order (default: psk_dhe_ke alone). */
export function pskModes(configured: readonly (keyof typeof PSK_MODE_CODES)[] | undefined): number[] {
  return (configured ?? ['psk_dhe_ke']).map((m) => PSK_MODE_CODES[m]);
}
