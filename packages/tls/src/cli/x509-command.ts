/**
 * The certificate commands of `lucid-tls`:
 *
 * ```
 * lucid-tls x509 show [--json] FILE
 * lucid-tls x509 verify --cafile FILE [--untrusted FILE] [--hostname NAME | --ip ADDR]
 *                       [--purpose server|client] [--profile rfc5280|webpki]
 *                       [--max-depth N] [--at ISO8601] LEAF
 * lucid-tls ca init --out DIR [--key-type ec|ed25519|rsa] [--days N] [--cn NAME] [--force]
 * lucid-tls cert issue --ca DIR --out DIR --name NAME… [--client] [--key-type ec|ed25519|rsa] [--days N]
 * ```
 * Each returns the exit code: 0 on success (and for `--help`), 1 when the certificate is
 * invalid or an operation fails, 2 for a usage error. `verify` prints `OK` and the path
 * it built, one line per certificate (see `explainPath`), or one line
 * `error <code>: <reason>` (to standard output: it is the command's answer).
 * @module
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readCsrs, showCsrs } from './csr-show.js';
import { parseCertificate } from '../x509/certificate.js';
import type { Certificate } from '../x509/certificate.js';
import { certificateToJson, explainCertificate, explainPath } from '../x509/describe.js';
import { X509Error } from '../x509/errors.js';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from '../x509/issue.js';
import type { IssuedKeyType } from '../x509/issue.js';
import { decodePem } from '../x509/pem.js';
import { TrustStore } from '../x509/trust-store.js';
import { DEFAULT_MAX_DEPTH, verifyChain } from '../x509/verify.js';

class UsageError extends Error {}

/** Parsed options: flags with values, repeatable ones as lists, and the remaining operands. */
interface Parsed {
  values: Map<string, string[]>;
  flags: Set<string>;
  operands: string[];
}

/**
 * Parses `args` against the options that take values (`valued`) and those that do not
 * (`boolean`). A valued option listed in `multi` takes every following word up to the
 * next option (`--name a b c`), and may also be repeated.
 */
function parseArgs(args: string[], valued: string[], boolean: string[], multi: string[] = []): Parsed {
  const parsed: Parsed = { values: new Map(), flags: new Set(), operands: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      parsed.operands.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (boolean.includes(name)) {
      parsed.flags.add(name);
    } else if (valued.includes(name)) {
      const list = parsed.values.get(name) ?? [];
      if (inline !== undefined) list.push(inline);
      else {
        if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
        list.push(args[++i]!);
        if (multi.includes(name)) while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) list.push(args[++i]!);
      }
      parsed.values.set(name, list);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return parsed;
}

function single(p: Parsed, name: string): string | undefined {
  const list = p.values.get(name);
  if (list && list.length > 1) throw new UsageError(`--${name} given more than once`);
  return list?.[0];
}

function keyTypeOption(p: Parsed): IssuedKeyType | undefined {
  const value = single(p, 'key-type');
  if (value === undefined) return undefined;
  if (value !== 'ec' && value !== 'ed25519' && value !== 'rsa') throw new UsageError(`--key-type must be ec, ed25519 or rsa, not ${value}`);
  return value;
}

function daysOption(p: Parsed): number | undefined {
  const value = single(p, 'days');
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new UsageError(`--days must be a positive whole number, not ${value}`);
  return Number(value);
}

/** The certificates in a file, PEM (every CERTIFICATE block) or a single DER certificate. */
function readCertificates(path: string): Certificate[] {
  const bytes = new Uint8Array(readFileSync(path));
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN')) {
    const blocks = decodePem(text).filter((b) => b.label === 'CERTIFICATE');
    if (blocks.length === 0) throw new X509Error('pem_malformed', `no CERTIFICATE block in ${path}`);
    return blocks.map((b) => parseCertificate(b.der));
  }
  return [parseCertificate(bytes)];
}

/**
 * Writes `text` to `path` so that a crash leaves either the old file or the new one, never
 * a piece: a temporary file in the same folder, fsync, rename over `path`, fsync the folder.
 * `mode` applies from the start, so a key is never readable by others, even briefly.
 */
