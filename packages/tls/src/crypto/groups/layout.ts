/**
 * What every group's key_exchange values and shared secret are made of: their lengths,
 * what they are called, and for the post-quantum hybrids the order of the concatenated
 * parts (draft-ietf-tls-ecdhe-mlkem §3). Plain data, with no cryptography: the hybrid
 * combinator splits by it, the key_share codec and the key-share trace name the parts by it.
 * @module
 */
import { groupName } from '../provider.js';
import type { NamedGroupName } from '../provider.js';

/** One part of a key_exchange value, as a trace names it. */
export interface KeyExchangePart {
  /** e.g. `"X25519 public key"`, `"ML-KEM-768 encapsulation key"`. */
  readonly label: string;
  readonly length: number;
}

/** The shape of a single (not hybrid) group's exchange. */
export interface GroupLayout {
  /** `dh` for Diffie–Hellman (the server's key_exchange is a public key), `kem` for ML-KEM. */
  readonly kind: 'dh' | 'kem';
  /** The algorithm as its standard names it: `"X25519"`, `"secp256r1"`, `"ffdhe2048"`, `"ML-KEM-768"`. */
  readonly algorithm: string;
  /** The client's key_exchange: the public key KeyGen makes. */
  readonly keyShare: KeyExchangePart;
  /** The server's key_exchange: what Encaps makes (for Diffie–Hellman, its ephemeral public key). */
  readonly ciphertext: KeyExchangePart;
  /** The length of the shared secret. */
  readonly sharedSecret: number;
  /**
   * The length of the private key (`KeyPair.privateKey`, in its raw form), for the groups
   * that can be parts of a hybrid: it is how the hybrid finds its parts' private keys.
   */
  readonly privateKey?: number;
}

/** A Diffie–Hellman group's layout: the same public value both ways. */
function dh(algorithm: string, what: string, publicLength: number, sharedSecret: number, privateKey?: number): GroupLayout {
  const part = { label: `${algorithm} ${what}`, length: publicLength };
  return { kind: 'dh', algorithm, keyShare: part, ciphertext: part, sharedSecret, ...(privateKey === undefined ? {} : { privateKey }) };
}

/** An ML-KEM parameter set's layout (FIPS 203 §8, Table 3); its private key is the 64-byte seed. */
function mlKem(algorithm: string, encapsulationKey: number, ciphertext: number): GroupLayout {
  return {
    kind: 'kem',
    algorithm,
    keyShare: { label: `${algorithm} encapsulation key`, length: encapsulationKey },
    ciphertext: { label: `${algorithm} ciphertext`, length: ciphertext },
    sharedSecret: 32,
    privateKey: 64,
  };
}

/** The names of the hybrid groups. */
export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768' | 'SecP384r1MLKEM1024';
/** The names of the single groups. */
export type SingleGroupName = Exclude<NamedGroupName, HybridGroupName>;

/** The layouts of the single groups. */
export const GROUP_LAYOUTS: Readonly<Record<SingleGroupName, GroupLayout>> = {
  // RFC 7748 §5: u-coordinates and secrets of 32 and 56 bytes.
  x25519: dh('X25519', 'public key', 32, 32, 32),
  x448: dh('X448', 'public key', 56, 56, 56),
  // §4.2.8.2: uncompressed points 0x04 || X || Y; §7.4.2: the secret is X.
  secp256r1: dh('secp256r1', 'public key (uncompressed point)', 65, 32, 32),
  secp384r1: dh('secp384r1', 'public key (uncompressed point)', 97, 48, 48),
  secp521r1: dh('secp521r1', 'public key (uncompressed point)', 133, 66, 66),
  // §4.2.8.1, §7.4.1: Y and Z are the size of p.
  ffdhe2048: dh('ffdhe2048', 'public value Y', 256, 256),
  ffdhe3072: dh('ffdhe3072', 'public value Y', 384, 384),
  ffdhe4096: dh('ffdhe4096', 'public value Y', 512, 512),
  ffdhe6144: dh('ffdhe6144', 'public value Y', 768, 768),
  ffdhe8192: dh('ffdhe8192', 'public value Y', 1024, 1024),
  MLKEM768: mlKem('ML-KEM-768', 1184, 1088),
  MLKEM1024: mlKem('ML-KEM-1024', 1568, 1568),
};

/**
 * The parts of each hybrid, in the order their key_exchange values, private keys and shared
 * secrets are concatenated (draft-ietf-tls-ecdhe-mlkem §3). X25519MLKEM768 puts ML-KEM first,
 * against the naming convention, "for historical reasons"; the NIST-curve hybrids put the
 * ECDH part first, so that a FIPS-approved scheme's secret leads (§"Regulatory Context").
 */
export const HYBRID_PARTS: Readonly<Record<HybridGroupName, readonly [SingleGroupName, SingleGroupName]>> = {
  X25519MLKEM768: ['MLKEM768', 'x25519'],
  SecP256r1MLKEM768: ['secp256r1', 'MLKEM768'],
  SecP384r1MLKEM1024: ['secp384r1', 'MLKEM1024'],
};

/** The parts of `name` when it is a hybrid, else undefined. */
export function hybridParts(name: string): readonly [SingleGroupName, SingleGroupName] | undefined {
  return Object.hasOwn(HYBRID_PARTS, name) ? HYBRID_PARTS[name as HybridGroupName] : undefined;
}

/** The layout of a single group by name, or undefined for a hybrid or an unknown name. */
export function groupLayout(name: string): GroupLayout | undefined {
  return Object.hasOwn(GROUP_LAYOUTS, name) ? GROUP_LAYOUTS[name as SingleGroupName] : undefined;
}

/**
 * The parts of a key_exchange value in group `id`, sent by `side`: one part for a single
 * group, two for a hybrid (in their order on the wire), undefined for a group we do not know.
 * For X25519MLKEM768 from the client: the ML-KEM-768 encapsulation key (1184 bytes), then
 * the X25519 public key (32 bytes).
 */
export function keyExchangeParts(id: number, side: 'client' | 'server'): KeyExchangePart[] | undefined {
  const name = groupName(id);
  const names = hybridParts(name) ?? [name];
  const layouts = names.map(groupLayout);
  if (layouts.some((l) => l === undefined)) return undefined;
  return layouts.map((l) => (side === 'client' ? l!.keyShare : l!.ciphertext));
}
