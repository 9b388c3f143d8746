/**
 * x25519 and x448 (RFC 7748), over `@noble/curves`. The private key is `length` random
 * bytes; clamping happens inside the scalar multiplication (RFC 7748 §5), so every string
 * of that length is a valid private key. The key_exchange is the u-coordinate (RFC 8446
 * §4.2.8.2), and an all-zero shared secret is refused (§7.4.2).
 * @module
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { NamedGroupId } from '../provider.js';
import type { KeyExchangeGroup, KeyPair } from '../provider.js';
import { diffieHellmanGroup } from './diffie-hellman.js';

/** The X25519 or X448 function of RFC 7748 §5, as noble gives it. */
interface MontgomeryCurve {
  getPublicKey(privateKey: Uint8Array): Uint8Array;
  getSharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

function montgomeryGroup(name: 'x25519' | 'x448', curve: MontgomeryCurve, length: number): KeyExchangeGroup {
  return diffieHellmanGroup({
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      const privateKey = randomBytes(length);
      return { privateKey, publicKey: curve.getPublicKey(privateKey) };
    },
    sharedSecret(privateKey, peerPublicKey) {
      if (privateKey.length !== length) throw new Error(`${name} private key must be ${length} bytes`);
      // §4.2.8.2: the key_exchange is the u-coordinate, `length` bytes.
      if (peerPublicKey.length !== length) {
        throw new Error(`${name} key_exchange must be ${length} bytes, got ${peerPublicKey.length}`);
      }
      let secret: Uint8Array;
      try {
        secret = curve.getSharedSecret(privateKey, peerPublicKey);
      } catch {
        // noble refuses the small-order points up front, before running the ladder:
        // exactly the inputs whose output would be all zeros.
        throw new Error(`${name} key_exchange is a small-order point (all-zero shared secret)`);
      }
      // §7.4.2: an all-zero output MUST be rejected. Checked again here so the rule
      // does not rest on a library detail.
      if (secret.every((byte) => byte === 0)) throw new Error(`${name} shared secret is all zeros`);
      return secret;
    },
  });
}

/** X25519 keys and shared secrets are 32 bytes (RFC 7748 §5). */
const X25519_LENGTH = 32;
/** X448 keys and shared secrets are 56 bytes (RFC 7748 §5). */
const X448_LENGTH = 56;

/** x25519 (RFC 7748): 32-byte keys and shared secret. */
export const x25519Group: KeyExchangeGroup = montgomeryGroup('x25519', x25519, X25519_LENGTH);

/** x448 (RFC 7748): 56-byte keys and shared secret. */
export const x448Group: KeyExchangeGroup = montgomeryGroup('x448', x448, X448_LENGTH);
