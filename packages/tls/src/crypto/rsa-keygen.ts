/**
 * RSA key generation (RFC 8017 §3, FIPS 186-5 §A.1.3 in spirit): two random primes
 * found by trial division and the Miller–Rabin test, then the private exponent and
 * the CRT values.
 *
 * Written with `bigint` so the library needs no native code. A 2048-bit key takes
 * around a second. Like `rsa.ts` it is not constant-time; it is meant for local
 * development certificates (`lucid-tls cert issue --key-type rsa`).
 * @module
 */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import type { RsaPrivateKey } from './rsa.js';

/** Odd primes below 2000, for trial division before the costly test. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) if (n % d === 0) prime = false;
    if (prime) out.push(BigInt(n));
  }
  return out;
})();

/** base^exponent mod modulus, by square-and-multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** The inverse of a modulo m (a and m coprime), by the extended Euclidean algorithm. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** A uniformly random integer in [2, n − 2], for Miller–Rabin bases. */
function randomBase(n: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const length = Math.ceil(n.toString(2).length / 8);
  for (;;) {
    const a = bytesToBigint(randomBytes(length)) % n;
    if (a >= 2n && a <= n - 2n) return a;
  }
}

/**
 * The Miller–Rabin probabilistic primality test: n − 1 = 2^s · d; for random bases a,
 * a^d ≡ 1 or a^(2^r·d) ≡ −1 for some r < s, else n is composite. Each round lets a
 * composite through with probability at most 1/4.
 */
export function isProbablePrime(n: bigint, rounds: number, randomBytes: (n: number) => Uint8Array = nobleRandomBytes): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  if (n % 2n === 0n) return n === 2n;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    let x = modPow(randomBase(n, randomBytes), d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/** A random prime of exactly `bits` bits, its top two bits set (so p·q has 2·bits bits), with gcd(p − 1, e) = 1. */
function randomPrime(bits: number, e: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const length = Math.ceil(bits / 8);
  const excess = BigInt(length * 8 - bits);
  for (;;) {
    let candidate = bytesToBigint(randomBytes(length)) >> excess;
    candidate |= (3n << BigInt(bits - 2)) | 1n;
    // Trial division first, and e must be invertible modulo p − 1.
    if (SMALL_PRIMES.some((p) => candidate % p === 0n)) continue;
    if (gcd(candidate - 1n, e) !== 1n) continue;
    // 5 rounds suffice for 1024-bit primes at 2^-100 error (FIPS 186-5 Table B.1); we do more.
    if (isProbablePrime(candidate, 8, randomBytes)) return candidate;
  }
}

/**
 * A new RSA private key with a `bits`-bit modulus (2048 by default) and public
 * exponent 65537, with the CRT values filled in.
 */
export function generateRsaKey(bits = 2048, randomBytes: (n: number) => Uint8Array = nobleRandomBytes, e = 65537n): RsaPrivateKey {
  if (bits < 1024 || bits % 2 !== 0) throw new RangeError('RSA modulus must be an even number of bits, at least 1024');
  for (;;) {
    const p = randomPrime(bits / 2, e, randomBytes);
    const q = randomPrime(bits / 2, e, randomBytes);
    // p and q must differ in their top 100 bits (FIPS 186-5 §A.1.3), or n is easy to factor.
    if ((p > q ? p - q : q - p) >> BigInt(bits / 2 - 100) === 0n) continue;
    const n = p * q;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    return { type: 'rsa', n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi: modInverse(q, p) };
  }
}
