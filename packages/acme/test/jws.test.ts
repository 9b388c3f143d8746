/**
 * JWS (RFC 7515) as ACME signs it, checked by an independent implementation: Node's crypto
 * (OpenSSL) verifies our ES256 and EdDSA signatures from the JWK we publish, and computes
 * the RFC 7638 thumbprint input from its own export of the key.
 */
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePrivateKey } from '@lucid-tls/tls/x509';
import { sha256 } from '@lucid-tls/tls/learn';
import { asAccountKey, base64url, fromBase64url, generateAccountKey, jwkThumbprint, jwsAlgorithm, keyAuthorization, publicJwk, signJws, type JwsAlgorithm } from '../src/index.js';

describe('signJws', () => {
  for (const algorithm of ['ES256', 'EdDSA'] as JwsAlgorithm[]) {
    it(`${algorithm}: node:crypto verifies the signature with the JWK of the protected header`, () => {
      const key = generateAccountKey(algorithm);
      const jws = signJws(key, { alg: jwsAlgorithm(key), jwk: publicJwk(key), nonce: 'bm9uY2U', url: 'https://acme.example/new-account' }, { termsOfServiceAgreed: true });
      const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString());
      expect(header).toMatchObject({ alg: algorithm, nonce: 'bm9uY2U', url: 'https://acme.example/new-account' });
      expect(JSON.parse(Buffer.from(jws.payload, 'base64url').toString())).toEqual({ termsOfServiceAgreed: true });
      const publicKey = createPublicKey({ key: header.jwk, format: 'jwk' });
      const input = Buffer.from(`${jws.protected}.${jws.payload}`);
      const signature = fromBase64url(jws.signature);
      // ES256 is r || s, 64 bytes (RFC 7518 §3.4): IEEE P1363, not DER.
      const ok = algorithm === 'ES256' ? verify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature) : verify(null, input, publicKey, signature);
      expect(ok).toBe(true);
      expect(signature.length).toBe(64);
      // One changed byte of the signed input, and it no longer verifies.
      const tampered = Buffer.from(`${jws.protected}.${base64url('{"termsOfServiceAgreed":false}')}`);
      expect(algorithm === 'ES256' ? verify('sha256', tampered, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature) : verify(null, tampered, publicKey, signature)).toBe(false);
    });
  }

  it('sends an empty payload for a POST-as-GET (RFC 8555 §6.3), and "{}" JSON-encoded for a challenge response', () => {
    const key = generateAccountKey();
    const header = { alg: 'ES256' as const, kid: 'https://acme.example/acct/1', nonce: 'bm9uY2U', url: 'https://acme.example/authz/1' };
    expect(signJws(key, header, '').payload).toBe('');
    expect(signJws(key, header, {}).payload).toBe(base64url('{}'));
  });
});

describe('JWK and thumbprint (RFC 7638)', () => {
  it('matches RFC 8037 Appendix A.3', () => {
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('hashes the required members in lexicographic order, as computed from node:crypto’s own JWK', () => {
    const key = generateAccountKey('ES256');
    const theirs = createPublicKey({ key: publicJwk(key), format: 'jwk' }).export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string };
    const canonical = `{"crv":"${theirs.crv}","kty":"${theirs.kty}","x":"${theirs.x}","y":"${theirs.y}"}`;
    expect(jwkThumbprint(publicJwk(key))).toBe(base64url(sha256.hash(new TextEncoder().encode(canonical))));
    expect(keyAuthorization('tok', key)).toBe(`tok.${jwkThumbprint(publicJwk(key))}`);
  });

  it('keeps the leading zero bytes of a P-256 coordinate (32 bytes each, RFC 7518 §6.2.1.2)', () => {
    for (let i = 0; i < 200; i++) {
      const jwk = publicJwk(generateAccountKey());
      if (jwk.kty !== 'EC') throw new Error('not EC');
      expect(fromBase64url(jwk.x).length).toBe(32);
      expect(fromBase64url(jwk.y).length).toBe(32);
    }
  });

  it('refuses account keys it cannot sign with', () => {
    expect(() => asAccountKey(generatePrivateKey('rsa'))).toThrow(/P-256 \(ES256\) or Ed25519/);
    expect(() => asAccountKey({ type: 'ec', curve: 'P-384', d: new Uint8Array(48).fill(1) })).toThrow(/not P-384/);
  });
});

describe('base64url (RFC 8555 §6.1: no padding, strict)', () => {
  it('round-trips every length, and refuses padding and foreign characters', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(fromBase64url(base64url(bytes))).toEqual(bytes);
    }
    for (const bad of ['AA==', 'A', 'a+b/', 'ab cd', 'é']) expect(() => fromBase64url(bad)).toThrow(RangeError);
  });
});
