/**
 * The hybrids of draft-ietf-tls-ecdhe-mlkem: each value is its two parts concatenated in
 * the draft's order (ML-KEM first for X25519MLKEM768, the curve first for the others), the
 * sizes of §3, each part checked as its own group checks it, and the combinator refusing
 * parts in the wrong order.
 */
import { describe, expect, it } from 'vitest';
import {
  hybridGroup,
  mlKem1024Group,
  mlKem768Group,
  secp256r1Group,
  secp256r1MlKem768Group,
  secp384r1Group,
  secp384r1MlKem1024Group,
  x25519Group,
  x25519MlKem768Group,
} from '../../src/crypto/groups/index.js';
import { withFixedInputs } from '../../src/crypto/fixed-inputs.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { NamedGroupId, type KeyExchangeGroup } from '../../src/crypto/provider.js';
import { concat } from '../../src/wire/bytes.js';
import { value } from './rfc8448.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A random source that hands out the bytes it was given, in order, and records what it gave. */
function recorded(): { draw: (n: number) => Uint8Array; draws: Uint8Array[]; replay: () => (n: number) => Uint8Array } {
  const draws: Uint8Array[] = [];
  return {
    draws,
    draw(n) {
      const bytes = random(n);
      draws.push(bytes);
      return bytes;
    },
    replay() {
      const queue = [...draws];
      return (n) => {
        const next = queue.shift()!;
        expect(next.length).toBe(n);
        return next;
      };
    },
  };
}

const HYBRIDS: [KeyExchangeGroup, number, [KeyExchangeGroup, KeyExchangeGroup], { client: number; server: number; secret: number }][] = [
  // draft-ietf-tls-ecdhe-mlkem §3: the sizes it gives for each share and secret.
  [x25519MlKem768Group, NamedGroupId.X25519MLKEM768, [mlKem768Group, x25519Group], { client: 1216, server: 1120, secret: 64 }],
  [secp256r1MlKem768Group, NamedGroupId.SecP256r1MLKEM768, [secp256r1Group, mlKem768Group], { client: 1249, server: 1153, secret: 64 }],
  [secp384r1MlKem1024Group, NamedGroupId.SecP384r1MLKEM1024, [secp384r1Group, mlKem1024Group], { client: 1665, server: 1665, secret: 80 }],
];

