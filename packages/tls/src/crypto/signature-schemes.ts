/**
 * The signature schemes of the default provider (RFC 8446 §4.2.3): ECDSA on P-256
 * and P-384 and Ed25519 over `@noble/curves`; RSA-PSS and RSA PKCS#1 v1.5 over our
 * own RSA code (`rsa.ts`).
 *
 * Each scheme names the key type it needs, and `canSign`/`canVerify` check it, so a
 * handshake can pick a scheme that fits its certificate's key. `verify` answers false,
 * never throws, for a signature or key that is malformed.
 * @module
 */

import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from './hash.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';
import { SignatureSchemeId } from './provider.js';
import type { CryptoProvider, HashFunction, PrivateKey, PublicKey, SignatureScheme, SignatureSchemeName } from './provider.js';

// ---------------------------------------------------------------------------
// ECDSA

/**
 * An ECDSA scheme. In TLS the signature is the DER encoding of
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 8446 §4.2.3, RFC 8422 §5.4),
 * and each scheme fixes both the curve and the hash.
 */
function ecdsa(
  name: 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384',
  curveName: 'P-256' | 'P-384',
  curve: typeof p256,
  hash: HashFunction,
): SignatureScheme {
  const canSign = (key: PrivateKey) => key.type === 'ec' && key.curve === curveName;
  const canVerify = (key: PublicKey) => key.type === 'ec' && key.curve === curveName;
  return {
    id: SignatureSchemeId[name],
    name,
    canSign,
    canVerify,
    sign(key, message) {
      if (key.type !== 'ec' || key.curve !== curveName) throw new Error(`${name} needs a ${curveName} key`);
      // We hash with the scheme's hash ourselves (prehash: false) so the pairing is
      // explicit. With no extra entropy noble derives the nonce by RFC 6979; lowS is
      // off so the output is plain RFC 6979 ECDSA, as OpenSSL would accept and produce.
      return curve.sign(hash.hash(message), key.d, { prehash: false, lowS: false, format: 'der' });
    },
    verify(key, message, signature) {
      if (key.type !== 'ec' || key.curve !== curveName) return false;
      try {
        // Peers are not required to send low-S signatures, so accept both halves.
        return curve.verify(signature, hash.hash(message), key.point, { prehash: false, lowS: false, format: 'der' });
      } catch {
        return false;
      }
    },
  };
}

/** ecdsa_secp256r1_sha256 (0x0403): ECDSA on P-256 with SHA-256. */
export const ecdsa_secp256r1_sha256: SignatureScheme = ecdsa('ecdsa_secp256r1_sha256', 'P-256', p256, sha256);

/** ecdsa_secp384r1_sha384 (0x0503): ECDSA on P-384 with SHA-384. */
export const ecdsa_secp384r1_sha384: SignatureScheme = ecdsa('ecdsa_secp384r1_sha384', 'P-384', p384, sha384);

// ---------------------------------------------------------------------------
// EdDSA

/** Ed25519 public keys are 32 bytes; signatures 64 (RFC 8032 §5.1). */
const ED25519_KEY_LENGTH = 32;
const ED25519_SIGNATURE_LENGTH = 64;

