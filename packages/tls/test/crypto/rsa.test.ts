import { constants, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, sha384, sha512 } from '../../src/crypto/hash.js';
import type { HashFunction } from '../../src/crypto/provider.js';
import {
  mgf1,
  modulusLength,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssRecoverSalt,
  rsaPssSign,
  rsaPssVerify,
} from '../../src/crypto/rsa.js';
import type { RsaPrivateKey, RsaPublicKey } from '../../src/crypto/rsa.js';
import { concat, fromHex, toHex, utf8 } from '../../src/wire/bytes.js';
import { hexToBigInt, value, vectors } from './rfc8448.js';

// ---------------------------------------------------------------------------
// RFC 8448: the server's RSA key (section 2) and its CertificateVerify (section 3)

const k = vectors.server_rsa_key;
const rfcKey: RsaPrivateKey = {
  type: 'rsa',
  n: hexToBigInt(k.modulus),
  e: hexToBigInt(k.public_exponent),
  d: hexToBigInt(k.private_exponent),
  p: hexToBigInt(k.prime1),
  q: hexToBigInt(k.prime2),
  dp: hexToBigInt(k.exponent1),
  dq: hexToBigInt(k.exponent2),
  qi: hexToBigInt(k.coefficient),
};
const rfcPublic: RsaPublicKey = { type: 'rsa', n: rfcKey.n, e: rfcKey.e };

const b64uToBigInt = (s: string) => BigInt('0x' + Buffer.from(s, 'base64url').toString('hex'));
const bigIntToB64u = (x: bigint) => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex').toString('base64url');
};

/** RFC 8446 §4.4.3: 64 spaces || context string || 0x00 || Transcript-Hash. */
function certificateVerifyContent(context: string, transcriptHash: Uint8Array): Uint8Array {
  return concat(new Uint8Array(64).fill(0x20), utf8(context), Uint8Array.of(0), transcriptHash);
}

const messages = vectors.scenarios.simple_1rtt!.messages;
const hexOf = (type: string) => fromHex(messages.find((m) => m.type === type)!.hex);
// The transcript through the server's Certificate: ClientHello, ServerHello, EncryptedExtensions, Certificate.
const transcriptHash = sha256.hash(
  concat(hexOf('ClientHello'), hexOf('ServerHello'), hexOf('EncryptedExtensions'), hexOf('Certificate')),
);
const signedContent = certificateVerifyContent('TLS 1.3, server CertificateVerify', transcriptHash);
// CertificateVerify: type (1) || length (3) || algorithm (2) || signature length (2) || signature.
const certificateVerify = value('simple_1rtt', 'server_certificate_verify');
const algorithm = (certificateVerify[4]! << 8) | certificateVerify[5]!;
const rfcSignature = certificateVerify.subarray(8);

describe('RSA-PSS with the RFC 8448 server key', () => {
  it('reads a 1024-bit rsa_pss_rsae_sha256 signature from the trace', () => {
    expect(algorithm).toBe(0x0804);
    expect(modulusLength(rfcKey.n)).toBe(128);
    expect(rfcSignature.length).toBe(128);
    expect((certificateVerify[6]! << 8) | certificateVerify[7]!).toBe(128);
  });

  it('verifies the server CertificateVerify of the simple 1-RTT handshake', () => {
    expect(rsaPssVerify(rfcPublic, sha256, signedContent, rfcSignature, 32)).toBe(true);
  });

  it('rejects it for another salt length, another hash or another message', () => {
    expect(rsaPssVerify(rfcPublic, sha256, signedContent, rfcSignature, 20)).toBe(false);
    expect(rsaPssVerify(rfcPublic, sha384, signedContent, rfcSignature, 48)).toBe(false);
    const client = certificateVerifyContent('TLS 1.3, client CertificateVerify', transcriptHash);
    expect(rsaPssVerify(rfcPublic, sha256, client, rfcSignature, 32)).toBe(false);
  });

  it('recovers the salt, and signing again with it gives the same bytes', () => {
    const salt = rsaPssRecoverSalt(rfcPublic, sha256, signedContent, rfcSignature);
    expect(salt.length).toBe(32);
    const again = rsaPssSign(rfcKey, sha256, signedContent, 32, (n) => {
      expect(n).toBe(32);
      return salt;
    });
    expect(toHex(again)).toBe(toHex(rfcSignature));
  });

  it('signs the same without the CRT parameters (plain m^d mod n)', () => {
    const salt = rsaPssRecoverSalt(rfcPublic, sha256, signedContent, rfcSignature);
    const plainKey: RsaPrivateKey = { type: 'rsa', n: rfcKey.n, e: rfcKey.e, d: rfcKey.d };
    expect(toHex(rsaPssSign(plainKey, sha256, signedContent, 32, () => salt))).toBe(toHex(rfcSignature));
  });

  it('refuses to recover a salt from a signature that does not verify', () => {
    const bad = rfcSignature.slice();
    bad[100]! ^= 0x04;
    expect(() => rsaPssRecoverSalt(rfcPublic, sha256, signedContent, bad)).toThrow();
  });

  it('refuses to sign with an inconsistent key (CRT fault check)', () => {
    const broken: RsaPrivateKey = { ...rfcKey, dp: rfcKey.dp! + 2n };
    expect(() => rsaPssSign(broken, sha256, signedContent, 32, (n) => new Uint8Array(n))).toThrow(/self-check/);
  });
});

