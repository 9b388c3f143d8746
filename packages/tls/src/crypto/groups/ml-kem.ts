/**
 * ML-KEM-768 and ML-KEM-1024 (FIPS 203) as the key-exchange groups MLKEM768 and MLKEM1024
 * of draft-ietf-tls-mlkem, over `@noble/post-quantum`. The client's key_exchange is the
 * encapsulation key, the server's is the ciphertext, and the shared secret is the 32 bytes
 * both sides derive (draft-ietf-tls-mlkem §"Transmitting encapsulation keys and ciphertexts").
 *
 * All randomness comes from the `randomBytes` argument: the 64-byte seed (d || z) of
 * ML-KEM.KeyGen_internal and the 32-byte message m of ML-KEM.Encaps_internal (FIPS 203
 * §6.1, §6.2), so fixed inputs give fixed outputs. The private key we keep is that seed,
 * the compact form FIPS 203 §7.1 allows storing; Decaps expands it again.
 *
 * The peer's bytes are checked as FIPS 203 requires before they are used: the server checks
 * the encapsulation key (§7.2: its length, and the modulus check), the client the ciphertext's
 * length (§7.3). A failure is an `Error`, which the handshake answers with illegal_parameter.
 * noble runs the same checks inside; doing them here keeps the rule visible and independent
 * of the library.
 * @module
 */
import { ml_kem1024, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { NamedGroupId } from '../provider.js';
import type { KeyExchangeGroup } from '../provider.js';

/** The modulus q of ML-KEM's ring (FIPS 203 §2.4): every coefficient of t̂ lies in [0, q). */
const Q = 3329;
/** The seed (d || z) of KeyGen_internal: 32 + 32 bytes (FIPS 203 §7.1). */
export const ML_KEM_SEED_LENGTH = 64;
/** The message m of Encaps_internal (FIPS 203 §7.2). */
const ML_KEM_MESSAGE_LENGTH = 32;

/** A parameter set, as noble gives it. */
interface MlKem {
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array, msg: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/**
 * The encapsulation key check of FIPS 203 §7.2. Type check: ek is 384k + 32 bytes. Modulus
 * check: ByteEncode12(ByteDecode12(ek[0:384k])) = ek[0:384k], that is, every 12-bit
 * coefficient of t̂ (two in each 3 bytes, least significant bits first, FIPS 203 §4.2.1)
 * is below q. The last 32 bytes are the seed ρ and may be anything.
 */
export function checkEncapsulationKey(name: string, k: number, ek: Uint8Array): void {
  const length = 384 * k + 32;
  if (ek.length !== length) throw new Error(`${name} encapsulation key must be ${length} bytes, got ${ek.length}`);
  for (let i = 0; i < 384 * k; i += 3) {
    const first = ek[i]! | ((ek[i + 1]! & 0x0f) << 8);
    const second = (ek[i + 1]! >> 4) | (ek[i + 2]! << 4);
    if (first >= Q || second >= Q) throw new Error(`${name} encapsulation key fails the modulus check (FIPS 203 §7.2)`);
  }
}

function mlKemGroup(name: 'MLKEM768' | 'MLKEM1024', label: string, kem: MlKem, k: number, ciphertextLength: number): KeyExchangeGroup {
  return {
    id: NamedGroupId[name],
    name,
    keyGen(randomBytes) {
      const seed = randomBytes(ML_KEM_SEED_LENGTH);
      return { privateKey: seed, publicKey: kem.keygen(seed).publicKey };
    },
    encaps(peerPublicKey, randomBytes) {
      checkEncapsulationKey(label, k, peerPublicKey);
      const { cipherText, sharedSecret } = kem.encapsulate(peerPublicKey, randomBytes(ML_KEM_MESSAGE_LENGTH));
      // noble's shared secret is a view into a buffer it has partly wiped: keep a copy of our own.
      return { ciphertext: cipherText, sharedSecret: sharedSecret.slice() };
    },
    decaps(privateKey, ciphertext) {
      // FIPS 203 §7.3, ciphertext type check; the decapsulation key is ours, expanded from the seed.
      if (ciphertext.length !== ciphertextLength) {
        throw new Error(`${label} ciphertext must be ${ciphertextLength} bytes, got ${ciphertext.length}`);
      }
      if (privateKey.length !== ML_KEM_SEED_LENGTH) throw new Error(`${label} private key must be a ${ML_KEM_SEED_LENGTH}-byte seed`);
      // A ciphertext of the right length always decapsulates: a wrong one yields an unrelated
      // secret (implicit rejection, FIPS 203 §6.3), and the Finished MACs then fail.
      return kem.decapsulate(ciphertext, kem.keygen(privateKey).secretKey);
    },
  };
}

/** MLKEM768 (0x0201): ML-KEM-768, 1184-byte encapsulation key, 1088-byte ciphertext. */
export const mlKem768Group: KeyExchangeGroup = mlKemGroup('MLKEM768', 'ML-KEM-768', ml_kem768, 3, 1088);

/** MLKEM1024 (0x0202): ML-KEM-1024, 1568-byte encapsulation key and ciphertext. */
export const mlKem1024Group: KeyExchangeGroup = mlKemGroup('MLKEM1024', 'ML-KEM-1024', ml_kem1024, 4, 1568);