/** ed25519 (0x0807): PureEdDSA on edwards25519 (RFC 8032), which hashes internally. */
export const ed25519: SignatureScheme = {
  id: SignatureSchemeId.ed25519,
  name: 'ed25519',
  canSign: (key) => key.type === 'ed25519',
  canVerify: (key) => key.type === 'ed25519',
  sign(key, message) {
    if (key.type !== 'ed25519') throw new Error('ed25519 needs an Ed25519 key');
    return nobleEd25519.sign(message, key.seed);
  },
  verify(key, message, signature) {
    if (key.type !== 'ed25519') return false;
    if (key.key.length !== ED25519_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
    try {
      // zip215: false is the strict RFC 8032 decoding (canonical encodings only).
      return nobleEd25519.verify(signature, message, key.key, { zip215: false });
    } catch {
      return false;
    }
  },
};

// ---------------------------------------------------------------------------
// RSA

/**
 * Whether an RSA modulus is big enough for PSS with `hash` and a salt of the hash
 * length: emLen ≥ 2·hLen + 2 (RFC 8017 §9.1.1 step 3). A 1024-bit key, for instance,
 * cannot make rsa_pss_rsae_sha512 signatures.
 */
function pssFits(n: bigint, hash: HashFunction): boolean {
  const emBits = n.toString(2).length - 1;
  return Math.ceil(emBits / 8) >= 2 * hash.outputLength + 2;
}

/**
 * An rsa_pss_rsae_* scheme: RSASSA-PSS with MGF1 over the same hash, a salt as long
 * as the hash output (RFC 8446 §4.2.3), and a key from an rsaEncryption certificate.
 */
function rsaPss(name: 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512', hash: HashFunction): SignatureScheme {
  const saltLength = hash.outputLength;
  return {
    id: SignatureSchemeId[name],
    name,
    canSign: (key) => key.type === 'rsa' && pssFits(key.n, hash),
    canVerify: (key) => key.type === 'rsa',
    sign(key, message, randomBytes) {
      if (key.type !== 'rsa') throw new Error(`${name} needs an RSA key`);
      return rsaPssSign(key, hash, message, saltLength, randomBytes);
    },
    verify(key, message, signature) {
      return key.type === 'rsa' && rsaPssVerify(key, hash, message, signature, saltLength);
    },
  };
}

/** rsa_pss_rsae_sha256 (0x0804): RSASSA-PSS, SHA-256, 32-byte salt. */
export const rsa_pss_rsae_sha256: SignatureScheme = rsaPss('rsa_pss_rsae_sha256', sha256);
/** rsa_pss_rsae_sha384 (0x0805): RSASSA-PSS, SHA-384, 48-byte salt. */
export const rsa_pss_rsae_sha384: SignatureScheme = rsaPss('rsa_pss_rsae_sha384', sha384);
/** rsa_pss_rsae_sha512 (0x0806): RSASSA-PSS, SHA-512, 64-byte salt. */
export const rsa_pss_rsae_sha512: SignatureScheme = rsaPss('rsa_pss_rsae_sha512', sha512);

/**
 * An rsa_pkcs1_* scheme: RSASSA-PKCS1-v1_5. RFC 8446 §4.2.3 allows it only for
 * signatures in certificates, never in CertificateVerify, so `canSign` is false and
 * a handshake never chooses it. `sign` still works, for code that issues certificates.
 */
function rsaPkcs1(name: 'rsa_pkcs1_sha256' | 'rsa_pkcs1_sha384' | 'rsa_pkcs1_sha512', hash: HashFunction): SignatureScheme {
  return {
    id: SignatureSchemeId[name],
    name,
    canSign: () => false,
    canVerify: (key) => key.type === 'rsa',
    sign(key, message) {
      if (key.type !== 'rsa') throw new Error(`${name} needs an RSA key`);
      return rsaPkcs1Sign(key, hash, message);
    },
    verify(key, message, signature) {
      return key.type === 'rsa' && rsaPkcs1Verify(key, hash, message, signature);
    },
  };
}

/** rsa_pkcs1_sha256 (0x0401): RSASSA-PKCS1-v1_5 with SHA-256 (certificates only). */
export const rsa_pkcs1_sha256: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha256', sha256);
/** rsa_pkcs1_sha384 (0x0501): RSASSA-PKCS1-v1_5 with SHA-384 (certificates only). */
export const rsa_pkcs1_sha384: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha384', sha384);
/** rsa_pkcs1_sha512 (0x0601): RSASSA-PKCS1-v1_5 with SHA-512 (certificates only). */
export const rsa_pkcs1_sha512: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha512', sha512);

// ---------------------------------------------------------------------------
// Lookup

/** The scheme of `provider` with code point `id`, or undefined when the provider lacks it. */
export function signatureSchemeById(provider: CryptoProvider, id: number): SignatureScheme | undefined {
  return provider.signatureSchemes.find((scheme) => scheme.id === id);
}

/** The scheme of `provider` named `name`, or undefined when the provider lacks it. */
export function signatureSchemeByName(provider: CryptoProvider, name: SignatureSchemeName): SignatureScheme | undefined {
  return provider.signatureSchemes.find((scheme) => scheme.name === name);
}