describe('signature length', () => {
  it('is exactly the modulus length, left-padded with zeros when the integer is small', () => {
    // With the RFC 8448 key, the PKCS#1 signature of "message 40" is an integer below
    // 2^1016 (found by search), so its first octet must be a zero.
    const message = utf8('message 40');
    const signature = rsaPkcs1Sign(rfcKey, sha256, message);
    expect(signature.length).toBe(128);
    expect(signature[0]).toBe(0);
    expect(rsaPkcs1Verify(rfcPublic, sha256, message, signature)).toBe(true);
    const nodeKey = createPublicKey({ key: { kty: 'RSA', n: bigIntToB64u(rfcPublic.n), e: bigIntToB64u(rfcPublic.e) }, format: 'jwk' });
    expect(nodeVerify('sha256', message, nodeKey, signature)).toBe(true);
  });
});

describe('MGF1', () => {
  it('concatenates Hash(seed || counter) and truncates', () => {
    const seed = utf8('seed');
    const out = mgf1(sha256, seed, 40);
    expect(out.subarray(0, 32)).toEqual(sha256.hash(concat(seed, fromHex('00000000'))));
    expect(out.subarray(32)).toEqual(sha256.hash(concat(seed, fromHex('00000001'))).subarray(0, 8));
  });
});

// ---------------------------------------------------------------------------
// Cross-checks against node:crypto (OpenSSL)


function nodeRsaKey(modulusBits: number): { ours: RsaPrivateKey; publicKey: RsaPublicKey; node: { privateKey: KeyObject; publicKey: KeyObject } } {
  const node = generateKeyPairSync('rsa', { modulusLength: modulusBits });
  const jwk = node.privateKey.export({ format: 'jwk' });
  const ours: RsaPrivateKey = {
    type: 'rsa',
    n: b64uToBigInt(jwk.n!),
    e: b64uToBigInt(jwk.e!),
    d: b64uToBigInt(jwk.d!),
    p: b64uToBigInt(jwk.p!),
    q: b64uToBigInt(jwk.q!),
    dp: b64uToBigInt(jwk.dp!),
    dq: b64uToBigInt(jwk.dq!),
    qi: b64uToBigInt(jwk.qi!),
  };
  return { ours, publicKey: { type: 'rsa', n: ours.n, e: ours.e }, node };
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const nodeHashName = (hash: HashFunction) => hash.name.replace('-', '').toLowerCase();

describe('RSA against node:crypto (2048-bit key)', () => {
  const { ours, publicKey, node } = nodeRsaKey(2048);
  const message = utf8('lucid tls: a message to sign');

  describe.each([sha256, sha384, sha512])('RSA-PSS with %s', (hash) => {
    const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash.outputLength };

    it('node verifies our signature', () => {
      const signature = rsaPssSign(ours, hash, message, hash.outputLength, random);
      expect(signature.length).toBe(256);
      expect(nodeVerify(nodeHashName(hash), message, { key: node.publicKey, ...pss }, signature)).toBe(true);
    });

    it('we verify node’s signature', () => {
      const signature = new Uint8Array(nodeSign(nodeHashName(hash), message, { key: node.privateKey, ...pss }));
      expect(rsaPssVerify(publicKey, hash, message, signature, hash.outputLength)).toBe(true);
      expect(rsaPssVerify(publicKey, hash, utf8('another message'), signature, hash.outputLength)).toBe(false);
    });
  });

  describe.each([sha256, sha384, sha512])('RSA PKCS#1 v1.5 with %s', (hash) => {
    it('gives the same (deterministic) signature as node, and each side verifies the other', () => {
      const signature = rsaPkcs1Sign(ours, hash, message);
      const nodeSignature = new Uint8Array(nodeSign(nodeHashName(hash), message, node.privateKey));
      expect(toHex(signature)).toBe(toHex(nodeSignature));
      expect(nodeVerify(nodeHashName(hash), message, node.publicKey, signature)).toBe(true);
      expect(rsaPkcs1Verify(publicKey, hash, message, nodeSignature)).toBe(true);
      expect(rsaPkcs1Verify(publicKey, hash, utf8('another message'), nodeSignature)).toBe(false);
    });
  });
});