describe('hybrid groups', () => {
  for (const [group, id, [first, second], sizes] of HYBRIDS) {
    describe(group.name, () => {
      it(`has code point 0x${id.toString(16)} and the draft's sizes: ${sizes.client} / ${sizes.server} / ${sizes.secret} bytes`, () => {
        expect(group.id).toBe(id);
        const client = group.keyGen(random);
        const server = group.encaps(client.publicKey, random);
        expect([client.publicKey.length, server.ciphertext.length, server.sharedSecret.length]).toEqual([sizes.client, sizes.server, sizes.secret]);
        expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
      });

      it(`concatenates ${first.name} then ${second.name}: keys, ciphertexts and shared secrets`, () => {
        // Run the hybrid, then its parts on the same random bytes: the hybrid's values are theirs, in order.
        const keyGen = recorded();
        const client = group.keyGen(keyGen.draw);
        const replayKeys = keyGen.replay();
        const parts = [first.keyGen(replayKeys), second.keyGen(replayKeys)];
        expect(client.publicKey).toEqual(concat(parts[0]!.publicKey, parts[1]!.publicKey));
        expect(client.privateKey).toEqual(concat(parts[0]!.privateKey, parts[1]!.privateKey));

        const encaps = recorded();
        const server = group.encaps(client.publicKey, encaps.draw);
        const replayEncaps = encaps.replay();
        const partResults = [first.encaps(parts[0]!.publicKey, replayEncaps), second.encaps(parts[1]!.publicKey, replayEncaps)];
        expect(server.ciphertext).toEqual(concat(partResults[0]!.ciphertext, partResults[1]!.ciphertext));
        expect(server.sharedSecret).toEqual(concat(partResults[0]!.sharedSecret, partResults[1]!.sharedSecret));
        // The ephemeral key shown in traces is the Diffie–Hellman part's.
        expect(server.ephemeral).toEqual(partResults.find((r) => r.ephemeral)!.ephemeral);
        expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(
          concat(first.decaps(parts[0]!.privateKey, partResults[0]!.ciphertext), second.decaps(parts[1]!.privateKey, partResults[1]!.ciphertext)),
        );
      });

      it('refuses a key_exchange of another length before any part runs, and a bad part as that part would', () => {
        const client = group.keyGen(random);
        expect(() => group.encaps(client.publicKey.subarray(1), random)).toThrow(/must be \d+ bytes/);
        expect(() => group.encaps(Uint8Array.of(...client.publicKey, 0), random)).toThrow(/must be \d+ bytes/);
        const server = group.encaps(client.publicKey, random);
        expect(() => group.decaps(client.privateKey, server.ciphertext.subarray(1))).toThrow(/must be \d+ bytes/);
        // The ECDH part replaced by zeros: not a point (P-256, P-384) or the all-zero X25519 output.
        const ecdhFirst = first.name !== 'MLKEM768';
        const ecdhLength = (ecdhFirst ? first : second).keyGen(random).publicKey.length;
        const zeroed = client.publicKey.slice();
        zeroed.fill(0, ecdhFirst ? 0 : zeroed.length - ecdhLength, ecdhFirst ? ecdhLength : zeroed.length);
        expect(() => group.encaps(zeroed, random)).toThrow(/uncompressed|all-zero|all zeros/);
        // The ML-KEM part with a coefficient 0xfff ≥ q (FIPS 203 §7.2).
        const badKem = client.publicKey.slice();
        const at = ecdhFirst ? ecdhLength : 0;
        badKem[at] = 0xff;
        badKem[at + 1]! |= 0x0f;
        expect(() => group.encaps(badKem, random)).toThrow(/modulus check/);
      });
    });
  }

  it('refuses parts given in another order than the draft’s', () => {
    expect(() => hybridGroup('X25519MLKEM768', [x25519Group, mlKem768Group])).toThrow(/X25519MLKEM768 is MLKEM768 then x25519/);
    expect(() => hybridGroup('SecP256r1MLKEM768', [mlKem768Group, secp256r1Group])).toThrow(/secp256r1 then MLKEM768/);
    expect(() => hybridGroup('SecP384r1MLKEM1024', [secp384r1Group, mlKem768Group])).toThrow(/secp384r1 then MLKEM1024/);
  });

  it('works with fixed inputs: the bytes drawn for X25519MLKEM768 are the ML-KEM seed, then the X25519 private key', () => {
    const seed = new Uint8Array(64).fill(5);
    const x25519Private = value('simple_1rtt', 'client_x25519_private');
    const provider = withFixedInputs(nobleProvider, { keyShares: { X25519MLKEM768: concat(seed, x25519Private) } });
    const group = provider.groups.find((g) => g.name === 'X25519MLKEM768')!;
    const pair = group.keyGen(random);
    expect(pair.privateKey).toEqual(concat(seed, x25519Private));
    expect(pair.publicKey.subarray(1184)).toEqual(value('simple_1rtt', 'client_x25519_public'));
    expect(pair.publicKey.subarray(0, 1184)).toEqual(mlKem768Group.keyGen(() => seed).publicKey);
    expect(group.keyGen(random)).toEqual(pair);
    const short = withFixedInputs(nobleProvider, { keyShares: { X25519MLKEM768: seed } });
    expect(() => short.groups.find((g) => g.name === 'X25519MLKEM768')!.keyGen(random)).toThrow(/fixed inputs: X25519MLKEM768 key share has 0 bytes, but 32/);
  });
});
