import { describe, expect, it } from 'vitest';
import { withFixedInputs } from '../../src/crypto/fixed-inputs.js';
import { sha256 } from '../../src/crypto/hash.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { rsaPssRecoverSalt } from '../../src/crypto/rsa.js';
import { concat, fromHex, toHex, utf8 } from '../../src/wire/bytes.js';
import { hexToBigInt, value, vectors } from './rfc8448.js';

const group = (provider: typeof nobleProvider, name: string) => provider.groups.find((g) => g.name === name)!;
const scheme = (provider: typeof nobleProvider, name: string) => provider.signatureSchemes.find((s) => s.name === name)!;

describe('withFixedInputs: random bytes', () => {
  it('serves the queued strings in order, then refuses', () => {
    const provider = withFixedInputs(nobleProvider, { random: [fromHex('0102'), fromHex('030405')] });
    expect(provider.randomBytes(2)).toEqual(fromHex('0102'));
    expect(provider.randomBytes(3)).toEqual(fromHex('030405'));
    expect(() => provider.randomBytes(2)).toThrow(/no random bytes left/);
  });

  it('throws when a request does not match the next queued length', () => {
    const provider = withFixedInputs(nobleProvider, { random: [new Uint8Array(32)] });
    expect(() => provider.randomBytes(16)).toThrow(/32 bytes, but 16 were asked for/);
  });

  it('hands out copies, so a caller cannot alter the queue', () => {
    const fixed = fromHex('aabb');
    const provider = withFixedInputs(nobleProvider, { random: [fixed] });
    provider.randomBytes(2).fill(0);
    expect(fixed).toEqual(fromHex('aabb'));
  });

  it('uses the base provider when no random bytes are given', () => {
    const provider = withFixedInputs(nobleProvider, {});
    expect(provider.randomBytes(32)).not.toEqual(provider.randomBytes(32));
    expect(provider.cipherSuites).toBe(nobleProvider.cipherSuites);
    expect(provider.groups).toEqual(nobleProvider.groups);
  });
});

describe('withFixedInputs: key shares', () => {
  const provider = withFixedInputs(nobleProvider, {
    keyShares: {
      x25519: value('simple_1rtt', 'client_x25519_private'),
      secp256r1: value('hello_retry_request', 'client_p256_private'),
    },
  });

  it('gives the RFC 8448 x25519 key pair, ignoring the random source passed in', () => {
    const pair = group(provider, 'x25519').keyGen(() => {
      throw new Error('must not be called');
    });
    expect(pair.privateKey).toEqual(value('simple_1rtt', 'client_x25519_private'));
    expect(pair.publicKey).toEqual(value('simple_1rtt', 'client_x25519_public'));
    // The same pair every time.
    expect(group(provider, 'x25519').keyGen(provider.randomBytes)).toEqual(pair);
  });

  it('gives the RFC 8448 P-256 key pair and its shared secret', () => {
    const p256 = group(provider, 'secp256r1');
    const pair = p256.keyGen(provider.randomBytes);
    expect(pair.publicKey).toEqual(value('hello_retry_request', 'client_p256_public'));
    expect(p256.decaps(pair.privateKey, value('hello_retry_request', 'server_p256_public'))).toEqual(
      value('hello_retry_request', 'ecdhe_shared_secret'),
    );
  });

  it('refuses a fixed key that is not a valid private key of its group', () => {
    const bad = withFixedInputs(nobleProvider, { keyShares: { secp256r1: new Uint8Array(32) } });
    expect(() => group(bad, 'secp256r1').keyGen(nobleProvider.randomBytes)).toThrow(/fixed inputs/);
    const short = withFixedInputs(nobleProvider, { keyShares: { x25519: new Uint8Array(31) } });
    expect(() => group(short, 'x25519').keyGen(nobleProvider.randomBytes)).toThrow(/31 bytes, but 32/);
  });

  it('refuses a key share for a group the provider lacks', () => {
    const withoutX448 = { ...nobleProvider, groups: nobleProvider.groups.filter((g) => g.name !== 'x448') };
    expect(() => withFixedInputs(withoutX448, { keyShares: { x448: new Uint8Array(56) } })).toThrow(/no group x448/);
  });
});

describe('withFixedInputs: PSS salts', () => {
  const k = vectors.server_rsa_key;
  const key: PrivateKey = {
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
  const publicKey = { type: 'rsa' as const, n: key.n, e: key.e };

  it('reproduces the RFC 8448 server CertificateVerify signature byte for byte', () => {
    const messages = vectors.scenarios.simple_1rtt!.messages.slice(0, 4).map((m) => fromHex(m.hex));
    const content = concat(
      new Uint8Array(64).fill(0x20),
      utf8('TLS 1.3, server CertificateVerify'),
      Uint8Array.of(0),
      sha256.hash(concat(...messages)),
    );
    const rfcSignature = value('simple_1rtt', 'server_certificate_verify').subarray(8);
    const salt = rsaPssRecoverSalt(publicKey, sha256, content, rfcSignature);
    const provider = withFixedInputs(nobleProvider, { pssSalts: [salt] });
    const signature = scheme(provider, 'rsa_pss_rsae_sha256').sign(key, content, provider.randomBytes);
    expect(toHex(signature)).toBe(toHex(rfcSignature));
  });

  it('serves salts in order across PSS schemes and leaves other schemes alone', () => {
    const salts = [new Uint8Array(32).fill(1), new Uint8Array(48).fill(2)];
    const provider = withFixedInputs(nobleProvider, { pssSalts: salts });
    const message = utf8('m');
    const first = scheme(provider, 'rsa_pss_rsae_sha256').sign(key, message, provider.randomBytes);
    const second = scheme(provider, 'rsa_pss_rsae_sha384').sign(key, message, provider.randomBytes);
    expect(rsaPssRecoverSalt(publicKey, sha256, message, first)).toEqual(salts[0]);
    expect(scheme(provider, 'rsa_pss_rsae_sha384').verify(publicKey, message, second)).toBe(true);
    expect(() => scheme(provider, 'rsa_pss_rsae_sha256').sign(key, message, provider.randomBytes)).toThrow(/no PSS salt left/);
    expect(scheme(provider, 'ed25519')).toBe(scheme(nobleProvider, 'ed25519'));
  });
});
