/**
 * The (EC)DHE key-exchange groups we offer (RFC 8446 §4.2.7): x25519 (RFC 7748) and
 * secp256r1 (NIST P-256), over `@noble/curves`.
 *
 * The peer's key_exchange bytes arrive from the network, so `sharedSecret` checks
 * them as RFC 8446 §4.2.8.2 and §7.4.2 require and throws a plain `Error` when they
 * are unusable; the handshake turns that into an illegal_parameter alert.
 * @module
 */

import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { NamedGroupId } from './provider.js';
import type { KeyExchangeGroup, KeyPair, NamedGroupName } from './provider.js';

/** The two operations of a Diffie–Hellman group, from which {@link diffieHellmanGroup} makes a KEM. */
export interface DiffieHellman {
  readonly id: number;
  readonly name: NamedGroupName;
  /** A fresh key pair, its private part drawn from `randomBytes`. */
  keyGen(randomBytes: (n: number) => Uint8Array): KeyPair;
  /** The DH output of our private key and the peer's public value; throws when the peer's value is unusable. */
  sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

/**
 * A Diffie–Hellman group in the KEM shape of {@link KeyExchangeGroup}: `encaps` makes the
 * server's ephemeral key pair and the DH output, `decaps` is the DH output (RFC 8446 §7.4).
 */
export function diffieHellmanGroup(dh: DiffieHellman): KeyExchangeGroup {
  return {
    id: dh.id,
    name: dh.name,
    keyGen: (randomBytes) => dh.keyGen(randomBytes),
    encaps(peerPublicKey, randomBytes) {
      const ephemeral = dh.keyGen(randomBytes);
      return { ciphertext: ephemeral.publicKey, sharedSecret: dh.sharedSecret(ephemeral.privateKey, peerPublicKey), ephemeral };
    },
    decaps: (privateKey, ciphertext) => dh.sharedSecret(privateKey, ciphertext),
  };
}

/** X25519 keys and shared secrets are 32 bytes (RFC 7748 §5). */
const X25519_LENGTH = 32;

/**
 * x25519 (RFC 7748). The private key is 32 random bytes; clamping happens inside the
 * scalar multiplication, so every 32-byte string is a valid private key.
 */
export const x25519Group: KeyExchangeGroup = diffieHellmanGroup({
  id: NamedGroupId.x25519,
  name: 'x25519',
  keyGen(randomBytes): KeyPair {
    const privateKey = randomBytes(X25519_LENGTH);
    return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
  },
  sharedSecret(privateKey, peerPublicKey) {
    if (privateKey.length !== X25519_LENGTH) throw new Error('x25519 private key must be 32 bytes');
    // §4.2.8.2: the key_exchange is the 32-byte u-coordinate.
    if (peerPublicKey.length !== X25519_LENGTH) {
      throw new Error(`x25519 key_exchange must be 32 bytes, got ${peerPublicKey.length}`);
    }
    let secret: Uint8Array;
    try {
      secret = x25519.getSharedSecret(privateKey, peerPublicKey);
    } catch {
      // noble refuses the small-order points up front, before running the ladder:
      // exactly the inputs whose output would be all zeros.
      throw new Error('x25519 key_exchange is a small-order point (all-zero shared secret)');
    }
    // §7.4.2: an all-zero output MUST be rejected. Checked again here so the rule
    // does not rest on a library detail.
    if (secret.every((byte) => byte === 0)) throw new Error('x25519 shared secret is all zeros');
    return secret;
  },
});

/** P-256 scalars, coordinates and the shared secret are 32 bytes. */
const P256_LENGTH = 32;
/** An uncompressed point: 0x04 || X || Y (§4.2.8.2). */
const P256_POINT_LENGTH = 1 + 2 * P256_LENGTH;
/** How many random strings we try before concluding the random source is broken. */
const MAX_SCALAR_ATTEMPTS = 64;

/**
 * secp256r1 (NIST P-256). The private key is a scalar d with 1 ≤ d < n, drawn by
 * rejection sampling: 32 random bytes are kept only when they form a valid scalar,
 * which they do except with probability about 2^-32, so the result is uniform.
 */
export const secp256r1Group: KeyExchangeGroup = diffieHellmanGroup({
  id: NamedGroupId.secp256r1,
  name: 'secp256r1',
  keyGen(randomBytes): KeyPair {
    for (let attempt = 0; attempt < MAX_SCALAR_ATTEMPTS; attempt++) {
      const privateKey = randomBytes(P256_LENGTH);
      if (p256.utils.isValidSecretKey(privateKey)) {
        // §4.2.8.2: TLS 1.3 sends only the uncompressed form.
        return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
      }
    }
    throw new Error('random source gave no valid P-256 scalar');
  },
  sharedSecret(privateKey, peerPublicKey) {
    // §4.2.8.2: the key_exchange is an UncompressedPointRepresentation; compressed
    // points, the point at infinity and other lengths are not allowed.
    if (peerPublicKey.length !== P256_POINT_LENGTH || peerPublicKey[0] !== 0x04) {
      throw new Error('secp256r1 key_exchange must be an uncompressed point (65 bytes starting with 0x04)');
    }
    try {
      // Decoding checks that the point lies on the curve (the §4.2.8.2 validation).
      p256.Point.fromBytes(peerPublicKey);
    } catch {
      throw new Error('secp256r1 key_exchange is not a point on the curve');
    }
    if (!p256.utils.isValidSecretKey(privateKey)) throw new Error('invalid secp256r1 private key');
    // §7.4.2: the shared secret is the x-coordinate of the ECDH point, 32 bytes.
    const point = p256.getSharedSecret(privateKey, peerPublicKey, false);
    return point.slice(1, 1 + P256_LENGTH);
  },
});
