import { X509Certificate, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, constants } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p256 as nobleP256, p384 as nobleP384 } from '@noble/curves/nist.js';
import { sha256 } from '../../src/crypto/hash.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { SignatureSchemeId } from '../../src/crypto/provider.js';
import type { PrivateKey, PublicKey, SignatureScheme } from '../../src/crypto/provider.js';
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
  signatureSchemeById,
  signatureSchemeByName,
} from '../../src/crypto/signature-schemes.js';
import { concat, fromHex, toHex, utf8 } from '../../src/wire/bytes.js';
import { value, vectors } from './rfc8448.js';

const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const b64uToBigInt = (s: string) => BigInt('0x' + Buffer.from(s, 'base64url').toString('hex'));
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A node:crypto EC key pair, and the same keys in our shapes. */
function ecKeys(curve: 'P-256' | 'P-384'): { node: { privateKey: KeyObject; publicKey: KeyObject }; priv: PrivateKey; pub: PublicKey } {
  const node = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = node.privateKey.export({ format: 'jwk' });
  return {
    node,
    priv: { type: 'ec', curve, d: b64u(jwk.d!) },
    pub: { type: 'ec', curve, point: concat(Uint8Array.of(0x04), b64u(jwk.x!), b64u(jwk.y!)) },
  };
}

/** The public key of a DER certificate, in our shape (through node's X.509 parser). */
function certificatePublicKey(der: Uint8Array): PublicKey {
  const key = new X509Certificate(der).publicKey;
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return { type: 'rsa', n: b64uToBigInt(jwk.n!), e: b64uToBigInt(jwk.e!) };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { type: 'ec', curve: 'P-256', point: concat(Uint8Array.of(4), b64u(jwk.x!), b64u(jwk.y!)) };
  throw new Error('unexpected key type in test certificate');
}

/** RFC 8446 §4.4.3: the content covered by a CertificateVerify signature. */
function certificateVerifyContent(side: 'server' | 'client', transcript: Uint8Array[]): Uint8Array {
  return concat(
    new Uint8Array(64).fill(0x20),
    utf8(`TLS 1.3, ${side} CertificateVerify`),
    Uint8Array.of(0),
    sha256.hash(concat(...transcript)),
  );
}

/** algorithm and signature of a CertificateVerify message (type, uint24 length, uint16, opaque<0..2^16-1>). */
function parseCertificateVerify(message: Uint8Array): { algorithm: number; signature: Uint8Array } {
  return { algorithm: (message[4]! << 8) | message[5]!, signature: message.subarray(8) };
}

describe('RFC 8448 CertificateVerify signatures', () => {
  it('simple 1-RTT: rsa_pss_rsae_sha256 from the server', () => {
    const scenario = vectors.scenarios.simple_1rtt!;
    const transcript = scenario.messages.slice(0, 4).map((m) => fromHex(m.hex)); // ClientHello..Certificate
    expect(scenario.messages[3]!.type).toBe('Certificate');
    const { algorithm, signature } = parseCertificateVerify(value('simple_1rtt', 'server_certificate_verify'));
    const scheme = signatureSchemeById(nobleProvider, algorithm)!;
    expect(scheme).toBe(rsa_pss_rsae_sha256);
    const key = certificatePublicKey(value('simple_1rtt', 'server_certificate_der'));
    expect(scheme.canVerify(key)).toBe(true);
    expect(scheme.verify(key, certificateVerifyContent('server', transcript), signature)).toBe(true);
  });

  describe('client authentication', () => {
    const scenario = vectors.scenarios.client_authentication!;
    const all = scenario.messages.map((m) => fromHex(m.hex));
    const types = scenario.messages.map((m) => `${m.side} ${m.type}`);

    it('ecdsa_secp256r1_sha256 from the server (a P-256 certificate)', () => {
      const through = types.indexOf('server Certificate');
      const { algorithm, signature } = parseCertificateVerify(value('client_authentication', 'server_certificate_verify'));
      expect(algorithm).toBe(SignatureSchemeId.ecdsa_secp256r1_sha256);
      const key = certificatePublicKey(value('client_authentication', 'server_certificate_der'));
      const content = certificateVerifyContent('server', all.slice(0, through + 1));
      expect(ecdsa_secp256r1_sha256.verify(key, content, signature)).toBe(true);
      expect(ecdsa_secp384r1_sha384.verify(key, content, signature)).toBe(false);
      expect(ecdsa_secp256r1_sha256.verify(key, certificateVerifyContent('client', all.slice(0, through + 1)), signature)).toBe(false);
    });

    it('rsa_pss_rsae_sha256 from the client', () => {
      const through = types.indexOf('client Certificate');
      const { algorithm, signature } = parseCertificateVerify(value('client_authentication', 'client_certificate_verify'));
      expect(algorithm).toBe(SignatureSchemeId.rsa_pss_rsae_sha256);
      const key = certificatePublicKey(value('client_authentication', 'client_certificate_der'));
      expect(rsa_pss_rsae_sha256.verify(key, certificateVerifyContent('client', all.slice(0, through + 1)), signature)).toBe(true);
    });
  });
});

