/**
 * Command-line options for `lucid-tls client` and `lucid-tls server`: `--name VALUE`
 * (or `--name=VALUE`) for options with a value, `--name` alone for flags, and the
 * host:port and list syntaxes the two commands share.
 * @module
 */
import { isIP } from 'node:net';
import { nobleProvider } from '../crypto/noble.js';
import type { PskKeyExchangeModeName } from '../handshake/config.js';
import type { CipherSuiteName, CryptoProvider, NamedGroupName } from '../crypto/provider.js';
import { tls12CipherSuites } from '../handshake/tls12/cipher-suites.js';
import type { ProtocolName } from '../handshake/versions.js';
import { nodeCryptoProvider } from '../node/crypto/index.js';

/** A mistake in how the command was called (exit status 2, with the usage text). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Which options a command takes: those with a value, and the flags. */
export interface OptionSpec {
  valued: readonly string[];
  flags: readonly string[];
}

/** The options given: the last value of each valued option, and the flags present. */
export interface ParsedOptions {
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `args` against `spec`; anything else (an unknown option, a stray word) is a {@link UsageError}. */
export function parseOptions(args: readonly string[], spec: OptionSpec): ParsedOptions {
  const parsed: ParsedOptions = { values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.flags.add(name);
    } else if (spec.valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      parsed.values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return parsed;
}

/** Rejects options that exclude each other, such as `--trace` and `--trace-json`. */
export function exclusive(parsed: ParsedOptions, ...names: string[]): void {
  const given = names.filter((n) => parsed.flags.has(n) || parsed.values.has(n));
  if (given.length > 1) throw new UsageError(`${given.map((n) => `--${n}`).join(' and ')} exclude each other`);
}

/** A host and port, as in `localhost:8443`, `127.0.0.1:8443` or `[::1]:8443`. */
export interface HostPort {
  host: string | undefined;
  port: number;
}

/**
 * Parses `HOST:PORT` (an IPv6 address in brackets). With `hostOptional`, a bare `PORT`
 * is accepted too and `host` is then undefined.
 */
export function parseHostPort(text: string, what: string, hostOptional = false): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (match) {
    const host = match[1] ?? match[2]!;
    if (match[1] !== undefined && isIP(host) !== 6) throw new UsageError(`--${what}: ${host} is not an IPv6 address`);
    return { host, port: parsePort(match[3]!, what) };
  }
  if (hostOptional && /^\d+$/.test(text)) return { host: undefined, port: parsePort(text, what) };
  throw new UsageError(`--${what} wants ${hostOptional ? '[HOST:]PORT' : 'HOST:PORT'}, not ${text}`);
}

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${what}: ${text} is not a port number`);
  return port;
}

/** A non-negative integer option (e.g. `--tickets 2`). */
export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${what} wants a whole number, not ${text}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${what}: ${text} is too large`);
  return n;
}

/** A list option split on `separator`, without empty items (`TLS_AES_128_GCM_SHA256:TLS_…`). */
export function parseList(text: string, separator: string, what: string): string[] {
  const items = text.split(separator).map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`--${what} is empty`);
  return items;
}

/**
 * A list option of algorithm names (`--ciphers`, `--groups`), each checked against the
 * names the crypto provider implements, so that a mistake is a usage error at once.
 */
export function parseNameList<T extends string>(text: string, separator: string, supported: readonly T[], what: string): T[] {
  return parseList(text, separator, what).map((name) => {
    if (!(supported as readonly string[]).includes(name)) throw new UsageError(`--${what}: ${name} is not supported (${supported.join(', ')})`);
    return name as T;
  });
}

/**
 * The common frame of a subcommand: `--help` prints its usage; a usage mistake prints the
 * reason and the usage and exits 2; otherwise the parsed options are run.
 */
export async function runCommand<T>(
  name: string,
  usage: string,
  args: string[],
  parse: (args: string[]) => T,
  run: (options: T) => Promise<number>,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  let options: T;
  try {
    options = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`lucid-tls ${name}: ${e.message}\n${usage}`);
    return 2;
  }
  return run(options);
}

