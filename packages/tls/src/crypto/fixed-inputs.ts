/**
 * A provider with fixed "random" inputs, for deterministic tests and for replaying
 * RFC 8448 byte for byte: the traces print every random value, ephemeral private
 * key and (implicitly, through the signature) RSA-PSS salt they used.
 *
 * Each input is strict: a request that does not match what was queued, or that
 * comes after the queue is empty, throws. A test thus finds out at once when the
 * engine draws randomness in a different order or amount than the trace expects.
 * Never use this outside tests.
 * @module
 */

import type { CryptoProvider, KeyExchangeGroup, NamedGroupName, SignatureScheme } from './provider.js';

/**
 * The inputs to fix. Anything left out comes from the base provider as usual.
 * @category Crypto providers
 */
export interface FixedInputs {
  /**
   * Byte strings that `randomBytes` returns, one per call, in order (for example the
   * ClientHello random, then a legacy_session_id). Each call must ask for exactly
   * the length of the next string.
   */
  readonly random?: readonly Uint8Array[];
  /**
   * What each named group draws for its key share instead of fresh random bytes: the
   * ephemeral private key of a Diffie–Hellman group, the seed (client) or message (server)
   * of ML-KEM, a hybrid's parts' concatenated.
   */
  readonly keyShares?: Partial<Record<NamedGroupName, Uint8Array>>;
  /** Salts the rsa_pss_* schemes use, one per signature, in order. */
  readonly pssSalts?: readonly Uint8Array[];
}

/** A function that hands out `values` in order, checking each requested length. */
function queue(what: string, values: readonly Uint8Array[]): (n: number) => Uint8Array {
  let next = 0;
  return (n) => {
    const value = values[next];
    if (value === undefined) throw new Error(`fixed inputs: no ${what} left (asked for ${n} bytes)`);
    if (value.length !== n) {
      throw new Error(`fixed inputs: ${what} #${next} has ${value.length} bytes, but ${n} were asked for`);
    }
    next++;
    return value.slice();
  };
}

/**
 * Hands out `bytes` in consecutive pieces of the lengths asked for; `finish` checks that
 * every byte was used, so a group that draws more or less than was fixed is caught.
 */
function stream(what: string, bytes: Uint8Array): { draw: (n: number) => Uint8Array; finish: () => void } {
  let offset = 0;
  return {
    draw(n) {
      if (offset + n > bytes.length) throw new Error(`fixed inputs: ${what} has ${bytes.length - offset} bytes, but ${n} were asked for`);
      return bytes.slice(offset, (offset += n));
    },
    finish() {
      if (offset !== bytes.length) throw new Error(`fixed inputs: ${what} has ${bytes.length - offset} unused bytes`);
    },
  };
}

/**
 * A group whose `keyGen` (the client's) and `encaps` (the server's) draw `fixed` instead of
 * fresh random bytes, all of it, in the pieces they ask for. For a Diffie–Hellman group
 * that is the private key (x25519, the NIST curves, the FFDHE exponent); for ML-KEM the
 * 64-byte seed in KeyGen and the 32-byte message in Encaps; for a hybrid, its parts' in order.
 */
function fixedGroup(group: KeyExchangeGroup, fixed: Uint8Array): KeyExchangeGroup {
  const drawing = <T>(use: (randomBytes: (n: number) => Uint8Array) => T): T => {
    const bytes = stream(`${group.name} key share`, fixed);
    const result = use(bytes.draw);
    bytes.finish();
    return result;
  };
  return {
    id: group.id,
    name: group.name,
    keyGen: () => drawing((randomBytes) => group.keyGen(randomBytes)),
    encaps: (peerPublicKey) => drawing((randomBytes) => group.encaps(peerPublicKey, randomBytes)),
    decaps: (ownPrivateKey, ciphertext) => group.decaps(ownPrivateKey, ciphertext),
  };
}

/** A scheme that takes its randomness (for RSA-PSS, the salt) from `salts`. */
function fixedSaltScheme(scheme: SignatureScheme, salts: (n: number) => Uint8Array): SignatureScheme {
  return {
    id: scheme.id,
    name: scheme.name,
    canSign: (key) => scheme.canSign(key),
    canVerify: (key) => scheme.canVerify(key),
    sign: (key, message) => scheme.sign(key, message, salts),
    verify: (key, message, signature) => scheme.verify(key, message, signature),
  };
}

/**
 * `provider` with the given inputs fixed.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, nobleProvider, withFixedInputs } from '@lucid-tls/tls';
 * import { fromHex, toHex } from '@lucid-tls/tls/learn';
 * // RFC 8448 §3's client random and X25519 private key.
 * const provider = withFixedInputs(nobleProvider, {
 *   random: [fromHex('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7')],
 *   keyShares: { x25519: fromHex('49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005') },
 * });
 * // That client offered x25519 alone: no ML-KEM share, whose seed would be drawn too.
 * const hello = new ClientConnection({ provider, groups: ['x25519'], verifyServerCertificate: insecureSkipVerify }).takeOutgoing();
 * console.log(toHex(hello.subarray(11, 19))); // → cb34ecb1e78163ba
 * ```
 * @category Crypto providers
 */
export function withFixedInputs(provider: CryptoProvider, inputs: FixedInputs): CryptoProvider {
  const { random, keyShares = {}, pssSalts } = inputs;
  // One salt queue shared by all PSS schemes: the order of signatures is what counts.
  const salts = pssSalts === undefined ? undefined : queue('PSS salt', pssSalts);
  for (const name of Object.keys(keyShares)) {
    if (!provider.groups.some((group) => group.name === name)) throw new Error(`fixed inputs: the provider has no group ${name}`);
  }
  return {
    cipherSuites: provider.cipherSuites,
    groups: provider.groups.map((group) => {
      const fixed = keyShares[group.name];
      return fixed === undefined ? group : fixedGroup(group, fixed);
    }),
    signatureSchemes: provider.signatureSchemes.map((scheme) =>
      salts !== undefined && scheme.name.startsWith('rsa_pss_') ? fixedSaltScheme(scheme, salts) : scheme,
    ),
    randomBytes: random === undefined ? (n) => provider.randomBytes(n) : queue('random bytes', random),
  };
}
