/**
 * RSA signatures (RFC 8017): RSASSA-PSS, used by TLS 1.3 for CertificateVerify
 * (RFC 8446 §4.2.3, rsa_pss_rsae_*), and RSASSA-PKCS1-v1_5, which TLS 1.3 accepts
 * only in certificates.
 *
 * Why our own code: the noble libraries do not do RSA, and RSA is small enough to
 * write out. With JavaScript's native `bigint` the whole of it (encodings, MGF1,
 * modular exponentiation, CRT) fits in about two hundred lines that follow RFC 8017
 * step by step, with no dependency to trust.
 *
 * What it is not: constant-time. Bigint arithmetic in JavaScript takes time that
 * depends on the values, and square-and-multiply branches on the bits of the private
 * exponent, so signing leaks timing about the private key. Use it where that is
 * acceptable (tests, education, low-exposure servers), or plug a different
 * `SignatureScheme` into the crypto provider. Verification uses only public values.
 * @module
 */

import { concat, equalBytes } from '../wire/bytes.js';
import type { HashFunction, PrivateKey, PublicKey } from './provider.js';

/** An RSA private key (the `type: 'rsa'` member of {@link PrivateKey}). */
export type RsaPrivateKey = Extract<PrivateKey, { type: 'rsa' }>;
/** An RSA public key (the `type: 'rsa'` member of {@link PublicKey}). */
export type RsaPublicKey = Extract<PublicKey, { type: 'rsa' }>;

// ---------------------------------------------------------------------------
// Integers and octet strings (RFC 8017 §4)

/** The number of bits in `x` (0 for 0). */
function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** k in RFC 8017: the length of the modulus in octets, which is also the signature length. */
export function modulusLength(n: bigint): number {
  return Math.ceil(bitLength(n) / 8);
}

/** OS2IP (§4.2): a big-endian octet string as a non-negative integer. */
function os2ip(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const byte of bytes) x = (x << 8n) | BigInt(byte);
  return x;
}

/** I2OSP (§4.1): `x` as a big-endian octet string of exactly `length` octets (left-padded with zeros). */
function i2osp(x: bigint, length: number): Uint8Array {
  if (x < 0n || bitLength(x) > 8 * length) throw new Error('integer too large');
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** base^exponent mod modulus, by square-and-multiply over the exponent's bits (low to high). */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

/** x mod m, always in [0, m) (JavaScript's `%` keeps the sign of x). */
function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

// ---------------------------------------------------------------------------
// The RSA primitives (RFC 8017 §5.2)

/** RSASP1 (§5.2.1): m^d mod n, through the Chinese Remainder Theorem when the key has p, q, dp, dq, qi. */
function rsasp1(key: RsaPrivateKey, m: bigint): bigint {
  const { n, e, d, p, q, dp, dq, qi } = key;
  let s: bigint;
  if (p !== undefined && q !== undefined && dp !== undefined && dq !== undefined && qi !== undefined) {
    // Two half-size exponentiations instead of one full-size one: about 4x faster.
    const s1 = modPow(m, dp, p);
    const s2 = modPow(m, dq, q);
    const h = mod(qi * (s1 - s2), p);
    s = s2 + q * h;
  } else {
    s = modPow(m, d, n);
  }
  // A fault in one CRT half would let anyone who sees the signature factor n
  // (the Bellcore attack), so check the result with the public exponent first.
  if (modPow(s, e, n) !== m) throw new Error('RSA signature self-check failed (inconsistent private key)');
  return s;
}

/** RSAVP1 (§5.2.2): s^e mod n, or null when s is out of range. */
function rsavp1(key: RsaPublicKey, s: bigint): bigint | null {
  if (s >= key.n) return null;
  return modPow(s, key.e, key.n);
}

/** Whether a public key is usable at all (so verification can answer false instead of throwing). */
function isSaneModulus(key: RsaPublicKey): boolean {
  return key.n > 1n && key.e > 0n;
}

// ---------------------------------------------------------------------------
// MGF1 (RFC 8017 §B.2.1)

/** MGF1: Hash(seed || C) for C = 0, 1, 2, … as a 4-octet counter, concatenated and cut to `length`. */
export function mgf1(hash: HashFunction, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  const counterView = new DataView(counter.buffer);
  for (let offset = 0, c = 0; offset < length; offset += hash.outputLength, c++) {
    counterView.setUint32(0, c); // I2OSP(C, 4)
    const block = hash.hash(concat(seed, counter));
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
  }
  return out;
}

// ---------------------------------------------------------------------------
// EMSA-PSS (RFC 8017 §9.1)

/** EMSA-PSS-ENCODE (§9.1.1) of `message` with `salt`, into an emBits-bit encoded message. */
export function emsaPssEncode(hash: HashFunction, message: Uint8Array, salt: Uint8Array, emBits: number): Uint8Array {
  const hLen = hash.outputLength;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new Error('RSA key too small for this PSS hash and salt length');
  const mHash = hash.hash(message);
  // H = Hash(0x00 * 8 || mHash || salt)
  const h = hash.hash(concat(new Uint8Array(8), mHash, salt));
  // DB = PS || 0x01 || salt, where PS is zeros
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const dbMask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i]!;
  // Clear the bits above emBits, so the integer is below the modulus.
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return concat(db, h, Uint8Array.of(0xbc));
}

/**
 * The checks of EMSA-PSS-VERIFY (§9.1.2), returning the salt found in `em`, or null
 * when `em` is not a valid encoding of `message`. The salt length is read from the
 * encoding (the position of the 0x01 separator); callers that expect a particular
 * length compare it, which is the same as the RFC's check of the zero padding.
 */