describe('RSA with a modulus that is not a multiple of 8 bits', () => {
  // A 2047-bit modulus exercises emLen = k - 1 (RFC 8017 §9.1: emBits = modBits - 1).
  const { ours, publicKey, node } = nodeRsaKey(2047);

  it('round-trips PSS with node in both directions', () => {
    const message = utf8('odd-sized modulus');
    const signature = rsaPssSign(ours, sha256, message, 32, random);
    const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(nodeVerify('sha256', message, { key: node.publicKey, ...pss }, signature)).toBe(true);
    const nodeSignature = new Uint8Array(nodeSign('sha256', message, { key: node.privateKey, ...pss }));
    expect(rsaPssVerify(publicKey, sha256, message, nodeSignature, 32)).toBe(true);
  });
});

describe('malformed RSA signatures are rejected without throwing', () => {
  const k = modulusLength(rfcPublic.n);
  const pkcs1Signature = rsaPkcs1Sign(rfcKey, sha256, signedContent);
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte short', rfcSignature.subarray(1)],
    ['one byte long', concat(Uint8Array.of(0), rfcSignature)],
    ['all zeros', new Uint8Array(k)],
    ['equal to n', fromHex(rfcPublic.n.toString(16).padStart(2 * k, '0'))],
    ['all 0xff (≥ n)', new Uint8Array(k).fill(0xff)],
    ['one', concat(new Uint8Array(k - 1), Uint8Array.of(1))],
  ];

  it.each(cases)('%s', (_name, signature) => {
    expect(rsaPssVerify(rfcPublic, sha256, signedContent, signature, 32)).toBe(false);
    expect(rsaPkcs1Verify(rfcPublic, sha256, signedContent, signature)).toBe(false);
  });

  it('flipped bits anywhere', () => {
    expect(rsaPkcs1Verify(rfcPublic, sha256, signedContent, pkcs1Signature)).toBe(true);
    for (const index of [0, 1, 100, k - 1]) {
      for (const original of [rfcSignature, pkcs1Signature]) {
        const flipped = original.slice();
        flipped[index]! ^= 0x10;
        expect(rsaPssVerify(rfcPublic, sha256, signedContent, flipped, 32)).toBe(false);
        expect(rsaPkcs1Verify(rfcPublic, sha256, signedContent, flipped)).toBe(false);
      }
    }
  });

  it('a PKCS#1 signature is not a PSS signature, and the reverse', () => {
    expect(rsaPssVerify(rfcPublic, sha256, signedContent, pkcs1Signature, 32)).toBe(false);
    expect(rsaPkcs1Verify(rfcPublic, sha256, signedContent, rfcSignature)).toBe(false);
  });

  it('a nonsense public key', () => {
    for (const key of [
      { type: 'rsa', n: 0n, e: 65537n },
      { type: 'rsa', n: 1n, e: 65537n },
      { type: 'rsa', n: rfcPublic.n, e: 0n },
    ] as const) {
      expect(rsaPssVerify(key, sha256, signedContent, rfcSignature, 32)).toBe(false);
      expect(rsaPkcs1Verify(key, sha256, signedContent, rfcSignature)).toBe(false);
    }
  });

  it('a key too small for the hash', () => {
    // 512 bits: 64 bytes < 2·64 + 2 needed for PSS with SHA-512.
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ format: 'jwk' });
    const key: RsaPublicKey = { type: 'rsa', n: b64uToBigInt(small.n!), e: b64uToBigInt(small.e!) };
    expect(rsaPssVerify(key, sha512, signedContent, new Uint8Array(64).fill(1), 64)).toBe(false);
  });
});
