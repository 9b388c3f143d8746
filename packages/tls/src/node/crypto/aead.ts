/**
 * The three AEADs of the TLS 1.3 cipher suites (RFC 8446 §5.2, §B.4) on `node:crypto`:
 * AES-128-GCM, AES-256-GCM (OpenSSL uses AES-NI and carry-less multiplication where the
 * CPU has them) and ChaCha20-Poly1305 (RFC 8439). TLS 1.2's suites use them too: the record
 * layer builds the 12-byte nonce (RFC 5288 §3, RFC 7905 §2), the AEAD only takes it.
 *
 * The key is imported once, as a secret `KeyObject`, when the record layer makes its
 * `RecordProtection`; each record then costs one cipher context for its nonce. As with the
 * noble AEADs, `open` returns null, never throws, for a record that does not authenticate.
 * @module
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import type { Aead, AeadKey } from '../../crypto/provider.js';
import { plain } from './bytes.js';

/** Every TLS 1.3 AEAD has a 12-byte nonce (iv_length, §5.3) and a 16-byte tag. */
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

/** OpenSSL's names for the three AEADs. */
type OpenSslAead = CipherGCMTypes | 'chacha20-poly1305';

/** The prepared key: a `KeyObject` OpenSSL reads without converting it again for every record. */
class NodeAeadKey implements AeadKey {
  constructor(
    private readonly aead: Aead,
    private readonly algorithm: OpenSslAead,
    private readonly key: KeyObject,
  ) {}

  seal(nonce: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array, output?: Uint8Array): Uint8Array {
    this.checkNonce(nonce);
    const sealedLength = plaintext.length + TAG_LENGTH;
    if (output !== undefined && output.length !== sealedLength) {
      throw new RangeError(`${this.aead.name}: the output must be ${sealedLength} bytes`);
    }
    const cipher = createCipheriv(this.algorithm as CipherGCMTypes, this.key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(additionalData);
    // update() returns a new Buffer (node:crypto has no way to encrypt into ours), so it is
    // read in full before anything is written to `output`, even when `output` is `plaintext`.
    const body = cipher.update(plaintext);
    // ciphertext || tag: the TLSCiphertext.encrypted_record (§5.2), written into one buffer.
    // Every byte of it is written below, so it need not be zeroed first; allocUnsafeSlow,
    // unlike allocUnsafe, never hands out a slice of a pool shared with other data.
    const out = output ?? plain(Buffer.allocUnsafeSlow(sealedLength));
    out.set(body);
    out.set(cipher.final(), body.length); // empty for a stream mode, but part of the API's contract
    out.set(cipher.getAuthTag(), plaintext.length);
    return out;
  }

  open(nonce: Uint8Array, ciphertext: Uint8Array, additionalData: Uint8Array): Uint8Array | null {
    this.checkNonce(nonce);
    if (ciphertext.length < TAG_LENGTH) return null;
    const bodyLength = ciphertext.length - TAG_LENGTH;
    const decipher = createDecipheriv(this.algorithm as CipherGCMTypes, this.key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(additionalData);
    decipher.setAuthTag(ciphertext.subarray(bodyLength));
    const body = decipher.update(ciphertext.subarray(0, bodyLength));
    try {
      // The tag is checked here: a forged record throws, and its plaintext is dropped unread.
      decipher.final();
    } catch {
      return null;
    }
    return plain(body);
  }

  private checkNonce(nonce: Uint8Array): void {
    if (nonce.length !== NONCE_LENGTH) throw new Error(`${this.aead.name} needs a ${NONCE_LENGTH}-byte nonce`);
  }
}

function aead(name: Aead['name'], keyLength: number, algorithm: OpenSslAead): Aead {
  const self: Aead = {
    name,
    keyLength,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    importKey(key: Uint8Array): AeadKey {
      if (key.length !== keyLength) throw new Error(`${name} needs a ${keyLength}-byte key, got ${key.length} bytes`);
      // createSecretKey copies the bytes, so the caller may reuse its buffer.
      return new NodeAeadKey(self, algorithm, createSecretKey(key));
    },
  };
  return self;
}

/** AES-128-GCM (RFC 5116 AEAD_AES_128_GCM) on OpenSSL: 16-byte key. */
export const aes128gcm: Aead = aead('AES-128-GCM', 16, 'aes-128-gcm');
/** AES-256-GCM (RFC 5116 AEAD_AES_256_GCM) on OpenSSL: 32-byte key. */
export const aes256gcm: Aead = aead('AES-256-GCM', 32, 'aes-256-gcm');
/** ChaCha20-Poly1305 (RFC 8439 §2.8) on OpenSSL: 32-byte key. */
export const chacha20poly1305: Aead = aead('ChaCha20-Poly1305', 32, 'chacha20-poly1305');
