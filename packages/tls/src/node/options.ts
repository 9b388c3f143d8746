/**
 * Turning `node:tls`-style options (PEM strings or Buffers, ALPN lists, OpenSSL-style
 * cipher lists) into the engine's configuration: certified keys, trust stores and
 * algorithm names. Shared by `connect` and `createServer`.
 * @module
 */
import { CipherSuiteId, NamedGroupId, type CipherSuiteName, type NamedGroupName } from '../crypto/provider.js';
import type { CertifiedKey, CommonConfig } from '../handshake/config.js';
import type { ProtocolName } from '../handshake/versions.js';
import { parsePrivateKeyPem } from '../x509/keys.js';
import { pemBlocks } from '../x509/pem.js';
import { TrustStore } from '../x509/trust-store.js';

/** PEM text, as a string or as the bytes of a file (what `fs.readFileSync` returns). */
export type PemInput = string | Uint8Array;

/** PEM text of one input. */
export function pemText(input: PemInput): string {
  return typeof input === 'string' ? input : new TextDecoder().decode(input);
}

/**
 * A certificate chain and its leaf's private key from PEM: `cert` holds the leaf first,
 * then any intermediates (the order RFC 8446 §4.4.2 sends them in).
 */
export function certifiedKeyFromPem(cert: PemInput, key: PemInput): CertifiedKey {
  const chain = pemBlocks(pemText(cert), 'CERTIFICATE');
  if (chain.length === 0) throw new TypeError('cert: no CERTIFICATE block in the PEM');
  return { chain, privateKey: parsePrivateKeyPem(pemText(key)) };
}

/** A trust store of every certificate in `ca` (one PEM bundle or several). */
export function trustStoreFromPem(ca: PemInput | readonly PemInput[]): TrustStore {
  const bundles = Array.isArray(ca) ? (ca as readonly PemInput[]) : [ca as PemInput];
  const store = new TrustStore();
  for (const bundle of bundles) for (const cert of TrustStore.fromPem(pemText(bundle)).certificates) store.add(cert);
  if (store.size === 0) throw new TypeError('ca: no CERTIFICATE block in the PEM');
  return store;
}

let systemStore: TrustStore | undefined;

/**
 * The operating system's trust store, read once per process (parsing the ~150 roots of a
 * bundle takes tens of milliseconds, too much to repeat for every connection).
 */
export function systemTrustStore(): TrustStore {
  systemStore ??= TrustStore.system();
  return systemStore;
}

/** ALPN protocol names (RFC 7301) from strings or their bytes. */
export function alpnList(protocols: readonly (string | Uint8Array)[] | undefined): string[] | undefined {
  if (!protocols) return undefined;
  return protocols.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));
}

/** OpenSSL's names of the TLS 1.2 suites we speak (TLS 1.3 suites have the RFC's names in OpenSSL too, §B.4). */
const OPENSSL_TLS12_NAMES: Readonly<Record<string, CipherSuiteName>> = {
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
};

/** A suite's name as `node:tls`'s `getCipher().name` gives it: OpenSSL's. */
export function opensslCipherName(name: CipherSuiteName): string {
  return Object.keys(OPENSSL_TLS12_NAMES).find((k) => OPENSSL_TLS12_NAMES[k] === name) ?? name;
}

/**
 * Cipher suite names from an OpenSSL-style list (`"TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256"`),
 * by the RFC's names or OpenSSL's.
 */
export function cipherSuiteList(ciphers: string | readonly string[] | undefined): CipherSuiteName[] | undefined {
  if (ciphers === undefined) return undefined;
  const names = typeof ciphers === 'string' ? ciphers.split(':').filter((n) => n.length > 0) : [...ciphers];
  return names.map((name) => {
    const rfcName = OPENSSL_TLS12_NAMES[name] ?? name;
    if (!Object.hasOwn(CipherSuiteId, rfcName)) throw new TypeError(`ciphers: unknown cipher suite ${name} (TLS 1.3's, or TLS 1.2's ECDHE with AES-GCM or ChaCha20-Poly1305)`);
    return rfcName as CipherSuiteName;
  });
}

/** A protocol version option (`'TLSv1.2'` or `'TLSv1.3'`, as in node:tls), checked. */
function protocolVersion(value: string | undefined, what: string): ProtocolName | undefined {
  if (value === undefined) return undefined;
  if (value !== 'TLSv1.2' && value !== 'TLSv1.3') throw new TypeError(`${what}: 'TLSv1.2' or 'TLSv1.3', not ${value}`);
  return value;
}

/** Key-exchange group names (the IANA registry's: `X25519MLKEM768`, `x25519`, `secp256r1`, …), checked. */
export function groupList(groups: readonly string[] | undefined): NamedGroupName[] | undefined {
  if (groups === undefined) return undefined;
  return groups.map((name) => {
    if (!Object.hasOwn(NamedGroupId, name)) throw new TypeError(`groups: unknown group ${name}`);
    return name as NamedGroupName;
  });
}

/** The engine settings {@link algorithmSettings} makes. */
type AlgorithmSettings = Pick<CommonConfig, 'alpnProtocols' | 'cipherSuites' | 'groups' | 'minVersion' | 'maxVersion' | 'requireExtendedMasterSecret'>;

/** The options both `connect` and `createServer` take: ALPN, cipher suites, groups and versions, as engine settings. */
export function algorithmSettings(options: {
  ALPNProtocols?: readonly (string | Uint8Array)[] | undefined;
  ciphers?: string | readonly string[] | undefined;
  groups?: readonly string[] | undefined;
  minVersion?: string | undefined;
  maxVersion?: string | undefined;
  requireExtendedMasterSecret?: boolean | undefined;
}): AlgorithmSettings {
  const settings: AlgorithmSettings = {};
  const minVersion = protocolVersion(options.minVersion, 'minVersion');
  if (minVersion) settings.minVersion = minVersion;
  const maxVersion = protocolVersion(options.maxVersion, 'maxVersion');
  if (maxVersion) settings.maxVersion = maxVersion;
  if (options.requireExtendedMasterSecret !== undefined) settings.requireExtendedMasterSecret = options.requireExtendedMasterSecret;
  const alpn = alpnList(options.ALPNProtocols);
  if (alpn) settings.alpnProtocols = alpn;
  const suites = cipherSuiteList(options.ciphers);
  if (suites) settings.cipherSuites = suites;
  const groups = groupList(options.groups);
  if (groups) settings.groups = groups;
  return settings;
}

