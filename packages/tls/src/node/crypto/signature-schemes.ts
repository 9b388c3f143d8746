/**
 * The signature schemes of the native provider (RFC 8446 §4.2.3) on `node:crypto`:
 * ECDSA on P-256 and P-384, Ed25519, RSASSA-PSS and RSASSA-PKCS1-v1_5, the same list as
 * the noble provider's, computed by OpenSSL with keys imported once (`keys.ts`).
 *
 * Two differences from the noble schemes are worth knowing:
 * - ECDSA signatures are randomized: OpenSSL 3.0 draws the nonce k from its own random
 *   source (noble derives it from the key and message, RFC 6979), so two ECDSA signatures
 *   of the same message differ. Both are valid ECDSA and verify everywhere.
 * - RSA-PSS takes its salt from the `randomBytes` it is given, as the noble scheme does:
 *   OpenSSL's own PSS signing would draw the salt itself, so we encode EMSA-PSS here
 *   (RFC 8017 §9.1.1, the code of `crypto/rsa.ts`) and have OpenSSL apply only the RSA
 *   private-key operation, which it does with blinding and in constant time. With fixed
 *   inputs, PSS signatures are then the same bytes from either provider.
 * @module
 */
import { constants, privateEncrypt, sign, verify } from 'node:crypto';
import { SignatureSchemeId, type HashFunction, type PrivateKey, type PublicKey, type SignatureScheme } from '../../crypto/provider.js';
import { emsaPssEncode, modulusLength } from '../../crypto/rsa.js';
import { plain } from './bytes.js';
import { sha256, sha384, sha512 } from './hash.js';
import { privateKeyObject, publicKeyObject } from './keys.js';

/** OpenSSL's digest names. */
const DIGEST = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

/** The bits in an RSA modulus, remembered per modulus (counting them is not free for 2048-bit numbers). */
const modulusBits = new Map<bigint, number>();
function bitLength(n: bigint): number {
  let bits = modulusBits.get(n);
  if (bits === undefined) {
    bits = n.toString(2).length;
    if (modulusBits.size > 64) modulusBits.clear();
    modulusBits.set(n, bits);
  }
  return bits;
}