describe.each([
  ['P-256', ecdsa_secp256r1_sha256, 'sha256', nobleP256],
  ['P-384', ecdsa_secp384r1_sha384, 'sha384', nobleP384],
] as const)('ECDSA %s', (curve, scheme, nodeHash, nobleCurve) => {
  const { node, priv, pub } = ecKeys(curve);
  const message = utf8('lucid tls ecdsa');

  it('signs and verifies (round trip), and rejects another message', () => {
    const signature = scheme.sign(priv, message, random);
    expect(signature[0]).toBe(0x30); // DER SEQUENCE
    expect(scheme.verify(pub, message, signature)).toBe(true);
    expect(scheme.verify(pub, utf8('lucid tls ECDSA'), signature)).toBe(false);
  });

  it('is deterministic (RFC 6979): no randomness is drawn', () => {
    const noRandom = () => {
      throw new Error('ECDSA must not draw randomness');
    };
    expect(toHex(scheme.sign(priv, message, noRandom))).toBe(toHex(scheme.sign(priv, message, noRandom)));
  });

  it('node verifies our DER signature', () => {
    expect(nodeVerify(nodeHash, message, node.publicKey, scheme.sign(priv, message, random))).toBe(true);
  });

  it('we verify node’s DER signature, in both its low-S and high-S forms', () => {
    const signature = new Uint8Array(nodeSign(nodeHash, message, node.privateKey));
    expect(scheme.verify(pub, message, signature)).toBe(true);
    // (r, n - s) is the other valid signature; OpenSSL produces either form.
    const { r, s } = nobleCurve.Signature.fromBytes(signature, 'der');
    const twin = new nobleCurve.Signature(r, nobleCurve.Point.Fn.ORDER - s).toBytes('der');
    expect(scheme.verify(pub, message, twin)).toBe(true);
  });

  it('rejects malformed signatures without throwing', () => {
    const signature = scheme.sign(priv, message, random);
    const flipped = signature.slice();
    flipped[flipped.length - 1]! ^= 1;
    for (const bad of [new Uint8Array(0), Uint8Array.of(0x30, 0x00), flipped, signature.subarray(0, 10), concat(signature, Uint8Array.of(0))]) {
      expect(scheme.verify(pub, message, bad)).toBe(false);
    }
  });

  it('rejects a malformed public key without throwing', () => {
    const signature = scheme.sign(priv, message, random);
    const point = (pub as { point: Uint8Array }).point.slice();
    point[point.length - 1]! ^= 1;
    expect(scheme.verify({ type: 'ec', curve, point }, message, signature)).toBe(false);
    expect(scheme.verify({ type: 'ec', curve, point: new Uint8Array(3) }, message, signature)).toBe(false);
  });
});