function emsaPssDecode(hash: HashFunction, message: Uint8Array, em: Uint8Array, emBits: number): Uint8Array | null {
  const hLen = hash.outputLength;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + 2) return null;
  if (em[emLen - 1] !== 0xbc) return null;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  if ((maskedDb[0]! & ~(0xff >> unusedBits) & 0xff) !== 0) return null;
  const dbMask = mgf1(hash, h, maskedDb.length);
  const db = new Uint8Array(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = maskedDb[i]! ^ dbMask[i]!;
  db[0]! &= 0xff >> unusedBits;
  // DB = PS (zeros) || 0x01 || salt
  let separator = 0;
  while (separator < db.length && db[separator] === 0) separator++;
  if (separator === db.length || db[separator] !== 0x01) return null;
  const salt = db.subarray(separator + 1);
  const mHash = hash.hash(message);
  const expected = hash.hash(concat(new Uint8Array(8), mHash, salt));
  return equalBytes(expected, h) ? salt : null;
}

// ---------------------------------------------------------------------------
// RSASSA-PSS (RFC 8017 §8.1)

/**
 * RSASSA-PSS-SIGN (§8.1.1) with MGF1 over the same hash. The salt is `saltLength`
 * bytes from `randomBytes` (TLS 1.3 uses the hash length, RFC 8446 §4.2.3).
 * Returns a signature of exactly the modulus length.
 */
export function rsaPssSign(
  key: RsaPrivateKey,
  hash: HashFunction,
  message: Uint8Array,
  saltLength: number,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const salt = randomBytes(saltLength);
  if (salt.length !== saltLength) throw new Error('random source returned the wrong number of bytes');
  const em = emsaPssEncode(hash, message, salt, bitLength(key.n) - 1);
  return i2osp(rsasp1(key, os2ip(em)), modulusLength(key.n));
}

/** The EMSA-PSS salt inside `signature`, or null when it is not a valid PSS signature of `message`. */
function pssSalt(publicKey: RsaPublicKey, hash: HashFunction, message: Uint8Array, signature: Uint8Array): Uint8Array | null {
  if (!isSaneModulus(publicKey)) return null;
  const k = modulusLength(publicKey.n);
  if (signature.length !== k) return null;
  const m = rsavp1(publicKey, os2ip(signature));
  if (m === null) return null;
  const emBits = bitLength(publicKey.n) - 1;
  const emLen = Math.ceil(emBits / 8);
  // When emBits is a multiple of 8, EM is one octet shorter than k and m must fit in it.
  if (bitLength(m) > emBits) return null;
  return emsaPssDecode(hash, message, i2osp(m, emLen), emBits);
}

/**
 * RSASSA-PSS-VERIFY (§8.1.2) with MGF1 over the same hash and a salt of exactly
 * `saltLength` bytes. Returns false, never throws, for any malformed input.
 */
export function rsaPssVerify(
  publicKey: RsaPublicKey,
  hash: HashFunction,
  message: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
): boolean {
  return pssSalt(publicKey, hash, message, signature)?.length === saltLength;
}

/**
 * Opens a valid RSA-PSS signature with the public key and returns its salt (of
 * whatever length). Tests use it to take the salt out of a published signature,
 * such as RFC 8448's CertificateVerify, and sign again with it. Throws when the
 * signature does not verify.
 */
export function rsaPssRecoverSalt(
  publicKey: RsaPublicKey,
  hash: HashFunction,
  message: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  const salt = pssSalt(publicKey, hash, message, signature);
  if (salt === null) throw new Error('not a valid RSA-PSS signature of this message');
  return salt.slice();
}

// ---------------------------------------------------------------------------
// EMSA-PKCS1-v1_5 and RSASSA-PKCS1-v1_5 (RFC 8017 §9.2, §8.2)

/**
 * DER of DigestInfo { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING (hLen) },
 * up to the digest itself (RFC 8017 §9.2, note 1).
 */
const DIGEST_INFO_PREFIX: Record<HashFunction['name'], Uint8Array> = {
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

/** EMSA-PKCS1-v1_5-ENCODE (§9.2): 0x00 || 0x01 || 0xff… || 0x00 || DigestInfo, emLen octets; null if it does not fit. */
function emsaPkcs1Encode(hash: HashFunction, message: Uint8Array, emLen: number): Uint8Array | null {
  const t = concat(DIGEST_INFO_PREFIX[hash.name], hash.hash(message));
  // At least 8 octets of 0xff padding.
  if (emLen < t.length + 11) return null;
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

/** RSASSA-PKCS1-V1_5-SIGN (§8.2.1). Returns a signature of exactly the modulus length. */
export function rsaPkcs1Sign(key: RsaPrivateKey, hash: HashFunction, message: Uint8Array): Uint8Array {
  const k = modulusLength(key.n);
  const em = emsaPkcs1Encode(hash, message, k);
  if (em === null) throw new Error('RSA key too small for this hash');
  return i2osp(rsasp1(key, os2ip(em)), k);
}

/**
 * RSASSA-PKCS1-V1_5-VERIFY (§8.2.2): encode the expected message and compare, the
 * approach the RFC recommends (no parsing of attacker-controlled ASN.1). Returns
 * false, never throws, for any malformed input.
 */
export function rsaPkcs1Verify(
  publicKey: RsaPublicKey,
  hash: HashFunction,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isSaneModulus(publicKey)) return false;
  const k = modulusLength(publicKey.n);
  if (signature.length !== k) return false;
  const m = rsavp1(publicKey, os2ip(signature));
  if (m === null) return false;
  const expected = emsaPkcs1Encode(hash, message, k);
  // m < n, so it always fits in k octets.
  return expected !== null && equalBytes(i2osp(m, k), expected);
}
