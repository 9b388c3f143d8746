/**
 * secp256r1, secp384r1 and secp521r1 (the NIST curves P-256, P-384, P-521), over
 * `@noble/curves`. The key_exchange is an uncompressed point, validated on the curve
 * (RFC 8446 §4.2.8.2); the shared secret is the x-coordinate of the ECDH point (§7.4.2).
 * @module
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { NamedGroupId } from '../provider.js';
import type { KeyExchangeGroup, KeyPair } from '../provider.js';
import { diffieHellmanGroup } from './diffie-hellman.js';

/** What we use of a noble Weierstrass curve. */
interface WeierstrassCurve {
  getPublicKey(secretKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  utils: { isValidSecretKey(secretKey: Uint8Array): boolean };
  Point: { fromBytes(bytes: Uint8Array): unknown };
}

/** How many random strings we try before concluding the random source is broken. */
const MAX_SCALAR_ATTEMPTS = 64;

/**
 * A NIST curve group. The private key is a scalar d with 1 ≤ d < n, drawn by rejection
 * sampling: `scalarLength` random bytes, the bits above n's length cleared (only P-521's
 * 521 bits leave any), are kept only when they form a valid scalar, which they do except
 * with probability at most about 2^-32, so the result is uniform.
 */
function nistCurveGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1', curveName: string, curve: WeierstrassCurve, orderBits: number): KeyExchangeGroup {
  const scalarLength = Math.ceil(orderBits / 8);
  /** An uncompressed point: 0x04 || X || Y, each coordinate the size of a scalar (§4.2.8.2). */
  const pointLength = 1 + 2 * scalarLength;
  const topByteMask = 0xff >> (8 * scalarLength - orderBits);
  return diffieHellmanGroup({
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      for (let attempt = 0; attempt < MAX_SCALAR_ATTEMPTS; attempt++) {
        const privateKey = randomBytes(scalarLength).slice();
        privateKey[0]! &= topByteMask;
        if (curve.utils.isValidSecretKey(privateKey)) {
          // §4.2.8.2: TLS 1.3 sends only the uncompressed form.
          return { privateKey, publicKey: curve.getPublicKey(privateKey, false) };
        }
      }
      throw new Error(`random source gave no valid ${curveName} scalar`);
    },
    sharedSecret(privateKey, peerPublicKey) {
      // §4.2.8.2: the key_exchange is an UncompressedPointRepresentation; compressed
      // points, the point at infinity and other lengths are not allowed.
      if (peerPublicKey.length !== pointLength || peerPublicKey[0] !== 0x04) {
        throw new Error(`${name} key_exchange must be an uncompressed point (${pointLength} bytes starting with 0x04)`);
      }
      try {
        // Decoding checks that the point lies on the curve (the §4.2.8.2 validation).
        curve.Point.fromBytes(peerPublicKey);
      } catch {
        throw new Error(`${name} key_exchange is not a point on the curve`);
      }
      if (!curve.utils.isValidSecretKey(privateKey)) throw new Error(`invalid ${name} private key`);
      // §7.4.2: the shared secret is the x-coordinate of the ECDH point, the size of a scalar.
      const point = curve.getSharedSecret(privateKey, peerPublicKey, false);
      return point.slice(1, 1 + scalarLength);
    },
  });
}

/** secp256r1 (NIST P-256): 65-byte points, 32-byte shared secret. */
export const secp256r1Group: KeyExchangeGroup = nistCurveGroup('secp256r1', 'P-256', p256, 256);

/** secp384r1 (NIST P-384): 97-byte points, 48-byte shared secret. */
export const secp384r1Group: KeyExchangeGroup = nistCurveGroup('secp384r1', 'P-384', p384, 384);

/** secp521r1 (NIST P-521): 133-byte points, 66-byte shared secret. */
export const secp521r1Group: KeyExchangeGroup = nistCurveGroup('secp521r1', 'P-521', p521, 521);
