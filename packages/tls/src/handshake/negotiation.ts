/**
 * Picking the configured subset of the provider's algorithms, in preference order, and the
 * protocol versions that subset can speak.
 * @module
 */
import type { CipherSuite, CryptoProvider, KeyExchangeGroup, NamedGroupName, SignatureScheme } from '../crypto/provider.js';
import type { CommonConfig } from './config.js';
import { ecdheGroups, tls12CipherSuites, type Tls12CipherSuite } from './tls12/cipher-suites.js';
import { TLS12, TLS13, versionRange } from './versions.js';

function pick<T extends { name: string }>(all: readonly T[], names: readonly string[] | undefined, what: string): T[] {
  if (!names) return [...all];
  return names.map((n) => {
    const found = all.find((x) => x.name === n);
    if (!found) throw new Error(`${what} ${n} is not supported by the crypto provider`);
    return found;
  });
}

/** What a configuration allows: algorithms in preference order, and the versions they can speak. */
export interface ConfiguredAlgorithms {
  /** TLS 1.3 cipher suites. */
  suites: CipherSuite[];
  /** TLS 1.2 cipher suites (none when TLS 1.2 is not spoken). */
  tls12Suites: Tls12CipherSuite[];
  groups: KeyExchangeGroup[];
  schemes: SignatureScheme[];
  /** The versions to offer or accept, highest first: those in minVersion..maxVersion the suites and groups leave. */
  versions: number[];
}

/** The cipher suites, groups, signature schemes and versions a configuration allows. */
export function configuredAlgorithms(provider: CryptoProvider, config: CommonConfig): ConfiguredAlgorithms {
  const all12 = tls12CipherSuites(provider);
  const names = config.cipherSuites;
  // One list names both versions' suites (as node:tls's `ciphers` does); each version takes its own.
  const suites = pick(provider.cipherSuites, names?.filter((n) => !all12.some((s) => s.name === n)), 'cipher suite');
  const tls12Suites = pick(all12, names?.filter((n) => all12.some((s) => s.name === n)), 'cipher suite');
  const groups = pick(provider.groups, config.groups, 'group');
  const schemes = pick(provider.signatureSchemes, config.signatureSchemes, 'signature scheme');
  const usable = (v: number) => (v === TLS13 ? suites.length > 0 : tls12Suites.length > 0 && ecdheGroups(groups).length > 0);
  const versions = versionRange(config).filter(usable);
  if (!versions.length || !groups.length || !schemes.length) throw new Error('configuration leaves no cipher suite, group or signature scheme');
  return { suites: versions.includes(TLS13) ? suites : [], tls12Suites: versions.includes(TLS12) ? tls12Suites : [], groups, schemes, versions };
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
