/**
 * The TLS 1.2 cipher suites we speak, and the groups they exchange keys in: ECDHE only
 * (RFC 8422), with an AEAD only (RFC 5289 for AES-GCM, RFC 7905 for ChaCha20-Poly1305).
 * Every suite without forward secrecy or with a CBC, stream or export cipher is left out
 * (FEATURES.md says which attack each would let in).
 *
 * Each suite is made from the provider's TLS 1.3 suite with the same AEAD and hash, so a
 * provider offers TLS 1.2 with nothing added, and a provider without AES-256-GCM, say, has
 * neither version's AES-256-GCM suites.
 * @module
 */
import type { CipherSuite, CipherSuiteName, CryptoProvider, KeyExchangeGroup, PrivateKey, PublicKey } from '../../crypto/provider.js';
import { CipherSuiteId, NamedGroupId } from '../../crypto/provider.js';

/**
 * A TLS 1.2 suite: ECDHE, an AEAD, the PRF's hash (RFC 5246 §5), and the kind of certificate
 * that signs the ServerKeyExchange.
 * @category TLS 1.2
 */
export interface Tls12CipherSuite extends CipherSuite {
  /** ECDSA suites take ECDSA and EdDSA certificates (RFC 8422 §5.1), RSA suites RSA ones. */
  readonly authentication: 'ECDSA' | 'RSA';
}

/** Each TLS 1.2 suite, by the TLS 1.3 suite whose AEAD and hash it uses (preference follows the provider's order). */
const DERIVED: readonly { from: CipherSuiteName; suites: readonly [CipherSuiteName, Tls12CipherSuite['authentication']][] }[] = [
  { from: 'TLS_AES_128_GCM_SHA256', suites: [['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDSA'], ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'RSA']] },
  { from: 'TLS_AES_256_GCM_SHA384', suites: [['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDSA'], ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'RSA']] },
  { from: 'TLS_CHACHA20_POLY1305_SHA256', suites: [['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDSA'], ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'RSA']] },
];

/**
 * The TLS 1.2 suites a provider can run, in its order of preference.
 *
 * @example
 * ```ts
 * import { nobleProvider } from '@lucid-tls/tls';
 * import { tls12CipherSuites } from '@lucid-tls/tls/learn';
 * console.log(tls12CipherSuites(nobleProvider).map((s) => s.id.toString(16)).join(' ')); // → c02b c02f c02c c030 cca9 cca8
 * ```
 * @category TLS 1.2
 */
export function tls12CipherSuites(provider: CryptoProvider): Tls12CipherSuite[] {
  return provider.cipherSuites.flatMap((base) => {
    const derived = DERIVED.find((d) => d.from === base.name);
    return (derived?.suites ?? []).map(([name, authentication]) => ({ id: CipherSuiteId[name], name, aead: base.aead, hash: base.hash, authentication }));
  });
}

/** Whether a suite code is one of TLS 1.2's (anything else in a TLS 1.2 ServerHello was never offered). */
export const isTls12Suite = (id: number): boolean => DERIVED.some((d) => d.suites.some(([name]) => CipherSuiteId[name] === id));

/**
 * The elliptic-curve groups of RFC 8422 §5.1.1 (secp256r1, secp384r1, secp521r1, x25519,
 * x448): the only key exchange we do in TLS 1.2. A provider's other groups (finite-field,
 * ML-KEM hybrids) are TLS 1.3's alone.
 */
const ECDHE_GROUPS: ReadonlySet<number> = new Set([NamedGroupId.secp256r1, NamedGroupId.secp384r1, NamedGroupId.secp521r1, NamedGroupId.x25519, NamedGroupId.x448]);

/** The groups of `groups` TLS 1.2 may use, in the same order. */
export const ecdheGroups = (groups: readonly KeyExchangeGroup[]): KeyExchangeGroup[] => groups.filter((g) => ECDHE_GROUPS.has(g.id));

/** The suite family a certificate key belongs to (RFC 8422 §5.1: Ed25519 signs in ECDSA suites). */
export function authenticationOf(key: PrivateKey | PublicKey): Tls12CipherSuite['authentication'] {
  return key.type === 'rsa' ? 'RSA' : 'ECDSA';
}
