import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secp256r1Group, secp384r1Group, secp521r1Group, x25519Group, x448Group } from '../../src/crypto/groups/index.js';
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

describe('x448 (RFC 7748)', () => {
  // RFC 7748 §6.2's test vector.
  const alicePrivate = fromHex('9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b');
  const alicePublic = fromHex('9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0');
  const bobPrivate = fromHex('1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d');
  const bobPublic = fromHex('3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609');
  const shared = fromHex('07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d');

  it('has the x448 code point', () => {
    expect([x448Group.id, x448Group.name]).toEqual([NamedGroupId.x448, 'x448']);
  });

  it('reproduces RFC 7748 §6.2: the public keys and the shared secret from either side', () => {
    expect(x448Group.keyGen(once(alicePrivate))).toEqual({ privateKey: alicePrivate, publicKey: alicePublic });
    expect(x448Group.keyGen(once(bobPrivate)).publicKey).toEqual(bobPublic);
    expect(x448Group.decaps(alicePrivate, bobPublic)).toEqual(shared);
    expect(x448Group.decaps(bobPrivate, alicePublic)).toEqual(shared);
  });

  it('throws for small-order points, whose shared secret is all zeros (RFC 8446 §7.4.2), and for other lengths', () => {
    const one = new Uint8Array(56);
    one[0] = 1;
    for (const point of [new Uint8Array(56), one]) expect(() => x448Group.decaps(alicePrivate, point)).toThrow(/all-zero|all zeros/);
    expect(() => x448Group.decaps(alicePrivate, bobPublic.subarray(0, 55))).toThrow(/56 bytes/);
    expect(() => x448Group.decaps(alicePrivate, new Uint8Array(32))).toThrow(/56 bytes/);
  });
});

describe('secp384r1 and secp521r1', () => {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  for (const [group, curve, id, pointLength, secretLength] of [
    [secp384r1Group, 'secp384r1', NamedGroupId.secp384r1, 97, 48],
    [secp521r1Group, 'secp521r1', NamedGroupId.secp521r1, 133, 66],
  ] as const) {
    it(`${curve}: its code point, ${pointLength}-byte uncompressed points and a ${secretLength}-byte secret that agrees with node:crypto`, () => {
      expect([group.id, group.name]).toEqual([id, curve]);
      const node = createECDH(curve);
      const nodePublic = new Uint8Array(node.generateKeys());
      const ours = group.keyGen(random);
      expect(ours.publicKey.length).toBe(pointLength);
      expect(ours.publicKey[0]).toBe(0x04);
      const secret = group.decaps(ours.privateKey, nodePublic);
      expect(secret.length).toBe(secretLength);
      // node:crypto gives the x-coordinate at its full length, leading zeros included (§7.4.2).
      expect(secret).toEqual(new Uint8Array(node.computeSecret(ours.publicKey)));
    });

    it(`${curve}: refuses compressed points, other lengths and points off the curve`, () => {
      const ours = group.keyGen(random);
      const peer = group.keyGen(random).publicKey;
      const compressed = Uint8Array.of(0x02 + (peer[pointLength - 1]! & 1), ...peer.subarray(1, 1 + secretLength));
      expect(() => group.decaps(ours.privateKey, compressed)).toThrow(/uncompressed/);
      expect(() => group.decaps(ours.privateKey, peer.subarray(0, pointLength - 1))).toThrow(/uncompressed/);
      const offCurve = peer.slice();
      offCurve[pointLength - 1]! ^= 0x01;
      expect(() => group.decaps(ours.privateKey, offCurve)).toThrow(/not a point on the curve/);
    });
  }

  it('secp521r1: clears the 7 bits above 521 of a 66-byte draw, and skips a draw that is still ≥ n', () => {
    const tooBig = new Uint8Array(66).fill(0xff); // 0x01ff…ff after masking: above n
    const fine = new Uint8Array(66).fill(0xab); // 0x01abab…: below n
    const draws = [tooBig, fine];
    const pair = secp521r1Group.keyGen(() => draws.shift()!);
    expect(draws).toEqual([]);
    expect(pair.privateKey).toEqual(Uint8Array.of(0x01, ...new Uint8Array(65).fill(0xab)));
    expect(pair.publicKey.length).toBe(133);
  });
});

describe('the KEM shape of a Diffie–Hellman group (KeyGen, Encaps, Decaps)', () => {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  for (const group of [x25519Group, secp256r1Group, secp384r1Group, secp521r1Group, x448Group]) {
    it(`${group.name}: the server's Encaps and the client's Decaps agree, and Encaps makes a fresh ephemeral key`, () => {
      const client = group.keyGen(random);
      const server = group.encaps(client.publicKey, random);
      expect(server.ephemeral?.publicKey).toEqual(server.ciphertext);
      expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
      expect(group.encaps(client.publicKey, random).ciphertext).not.toEqual(server.ciphertext);
    });
  }
});
