/**
 * The key-exchange groups of the noble provider, one file per family: x25519 and x448
 * (`rfc7748.ts`), the NIST curves (`nist-curves.ts`), the RFC 7919 finite fields
 * (`ffdhe.ts`), ML-KEM (`ml-kem.ts`), and the hybrids built from them (`hybrid.ts`).
 * Every group has the KEM shape of {@link KeyExchangeGroup}; a Diffie–Hellman group gets
 * it from `diffieHellmanGroup`.
 * @module
 */
import type { KeyExchangeGroup } from '../provider.js';
import { ffdhe2048Group, ffdhe3072Group, ffdhe4096Group, ffdhe6144Group, ffdhe8192Group } from './ffdhe.js';
import { hybridGroup } from './hybrid.js';
import { mlKem1024Group, mlKem768Group } from './ml-kem.js';
import { secp256r1Group, secp384r1Group, secp521r1Group } from './nist-curves.js';
import { x25519Group, x448Group } from './rfc7748.js';

export { diffieHellmanGroup, type DiffieHellman } from './diffie-hellman.js';
export { hybridGroup } from './hybrid.js';
export { ffdhe2048Group, ffdhe3072Group, ffdhe4096Group, ffdhe6144Group, ffdhe8192Group } from './ffdhe.js';
export { mlKem1024Group, mlKem768Group } from './ml-kem.js';
export { secp256r1Group, secp384r1Group, secp521r1Group } from './nist-curves.js';
export { x25519Group, x448Group } from './rfc7748.js';

/** X25519MLKEM768 (0x11EC): ML-KEM-768 then X25519; 1216-byte client share, 1120-byte server share. */
export const x25519MlKem768Group: KeyExchangeGroup = hybridGroup('X25519MLKEM768', [mlKem768Group, x25519Group]);
/** SecP256r1MLKEM768 (0x11EB): secp256r1 then ML-KEM-768; 1249-byte client share, 1153-byte server share. */
export const secp256r1MlKem768Group: KeyExchangeGroup = hybridGroup('SecP256r1MLKEM768', [secp256r1Group, mlKem768Group]);
/** SecP384r1MLKEM1024 (0x11ED): secp384r1 then ML-KEM-1024; 1665-byte shares both ways. */
export const secp384r1MlKem1024Group: KeyExchangeGroup = hybridGroup('SecP384r1MLKEM1024', [secp384r1Group, mlKem1024Group]);

/**
 * Every group, in our order of preference: the post-quantum hybrids first (X25519MLKEM768,
 * the one browsers send, leading), then the elliptic curves, pure ML-KEM, and the finite
 * fields, slowest and largest, last.
 */
export const nobleGroups: readonly KeyExchangeGroup[] = [
  x25519MlKem768Group,
  secp256r1MlKem768Group,
  secp384r1MlKem1024Group,
  x25519Group,
  secp256r1Group,
  secp384r1Group,
  secp521r1Group,
  x448Group,
  mlKem768Group,
  mlKem1024Group,
  ffdhe2048Group,
  ffdhe3072Group,
  ffdhe4096Group,
  ffdhe6144Group,
  ffdhe8192Group,
];