describe('ECDSA key checks', () => {
  const p256 = ecKeys('P-256');
  const p384 = ecKeys('P-384');

  it('a P-256 scheme refuses a P-384 key, and the reverse', () => {
    expect(ecdsa_secp256r1_sha256.canSign(p384.priv)).toBe(false);
    expect(ecdsa_secp256r1_sha256.canVerify(p384.pub)).toBe(false);
    expect(() => ecdsa_secp256r1_sha256.sign(p384.priv, utf8('x'), random)).toThrow(/P-256/);
    expect(ecdsa_secp384r1_sha384.canSign(p256.priv)).toBe(false);
    expect(() => ecdsa_secp384r1_sha384.sign(p256.priv, utf8('x'), random)).toThrow(/P-384/);
    const signature = ecdsa_secp256r1_sha256.sign(p256.priv, utf8('x'), random);
    expect(ecdsa_secp384r1_sha384.verify(p256.pub, utf8('x'), signature)).toBe(false);
  });

  it('accepts keys of its own curve', () => {
    expect(ecdsa_secp256r1_sha256.canSign(p256.priv)).toBe(true);
    expect(ecdsa_secp256r1_sha256.canVerify(p256.pub)).toBe(true);
    expect(ecdsa_secp384r1_sha384.canSign(p384.priv)).toBe(true);
  });
});

describe('Ed25519', () => {
  const node = generateKeyPairSync('ed25519');
  const jwk = node.privateKey.export({ format: 'jwk' });
  const priv: PrivateKey = { type: 'ed25519', seed: b64u(jwk.d!) };
  const pub: PublicKey = { type: 'ed25519', key: b64u(jwk.x!) };
  const message = utf8('lucid tls ed25519');

  it('signs like node (Ed25519 is deterministic) and both sides verify', () => {
    const ours = ed25519.sign(priv, message, random);
    const theirs = new Uint8Array(nodeSign(null, message, node.privateKey));
    expect(toHex(ours)).toBe(toHex(theirs));
    expect(nodeVerify(null, message, node.publicKey, ours)).toBe(true);
    expect(ed25519.verify(pub, message, theirs)).toBe(true);
  });

  it('rejects another message, flipped bits and bad lengths without throwing', () => {
    const signature = ed25519.sign(priv, message, random);
    expect(ed25519.verify(pub, utf8('other'), signature)).toBe(false);
    const flipped = signature.slice();
    flipped[40]! ^= 1;
    expect(ed25519.verify(pub, message, flipped)).toBe(false);
    expect(ed25519.verify(pub, message, signature.subarray(1))).toBe(false);
    expect(ed25519.verify({ type: 'ed25519', key: new Uint8Array(31) }, message, signature)).toBe(false);
    // s ≥ L (non-canonical) must fail: set the top bits of s.
    const bigS = signature.slice();
    bigS[63] = 0xff;
    expect(ed25519.verify(pub, message, bigS)).toBe(false);
  });

  it('checks the key type', () => {
    expect(ed25519.canSign(priv)).toBe(true);
    expect(ed25519.canVerify(pub)).toBe(true);
    expect(ed25519.canSign({ type: 'ec', curve: 'P-256', d: new Uint8Array(32) })).toBe(false);
    expect(ecdsa_secp256r1_sha256.canSign(priv)).toBe(false);
    expect(ecdsa_secp256r1_sha256.verify(pub, message, ed25519.sign(priv, message, random))).toBe(false);
  });
});

