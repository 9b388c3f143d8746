import { describe, expect, it } from 'vitest';
import { aes128gcm, aes256gcm, chacha20poly1305 } from '../../src/crypto/aead.js';
import type { Aead } from '../../src/crypto/provider.js';
import { concat, fromHex, toHex } from '../../src/wire/bytes.js';
import { value, vectors } from './rfc8448.js';

interface Vector {
  aead: Aead;
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
}

// Test cases 4 (AES-128) and 16 (AES-256) of McGrew & Viega, "The Galois/Counter
// Mode of Operation (GCM)", the vectors NIST SP 800-38D refers to.
const gcmPlaintext =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
const gcmCase4: Vector = {
  aead: aes128gcm,
  key: 'feffe9928665731c6d6a8f9467308308',
  nonce: 'cafebabefacedbaddecaf888',
  aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
  plaintext: gcmPlaintext,
  ciphertext:
    '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
  tag: '5bc94fbc3221a5db94fae95ae7121a47',
};
const gcmCase16: Vector = {
  ...gcmCase4,
  aead: aes256gcm,
  key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
  ciphertext:
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
  tag: '76fc6ece0f4e1768cddf8853bb2d551b',
};

// RFC 8439 §2.8.2: nonce = 32-bit constant 07 00 00 00 || 64-bit IV 40..47.
const chachaRfc8439: Vector = {
  aead: chacha20poly1305,
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '07000000' + '4041424344454647',
  aad: '50515253c0c1c2c3c4c5c6c7',
  plaintext: Buffer.from(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ).toString('hex'),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
    '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

describe.each([
  ['AES-128-GCM (GCM spec test case 4)', gcmCase4],
  ['AES-256-GCM (GCM spec test case 16)', gcmCase16],
  ['ChaCha20-Poly1305 (RFC 8439 §2.8.2)', chachaRfc8439],
])('%s', (_name, v) => {
  const key = v.aead.importKey(fromHex(v.key));
  const nonce = fromHex(v.nonce);
  const aad = fromHex(v.aad);
  const sealed = fromHex(v.ciphertext + v.tag);

  it('seals to the published ciphertext || tag', () => {
    expect(toHex(key.seal(nonce, fromHex(v.plaintext), aad))).toBe(v.ciphertext + v.tag);
  });

  it('opens the published ciphertext', () => {
    expect(toHex(key.open(nonce, sealed, aad)!)).toBe(v.plaintext);
  });

  it('returns null for a flipped bit in the ciphertext, the tag, the AAD or the nonce', () => {
    for (const index of [0, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index]! ^= 0x01;
      expect(key.open(nonce, tampered, aad)).toBeNull();
    }
    const badAad = aad.slice();
    badAad[0]! ^= 0x80;
    expect(key.open(nonce, sealed, badAad)).toBeNull();
    const badNonce = nonce.slice();
    badNonce[11]! ^= 0x01;
    expect(key.open(badNonce, sealed, aad)).toBeNull();
  });

  it('returns null, without throwing, for input shorter than a tag', () => {
    expect(key.open(nonce, sealed.subarray(0, 15), aad)).toBeNull();
    expect(key.open(nonce, new Uint8Array(0), aad)).toBeNull();
  });

  it('is keyed once: the imported key ignores later changes to the caller buffer', () => {
    const keyBytes = fromHex(v.key);
    const imported = v.aead.importKey(keyBytes);
    keyBytes.fill(0);
    expect(toHex(imported.open(nonce, sealed, aad)!)).toBe(v.plaintext);
  });
});

describe('AEAD parameters', () => {
  it('has the TLS 1.3 key, nonce and tag lengths', () => {
    expect([aes128gcm, aes256gcm, chacha20poly1305].map((a) => [a.name, a.keyLength, a.nonceLength, a.tagLength])).toEqual([
      ['AES-128-GCM', 16, 12, 16],
      ['AES-256-GCM', 32, 12, 16],
      ['ChaCha20-Poly1305', 32, 12, 16],
    ]);
  });

  it('rejects a key of the wrong length and a nonce of the wrong length', () => {
    expect(() => aes128gcm.importKey(new Uint8Array(32))).toThrow();
    expect(() => chacha20poly1305.importKey(new Uint8Array(16))).toThrow();
    const key = aes128gcm.importKey(new Uint8Array(16));
    expect(() => key.seal(new Uint8Array(8), new Uint8Array(1), new Uint8Array(0))).toThrow();
  });

  it('seals and opens an empty plaintext (tag only)', () => {
    for (const aead of [aes128gcm, aes256gcm, chacha20poly1305]) {
      const key = aead.importKey(new Uint8Array(aead.keyLength).fill(7));
      const nonce = new Uint8Array(12);
      const sealed = key.seal(nonce, new Uint8Array(0), new Uint8Array(0));
      expect(sealed.length).toBe(16);
      expect(key.open(nonce, sealed, new Uint8Array(0))).toEqual(new Uint8Array(0));
    }
  });
});

describe('RFC 8448 simple 1-RTT: the first protected server record', () => {
  // The record carrying EncryptedExtensions..Finished, sequence number 0, so the
  // nonce is the server handshake IV itself (RFC 8446 §5.3). AAD is the record header (§5.2).
  const record = vectors.scenarios.simple_1rtt!.records.find((r) => r.side === 'server' && r.protected)!;
  const bytes = fromHex(record.record);
  const header = bytes.subarray(0, 5);
  const encrypted = bytes.subarray(5);
  const key = aes128gcm.importKey(value('simple_1rtt', 'server_handshake_key'));
  const iv = value('simple_1rtt', 'server_handshake_iv');
  // TLSInnerPlaintext: content || content type 0x16 (handshake), no padding.
  const inner = concat(fromHex(record.payload), Uint8Array.of(0x16));

  it('decrypts to the printed payload and content type', () => {
    expect(key.open(iv, encrypted, header)).toEqual(inner);
  });

  it('encrypts the payload to the printed record', () => {
    expect(toHex(key.seal(iv, inner, header))).toBe(toHex(encrypted));
  });
});
