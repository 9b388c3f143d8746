/**
 * ML-KEM-768 and ML-KEM-1024 as key-exchange groups: sizes (FIPS 203 §8), all randomness
 * from the random source, the encapsulation key check (§7.2) and the ciphertext length
 * check (§7.3), and implicit rejection of a tampered ciphertext.
 */
import { describe, expect, it } from 'vitest';
import { checkEncapsulationKey, mlKem1024Group, mlKem768Group } from '../../src/crypto/groups/ml-kem.js';
import { NamedGroupId } from '../../src/crypto/provider.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
/** A random source that repeats `byte`, so that two runs draw the same bytes. */
const fixed = (byte: number) => (n: number) => new Uint8Array(n).fill(byte);

/** `ek` with its coefficient number `index` (12 bits each, two per 3 bytes, FIPS 203 §4.2.1) set to `value`. */
function withCoefficient(ek: Uint8Array, index: number, value: number): Uint8Array {
  const out = ek.slice();
  const at = 3 * (index >> 1);
  if (index % 2 === 0) {
    out[at] = value & 0xff;
    out[at + 1] = (out[at + 1]! & 0xf0) | (value >> 8);
  } else {
    out[at + 1] = (out[at + 1]! & 0x0f) | ((value & 0x0f) << 4);
    out[at + 2] = value >> 4;
  }
  return out;
}

describe('ML-KEM groups', () => {
  for (const [group, id, k, ekLength, ctLength] of [
    [mlKem768Group, NamedGroupId.MLKEM768, 3, 1184, 1088],
    [mlKem1024Group, NamedGroupId.MLKEM1024, 4, 1568, 1568],
  ] as const) {
    describe(group.name, () => {
      it(`has code point 0x0${id.toString(16)}, a ${ekLength}-byte encapsulation key, a ${ctLength}-byte ciphertext and a 32-byte secret`, () => {
        expect(group.id).toBe(id);
        const client = group.keyGen(random);
        expect(client.privateKey.length).toBe(64); // the seed d || z
        expect(client.publicKey.length).toBe(ekLength);
        const server = group.encaps(client.publicKey, random);
        expect(server.ciphertext.length).toBe(ctLength);
        expect(server.sharedSecret.length).toBe(32);
        expect(server.ephemeral).toBeUndefined();
        expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
      });

      it('draws all its randomness from the random source: the same bytes give the same keys, ciphertext and secret', () => {
        const draws: number[] = [];
        const counting = (n: number) => {
          draws.push(n);
          return fixed(7)(n);
        };
        const a = group.keyGen(counting);
        const b = group.keyGen(fixed(7));
        expect(a).toEqual(b);
        const ea = group.encaps(a.publicKey, counting);
        const eb = group.encaps(a.publicKey, fixed(7));
        expect(ea).toEqual(eb);
        expect(draws).toEqual([64, 32]); // the seed (d || z), then the message m
        expect(group.keyGen(fixed(8)).publicKey).not.toEqual(a.publicKey);
        expect(group.encaps(a.publicKey, fixed(8)).sharedSecret).not.toEqual(ea.sharedSecret);
      });

      it('refuses an encapsulation key of another length, or with a coefficient not below q (FIPS 203 §7.2)', () => {
        const { publicKey } = group.keyGen(random);
        expect(() => group.encaps(publicKey.subarray(1), random)).toThrow(/must be \d+ bytes/);
        expect(() => group.encaps(Uint8Array.of(...publicKey, 0), random)).toThrow(/must be \d+ bytes/);
        for (const index of [0, 1, 256 * k - 1]) {
          expect(() => group.encaps(withCoefficient(publicKey, index, 3329), random), `coefficient ${index}`).toThrow(/modulus check/);
          expect(() => group.encaps(withCoefficient(publicKey, index, 0xfff), random)).toThrow(/modulus check/);
          // q − 1 is still a coefficient: the key is well formed (if not the one we made).
          expect(() => group.encaps(withCoefficient(publicKey, index, 3328), random)).not.toThrow();
        }
        // The last 32 bytes are the seed ρ: any value passes.
        const rho = publicKey.slice();
        rho.fill(0xff, ekLength - 32);
        expect(() => group.encaps(rho, random)).not.toThrow();
      });

      it('refuses a ciphertext of another length (FIPS 203 §7.3); a tampered one gives an unrelated secret (implicit rejection)', () => {
        const client = group.keyGen(random);
        const server = group.encaps(client.publicKey, random);
        expect(() => group.decaps(client.privateKey, server.ciphertext.subarray(1))).toThrow(/ciphertext must be/);
        expect(() => group.decaps(client.privateKey, Uint8Array.of(...server.ciphertext, 0))).toThrow(/ciphertext must be/);
        const tampered = server.ciphertext.slice();
        tampered[0]! ^= 1;
        const rejected = group.decaps(client.privateKey, tampered);
        expect(rejected.length).toBe(32);
        expect(rejected).not.toEqual(server.sharedSecret);
      });
    });
  }

  it('checkEncapsulationKey reads coefficients least significant bits first, two per three bytes', () => {
    // Coefficients 0x123 and 0x456 are stored as 23 61 45.
    const ek = new Uint8Array(384 * 3 + 32);
    ek.set([0x23, 0x61, 0x45]);
    expect(() => checkEncapsulationKey('ML-KEM-768', 3, ek)).not.toThrow();
    ek.set([0x23, 0x61, 0xd0]); // second coefficient 0xd06 = 3334 ≥ q
    expect(() => checkEncapsulationKey('ML-KEM-768', 3, ek)).toThrow(/modulus check/);
  });
});