/** The crypto providers `--crypto` chooses from. */
export const CRYPTO_PROVIDERS = { native: nodeCryptoProvider, noble: nobleProvider } as const;

/** `--crypto noble|native`: the provider the connection computes with (default native, OpenSSL through node:crypto). */
export function cryptoOption(o: ParsedOptions): { name: keyof typeof CRYPTO_PROVIDERS; provider: CryptoProvider } {
  const name = o.values.get('crypto') ?? 'native';
  if (name !== 'native' && name !== 'noble') throw new UsageError(`--crypto wants noble or native, not ${name}`);
  return { name, provider: CRYPTO_PROVIDERS[name] };
}

/** What the algorithm options give a configuration. */
export interface AlgorithmOptions {
  cipherSuites?: CipherSuiteName[];
  groups?: NamedGroupName[];
  alpnProtocols?: string[];
  pskKeyExchangeModes?: PskKeyExchangeModeName[];
  minVersion?: ProtocolName;
  maxVersion?: ProtocolName;
  requireExtendedMasterSecret?: boolean;
}

/** The valued options and flags {@link algorithmOptions} reads, for a command's spec. */
export const ALGORITHM_OPTIONS = { valued: ['ciphers', 'groups', 'alpn', 'psk-modes', 'min-version', 'max-version'], flags: ['allow-no-ems'] } as const;

/** The usage lines of the version options, their descriptions starting at column `column`. */
export function versionUsage(column: number): string {
  const lines: [string, string][] = [
    ['--min-version 1.2|1.3', 'the lowest protocol version (default 1.2)'],
    ['--max-version 1.2|1.3', 'the highest protocol version (default 1.3, preferred)'],
    ['--allow-no-ems', 'TLS 1.2: accept a peer without the extended master secret (RFC 7627)'],
  ];
  return lines.map(([option, text]) => `  ${option.padEnd(column - 2)}${text}\n`).join('');
}

/** `1.2` or `1.3` as a protocol name. */
function versionOption(o: ParsedOptions, name: 'min-version' | 'max-version'): ProtocolName | undefined {
  const value = o.values.get(name);
  if (value === undefined) return undefined;
  if (value !== '1.2' && value !== '1.3') throw new UsageError(`--${name}: 1.2 or 1.3, not ${value}`);
  return `TLSv${value}`;
}

/**
 * `--ciphers` and `--groups` (colon-separated, IANA names, checked against the provider
 * that will use them), `--alpn` and `--psk-modes` (comma-separated; RFC 8446 §4.2.9's names),
 * `--min-version`, `--max-version` and `--allow-no-ems`.
 */
export function algorithmOptions(o: ParsedOptions, provider: CryptoProvider): AlgorithmOptions {
  const out: AlgorithmOptions = {};
  const ciphers = o.values.get('ciphers');
  const suiteNames = [...provider.cipherSuites, ...tls12CipherSuites(provider)].map((c) => c.name);
  if (ciphers !== undefined) out.cipherSuites = parseNameList(ciphers, ':', suiteNames, 'ciphers');
  const groups = o.values.get('groups');
  if (groups !== undefined) out.groups = parseNameList(groups, ':', provider.groups.map((g) => g.name), 'groups');
  const alpn = o.values.get('alpn');
  if (alpn !== undefined) out.alpnProtocols = parseList(alpn, ',', 'alpn');
  const modes = o.values.get('psk-modes');
  if (modes !== undefined) out.pskKeyExchangeModes = parseNameList(modes, ',', ['psk_dhe_ke', 'psk_ke'] as const, 'psk-modes');
  const [minVersion, maxVersion] = [versionOption(o, 'min-version'), versionOption(o, 'max-version')];
  if (minVersion) out.minVersion = minVersion;
  if (maxVersion) out.maxVersion = maxVersion;
  if (minVersion && maxVersion && minVersion > maxVersion) throw new UsageError('--min-version is above --max-version');
  if (o.flags.has('allow-no-ems')) out.requireExtendedMasterSecret = false;
  return out;
}

