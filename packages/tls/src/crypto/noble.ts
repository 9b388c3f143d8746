/**
 * The default crypto provider, built on Paul Miller's noble libraries
 * (`@noble/hashes`, `@noble/ciphers`, `@noble/curves`, `@noble/post-quantum`) plus our own
 * RSA and finite-field Diffie–Hellman.
 *
 * The noble libraries are audited, pure JavaScript and free of native code, which
 * keeps the library portable and every primitive readable. They take care to avoid
 * secret-dependent branches, but JavaScript gives no constant-time guarantees (the
 * JIT and bigint arithmetic decide), so they are not constant-time in the strict
 * sense; nor are our RSA signing (see `rsa.ts`) and FFDHE (see `groups/ffdhe.ts`).
 * A deployment that needs that can pass a provider of its own.
 * @module
 */

import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { aes128gcm, aes256gcm, chacha20poly1305 } from './aead.js';
import { nobleGroups } from './groups/index.js';
import { sha256, sha384 } from './hash.js';
import { CipherSuiteId } from './provider.js';
import type { CipherSuite, CryptoProvider } from './provider.js';
import {
  ecdsa_secp256r1_sha256,
  ecdsa_secp384r1_sha384,
  ed25519,
  rsa_pkcs1_sha256,
  rsa_pkcs1_sha384,
  rsa_pkcs1_sha512,
  rsa_pss_rsae_sha256,
  rsa_pss_rsae_sha384,
  rsa_pss_rsae_sha512,
} from './signature-schemes.js';

/** TLS_AES_128_GCM_SHA256 (0x1301), the suite every TLS 1.3 implementation must support (RFC 8446 §9.1). */
export const TLS_AES_128_GCM_SHA256: CipherSuite = {
  id: CipherSuiteId.TLS_AES_128_GCM_SHA256,
  name: 'TLS_AES_128_GCM_SHA256',
  aead: aes128gcm,
  hash: sha256,
};

/** TLS_AES_256_GCM_SHA384 (0x1302). */
export const TLS_AES_256_GCM_SHA384: CipherSuite = {
  id: CipherSuiteId.TLS_AES_256_GCM_SHA384,
  name: 'TLS_AES_256_GCM_SHA384',
  aead: aes256gcm,
  hash: sha384,
};

/** TLS_CHACHA20_POLY1305_SHA256 (0x1303). */
export const TLS_CHACHA20_POLY1305_SHA256: CipherSuite = {
  id: CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
  name: 'TLS_CHACHA20_POLY1305_SHA256',
  aead: chacha20poly1305,
  hash: sha256,
};

/**
 * The default provider: three cipher suites; for key exchange the post-quantum hybrids
 * (X25519MLKEM768 first), x25519, the NIST curves, x448, ML-KEM and the RFC 7919 groups;
 * the ECDSA, Ed25519 and RSA signature schemes, and randomness from
 * `crypto.getRandomValues` (through noble's `randomBytes`). Lists are in preference order.
 *
 * @example
 * ```ts
 * import { nobleProvider } from '@lucid-tls/tls';
 * console.log(nobleProvider.cipherSuites.map((s) => s.name).join(' ')); // → TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
 * console.log(nobleProvider.groups.slice(0, 5).map((g) => g.name).join(' ')); // → X25519MLKEM768 SecP256r1MLKEM768 SecP384r1MLKEM1024 x25519 secp256r1
 * const x25519 = nobleProvider.groups.find((g) => g.name === 'x25519')!;
 * const client = x25519.keyGen(nobleProvider.randomBytes); // KeyGen: the client's key_share
 * const server = x25519.encaps(client.publicKey, nobleProvider.randomBytes); // Encaps: the server's key_share and secret
 * const same = x25519.decaps(client.privateKey, server.ciphertext).join() === server.sharedSecret.join(); // Decaps
 * console.log(same); // → true
 * ```
 * @category Crypto providers
 */
export const nobleProvider: CryptoProvider = {
  cipherSuites: [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256],
  groups: nobleGroups,
  signatureSchemes: [
    ecdsa_secp256r1_sha256,
    ecdsa_secp384r1_sha384,
    ed25519,
    rsa_pss_rsae_sha256,
    rsa_pss_rsae_sha384,
    rsa_pss_rsae_sha512,
    rsa_pkcs1_sha256,
    rsa_pkcs1_sha384,
    rsa_pkcs1_sha512,
  ],
  randomBytes: (n) => nobleRandomBytes(n),
};
