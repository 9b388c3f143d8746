/**
 * The three AEAD algorithms of the TLS 1.3 cipher suites (RFC 8446 §5.2, §B.4):
 * AES-128-GCM and AES-256-GCM (NIST SP 800-38D, RFC 5116) and ChaCha20-Poly1305
 * (RFC 8439). Thin wrappers over `@noble/ciphers`.
 *
 * `open` returns null for any record that does not authenticate, including one too
 * short to hold a tag: the record layer turns that into a bad_record_mac alert
 * (RFC 8446 §5.2), so a forged record never surfaces as an exception.
 * @module
 */

import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 as nobleChacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { CipherWithOutput } from '@noble/ciphers/utils.js';
import type { Aead, AeadKey } from './provider.js';

/** The AEAD constructors we wrap: `(key, nonce, aad) => { encrypt, decrypt }`. */
type NobleAead = typeof gcm | typeof nobleChacha20poly1305;

/** Every TLS 1.3 AEAD has a 12-byte nonce (iv_length, §5.3) and a 16-byte tag. */
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

function aead(name: Aead['name'], keyLength: number, cipher: NobleAead): Aead {
  const encryptsIntoOutput = cipher === nobleChacha20poly1305;
  return {
    name,
    keyLength,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    importKey(key: Uint8Array): AeadKey {
      if (key.length !== keyLength) throw new Error(`${name} needs a ${keyLength}-byte key, got ${key.length} bytes`);
      // One copy at import, so the caller may reuse its buffer; records then use it as is.
      const ownKey = Uint8Array.from(key); // a copy even of a Buffer, whose slice() is a view
      const checkNonce = (nonce: Uint8Array) => {
        if (nonce.length !== NONCE_LENGTH) throw new Error(`${name} needs a ${NONCE_LENGTH}-byte nonce`);
      };
      return {
        seal(nonce, plaintext, additionalData, output) {
          checkNonce(nonce);
          if (output !== undefined && output.length !== plaintext.length + TAG_LENGTH) {
            throw new RangeError(`${name}: the output must be ${plaintext.length + TAG_LENGTH} bytes`);
          }
          // The output is ciphertext || tag, exactly the TLSCiphertext.encrypted_record (§5.2).
          const instance = cipher(ownKey, nonce, additionalData);
          if (output === undefined) return instance.encrypt(plaintext);
          // noble's ChaCha20-Poly1305 encrypts into a given buffer (in place when it is the
          // plaintext's); its AES-GCM always returns a new one, which is copied into place.
          if (encryptsIntoOutput) return (instance as CipherWithOutput).encrypt(plaintext, output);
          output.set(instance.encrypt(plaintext));
          return output;
        },
        open(nonce, ciphertext, additionalData) {
          checkNonce(nonce);
          if (ciphertext.length < TAG_LENGTH) return null;
          try {
            return cipher(ownKey, nonce, additionalData).decrypt(ciphertext);
          } catch {
            // With the lengths checked above, noble only throws here for a tag mismatch.
            return null;
          }
        },
      };
    },
  };
}

/**
 * AES-128-GCM (RFC 5116 AEAD_AES_128_GCM): 16-byte key.
 *
 * @example
 * ```ts
 * import { aes128gcm, fromHex, toHex } from '@lucid-tls/tls/learn';
 * // The client's close_notify alert of RFC 8448 §3: record 1 under the client application key.
 * const key = aes128gcm.importKey(fromHex('17422dda596ed5d9acd890e3c63f5051'));
 * const nonce = fromHex('5b78923dee08579033e523d8'); // client_application_iv XOR 1
 * const record = fromHex('1703030013c9872760655666b74d7ff1153efd6db6d0b0e3');
 * const inner = key.open(nonce, record.subarray(5), record.subarray(0, 5));
 * console.log(toHex(inner!)); // → 010015
 * ```
 * @category Primitives
 */
export const aes128gcm: Aead = aead('AES-128-GCM', 16, gcm);

/**
 * AES-256-GCM (RFC 5116 AEAD_AES_256_GCM): 32-byte key.
 *
 * @example
 * ```ts
 * import { aes256gcm } from '@lucid-tls/tls/learn';
 * const key = aes256gcm.importKey(new Uint8Array(32));
 * const sealed = key.seal(new Uint8Array(12), new TextEncoder().encode('hello'), new Uint8Array(0));
 * console.log(sealed.length); // → 21
 * sealed[0]! ^= 1;
 * console.log(key.open(new Uint8Array(12), sealed, new Uint8Array(0))); // → null
 * ```
 * @category Primitives
 */
export const aes256gcm: Aead = aead('AES-256-GCM', 32, gcm);

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8): 32-byte key.
 *
 * @example
 * ```ts
 * import { chacha20poly1305 } from '@lucid-tls/tls/learn';
 * const key = chacha20poly1305.importKey(new Uint8Array(32).fill(7));
 * const nonce = new Uint8Array(12);
 * const aad = Uint8Array.of(23, 3, 3, 0, 21);
 * const sealed = key.seal(nonce, new TextEncoder().encode('hello'), aad);
 * console.log(new TextDecoder().decode(key.open(nonce, sealed, aad)!)); // → hello
 * ```
 * @category Primitives
 */
export const chacha20poly1305: Aead = aead('ChaCha20-Poly1305', 32, nobleChacha20poly1305);
