/**
 * Human-readable values for the fields of handshake messages: the names a trace
 * shows next to the raw code points (`0x1301` → `TLS_AES_128_GCM_SHA256`).
 * @module
 */
import { cipherSuiteName, groupName, signatureSchemeName } from '../../crypto/provider.js';
import { extensionTypeName } from '../extensions/extension-type.js';

/** `0x1301` for 4865. */
export const hex4 = (code: number): string => `0x${code.toString(16).padStart(4, '0')}`;

/**
 * Whether `code` is a GREASE value (RFC 8701 §2): 0x0a0a, 0x1a1a, …, 0xfafa. Clients
 * send these at random to keep servers tolerant of code points they do not know.
 */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
}

const versionNames = new Map<number, string>([
  [0x0304, 'TLS 1.3'],
  [0x0303, 'TLS 1.2'],
  [0x0302, 'TLS 1.1'],
  [0x0301, 'TLS 1.0'],
  [0x0300, 'SSL 3.0'],
]);

/** `0x0304 (TLS 1.3)` for a ProtocolVersion. */
export function versionValue(version: number): string {
  const name = isGrease(version) ? 'GREASE' : versionNames.get(version);
  return name ? `${hex4(version)} (${name})` : hex4(version);
}

/** A legacy_version field, which TLS 1.3 freezes at 0x0303 (RFC 8446 §4.1.2). */
export function legacyVersionValue(version: number): string {
  return version === 0x0303 ? '0x0303 (TLS 1.2, frozen)' : versionValue(version);
}

const orGrease = (name: (code: number) => string) => (code: number) =>
  isGrease(code) ? `GREASE (${hex4(code)})` : name(code);

/** A CipherSuite's name, e.g. `TLS_AES_128_GCM_SHA256`. */
export const suiteValue = orGrease(cipherSuiteName);
/** A NamedGroup's name, e.g. `x25519`. */
export const groupValue = orGrease(groupName);
/** A SignatureScheme's name, e.g. `rsa_pss_rsae_sha256`. */
export const schemeValue = orGrease(signatureSchemeName);
/** An ExtensionType's name, e.g. `key_share`, or `unknown (0x…)`. */
export const extensionValue = orGrease((code) => extensionTypeName(code) ?? `unknown (${hex4(code)})`);
