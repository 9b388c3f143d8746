/**
 * TLS 1.2's PRF and what it derives (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4; RFC 5705
 * §4): the TLS working group's test vectors for P_SHA256 and P_SHA384, and every derivation
 * checked against OpenSSL's own TLS1-PRF (`openssl kdf`) on random inputs, with the HMACs of
 * both providers (noble and native).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, sha384 } from '../../src/crypto/hash.js';
import * as native from '../../src/node/crypto/hash.js';
import type { HashFunction } from '../../src/crypto/provider.js';
import {
  exportKeyingMaterialTls12,
  extendedMasterSecret,
  verifyData,
  keyBlock,
  MasterSecret,
  masterSecret,
  prf,
  type Tls12Secret,
} from '../../src/handshake/tls12/prf.js';
import { concat, fromHex, toHex } from '../../src/wire/bytes.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** OpenSSL's TLS 1.2 PRF: `openssl kdf TLS1-PRF`, whose seed is label + seed. */
function opensslPrf(hash: HashFunction, secret: Uint8Array, label: string, seed: Uint8Array, length: number): string {
  const digest = hash.name === 'SHA-256' ? 'SHA256' : 'SHA384';
  const out = execFileSync('openssl', ['kdf', '-keylen', String(length), '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsecret:${toHex(secret)}`, '-kdfopt', `hexseed:${toHex(concat(ascii(label), seed))}`, 'TLS1-PRF'], { encoding: 'utf8' });
  return out.trim().replaceAll(':', '').toLowerCase();
}

describe('the TLS 1.2 PRF (RFC 5246 §5)', () => {
  it('gives the working group’s P_SHA256 test vector', () => {
    const out = prf(sha256, fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(toHex(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('gives the working group’s P_SHA384 test vector', () => {
    const out = prf(sha384, fromHex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', fromHex('cd665cf6a8447dd6ff8b27555edb7465'), 148);
    expect(toHex(out)).toBe(
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });

  it('gives the test vectors with the native provider’s HMAC too', () => {
    expect(toHex(prf(native.sha256, fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100))).toBe(
      toHex(prf(sha256, fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100)),
    );
    expect(toHex(prf(native.sha384, fromHex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', fromHex('cd665cf6a8447dd6ff8b27555edb7465'), 148)).slice(0, 16)).toBe('7b0c18e9ced410ed');
  });

  it('agrees with OpenSSL on every derivation, for random inputs and both hashes, on both providers', () => {
    for (const hash of [sha256, sha384, native.sha256, native.sha384]) {
      const [pms, client, server, sessionHash] = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(hash.outputLength)];
      const ms = masterSecret(hash, pms, client, server);
      expect(toHex(ms)).toBe(opensslPrf(hash, pms, 'master secret', concat(client, server), 48));
      const ems = extendedMasterSecret(hash, pms, sessionHash);
      expect(toHex(ems)).toBe(opensslPrf(hash, pms, 'extended master secret', sessionHash, 48));
      const block = keyBlock(hash, ems, client, server, 32, 4);
      expect(toHex(concat(block.clientWriteKey, block.serverWriteKey, block.clientWriteIv, block.serverWriteIv))).toBe(opensslPrf(hash, ems, 'key expansion', concat(server, client), 72));
      expect(toHex(verifyData(hash, ems, 'server', sessionHash))).toBe(opensslPrf(hash, ems, 'server finished', sessionHash, 12));
      const context = randomBytes(5);
      expect(toHex(exportKeyingMaterialTls12(hash, ems, concat(client, server), 'EXPORTER-test', context, 40))).toBe(
        opensslPrf(hash, ems, 'EXPORTER-test', concat(client, server, Uint8Array.of(0, 5), context), 40),
      );
      expect(toHex(exportKeyingMaterialTls12(hash, ems, concat(client, server), 'EXPORTER-test', undefined, 40))).toBe(opensslPrf(hash, ems, 'EXPORTER-test', concat(client, server), 40));
    }
  });

  it('cuts the key block as §6.3 lays it out: keys first, then IVs, client before server', () => {
    const block = keyBlock(sha256, new Uint8Array(48).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3), 16, 12);
    const whole = prf(sha256, new Uint8Array(48).fill(1), 'key expansion', concat(new Uint8Array(32).fill(3), new Uint8Array(32).fill(2)), 56);
    expect(block.clientWriteKey).toEqual(whole.subarray(0, 16));
    expect(block.serverWriteKey).toEqual(whole.subarray(16, 32));
    expect(block.clientWriteIv).toEqual(whole.subarray(32, 44));
    expect(block.serverWriteIv).toEqual(whole.subarray(44, 56));
  });
});

describe('MasterSecret: one connection’s derivations, each reported under its RFC name', () => {
  const randoms = { client: new Uint8Array(32).fill(0xc1), server: new Uint8Array(32).fill(0x5e) };

  it('reports the pre-master secret, the session hash, the master secret (for the key log), the key block and verify_data', () => {
    const reported: Tls12Secret[] = [];
    const master = MasterSecret.derive(sha256, new Uint8Array(32).fill(9), randoms, new Uint8Array(32).fill(7), (s) => reported.push(s));
    master.keyBlock(16, 4);
    master.verifyData('client', new Uint8Array(32));
    expect(reported.map((s) => s.name)).toEqual(['pre_master_secret', 'session_hash', 'master_secret', 'client_write_key', 'server_write_key', 'client_write_IV', 'server_write_IV', 'client_verify_data']);
    expect(reported.find((s) => s.name === 'master_secret')).toMatchObject({ label: 'extended master secret', keyLog: 'CLIENT_RANDOM' });
    expect(master.extended).toBe(true);
  });

  it('checks the peer’s verify_data: a wrong one is decrypt_error (RFC 5246 §7.4.9)', () => {
    const master = MasterSecret.derive(sha256, new Uint8Array(32).fill(9), randoms, new Uint8Array(32), () => {});
    const good = verifyData(sha256, master.secret, 'server', new Uint8Array(32).fill(4));
    expect(() => master.checkVerifyData('server', new Uint8Array(32).fill(4), good)).not.toThrow();
    const bad = good.slice();
    bad[0]! ^= 1;
    expect(() => master.checkVerifyData('server', new Uint8Array(32).fill(4), bad)).toThrow(expect.objectContaining({ alert: 'decrypt_error' }));
    expect(() => master.checkVerifyData('server', new Uint8Array(32).fill(4), good.subarray(0, 11))).toThrow(expect.objectContaining({ alert: 'decrypt_error' }));
  });

  it('exports keying material only with the extended master secret (RFC 7627 §5.4), and never under TLS’s own labels', () => {
    const extended = MasterSecret.derive(sha256, new Uint8Array(32).fill(9), randoms, new Uint8Array(32), () => {}).exporter();
    expect(extended('EXPORTER-x', undefined, 16)).toHaveLength(16);
    expect(toHex(extended('EXPORTER-x', undefined, 16))).not.toBe(toHex(extended('EXPORTER-x', new Uint8Array(0), 16)));
    expect(() => extended('key expansion', undefined, 16)).toThrow(/PRF labels/);
    const legacy = MasterSecret.derive(sha256, new Uint8Array(32).fill(9), randoms, undefined, () => {}).exporter();
    expect(() => legacy('EXPORTER-x', undefined, 16)).toThrow(/RFC 7627/);
  });
});
