/**
 * The key-exchange groups of the native provider (RFC 8446 §4.2.7): x25519 and x448
 * (RFC 7748), secp256r1, secp384r1 and secp521r1, and the finite-field groups ffdhe2048 …
 * ffdhe8192 (RFC 7919) on `node:crypto`; and the post-quantum hybrids of
 * draft-ietf-tls-ecdhe-mlkem, their elliptic-curve half here and their ML-KEM half the
 * noble one (Node 20's OpenSSL has no ML-KEM), as are pure ML-KEM-768 and ML-KEM-1024.
 *
 * Each Diffie–Hellman group is first a {@link DiffieHellman} (key generation and the DH
 * output), then a KEM through `diffieHellmanGroup`, exactly as the noble groups are.
 *
 * The private key is always the random bytes `keyGen` drew (a scalar, or a short
 * exponent), so `withFixedInputs` gives this provider the key pairs it gives the noble
 * one. The peer's key_exchange arrives from the network and is checked as RFC 8446
 * §4.2.8.1, §4.2.8.2 and §7.4 require; anything unusable throws a plain `Error`, which
 * the handshake turns into an illegal_parameter alert.
 * @module
 */
import {
  createDiffieHellman,
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type ECDH,
  type KeyObject,
} from 'node:crypto';
import { diffieHellmanGroup, hybridGroup, mlKem1024Group, mlKem768Group, type DiffieHellman } from '../../crypto/groups/index.js';
import { NamedGroupId, type KeyExchangeGroup, type KeyPair } from '../../crypto/provider.js';
import { ffdhePrime, FFDHE_X, type FfdheName } from './ffdhe-primes.js';
import { base64url, plain } from './bytes.js';

/** How many random strings we try before concluding the random source is broken. */
const MAX_SCALAR_ATTEMPTS = 64;

/** Whether every byte is zero (§7.4.2: an all-zero X25519 or X448 output is refused). */
const allZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

// ---------------------------------------------------------------------------
// X25519 and X448 (RFC 7748)

/** Keys and shared secrets are 32 bytes for X25519, 56 for X448 (RFC 7748 §5, §6). */
const MONTGOMERY_LENGTH = { x25519: 32, x448: 56 } as const;

/**
 * x25519 or x448 (RFC 7748). The private key is `length` random bytes; clamping happens
 * inside the scalar multiplication, so every string of that length is a valid key.
 *
 * Keys go in and out of OpenSSL as JWKs (RFC 8037 §2: `kty: "OKP"`, the raw key in `d`
 * or `x`): Node hands those bytes to OpenSSL as they are, an order of magnitude faster than
 * parsing PKCS#8 or SubjectPublicKeyInfo DER, which would cost more than the scalar
 * multiplication itself.
 */
function montgomery(name: 'x25519' | 'x448'): DiffieHellman {
  const length = MONTGOMERY_LENGTH[name];
  const crv = name === 'x25519' ? 'X25519' : 'X448';
  // RFC 8037 §2 makes `x` part of a private JWK too; Node builds the key from `d` alone
  // (OpenSSL derives the public key), so the empty string stands in for the x we do not know yet.
  const privateKeyObject = (d: Uint8Array) => createPrivateKey({ key: { kty: 'OKP', crv, d: base64url(d), x: '' }, format: 'jwk' });
  /**
   * The KeyObject `keyGen` made for each private key, so that the DH output that follows
   * (the server's Encaps, or the client's Decaps of the very array keyGen returned) does
   * not import it again: importing computes the public key, a scalar multiplication.
   */
  const prepared = new WeakMap<Uint8Array, KeyObject>();

  return {
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      const privateKey = randomBytes(length);
      if (privateKey.length !== length) throw new Error(`${name} private key must be ${length} bytes`);
      const key = privateKeyObject(privateKey);
      prepared.set(privateKey, key);
      const { x } = key.export({ format: 'jwk' });
      return { privateKey, publicKey: plain(Buffer.from(x!, 'base64url')) };
    },
    sharedSecret(privateKey, peerPublicKey) {
      if (privateKey.length !== length) throw new Error(`${name} private key must be ${length} bytes`);
      // §4.2.8.2: the key_exchange is the raw u-coordinate.
      if (peerPublicKey.length !== length) throw new Error(`${name} key_exchange must be ${length} bytes, got ${peerPublicKey.length}`);
      const key = prepared.get(privateKey) ?? privateKeyObject(privateKey);
      const peer = createPublicKey({ key: { kty: 'OKP', crv, x: base64url(peerPublicKey) }, format: 'jwk' });
      let secret: Uint8Array;
      try {
        secret = plain(diffieHellman({ privateKey: key, publicKey: peer }));
      } catch {
        // OpenSSL refuses to derive from a small-order point: exactly the inputs whose output is all zeros.
        throw new Error(`${name} key_exchange is a small-order point (all-zero shared secret)`);
      }
      // §7.4.2: an all-zero output MUST be rejected; checked here too, so the rule does not rest on OpenSSL.
      if (allZero(secret)) throw new Error(`${name} shared secret is all zeros`);
      return secret;
    },
  };
}

