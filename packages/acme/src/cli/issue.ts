/**
 * `lucid-tls acme issue` and `lucid-tls acme renew`: an account (created once, its key
 * kept in `account.key`), an order, the challenges answered by a standalone listener or a
 * DNS hook, and the certificate and its new key written atomically into `--out DIR`.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificatesPem, parsePrivateKeyPem, privateKeyToPem } from '@lucid-tls/tls/x509';
import { findAccount, newAccount } from '../account.js';
import { DnsHookResponder } from '../challenges/dns-01.js';
import { serveHttp01 } from '../challenges/http-01.js';
import type { ChallengeListener } from '../challenges/listener.js';
import type { ChallengeResponder } from '../challenges/responder.js';
import { ChallengeResponses } from '../challenges/responses.js';
import { serveTlsAlpn01 } from '../challenges/tls-alpn-01.js';
import { AcmeClient } from '../client.js';
import { writeFileAtomic } from '../files.js';
import { obtainCertificate } from '../issuance.js';
import { AcmeError } from '../problem.js';
import { asAccountKey, generateAccountKey, type AccountKey } from '../jws.js';
import { isDueForRenewal, renewalTime } from '../renewal.js';
import { renderAcmeEvent } from '../trace.js';
import { UsageError, parseListen, parseOptions, single, wholeNumber, type Options } from './args.js';
import { FILES, readSettings, settingsFrom, writeSettings, type IssuanceSettings } from './settings.js';

const ISSUANCE_OPTIONS = ['directory', 'cafile', 'email', 'domain', 'challenge', 'http-listen', 'tls-listen', 'dns-hook', 'out', 'account-key-type'];

/** `issue`: a new certificate into `--out DIR`. */
export async function issueCommand(args: string[]): Promise<number> {
  const options = parseOptions(args, { valued: ISSUANCE_OPTIONS, flags: ['agree-tos', 'trace'], multi: ['domain', 'email'] });
  const out = outDir(options);
  const settings = settingsFrom(options);
  return issue(out, settings, options);
}

/** `renew`: the same again, when the certificate in `--out DIR` is due (or `--days N` before it expires). */
export async function renewCommand(args: string[]): Promise<number> {
  const options = parseOptions(args, { valued: [...ISSUANCE_OPTIONS, 'days'], flags: ['agree-tos', 'trace'], multi: ['domain', 'email'] });
  const out = outDir(options);
  const days = wholeNumber(single(options, 'days'), 'days', 0, 100_000);
  const settings = settingsFrom(options, readSettings(out));
  const [current] = parseCertificatesPem(readFileSync(join(out, FILES.certificate), 'utf8'));
  if (current && !isDueForRenewal(current, new Date(), days)) {
    const when = days === undefined ? `from ${renewalTime(current, () => 0).toISOString()}` : `${days} days before ${current.notAfter.toISOString()}`;
    process.stdout.write(`Not due: ${join(out, FILES.certificate)} is valid until ${current.notAfter.toISOString()}; it will be renewed ${when}.\n`);
    return 0;
  }
  return issue(out, settings, options);
}

function outDir(options: Options): string {
  const out = single(options, 'out');
  if (out === undefined) throw new UsageError('--out DIR is needed');
  return out;
}

async function issue(out: string, settings: IssuanceSettings, options: Options): Promise<number> {
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const { key: accountKey, existed } = loadOrCreateAccountKey(out, options);
  const trace = options.flags.has('trace') ? (event: Parameters<typeof renderAcmeEvent>[0]) => process.stderr.write(renderAcmeEvent(event)) : undefined;
  const client = new AcmeClient({
    directoryUrl: settings.directory,
    accountKey,
    ...(settings.accountUrl ? { accountUrl: settings.accountUrl } : {}),
    ...(settings.cafile ? { ca: readFileSync(settings.cafile) } : {}),
    ...(trace ? { trace } : {}),
  });
  if (client.accountUrl === undefined) settings.accountUrl = await accountUrl(client, settings, options, existed);
  const { responder, listeners } = await startResponder(settings);
  let obtained;
  try {
    obtained = await obtainCertificate(client, { domains: settings.domains, challenge: settings.challenge, responder });
  } finally {
    await Promise.all(listeners.map((l) => l.close()));
  }
  // The key first: a server that reloads in between sees a new key with the old certificate,
  // refuses the pair, and keeps serving the old one until the certificate follows.
  writeFileAtomic(join(out, FILES.key), obtained.keyPem, 0o600);
  writeFileAtomic(join(out, FILES.certificate), obtained.certificatePem);
  writeSettings(out, settings);
  const names = (obtained.certificate.subjectAltNames ?? []).map((n) => n.value).join(', ');
  process.stdout.write(
    `Certificate for ${names}, valid until ${obtained.certificate.notAfter.toISOString()} (renew from ${renewalTime(obtained.certificate, () => 0).toISOString()})\n` +
      `  ${join(out, FILES.certificate)}  the certificate and its chain (${obtained.chain.length} certificates)\n` +
      `  ${join(out, FILES.key)}  its private key\n` +
      `  ${join(out, FILES.accountKey)}  the ACME account key (keep it: renew and revoke need it)\n`,
  );
  return 0;
}

/**
 * The account URL: an existing key's account is looked up (§7.3.1); a new account is
 * created, agreeing to the terms of service only when the user said so (§7.3: "Clients
 * SHOULD NOT automatically agree to terms by default").
 */
async function accountUrl(client: AcmeClient, settings: IssuanceSettings, options: Options, keyExisted: boolean): Promise<string> {
  if (keyExisted) {
    try {
      return (await findAccount(client)).url;
    } catch (e) {
      if (!(e instanceof AcmeError && e.is('accountDoesNotExist'))) throw e;
    }
  }
  const terms = (await client.directory()).meta.termsOfService;
  if (terms !== undefined && !options.flags.has('agree-tos')) throw new UsageError(`the CA's terms of service are at ${terms}: read them, then add --agree-tos`);
  const account = await newAccount(client, { contact: settings.email.map((e) => `mailto:${e}`), ...(terms !== undefined ? { termsOfServiceAgreed: true } : {}) });
  return account.url;
}

function loadOrCreateAccountKey(out: string, options: Options): { key: AccountKey; existed: boolean } {
  const path = join(out, FILES.accountKey);
  if (existsSync(path)) return { key: asAccountKey(parsePrivateKeyPem(readFileSync(path, 'utf8'))), existed: true };
  const type = single(options, 'account-key-type') ?? 'es256';
  if (type !== 'es256' && type !== 'eddsa') throw new UsageError(`--account-key-type must be es256 or eddsa, not ${type}`);
  const key = generateAccountKey(type === 'eddsa' ? 'EdDSA' : 'ES256');
  // Saved before the account exists: an account whose key is lost can never be used again.
  writeFileAtomic(path, privateKeyToPem(key), 0o600);
  return { key, existed: false };
}

/** The standalone listener of the challenge type, or the DNS hook. */
async function startResponder(settings: IssuanceSettings): Promise<{ responder: ChallengeResponder; listeners: ChallengeListener[] }> {
  if (settings.challenge === 'dns-01') return { responder: new DnsHookResponder(settings.dnsHook!), listeners: [] };
  const responses = new ChallengeResponses();
  const listener =
    settings.challenge === 'http-01'
      ? await serveHttp01(responses, parseListen(settings.httpListen ?? ':80', 'http-listen'))
      : await serveTlsAlpn01(responses, parseListen(settings.tlsListen ?? ':443', 'tls-listen'));
  return { responder: responses, listeners: [listener] };
}