describe('RSA schemes', () => {
  const node = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = node.privateKey.export({ format: 'jwk' });
  const priv: PrivateKey = {
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
  const pub: PublicKey = { type: 'rsa', n: priv.n, e: priv.e };
  const message = utf8('lucid tls rsa');

  it.each([
    [rsa_pss_rsae_sha256, 'sha256', 32],
    [rsa_pss_rsae_sha384, 'sha384', 48],
    [rsa_pss_rsae_sha512, 'sha512', 64],
  ] as const)('%s uses a salt of the hash length and interoperates with node', (scheme, nodeHash, saltLength) => {
    const requested: number[] = [];
    const signature = scheme.sign(priv, message, (n) => (requested.push(n), random(n)));
    expect(requested).toEqual([saltLength]);
    expect(nodeVerify(nodeHash, message, { key: node.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature)).toBe(true);
    const theirs = nodeSign(nodeHash, message, { key: node.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    expect(scheme.verify(pub, message, new Uint8Array(theirs))).toBe(true);
    // A PSS signature with a shorter salt is not valid for TLS 1.3 (RFC 8446 §4.2.3).
    const shortSalt = nodeSign(nodeHash, message, { key: node.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    expect(scheme.verify(pub, message, new Uint8Array(shortSalt))).toBe(false);
  });

  it.each([
    [rsa_pkcs1_sha256, 'sha256'],
    [rsa_pkcs1_sha384, 'sha384'],
    [rsa_pkcs1_sha512, 'sha512'],
  ] as const)('%s verifies (certificates) but is never chosen to sign a CertificateVerify', (scheme, nodeHash) => {
    expect(scheme.canSign(priv)).toBe(false);
    expect(scheme.canVerify(pub)).toBe(true);
    const theirs = new Uint8Array(nodeSign(nodeHash, message, node.privateKey));
    expect(scheme.verify(pub, message, theirs)).toBe(true);
    // sign still works, for issuing certificates.
    expect(toHex(scheme.sign(priv, message, random))).toBe(toHex(theirs));
  });

  it('PSS canSign checks the key type and that the modulus is big enough for the hash', () => {
    expect(rsa_pss_rsae_sha256.canSign(priv)).toBe(true);
    expect(rsa_pss_rsae_sha256.canSign({ type: 'ed25519', seed: new Uint8Array(32) })).toBe(false);
    expect(rsa_pss_rsae_sha256.canVerify({ type: 'ec', curve: 'P-256', point: new Uint8Array(65) })).toBe(false);
    // The RFC 8448 key is 1024 bits: 127 octets of EM hold SHA-384 (2·48 + 2) but not SHA-512 (2·64 + 2).
    const k = vectors.server_rsa_key;
    const small: PrivateKey = { type: 'rsa', n: BigInt('0x' + k.modulus), e: BigInt('0x' + k.public_exponent), d: BigInt('0x' + k.private_exponent) };
    expect(rsa_pss_rsae_sha384.canSign(small)).toBe(true);
    expect(rsa_pss_rsae_sha512.canSign(small)).toBe(false);
  });

  it('a wrong key type verifies nothing', () => {
    const signature = rsa_pss_rsae_sha256.sign(priv, message, random);
    expect(rsa_pss_rsae_sha256.verify({ type: 'ed25519', key: new Uint8Array(32) }, message, signature)).toBe(false);
    expect(() => rsa_pss_rsae_sha256.sign({ type: 'ed25519', seed: new Uint8Array(32) }, message, random)).toThrow();
  });
});

describe('scheme table', () => {
  const all: SignatureScheme[] = [
    ecdsa_secp256r1_sha256,
    ecdsa_secp384r1_sha384,
    ed25519,
    rsa_pss_rsae_sha256,
    rsa_pss_rsae_sha384,
    rsa_pss_rsae_sha512,
    rsa_pkcs1_sha256,
    rsa_pkcs1_sha384,
    rsa_pkcs1_sha512,
  ];

  it('each scheme carries its RFC 8446 code point', () => {
    for (const scheme of all) expect(scheme.id).toBe(SignatureSchemeId[scheme.name]);
  });

  it('looks schemes up by id and by name', () => {
    expect(signatureSchemeById(nobleProvider, 0x0807)).toBe(ed25519);
    expect(signatureSchemeById(nobleProvider, 0x0808)).toBeUndefined(); // ed448: not offered
    expect(signatureSchemeByName(nobleProvider, 'rsa_pss_rsae_sha384')).toBe(rsa_pss_rsae_sha384);
  });
});
