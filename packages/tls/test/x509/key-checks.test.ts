// Keys and signatures a validator must refuse even when the mathematics "verifies".
import { generateKeyPairSync, constants, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifyCertificateSignature } from '../../src/node/crypto/certificate-signatures.js';
import { X509Error } from '../../src/x509/errors.js';
import { parsePublicKeyInfo, publicKeyFromParts } from '../../src/x509/keys.js';
import { OID } from '../../src/x509/oid.js';
import { verifySignature } from '../../src/x509/signature-algorithm.js';
import { sha256 } from '../../src/crypto/hash.js';

describe('Ed25519 keys of small order (RFC 8032 §5.1.3, RFC 8410 §3)', () => {
  const identity = new Uint8Array(32);
  identity[0] = 1; // the neutral point: every (R = B, S = 1) "signature" verifies under it without zip215: false

  it('are refused when a certificate or a peer presents one', () => {
    expect(() => publicKeyFromParts({ oid: OID.Ed25519 }, identity)).toThrow(X509Error);
    try {
      publicKeyFromParts({ oid: OID.Ed25519 }, identity);
    } catch (e) {
      expect((e as X509Error).code).toBe('key_malformed');
    }
  });

  it('a real key is kept, and a forged signature under the neutral point fails both checks', () => {
    const key = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    expect(publicKeyFromParts({ oid: OID.Ed25519 }, key)).toEqual({ type: 'ed25519', key });
    const forged = new Uint8Array(64);
    forged.set(ed25519.Point.BASE.toBytes());
    forged[32] = 1;
    const neutral = { type: 'ed25519', key: identity } as const;
    expect(verifySignature({ kind: 'ed25519' }, neutral, new Uint8Array([1, 2, 3]), forged)).toBe(false);
  });
});

describe('RSA signatures of the wrong length (RFC 8017 §8.1.2)', () => {
  it('a PSS signature with its leading zero byte stripped is refused natively, as in JavaScript', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = parsePublicKeyInfo(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
    const message = new TextEncoder().encode('tbsCertificate');
    const options = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    let signature = sign('sha256', message, options);
    while (signature[0] !== 0) signature = sign('sha256', message, options); // a random salt: 1 in 256
    const algorithm = { kind: 'rsa-pss', hash: sha256, saltLength: 32 } as const;
    expect(verifyCertificateSignature(algorithm, key, message, signature)).toBe(true);
    expect(verifyCertificateSignature(algorithm, key, message, signature.subarray(1))).toBe(false);
    expect(verifySignature(algorithm, key, message, signature.subarray(1))).toBe(false);
  });
});
