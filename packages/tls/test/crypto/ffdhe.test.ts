/**
 * The RFC 7919 groups: their primes against OpenSSL's, the short exponents of §5.2, the
 * peer check 1 < Y < p − 1 (§5.1), and the left-padding of Y and Z to the size of p
 * (RFC 8446 §4.2.8.1, §7.4.1).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FFDHE2048_P,
  FFDHE3072_P,
  FFDHE4096_P,
  FFDHE6144_P,
  FFDHE8192_P,
  ffdhe2048Group,
  ffdhe3072Group,
  ffdhe4096Group,
  ffdhe6144Group,
  ffdhe8192Group,
} from '../../src/crypto/groups/ffdhe.js';
import { NamedGroupId, type KeyExchangeGroup } from '../../src/crypto/provider.js';
import { fromHex, toHex } from '../../src/wire/bytes.js';

const GROUPS: [KeyExchangeGroup, bigint, number, number][] = [
  // group, p, bytes, exponent bits (RFC 7919 Appendix A)
  [ffdhe2048Group, FFDHE2048_P, 256, 225],
  [ffdhe3072Group, FFDHE3072_P, 384, 275],
  [ffdhe4096Group, FFDHE4096_P, 512, 325],
  [ffdhe6144Group, FFDHE6144_P, 768, 375],
  [ffdhe8192Group, FFDHE8192_P, 1024, 400],
];
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const bytesOf = (x: bigint, length: number) => fromHex(x.toString(16).padStart(2 * length, '0'));

/** The `name:` block of `openssl pkey -text` output (colon-separated hex over several lines) as bytes. */
function opensslField(text: string, name: string): Uint8Array {
  const match = new RegExp(`^${name}:\\n((?:\\s+[0-9a-f:]+\\n)+)`, 'm').exec(text);
  if (!match) throw new Error(`no ${name} in:\n${text}`);
  return fromHex(match[1]!.replace(/[\s:]/g, ''));
}

describe('the RFC 7919 groups', () => {
  for (const [group, p, length, exponentBits] of GROUPS) {
    it(`${group.name}: code point, a ${length}-byte prime, and ${exponentBits}-bit exponents with the top bit set`, () => {
      expect(group.id).toBe(NamedGroupId[group.name]);
      expect(p.toString(2).length).toBe(8 * length);
      const pair = group.keyGen(() => new Uint8Array(Math.ceil(exponentBits / 8)).fill(0xff));
      const x = BigInt(`0x${toHex(pair.privateKey)}`);
      expect(x.toString(2).length).toBe(exponentBits);
      const low = group.keyGen((n) => new Uint8Array(n));
      expect(BigInt(`0x${toHex(low.privateKey)}`)).toBe(1n << BigInt(exponentBits - 1));
      expect(low.publicKey.length).toBe(length);
    });
  }

  for (const [group, p, length] of GROUPS.slice(0, 2)) {
    it(`${group.name}: Encaps and Decaps agree, on values the size of p`, () => {
      const client = group.keyGen(random);
      const server = group.encaps(client.publicKey, random);
      expect(server.ciphertext.length).toBe(length);
      expect(server.sharedSecret.length).toBe(length);
      expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
      const y = BigInt(`0x${toHex(client.publicKey)}`);
      expect(y > 1n && y < p - 1n).toBe(true);
    });
  }

  it('uses the primes and exponentiation OpenSSL uses: 2^x mod p for an OpenSSL key is its public key', () => {
    for (const [group, , length] of GROUPS.slice(0, 3)) {
      const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'DH', '-pkeyopt', `group:${group.name}`]);
      const text = execFileSync('openssl', ['pkey', '-text', '-noout'], { input: pem }).toString();
      expect(text).toContain(`GROUP: ${group.name}`);
      const x = opensslField(text, 'private-key');
      const y = opensslField(text, 'public-key');
      const exponentLength = group.keyGen(random).privateKey.length;
      const privateKey = new Uint8Array(exponentLength);
      privateKey.set(x.subarray(Math.max(0, x.length - exponentLength)), Math.max(0, exponentLength - x.length));
      // Decaps with the generator as the "peer" value computes g^x mod p.
      const generator = bytesOf(2n, length);
      const expected = new Uint8Array(length);
      const trimmed = y.subarray(Math.max(0, y.length - length));
      expected.set(trimmed, length - trimmed.length);
      expect(toHex(group.decaps(privateKey, generator))).toBe(toHex(expected));
    }
  });

  it('refuses a peer value outside 1 < Y < p − 1 (RFC 7919 §5.1), or not the size of p (§4.2.8.1)', () => {
    const [group, p, length] = GROUPS[0]!;
    const ours = group.keyGen(random);
    for (const y of [0n, 1n, p - 1n, p, p + 1n]) {
      expect(() => group.decaps(ours.privateKey, bytesOf(y, length)), `Y = ${y}`).toThrow(/1 < Y < p - 1/);
      expect(() => group.encaps(bytesOf(y, length), random)).toThrow(/1 < Y < p - 1/);
    }
    expect(() => group.decaps(ours.privateKey, bytesOf(2n, length + 1))).toThrow(/must be 256 bytes/);
    // Y = 2 unpadded: a one-byte key_exchange is malformed, though the number is fine.
    expect(() => group.decaps(ours.privateKey, Uint8Array.of(2))).toThrow(/must be 256 bytes/);
  });

  it('keeps the leading zeros of the shared secret (§7.4.1)', () => {
    const [group, , length] = GROUPS[0]!;
    // About one Z in 256 has a zero first byte: search a fixed sequence of exponents for one.
    const exponent = (i: number) => new Uint8Array(createHash('sha256').update(`exponent ${i}`).digest()).subarray(0, 29);
    const peer = group.keyGen(() => exponent(-1)).publicKey;
    let withZero: Uint8Array | undefined;
    for (let i = 0; i < 5000 && !withZero; i++) {
      const z = group.decaps(group.keyGen(() => exponent(i)).privateKey, peer);
      expect(z.length).toBe(length);
      if (z[0] === 0) withZero = z;
    }
    expect(withZero?.length).toBe(length); // the 357th of this sequence
  });
});
