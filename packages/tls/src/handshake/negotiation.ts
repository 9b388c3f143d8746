/**
 * Picking the configured subset of the provider's algorithms, in preference order, and the
 * protocol versions that subset can speak.
 * @module
 */
import type { CipherSuite, CryptoProvider, KeyExchangeGroup, SignatureScheme } from '../crypto/provider.js';
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