// ---------------------------------------------------------------------------
// NIST curves (FIPS 186-5, SEC 1)

/** OpenSSL's curve names and the size of a scalar, a coordinate and the shared secret. */
const NIST_CURVES = {
  secp256r1: { openssl: 'prime256v1', length: 32 },
  secp384r1: { openssl: 'secp384r1', length: 48 },
  secp521r1: { openssl: 'secp521r1', length: 66 },
} as const;

/**
 * secp256r1, secp384r1 or secp521r1. The private key is a scalar d with 1 ≤ d < n drawn
 * by rejection sampling: `length` random bytes are kept only when they form a valid
 * scalar. For P-521, whose 66 bytes hold 528 bits, the top 7 bits are cleared first, so
 * that almost every draw is below n.
 */
function nistCurve(name: keyof typeof NIST_CURVES): DiffieHellman {
  const { openssl, length } = NIST_CURVES[name];
  const excessBits = 8 * length - (name === 'secp521r1' ? 521 : 8 * length);
  /** An uncompressed point: 0x04 || X || Y (§4.2.8.2). */
  const pointLength = 1 + 2 * length;
  /** The ECDH object `keyGen` set up for each private key (as for X25519: no second scalar multiplication). */
  const prepared = new WeakMap<Uint8Array, ECDH>();
  const withPrivateKey = (d: Uint8Array): ECDH | undefined => {
    const ecdh = createECDH(openssl);
    try {
      ecdh.setPrivateKey(d); // refuses 0 and anything ≥ n
      return ecdh;
    } catch {
      return undefined;
    }
  };

  return {
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      for (let attempt = 0; attempt < MAX_SCALAR_ATTEMPTS; attempt++) {
        const privateKey = randomBytes(length).slice();
        if (privateKey.length !== length) throw new Error(`${name} private key must be ${length} bytes`);
        privateKey[0]! &= 0xff >> excessBits;
        const ecdh = withPrivateKey(privateKey);
        if (ecdh) {
          prepared.set(privateKey, ecdh);
          // §4.2.8.2: TLS 1.3 sends only the uncompressed form.
          return { privateKey, publicKey: plain(ecdh.getPublicKey()) };
        }
      }
      throw new Error(`random source gave no valid ${name} scalar`);
    },
    sharedSecret(privateKey, peerPublicKey) {
      // §4.2.8.2: an UncompressedPointRepresentation; compressed points, the point at
      // infinity and other lengths are not allowed.
      if (peerPublicKey.length !== pointLength || peerPublicKey[0] !== 0x04) {
        throw new Error(`${name} key_exchange must be an uncompressed point (${pointLength} bytes starting with 0x04)`);
      }
      const ecdh = prepared.get(privateKey) ?? (privateKey.length === length ? withPrivateKey(privateKey) : undefined);
      if (!ecdh) throw new Error(`invalid ${name} private key`);
      try {
        // OpenSSL decodes the point and checks that it lies on the curve (the §4.2.8.2
        // validation); the output is the x-coordinate, `length` bytes (§7.4.2).
        return plain(ecdh.computeSecret(peerPublicKey));
      } catch {
        throw new Error(`${name} key_exchange is not a point on the curve`);
      }
    },
  };
}

// ---------------------------------------------------------------------------
// Finite-field groups (RFC 7919)

/**
 * The short exponents of RFC 7919 Appendix A ("should choose a secret key of at least …
 * bits", §5.2). The private key is an integer of exactly that many bits, its top bit set,
 * so it lies in [2^(m−1), 2^m): `ceil(m / 8)` random bytes, the bits above m cleared and
 * bit m − 1 set, as the noble groups make it.
 */
const EXPONENT_BITS: Record<FfdheName, number> = { ffdhe2048: 225, ffdhe3072: 275, ffdhe4096: 325, ffdhe6144: 375, ffdhe8192: 400 };

/** The big-endian bytes of `x`, left-padded with zeros to `length`. */
function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

