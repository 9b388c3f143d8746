/**
 * What only the native provider has to get right (the rest is in the conformance suite,
 * run on both providers): the RFC 7919 moduli it computes from the RFC's formula, the
 * factoring of an RSA key given as (n, e, d), and keys that OpenSSL refuses to import.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { FFDHE_X, ffdhePrime, type FfdheName } from '../../src/node/crypto/ffdhe-primes.js';
import { publicKeyObject, withCrtValues } from '../../src/node/crypto/keys.js';
import { parseDerTree } from '../../src/x509/der.js';
import { pemBlocks } from '../../src/x509/pem.js';

const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
const b64uBig = (s: string) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);

describe('the RFC 7919 moduli', () => {
  for (const name of Object.keys(FFDHE_X) as FfdheName[]) {
    it(`${name} is the group OpenSSL has built in (PKCS #3 DHParameter from openssl genpkey)`, () => {
      const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`], { encoding: 'utf8' });
      const [p, g] = parseDerTree(pemBlocks(pem, 'DH PARAMETERS')[0]!).children!;
      expect(ffdhePrime(name)).toBe(big(p!.contents));
      expect(big(g!.contents)).toBe(2n);
      expect(ffdhePrime(name).toString(2)).toHaveLength(FFDHE_X[name].bits);
    });
  }
});

describe('RSA keys given as n, e and d', () => {
  it('are factored back into their primes and CRT values', () => {
    const j = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const [n, e, d] = [b64uBig(j.n!), b64uBig(j.e!), b64uBig(j.d!)];
    const full = withCrtValues({ type: 'rsa', n, e, d });
    expect(new Set([full.p, full.q])).toEqual(new Set([b64uBig(j.p!), b64uBig(j.q!)]));
    expect(full.p! * full.q!).toBe(n);
    expect([full.dp, full.dq]).toEqual(full.p === b64uBig(j.p!) ? [b64uBig(j.dp!), b64uBig(j.dq!)] : [b64uBig(j.dq!), b64uBig(j.dp!)]);
    expect((full.qi! * full.q!) % full.p!).toBe(1n);
  });

  it('are refused when d does not belong to n and e', () => {
    const j = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    const key: PrivateKey = { type: 'rsa', n: b64uBig(j.n!), e: b64uBig(j.e!), d: b64uBig(j.d!) + 2n };
    expect(() => withCrtValues(key as Extract<PrivateKey, { type: 'rsa' }>)).toThrow(/do not belong together/);
  });
});

describe('public keys OpenSSL refuses', () => {
  it('import as null, so that nothing verifies with them', () => {
    const bad: PublicKey[] = [
      { type: 'ec', curve: 'P-256', point: Uint8Array.of(4, ...new Uint8Array(64)) },
      { type: 'ec', curve: 'P-256', point: Uint8Array.of(2, ...new Uint8Array(32)) },
      { type: 'ed25519', key: new Uint8Array(31) },
      { type: 'rsa', n: 0n, e: 65537n },
    ];
    for (const key of bad) expect(publicKeyObject(key)).toBeNull();
  });
});
