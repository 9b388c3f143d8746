import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secp256r1Group, x25519Group } from '../../src/crypto/groups/index.js';
import { NamedGroupId } from '../../src/crypto/provider.js';
import { fromHex } from '../../src/wire/bytes.js';
import { value } from './rfc8448.js';

/** A random source that returns `bytes` once. */
const once = (bytes: Uint8Array) => (n: number) => {
  expect(n).toBe(bytes.length);
  return bytes;
};

describe('x25519', () => {
  const clientPrivate = value('simple_1rtt', 'client_x25519_private');
  const serverPrivate = value('simple_1rtt', 'server_x25519_private');
  const clientPublic = value('simple_1rtt', 'client_x25519_public');
  const serverPublic = value('simple_1rtt', 'server_x25519_public');

  it('has the x25519 code point', () => {
    expect([x25519Group.id, x25519Group.name]).toEqual([NamedGroupId.x25519, 'x25519']);
  });

  it('derives the RFC 8448 public keys from the private keys', () => {
    expect(x25519Group.keyGen(once(clientPrivate))).toEqual({ privateKey: clientPrivate, publicKey: clientPublic });
    expect(x25519Group.keyGen(once(serverPrivate)).publicKey).toEqual(serverPublic);
  });

  it('computes the RFC 8448 simple 1-RTT shared secret from either side', () => {
    const expected = value('simple_1rtt', 'ecdhe_shared_secret');
    expect(x25519Group.decaps(clientPrivate, serverPublic)).toEqual(expected);
    expect(x25519Group.decaps(serverPrivate, clientPublic)).toEqual(expected);
  });

  it('agrees on a secret between two fresh key pairs', () => {
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const a = x25519Group.keyGen(random);
    const b = x25519Group.keyGen(random);
    expect(a.publicKey.length).toBe(32);
    expect(x25519Group.decaps(a.privateKey, b.publicKey)).toEqual(x25519Group.decaps(b.privateKey, a.publicKey));
  });

  it('throws for small-order points, whose shared secret is all zeros (RFC 8446 §7.4.2)', () => {
    // u = 0 and u = 1, and an order-8 point from the RFC 7748 / libsodium blocklist.
    const smallOrder = [
      new Uint8Array(32),
      fromHex('0100000000000000000000000000000000000000000000000000000000000000'),
      fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
    ];
    for (const point of smallOrder) expect(() => x25519Group.decaps(clientPrivate, point)).toThrow(/all-zero|all zeros/);
  });

  it('throws for a key_exchange that is not 32 bytes', () => {
    expect(() => x25519Group.decaps(clientPrivate, serverPublic.subarray(0, 31))).toThrow(/32 bytes/);
    expect(() => x25519Group.decaps(clientPrivate, new Uint8Array(33))).toThrow(/32 bytes/);
  });
});

describe('secp256r1', () => {
  const clientPrivate = value('hello_retry_request', 'client_p256_private');
  const serverPrivate = value('hello_retry_request', 'server_p256_private');
  const clientPublic = value('hello_retry_request', 'client_p256_public');
  const serverPublic = value('hello_retry_request', 'server_p256_public');

  it('has the secp256r1 code point', () => {
    expect([secp256r1Group.id, secp256r1Group.name]).toEqual([NamedGroupId.secp256r1, 'secp256r1']);
  });

  it('derives the RFC 8448 (HelloRetryRequest) uncompressed public keys', () => {
    expect(secp256r1Group.keyGen(once(clientPrivate))).toEqual({ privateKey: clientPrivate, publicKey: clientPublic });
    expect(secp256r1Group.keyGen(once(serverPrivate)).publicKey).toEqual(serverPublic);
    expect(clientPublic.length).toBe(65);
    expect(clientPublic[0]).toBe(0x04);
  });

  it('computes the RFC 8448 shared secret (the x-coordinate) from either side', () => {
    const expected = value('hello_retry_request', 'ecdhe_shared_secret');
    expect(expected.length).toBe(32);
    expect(secp256r1Group.decaps(clientPrivate, serverPublic)).toEqual(expected);
    expect(secp256r1Group.decaps(serverPrivate, clientPublic)).toEqual(expected);
  });

  it('agrees with node:crypto ECDH', () => {
    const node = createECDH('prime256v1');
    const nodePublic = new Uint8Array(node.generateKeys());
    const ours = secp256r1Group.keyGen((n) => crypto.getRandomValues(new Uint8Array(n)));
    const nodeSecret = new Uint8Array(node.computeSecret(ours.publicKey));
    expect(secp256r1Group.decaps(ours.privateKey, nodePublic)).toEqual(nodeSecret);
  });

  it('skips random strings that are not valid scalars (0 and ≥ n)', () => {
    const draws = [new Uint8Array(32), new Uint8Array(32).fill(0xff), clientPrivate];
    const pair = secp256r1Group.keyGen(() => draws.shift()!);
    expect(pair.privateKey).toEqual(clientPrivate);
    expect(draws).toEqual([]);
  });

  it('gives up on a random source that never yields a valid scalar', () => {
    expect(() => secp256r1Group.keyGen((n) => new Uint8Array(n))).toThrow(/P-256 scalar/);
  });

  it('throws for a compressed point', () => {
    const compressed = new Uint8Array(33);
    compressed[0] = 0x02 + (serverPublic[64]! & 1);
    compressed.set(serverPublic.subarray(1, 33), 1);
    expect(() => secp256r1Group.decaps(clientPrivate, compressed)).toThrow(/uncompressed/);
  });

  it('throws for a wrong length or a wrong prefix', () => {
    expect(() => secp256r1Group.decaps(clientPrivate, serverPublic.subarray(0, 64))).toThrow(/uncompressed/);
    expect(() => secp256r1Group.decaps(clientPrivate, new Uint8Array([...serverPublic, 0]))).toThrow(/uncompressed/);
    const hybrid = serverPublic.slice();
    hybrid[0] = 0x06;
    expect(() => secp256r1Group.decaps(clientPrivate, hybrid)).toThrow(/uncompressed/);
    expect(() => secp256r1Group.decaps(clientPrivate, new Uint8Array(0))).toThrow(/uncompressed/);
  });

  it('throws for a point that is not on the curve', () => {
    const offCurve = serverPublic.slice();
    offCurve[64]! ^= 0x01;
    expect(() => secp256r1Group.decaps(clientPrivate, offCurve)).toThrow(/not a point on the curve/);
    const zeros = new Uint8Array(65);
    zeros[0] = 0x04;
    expect(() => secp256r1Group.decaps(clientPrivate, zeros)).toThrow(/not a point on the curve/);
  });
});

describe('the KEM shape of a Diffie–Hellman group (KeyGen, Encaps, Decaps)', () => {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  for (const group of [x25519Group, secp256r1Group]) {
    it(`${group.name}: the server's Encaps and the client's Decaps agree, and Encaps makes a fresh ephemeral key`, () => {
      const client = group.keyGen(random);
      const server = group.encaps(client.publicKey, random);
      expect(server.ephemeral?.publicKey).toEqual(server.ciphertext);
      expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
      expect(group.encaps(client.publicKey, random).ciphertext).not.toEqual(server.ciphertext);
    });
  }
});
