/**
 * Picking the configured subset of the provider's algorithms, in preference order.
 * @module
 */
import type { CipherSuite, CryptoProvider, KeyExchangeGroup, SignatureScheme } from '../crypto/provider.js';
import type { CommonConfig } from './config.js';

function pick<T extends { name: string }>(all: readonly T[], names: readonly string[] | undefined, what: string): T[] {
  if (!names) return [...all];
  return names.map((n) => {
    const found = all.find((x) => x.name === n);
    if (!found) throw new Error(`${what} ${n} is not supported by the crypto provider`);
    return found;
  });
}

/** The cipher suites, groups and signature schemes a configuration allows. */
export function configuredAlgorithms(provider: CryptoProvider, config: CommonConfig): {
  suites: CipherSuite[];
  groups: KeyExchangeGroup[];
  schemes: SignatureScheme[];
} {
  const suites = pick(provider.cipherSuites, config.cipherSuites, 'cipher suite');
  const groups = pick(provider.groups, config.groups, 'group');
  const schemes = pick(provider.signatureSchemes, config.signatureSchemes, 'signature scheme');
  if (!suites.length || !groups.length || !schemes.length) throw new Error('configuration leaves no cipher suite, group or signature scheme');
  return { suites, groups, schemes };
}
