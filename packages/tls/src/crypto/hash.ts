/**
 * The SHA-2 hash functions TLS 1.3 uses (RFC 8446 §B.4: SHA-256 and SHA-384 for the
 * cipher suites; SHA-512 only for signatures), with HMAC (RFC 2104) for HKDF.
 * Thin wrappers over `@noble/hashes`.
 * @module
 */

import { sha256 as nobleSha256, sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { HashFunction, RunningHash } from './provider.js';

/** The noble hash constructors we wrap (all three share the same shape). */
type NobleHash = typeof nobleSha256 | typeof nobleSha384 | typeof nobleSha512;

function hashFunction(name: HashFunction['name'], noble: NobleHash): HashFunction {
  return {
    name,
    outputLength: noble.outputLen,
    hash: (data) => noble(data),
    create(): RunningHash {
      const state = noble.create();
      return {
        update(data) {
          state.update(data);
        },
        // The transcript hash is read after many messages (RFC 8446 §4.4.1), so we
        // digest a copy and leave the running state open for more input.
        digest: () => state.clone().digest(),
      };
    },
    hmac: (key, data) => hmac(noble, key, data),
  };
}

/**
 * SHA-256 (32-byte output): the hash of TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256.
 *
 * @example
 * ```ts
 * import { sha256, toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(sha256.hash(new TextEncoder().encode('abc')))); // → ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
 * const running = sha256.create(); // a transcript hash: digest, add more, digest again
 * running.update(new TextEncoder().encode('ab'));
 * running.update(new TextEncoder().encode('c'));
 * console.log(toHex(running.digest()).slice(0, 16)); // → ba7816bf8f01cfea
 * ```
 * @category Primitives
 */
export const sha256: HashFunction = hashFunction('SHA-256', nobleSha256);

/**
 * SHA-384 (48-byte output): the hash of TLS_AES_256_GCM_SHA384.
 *
 * @example
 * ```ts
 * import { sha384 } from '@lucid-tls/tls/learn';
 * console.log(sha384.outputLength); // → 48
 * ```
 * @category Primitives
 */
export const sha384: HashFunction = hashFunction('SHA-384', nobleSha384);

/**
 * SHA-512 (64-byte output): used only by signature schemes (rsa_pss_rsae_sha512, rsa_pkcs1_sha512).
 *
 * @example
 * ```ts
 * import { sha512, toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(sha512.hmac(new Uint8Array(64), new Uint8Array(0))).length); // → 128
 * ```
 * @category Primitives
 */
export const sha512: HashFunction = hashFunction('SHA-512', nobleSha512);
