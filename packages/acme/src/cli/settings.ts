/**
 * The `--out DIR` of `lucid-tls acme`: what it holds, and the settings `renew` and `revoke`
 * read back.
 *
 * ```
 * DIR/cert.pem       the certificate, then its chain (what a server serves)
 * DIR/key.pem        the certificate's private key (0600)
 * DIR/account.key    the ACME account key (0600): keep it to renew and revoke
 * DIR/renewal.json   how the certificate was obtained (no secrets): directory, domains, challenge…
 * ```
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHALLENGE_TYPES, type ChallengeType } from '../challenges/responder.js';
import { writeFileAtomic } from '../files.js';
import { UsageError, parseListen, single, type Options } from './args.js';

/** The files of an output directory. */
export const FILES = { certificate: 'cert.pem', key: 'key.pem', accountKey: 'account.key', settings: 'renewal.json' } as const;

/** How a certificate is obtained, as `renewal.json` keeps it. */
export interface IssuanceSettings {
  directory: string;
  /** An absolute path: `renew` may run from another directory. */
  cafile?: string;
  email: string[];
  domains: string[];
  challenge: ChallengeType;
  httpListen?: string;
  tlsListen?: string;
  dnsHook?: string;
  /** The account URL, once known. */
  accountUrl?: string;
}

/** The settings given on the command line over those saved (for `renew`), checked. */
export function settingsFrom(options: Options, saved: Partial<IssuanceSettings> = {}): IssuanceSettings {
  const pick = (name: string, key: keyof IssuanceSettings) => single(options, name) ?? (saved[key] as string | undefined);
  const directory = pick('directory', 'directory');
  if (directory === undefined) throw new UsageError('--directory URL is needed (the ACME server, e.g. https://acme-v02.api.letsencrypt.org/directory)');
  const domains = options.values.get('domain') ?? saved.domains ?? [];
  if (domains.length === 0) throw new UsageError('at least one --domain is needed');
  const challenge = pick('challenge', 'challenge');
  if (challenge === undefined || !(CHALLENGE_TYPES as readonly string[]).includes(challenge)) throw new UsageError(`--challenge must be ${CHALLENGE_TYPES.join(', ')}`);
  const settings: IssuanceSettings = { directory, email: options.values.get('email') ?? saved.email ?? [], domains, challenge: challenge as ChallengeType };
  const cafile = single(options, 'cafile');
  if (cafile !== undefined) settings.cafile = resolve(cafile);
  else if (saved.cafile !== undefined) settings.cafile = saved.cafile;
  for (const [name, key] of [['http-listen', 'httpListen'], ['tls-listen', 'tlsListen'], ['dns-hook', 'dnsHook']] as const) {
    const value = pick(name, key);
    if (value !== undefined) settings[key] = value;
  }
  if (settings.httpListen !== undefined) parseListen(settings.httpListen, 'http-listen');
  if (settings.tlsListen !== undefined) parseListen(settings.tlsListen, 'tls-listen');
  if (challenge === 'dns-01' && settings.dnsHook === undefined) throw new UsageError('--challenge dns-01 needs --dns-hook CMD');
  if (saved.accountUrl !== undefined && saved.directory === directory) settings.accountUrl = saved.accountUrl;
  return settings;
}

/** The settings saved in `dir`, or an error saying the directory was not made by `issue`. */
export function readSettings(dir: string): IssuanceSettings {
  const path = join(dir, FILES.settings);
  if (!existsSync(path)) throw new Error(`${path} does not exist: run lucid-tls acme issue --out ${dir} first`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  const o = json as Partial<IssuanceSettings>;
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  const valid =
    typeof o === 'object' && o !== null && typeof o.directory === 'string' && strings(o.domains) && strings(o.email ?? []) &&
    (CHALLENGE_TYPES as readonly unknown[]).includes(o.challenge) &&
    [o.cafile, o.httpListen, o.tlsListen, o.dnsHook, o.accountUrl].every(optionalString);
  if (!valid) throw new Error(`${path} is not the settings lucid-tls acme issue writes`);
  return o as IssuanceSettings;
}

/** Saves the settings (no secrets in them: the file is readable). */
export function writeSettings(dir: string, settings: IssuanceSettings): void {
  writeFileAtomic(join(dir, FILES.settings), JSON.stringify(settings, null, 2) + '\n');
}
