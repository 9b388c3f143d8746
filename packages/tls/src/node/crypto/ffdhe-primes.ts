/**
 * The moduli of the finite-field groups ffdhe2048 … ffdhe8192 (RFC 7919 Appendix A),
 * computed from the RFC's own formula rather than copied as kilobytes of hex:
 *
 *     p = 2^b − 2^(b−64) + {⌊2^(b−130) · e⌋ + X} · 2^64 − 1
 *
 * where e is the base of the natural logarithm and X the smallest number that makes p a
 * safe prime (the RFC prints X for each group). The generator is 2 for all of them.
 * Each modulus is computed once, the first time its group is used (a few milliseconds).
 * @module
 */

/** The groups' sizes in bits, and each one's X from RFC 7919 Appendix A.1–A.5. */
export const FFDHE_X = {
  ffdhe2048: { bits: 2048, x: 560316n },
  ffdhe3072: { bits: 3072, x: 2625351n },
  ffdhe4096: { bits: 4096, x: 5736041n },
  ffdhe6144: { bits: 6144, x: 15705020n },
  ffdhe8192: { bits: 8192, x: 10965728n },
} as const;

/** The name of an RFC 7919 group. */
export type FfdheName = keyof typeof FFDHE_X;

/** Extra bits carried while summing the series for e, so truncating each term cannot reach the bits we keep. */
const GUARD_BITS = 64;

/** ⌊2^precision · e⌋, from e = Σ 1/j! (j = 0, 1, 2, …) summed in integers until the terms vanish. */
function scaledE(precision: number): bigint {
  let sum = 0n;
  let term = 1n << BigInt(precision + GUARD_BITS);
  for (let j = 1n; term > 0n; j++) {
    sum += term;
    term /= j;
  }
  return sum >> BigInt(GUARD_BITS);
}

const moduli = new Map<FfdheName, bigint>();

/**
 * The modulus p of an RFC 7919 group.
 *
 * The tests compare all five with the groups OpenSSL has built in.
 */
export function ffdhePrime(name: FfdheName): bigint {
  let p = moduli.get(name);
  if (p === undefined) {
    const { bits, x } = FFDHE_X[name];
    const b = BigInt(bits);
    p = (1n << b) - (1n << (b - 64n)) + (scaledE(bits - 130) + x) * (1n << 64n) - 1n;
    moduli.set(name, p);
  }
  return p;
}
