/**
 * Picking the configured subset of the provider's algorithms, in preference order.
 * @module
 */
import type { CipherSuite, CryptoProvider, KeyExchangeGroup, NamedGroupName, SignatureScheme } from '../crypto/provider.js';
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

/**
 * The groups a client sends key shares for unless told otherwise, as current browsers do:
 * the post-quantum hybrid X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem) and x25519, so that
 * servers with and without post-quantum support both answer without a HelloRetryRequest.
 */
export const DEFAULT_KEY_SHARE_GROUPS: readonly NamedGroupName[] = ['X25519MLKEM768', 'x25519'];

/**
 * The groups that get a key share in the first ClientHello (§4.2.8): those named in
 * `keyShareGroups` when it is set; else those of {@link DEFAULT_KEY_SHARE_GROUPS} among the
 * configured groups, or, when none of them is, the first configured group.
 */
export function keyShareGroups(groups: readonly KeyExchangeGroup[], keyShareGroups?: readonly NamedGroupName[]): KeyExchangeGroup[] {
  if (keyShareGroups) return groups.filter((g) => keyShareGroups.includes(g.name));
  const defaults = groups.filter((g) => DEFAULT_KEY_SHARE_GROUPS.includes(g.name));
  return defaults.length > 0 ? defaults : groups.slice(0, 1);
}