/** Runs an OpenSSL verification; false for anything it cannot even parse. */
function verifies(run: () => boolean): boolean {
  try {
    return run();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// ECDSA

/**
 * An ECDSA scheme: the signature is the DER of ECDSA-Sig-Value (RFC 8446 §4.2.3,
 * RFC 8422 §5.4), and each scheme fixes both the curve and the hash.
 */
function ecdsa(name: 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384', curve: 'P-256' | 'P-384', hash: HashFunction): SignatureScheme {
  const digest = DIGEST[hash.name];
  return {
    id: SignatureSchemeId[name],
    name,
    canSign: (key) => key.type === 'ec' && key.curve === curve,
    canVerify: (key) => key.type === 'ec' && key.curve === curve,
    sign(key, message) {
      if (key.type !== 'ec' || key.curve !== curve) throw new Error(`${name} needs a ${curve} key`);
      return plain(sign(digest, message, { key: privateKeyObject(key), dsaEncoding: 'der' }));
    },
    verify(key, message, signature) {
      if (key.type !== 'ec' || key.curve !== curve) return false;
      const object = publicKeyObject(key);
      return object !== null && verifies(() => verify(digest, message, { key: object, dsaEncoding: 'der' }, signature));
    },
  };
}

/** ecdsa_secp256r1_sha256 (0x0403) on OpenSSL. */
export const ecdsa_secp256r1_sha256: SignatureScheme = ecdsa('ecdsa_secp256r1_sha256', 'P-256', sha256);
/** ecdsa_secp384r1_sha384 (0x0503) on OpenSSL. */
export const ecdsa_secp384r1_sha384: SignatureScheme = ecdsa('ecdsa_secp384r1_sha384', 'P-384', sha384);

// ---------------------------------------------------------------------------
// EdDSA

/** Ed25519 public keys are 32 bytes; signatures 64 (RFC 8032 §5.1). */
const ED25519_KEY_LENGTH = 32;
const ED25519_SIGNATURE_LENGTH = 64;

/** ed25519 (0x0807): PureEdDSA (RFC 8032), which hashes internally, so OpenSSL is given no digest. */
export const ed25519: SignatureScheme = {
  id: SignatureSchemeId.ed25519,
  name: 'ed25519',
  canSign: (key) => key.type === 'ed25519',
  canVerify: (key) => key.type === 'ed25519',
  sign(key, message) {
    if (key.type !== 'ed25519') throw new Error('ed25519 needs an Ed25519 key');
    return plain(sign(null, message, privateKeyObject(key)));
  },
  verify(key, message, signature) {
    if (key.type !== 'ed25519') return false;
    if (key.key.length !== ED25519_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
    const object = publicKeyObject(key);
    return object !== null && verifies(() => verify(null, message, object, signature));
  },
};

// ---------------------------------------------------------------------------
// RSA

/** A signature must be exactly as long as the modulus (RFC 8017 §8.1.2 step 1, §8.2.2 step 1). */
function rightLength(key: Extract<PublicKey, { type: 'rsa' }>, signature: Uint8Array): boolean {
  return key.n > 0n && signature.length === modulusLength(key.n);
}

/** Whether the modulus fits PSS with `hash` and a salt of the hash length: emLen ≥ 2·hLen + 2 (RFC 8017 §9.1.1 step 3). */
function pssFits(key: PrivateKey, hash: HashFunction): boolean {
  return key.type === 'rsa' && Math.ceil((bitLength(key.n) - 1) / 8) >= 2 * hash.outputLength + 2;
}

/**
 * An rsa_pss_rsae_* scheme: RSASSA-PSS with MGF1 over the same hash and a salt as long
 * as the hash output (RFC 8446 §4.2.3). Signing is EMSA-PSS-ENCODE (§9.1.1) here, then
 * RSASP1 (§5.2.1) in OpenSSL (RSA_NO_PADDING: the raw private-key operation); verifying is
 * OpenSSL's own PSS verification with the salt length fixed.
 */
function rsaPss(name: 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512', hash: HashFunction): SignatureScheme {
  const saltLength = hash.outputLength;
  const digest = DIGEST[hash.name];
  return {
    id: SignatureSchemeId[name],
    name,
    canSign: (key) => pssFits(key, hash),
    canVerify: (key) => key.type === 'rsa',
    sign(key, message, randomBytes) {
      if (key.type !== 'rsa') throw new Error(`${name} needs an RSA key`);
      const salt = randomBytes(saltLength);
      if (salt.length !== saltLength) throw new Error('random source returned the wrong number of bytes');
      const k = modulusLength(key.n);
      // EM has emBits = modBits − 1 bits, so it is below n; it is one octet shorter than k
      // when modBits − 1 is a multiple of 8, and RSA_NO_PADDING wants exactly k octets.
      const em = emsaPssEncode(hash, message, salt, bitLength(key.n) - 1);
      const block = new Uint8Array(k);
      block.set(em, k - em.length);
      return plain(privateEncrypt({ key: privateKeyObject(key), padding: constants.RSA_NO_PADDING }, block));
    },
    verify(key, message, signature) {
      if (key.type !== 'rsa' || !rightLength(key, signature)) return false;
      const object = publicKeyObject(key);
      return object !== null && verifies(() => verify(digest, message, { key: object, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature));
    },
  };
}

/** rsa_pss_rsae_sha256 (0x0804) with OpenSSL's RSA. */
export const rsa_pss_rsae_sha256: SignatureScheme = rsaPss('rsa_pss_rsae_sha256', sha256);
/** rsa_pss_rsae_sha384 (0x0805) with OpenSSL's RSA. */
export const rsa_pss_rsae_sha384: SignatureScheme = rsaPss('rsa_pss_rsae_sha384', sha384);
/** rsa_pss_rsae_sha512 (0x0806) with OpenSSL's RSA. */
export const rsa_pss_rsae_sha512: SignatureScheme = rsaPss('rsa_pss_rsae_sha512', sha512);

/**
 * An rsa_pkcs1_* scheme: RSASSA-PKCS1-v1_5, which RFC 8446 §4.2.3 allows only in
 * certificates, never in CertificateVerify: `canSign` is false, so a handshake never
 * chooses it; `sign` works for code that signs certificates.
 */
function rsaPkcs1(name: 'rsa_pkcs1_sha256' | 'rsa_pkcs1_sha384' | 'rsa_pkcs1_sha512', hash: HashFunction): SignatureScheme {
  const digest = DIGEST[hash.name];
  return {
    id: SignatureSchemeId[name],
    name,
    canSign: () => false,
    canVerify: (key) => key.type === 'rsa',
    sign(key, message) {
      if (key.type !== 'rsa') throw new Error(`${name} needs an RSA key`);
      return plain(sign(digest, message, { key: privateKeyObject(key), padding: constants.RSA_PKCS1_PADDING }));
    },
    verify(key, message, signature) {
      if (key.type !== 'rsa' || !rightLength(key, signature)) return false;
      const object = publicKeyObject(key);
      return object !== null && verifies(() => verify(digest, message, { key: object, padding: constants.RSA_PKCS1_PADDING }, signature));
    },
  };
}

/** rsa_pkcs1_sha256 (0x0401) with OpenSSL's RSA (certificates only). */
export const rsa_pkcs1_sha256: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha256', sha256);
/** rsa_pkcs1_sha384 (0x0501) with OpenSSL's RSA (certificates only). */
export const rsa_pkcs1_sha384: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha384', sha384);
/** rsa_pkcs1_sha512 (0x0601) with OpenSSL's RSA (certificates only). */
export const rsa_pkcs1_sha512: SignatureScheme = rsaPkcs1('rsa_pkcs1_sha512', sha512);

/** The schemes in the same order as the noble provider's. */
export const signatureSchemes: readonly SignatureScheme[] = [
  ecdsa_secp256r1_sha256,
  ecdsa_secp384r1_sha384,
  ed25519,
  rsa_pss_rsae_sha256,
  rsa_pss_rsae_sha384,
  rsa_pss_rsae_sha512,
  rsa_pkcs1_sha256,
  rsa_pkcs1_sha384,
  rsa_pkcs1_sha512,
];
