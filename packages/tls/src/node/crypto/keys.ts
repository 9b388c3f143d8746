/**
 * The engine's {@link PrivateKey} and {@link PublicKey} values as OpenSSL `KeyObject`s,
 * imported once per key object and kept for as long as the key is: a server signs every
 * CertificateVerify with the same key, and parsing it again for each handshake would cost
 * as much as a signature.
 * @module
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { PrivateKey, PublicKey } from '../../crypto/provider.js';
import { modInverse, modPow } from '../../crypto/rsa-keygen.js';
import type { RsaPrivateKey } from '../../crypto/rsa.js';
import { der } from '../../x509/der.js';
import { encodePkcs8 } from '../../x509/keys.js';
import { OID } from '../../x509/oid.js';
import { base64url } from './bytes.js';

const privateKeys = new WeakMap<PrivateKey, KeyObject>();
const publicKeys = new WeakMap<PublicKey, KeyObject | null>();

/** `key` as an OpenSSL private key, imported from DER the first time it is used. */
export function privateKeyObject(key: PrivateKey): KeyObject {
  let object = privateKeys.get(key);
  if (object === undefined) {
    object =
      key.type === 'ec'
        ? createPrivateKey({ key: Buffer.from(ecPrivateKey(key)), format: 'der', type: 'sec1' })
        : createPrivateKey({ key: Buffer.from(encodePkcs8(key.type === 'rsa' ? withCrtValues(key) : key)), format: 'der', type: 'pkcs8' });
    privateKeys.set(key, object);
  }
  return object;
}

/**
 * An EC key as SEC 1's ECPrivateKey (RFC 5915 §3) without its optional publicKey: OpenSSL
 * computes that itself, and the PKCS#8 writer of the x509 layer would compute it in
 * JavaScript first.
 */
function ecPrivateKey(key: Extract<PrivateKey, { type: 'ec' }>): Uint8Array {
  const curve = key.curve === 'P-256' ? OID.prime256v1 : OID.secp384r1;
  return der.sequence(der.integer(1), der.octetString(key.d), der.explicit(0, der.oid(curve)));
}

/**
 * `key` as an OpenSSL public key, or null when OpenSSL refuses it (an EC point off its
 * curve, a malformed RSA key): a peer's key comes from its certificate, and a key that
 * cannot be used only means that no signature verifies. Imported as a JWK (RFC 7518 §6,
 * RFC 8037 §2), which Node gives OpenSSL directly, several times faster than DER.
 */
export function publicKeyObject(key: PublicKey): KeyObject | null {
  let object = publicKeys.get(key);
  if (object === undefined) {
    const jwk = publicJwk(key);
    try {
      object = jwk && createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      object = null;
    }
    publicKeys.set(key, object);
  }
  return object;
}

/** The big-endian bytes of a positive integer, without leading zeros (RFC 7518 §6.3.1.1). */
function unsignedBytes(x: bigint): Uint8Array {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** The JWK of a public key; null for an EC point that is not uncompressed, which no JWK can hold. */
function publicJwk(key: PublicKey): JsonWebKey | null {
  switch (key.type) {
    case 'ec': {
      const size = key.curve === 'P-256' ? 32 : 48;
      if (key.point.length !== 1 + 2 * size || key.point[0] !== 0x04) return null;
      return { kty: 'EC', crv: key.curve, x: base64url(key.point.subarray(1, 1 + size)), y: base64url(key.point.subarray(1 + size)) };
    }
    case 'ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: base64url(key.key) };
    case 'rsa':
      return key.n > 0n && key.e > 0n ? { kty: 'RSA', n: base64url(unsignedBytes(key.n)), e: base64url(unsignedBytes(key.e)) } : null;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * An RSA key with its primes and CRT values (RFC 8017 §3.2), which PKCS#1 needs and
 * OpenSSL signs with. A key given as (n, e, d) alone is factored: e·d − 1 is a multiple
 * of λ(n), and for a random g some square root of 1 found along g^((e·d−1)/2^i) is not
 * ±1, which splits n (the method of NIST SP 800-56B Appendix C).
 */
export function withCrtValues(key: RsaPrivateKey): RsaPrivateKey {
  if (key.p !== undefined && key.q !== undefined && key.dp !== undefined && key.dq !== undefined && key.qi !== undefined) return key;
  const { n, e, d } = key;
  const k = d * e - 1n;
  let t = k;
  while (t % 2n === 0n) t /= 2n;
  for (let g = 2n; g < 1000n; g++) {
    let x = modPow(g, t, n);
    if (x === 1n || x === n - 1n) continue;
    // Square until we reach 1; the value before it is a non-trivial square root of 1.
    for (let s = t; s < k; s *= 2n) {
      const y = (x * x) % n;
      if (y === 1n) {
        const p = gcd(x - 1n, n);
        const q = n / p;
        return { ...key, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi: modInverse(q, p) };
      }
      if (y === n - 1n) break;
      x = y;
    }
  }
  throw new Error('RSA key: n, e and d do not belong together (n could not be factored)');
}
