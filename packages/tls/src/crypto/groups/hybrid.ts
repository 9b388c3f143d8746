/**
 * The post-quantum hybrids of draft-ietf-tls-ecdhe-mlkem: a group made of two groups, an
 * elliptic-curve Diffie–Hellman one and ML-KEM, run side by side. Each of the client's
 * key_exchange, the server's key_exchange, the private key and the shared secret is the
 * concatenation of the two parts' values, in the order the draft fixes for that hybrid
 * (`HYBRID_PARTS` in layout.ts). The secret stays safe while either part is unbroken.
 *
 * The parts are any {@link KeyExchangeGroup}s, so a provider can pair its own ECDH (say, a
 * native one) with another's ML-KEM. Their private keys must have the raw lengths of
 * `GROUP_LAYOUTS`, by which the hybrid's private key is split again.
 * @module
 */
import { concat } from '../../wire/bytes.js';
import { NamedGroupId } from '../provider.js';
import type { Encapsulation, KeyExchangeGroup, KeyPair } from '../provider.js';
import { GROUP_LAYOUTS, HYBRID_PARTS } from './layout.js';
import type { HybridGroupName } from './layout.js';

/** `bytes` cut into pieces of the given lengths; throws unless they add up exactly. */
function split(bytes: Uint8Array, lengths: readonly number[], what: string): Uint8Array[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (bytes.length !== total) throw new Error(`${what} must be ${total} bytes (${lengths.join(' + ')}), got ${bytes.length}`);
  let offset = 0;
  return lengths.map((length) => bytes.subarray(offset, (offset += length)));
}

/**
 * The hybrid group `name` made of `parts`, given in the draft's order for it (checked).
 *
 * - KeyGen: each part's KeyGen; the public keys and the private keys concatenated.
 * - Encaps: the client's key_exchange split into the parts' public keys, each part's
 *   Encaps on its own (each checks its part: §4.2.8.2 for ECDH, FIPS 203 §7.2 for ML-KEM),
 *   the ciphertexts and the shared secrets concatenated.
 * - Decaps: the server's key_exchange split into the parts' ciphertexts, each part's Decaps,
 *   the shared secrets concatenated.
 *
 * A key_exchange of the wrong total length is refused before any part runs.
 */
export function hybridGroup(name: HybridGroupName, parts: readonly [KeyExchangeGroup, KeyExchangeGroup]): KeyExchangeGroup {
  const expected = HYBRID_PARTS[name];
  if (parts[0].name !== expected[0] || parts[1].name !== expected[1]) {
    throw new Error(`${name} is ${expected.join(' then ')}, not ${parts.map((p) => p.name).join(' then ')}`);
  }
  const layouts = expected.map((part) => GROUP_LAYOUTS[part]);
  const keyShareLengths = layouts.map((l) => l.keyShare.length);
  const ciphertextLengths = layouts.map((l) => l.ciphertext.length);
  const privateKeyLengths = layouts.map((l) => l.privateKey!);

  return {
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes): KeyPair {
      const pairs = parts.map((part) => part.keyGen(randomBytes));
      pairs.forEach((pair, i) => {
        if (pair.privateKey.length !== privateKeyLengths[i]) throw new Error(`${parts[i]!.name} private key is not ${privateKeyLengths[i]} bytes`);
      });
      return { privateKey: concat(...pairs.map((p) => p.privateKey)), publicKey: concat(...pairs.map((p) => p.publicKey)) };
    },
    encaps(peerPublicKey, randomBytes): Encapsulation {
      const publicKeys = split(peerPublicKey, keyShareLengths, `${name} key_exchange`);
      const results = parts.map((part, i) => part.encaps(publicKeys[i]!, randomBytes));
      const ephemeral = results.find((r) => r.ephemeral)?.ephemeral;
      return {
        ciphertext: concat(...results.map((r) => r.ciphertext)),
        sharedSecret: concat(...results.map((r) => r.sharedSecret)),
        ...(ephemeral ? { ephemeral } : {}),
      };
    },
    decaps(privateKey, ciphertext) {
      const privateKeys = split(privateKey, privateKeyLengths, `${name} private key`);
      const ciphertexts = split(ciphertext, ciphertextLengths, `${name} key_exchange`);
      return concat(...parts.map((part, i) => part.decaps(privateKeys[i]!, ciphertexts[i]!)));
    },
  };
}