const toBigInt = (bytes: Uint8Array) => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`));

/**
 * An RFC 7919 group, generator 2. Public values and the shared secret are as long as p,
 * left-padded with zeros (RFC 8446 §4.2.8.1, §7.4.1).
 */
function ffdhe(name: FfdheName): DiffieHellman {
  const length = FFDHE_X[name].bits / 8;
  const exponentLength = Math.ceil(EXPONENT_BITS[name] / 8);
  const excessBits = 8 * exponentLength - EXPONENT_BITS[name];
  let prime: Buffer | undefined;
  const withPrivateKey = (x: Uint8Array) => {
    prime ??= Buffer.from(ffdhePrime(name).toString(16), 'hex');
    const dh = createDiffieHellman(prime, 2);
    dh.setPrivateKey(x);
    return dh;
  };

  return {
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      const privateKey = randomBytes(exponentLength).slice();
      if (privateKey.length !== exponentLength) throw new Error(`${name} private key must be ${exponentLength} bytes`);
      privateKey[0] = (privateKey[0]! & (0xff >> excessBits)) | (0x80 >> excessBits);
      // generateKeys keeps the private key we set and computes Y = g^x mod p from it.
      return { privateKey, publicKey: leftPad(plain(withPrivateKey(privateKey).generateKeys()), length) };
    },
    sharedSecret(privateKey, peerPublicKey) {
      if (privateKey.length !== exponentLength) throw new Error(`${name} private key must be ${exponentLength} bytes`);
      // §4.2.8.1: Y is left-padded to the size of p, and 1 < Y < p − 1.
      if (peerPublicKey.length !== length) throw new Error(`${name} key_exchange must be ${length} bytes, got ${peerPublicKey.length}`);
      const y = toBigInt(peerPublicKey);
      if (y <= 1n || y >= ffdhePrime(name) - 1n) throw new Error(`${name} key_exchange is out of range (RFC 8446 §4.2.8.1: 1 < Y < p-1)`);
      return leftPad(plain(withPrivateKey(privateKey).computeSecret(peerPublicKey)), length);
    },
  };
}

// ---------------------------------------------------------------------------
// The groups

/** x25519 (RFC 7748) on OpenSSL, in the {@link DiffieHellman} shape. */
export const x25519: DiffieHellman = montgomery('x25519');
/** x448 (RFC 7748) on OpenSSL. */
export const x448: DiffieHellman = montgomery('x448');
/** secp256r1 (NIST P-256) on OpenSSL. */
export const secp256r1: DiffieHellman = nistCurve('secp256r1');
/** secp384r1 (NIST P-384) on OpenSSL. */
export const secp384r1: DiffieHellman = nistCurve('secp384r1');
/** secp521r1 (NIST P-521) on OpenSSL. */
export const secp521r1: DiffieHellman = nistCurve('secp521r1');
/** ffdhe2048 (RFC 7919 A.1) on OpenSSL. */
export const ffdhe2048: DiffieHellman = ffdhe('ffdhe2048');
/** ffdhe3072 (RFC 7919 A.2) on OpenSSL. */
export const ffdhe3072: DiffieHellman = ffdhe('ffdhe3072');
/** ffdhe4096 (RFC 7919 A.3) on OpenSSL. */
export const ffdhe4096: DiffieHellman = ffdhe('ffdhe4096');
/** ffdhe6144 (RFC 7919 A.4) on OpenSSL. */
export const ffdhe6144: DiffieHellman = ffdhe('ffdhe6144');
/** ffdhe8192 (RFC 7919 A.5) on OpenSSL. */
export const ffdhe8192: DiffieHellman = ffdhe('ffdhe8192');

/** The KEM-shaped groups ({@link diffieHellmanGroup}), for a provider's list or a hybrid's parts. */
export const x25519Group: KeyExchangeGroup = diffieHellmanGroup(x25519);
/** x448 as a key-exchange group. */
export const x448Group: KeyExchangeGroup = diffieHellmanGroup(x448);
/** secp256r1 as a key-exchange group. */
export const secp256r1Group: KeyExchangeGroup = diffieHellmanGroup(secp256r1);
/** secp384r1 as a key-exchange group. */
export const secp384r1Group: KeyExchangeGroup = diffieHellmanGroup(secp384r1);
/** secp521r1 as a key-exchange group. */
export const secp521r1Group: KeyExchangeGroup = diffieHellmanGroup(secp521r1);

/** X25519MLKEM768 (0x11EC): noble's ML-KEM-768, then X25519 on OpenSSL. */
export const x25519MlKem768Group: KeyExchangeGroup = hybridGroup('X25519MLKEM768', [mlKem768Group, x25519Group]);
/** SecP256r1MLKEM768 (0x11EB): P-256 on OpenSSL, then noble's ML-KEM-768. */
export const secp256r1MlKem768Group: KeyExchangeGroup = hybridGroup('SecP256r1MLKEM768', [secp256r1Group, mlKem768Group]);
/** SecP384r1MLKEM1024 (0x11ED): P-384 on OpenSSL, then noble's ML-KEM-1024. */
export const secp384r1MlKem1024Group: KeyExchangeGroup = hybridGroup('SecP384r1MLKEM1024', [secp384r1Group, mlKem1024Group]);

/**
 * The groups in the noble provider's order of preference, so that both providers make the
 * same offer by default: the hybrids first, then the elliptic curves, pure ML-KEM, and the
 * finite fields last.
 */
export const groups: readonly KeyExchangeGroup[] = [
  x25519MlKem768Group,
  secp256r1MlKem768Group,
  secp384r1MlKem1024Group,
  x25519Group,
  secp256r1Group,
  secp384r1Group,
  secp521r1Group,
  x448Group,
  mlKem768Group,
  mlKem1024Group,
  ...[ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192].map(diffieHellmanGroup),
];