function writeFileAtomically(path: string, text: string, mode = 0o644): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temporary, path);
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/** Whether `args` ask for help (`--help` or `-h`). */
const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

/** Prints `help` and exits 0. */
function printHelp(help: string): number {
  process.stdout.write(help);
  return 0;
}

/** Runs `body`, turning usage errors into exit code 2 and certificate or file errors into 1. */
async function run(usage: string, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lucid-tls: ${e.message}\nusage: ${usage}\n`);
      return 2;
    }
    if (e instanceof X509Error) {
      process.stderr.write(`lucid-tls: error ${e.code}: ${e.reason}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && typeof err.path === 'string') {
      process.stderr.write(`lucid-tls: ${err.path}: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
}

const SHOW_USAGE = 'lucid-tls x509 show [--json] FILE';
const VERIFY_USAGE =
  'lucid-tls x509 verify --cafile FILE [--untrusted FILE] [--hostname NAME | --ip ADDR] [--purpose server|client] [--profile rfc5280|webpki] [--max-depth N] [--at ISO8601] LEAF';
const X509_USAGE = `${SHOW_USAGE}\n       ${VERIFY_USAGE}`;

const SHOW_HELP = `usage: ${SHOW_USAGE}
Explains every field of each certificate in FILE (PEM, or one DER certificate): its role
(root, intermediate or leaf; self-signed or not), names, dates, key and what the key is
for, extensions, signature and fingerprint.
  --json                 print the certificate(s) as JSON instead
`;

const VERIFY_HELP = `usage: ${VERIFY_USAGE}
Builds a path from the LEAF certificate to a trust anchor in --cafile and validates it
(RFC 5280 §6). Prints OK and the path, leaf first: role, subject, key type, expiry; the
trust anchor is marked. Or prints "error CODE: reason" and exits 1.
  --cafile FILE          the trust anchors (PEM)
  --untrusted FILE       intermediates (PEM); the LEAF file may also hold them, after the leaf
  --hostname NAME        the DNS name the leaf must carry in its subjectAltName (never the CN)
  --ip ADDR              the IP address the leaf must carry in its subjectAltName
  --purpose server|client   serverAuth (default) or clientAuth
  --profile rfc5280|webpki  path validation alone, or with the rules browsers add (key
                         identifiers, critical basicConstraints in CAs, extendedKeyUsage in
                         the leaf, TLS signature algorithms…); default: webpki for server,
                         rfc5280 for client
  --max-depth N          the most certificates in the path, leaf and anchor included,
                         self-issued intermediates not counted (default ${DEFAULT_MAX_DEPTH})
  --at ISO8601           validate at that time instead of now
`;

const X509_HELP = `usage: ${SHOW_USAGE}
       ${VERIFY_USAGE}
  x509 show --help       what show prints
  x509 verify --help     the options of verify
`;

/** `lucid-tls x509 show|verify …`. */
export async function x509Command(args: string[]): Promise<number> {
  return run(X509_USAGE, () => {
    const [sub, ...rest] = args;
    if (sub === 'show') return wantsHelp(rest) ? printHelp(SHOW_HELP) : show(rest);
    if (sub === 'verify') return wantsHelp(rest) ? printHelp(VERIFY_HELP) : verify(rest);
    if (sub !== undefined && wantsHelp([sub])) return printHelp(X509_HELP);
    throw new UsageError(sub === undefined ? 'x509 needs a subcommand' : `unknown x509 subcommand ${sub}`);
  });
}

function show(args: string[]): number {
  const p = parseArgs(args, [], ['json']);
  if (p.operands.length !== 1) throw new UsageError('x509 show takes one FILE');
  const csrs = readCsrs(p.operands[0]!); // a certificate signing request rather than a certificate
  if (csrs) return showCsrs(csrs, p.flags.has('json'));
  const certs = readCertificates(p.operands[0]!);
  if (p.flags.has('json')) {
    const json = certs.map(certificateToJson);
    process.stdout.write(JSON.stringify(json.length === 1 ? json[0] : json, null, 2) + '\n');
  } else {
    process.stdout.write(certs.map((c) => explainCertificate(c)).join('\n'));
  }
  return 0;
}

function verify(args: string[]): number {
  const p = parseArgs(args, ['cafile', 'untrusted', 'hostname', 'ip', 'purpose', 'profile', 'max-depth', 'at'], []);
  if (p.operands.length !== 1) throw new UsageError('x509 verify takes one LEAF file');
  const cafile = single(p, 'cafile');
  if (cafile === undefined) throw new UsageError('x509 verify needs --cafile');
  const hostname = single(p, 'hostname');
  const ip = single(p, 'ip');
  if (hostname !== undefined && ip !== undefined) throw new UsageError('give --hostname or --ip, not both');
  const purpose = single(p, 'purpose') ?? 'server';
  if (purpose !== 'server' && purpose !== 'client') throw new UsageError(`--purpose must be server or client, not ${purpose}`);
  const profile = single(p, 'profile');
  if (profile !== undefined && profile !== 'rfc5280' && profile !== 'webpki') throw new UsageError(`--profile must be rfc5280 or webpki, not ${profile}`);
  const maxDepthText = single(p, 'max-depth');
  if (maxDepthText !== undefined && !/^[1-9][0-9]{0,2}$/.test(maxDepthText)) throw new UsageError(`--max-depth must be a whole number from 1 to 999, not ${maxDepthText}`);
  const atText = single(p, 'at');
  const at = atText === undefined ? undefined : new Date(atText);
  if (at !== undefined && (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(atText!))) throw new UsageError(`--at must be an ISO 8601 time, not ${atText}`);
  const trustStore = TrustStore.fromPem(readFileSync(cafile, 'utf8'));
  // The LEAF file may hold the whole chain as a server sends it: leaf first.
  const chain = readCertificates(p.operands[0]!);
  const untrustedFile = single(p, 'untrusted');
  if (untrustedFile !== undefined) chain.push(...readCertificates(untrustedFile));
  const result = verifyChain(chain, {
    trustStore,
    purpose,
    ...(profile !== undefined ? { profile } : {}),
    ...(maxDepthText !== undefined ? { maxDepth: Number(maxDepthText) } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(ip !== undefined ? { ip } : {}),
    ...(at !== undefined ? { at } : {}),
  });
  if (result.ok) {
    process.stdout.write(`OK\npath (leaf first, ${purpose} certificate, profile ${result.profile}):\n${indent(explainPath(result.path))}\n`);
    return 0;
  }
  process.stdout.write(`error ${result.code}: ${result.message}\n`);
  return 1;
}

const indent = (text: string) => text.replace(/^/gm, '  ');

const CA_USAGE = 'lucid-tls ca init --out DIR [--key-type ec|ed25519|rsa] [--days N] [--cn NAME] [--force]';

const CA_HELP = `usage: ${CA_USAGE}
Creates a local certificate authority, as mkcert does: a self-signed root (basicConstraints
cA, pathLen 0, critical; keyUsage keyCertSign and cRLSign; a subjectKeyIdentifier).
  --out DIR              writes DIR/ca.pem (the certificate, to trust) and DIR/ca.key (the key, mode 0600)
  --key-type ec|ed25519|rsa   ECDSA P-256 (default), Ed25519 or RSA 2048
  --days N               validity in days (default 3650)
  --cn NAME              the CA's common name (default "Lucid TLS local CA")
  --force                replace an existing CA in DIR
`;

/** `lucid-tls ca init --out DIR`: writes DIR/ca.pem and DIR/ca.key. */
export async function caCommand(args: string[]): Promise<number> {
  return run(CA_USAGE, () => {
    if (wantsHelp(args)) return printHelp(CA_HELP);
    const [sub, ...rest] = args;
    if (sub !== 'init') throw new UsageError(sub === undefined ? 'ca needs a subcommand' : `unknown ca subcommand ${sub}`);
    const p = parseArgs(rest, ['out', 'key-type', 'days', 'cn'], ['force']);
    if (p.operands.length > 0) throw new UsageError(`unexpected argument ${p.operands[0]}`);
    const out = single(p, 'out');
    if (out === undefined) throw new UsageError('ca init needs --out DIR');
    const keyPath = join(out, 'ca.key');
    if (existsSync(keyPath) && !p.flags.has('force')) {
      process.stderr.write(`lucid-tls: ${keyPath} exists; use --force to replace the CA\n`);
      return 1;
    }
    const keyType = keyTypeOption(p);
    const days = daysOption(p);
    const commonName = single(p, 'cn');
    const ca = createCertificateAuthority({
      ...(keyType ? { keyType } : {}),
      ...(days ? { days } : {}),
      ...(commonName ? { commonName } : {}),
    });
    mkdirSync(out, { recursive: true });
    writeFileAtomically(keyPath, ca.keyPem, 0o600);
    writeFileAtomically(join(out, 'ca.pem'), ca.certPem);
    process.stdout.write(
      `Created a local CA "${ca.certificate.subject.rdns.flat().map((a) => `${a.name}=${a.value}`).join(', ')}"\n` +
        `  ${join(out, 'ca.pem')}  the certificate: add it to the trust stores that should trust what it issues\n` +
        `  ${keyPath}  the private key: keep it secret\n`,
    );
    return 0;
  });
}

const CERT_USAGE = 'lucid-tls cert issue --ca DIR --out DIR --name NAME… [--client] [--key-type ec|ed25519|rsa] [--days N]';

const CERT_HELP = `usage: ${CERT_USAGE}
Issues a certificate signed by the CA that \`ca init\` made, for the names given, with a new
key. It follows the profile browsers check: names in the subjectAltName, extendedKeyUsage
serverAuth (or clientAuth), authority and subject key identifiers, cA false.
  --ca DIR               the CA's folder (ca.pem and ca.key)
  --out DIR              writes DIR/cert.pem and DIR/key.pem (mode 0600)
  --name NAME…           DNS names, IP addresses, e-mail addresses (a@b) or URIs (scheme://…)
  --client               a client certificate (clientAuth) instead of a server one
  --key-type ec|ed25519|rsa   ECDSA P-256 (default), Ed25519 or RSA 2048
  --days N               validity in days (default 825)
`;

/** `lucid-tls cert issue …`: writes DIR/cert.pem and DIR/key.pem. */
export async function certCommand(args: string[]): Promise<number> {
  return run(CERT_USAGE, () => {
    if (wantsHelp(args)) return printHelp(CERT_HELP);
    const [sub, ...rest] = args;
    if (sub !== 'issue') throw new UsageError(sub === undefined ? 'cert needs a subcommand' : `unknown cert subcommand ${sub}`);
    const p = parseArgs(rest, ['ca', 'out', 'name', 'key-type', 'days'], ['client'], ['name']);
    if (p.operands.length > 0) throw new UsageError(`unexpected argument ${p.operands[0]}`);
    const caDir = single(p, 'ca');
    const out = single(p, 'out');
    const names = p.values.get('name') ?? [];
    if (caDir === undefined || out === undefined || names.length === 0) throw new UsageError('cert issue needs --ca DIR, --out DIR and at least one --name');
    const ca = loadCertificateAuthority(readFileSync(join(caDir, 'ca.pem'), 'utf8'), readFileSync(join(caDir, 'ca.key'), 'utf8'));
    const keyType = keyTypeOption(p);
    const days = daysOption(p);
    const issued = issueCertificate(ca, {
      names,
      client: p.flags.has('client'),
      ...(keyType ? { keyType } : {}),
      ...(days ? { days } : {}),
    });
    mkdirSync(out, { recursive: true });
    writeFileAtomically(join(out, 'key.pem'), issued.keyPem, 0o600);
    writeFileAtomically(join(out, 'cert.pem'), issued.certPem);
    const sans = (issued.certificate.subjectAltNames ?? []).map((n) => `${n.type}:${n.value}`).join(', ');
    process.stdout.write(
      `Issued a ${p.flags.has('client') ? 'client' : 'server'} certificate for ${sans}, valid until ${issued.certificate.notAfter.toISOString()}\n` +
        `  ${join(out, 'cert.pem')}\n  ${join(out, 'key.pem')}\n`,
    );
    return 0;
  });
}
