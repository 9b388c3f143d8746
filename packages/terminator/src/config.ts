/**
 * The terminator's settings: the command line (`lucid-terminator --listen … --upstream …`)
 * and the JSON config file hold the same ones, the file a few more. Everything is checked
 * here, once, so the rest of the code can rely on a {@link ResolvedConfig} with every value
 * present and in the unit it is used in (milliseconds, bytes).
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dnsIdentifier } from '@lucid-tls/acme';

/** A host and a TCP port to listen on or connect to. */
export interface HostPort {
  host: string;
  port: number;
}

/** The files of one certificate: the chain (PEM, leaf first) and its private key (PEM). */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** Whether a client certificate must be presented (`required`) or may be (`optional`). */
export type ClientCertMode = 'optional' | 'required';

/**
 * Which crypto provider computes the TLS: `native` (OpenSSL through `node:crypto`: its
 * constant-time, hardware-accelerated primitives) or `noble` (JavaScript, `@noble/*`).
 */
export type CryptoChoice = 'native' | 'noble';

/** Timeouts, in seconds (fractions allowed). */
export interface TimeoutSettings {
  /** From TCP accept to the end of the TLS handshake (default 10). */
  handshake?: number;
  /** To receive a complete request head once it has begun (slowloris; default 10). */
  headers?: number;
  /** A connection with no request in flight is closed after this (default 60). */
  idle?: number;
  /** To get the upstream's response head, and between two pieces of its body (default 60). */
  upstream?: number;
  /** On shutdown, how long requests in flight may take before their connections are cut (default 30). */
  shutdown?: number;
}

/**
 * Everything the terminator can be told, as the JSON config file spells it. The command
 * line sets the same fields; its values win over the file's.
 */
export interface TerminatorConfig {
  /** Where HTTPS is served. */
  listen: HostPort | string;
  /** The application server, `http://host:port`. */
  upstream: string;
  /**
   * One or more certificates; the first is the default when SNI matches none. Required
   * unless `acme` obtains them.
   */
  certificates?: CertificateFiles[];
  /** A plain-HTTP listener that redirects everything to https (301). */
  redirectFrom?: HostPort | string;
  /**
   * The https port redirects point to (default: the port of `listen`); set it when the
   * terminator is reached through another port than the one it listens on.
   */
  redirectToPort?: number;
  /** Adds `Strict-Transport-Security: max-age=N` to every HTTPS response. */
  hsts?: number;
  /** CA certificates (PEM) that client certificates must chain to: turns on mTLS. */
  clientCa?: string;
  /** With `clientCa`: `required` (default) or `optional`. */
  clientCert?: ClientCertMode;
  /** Where to serve Prometheus metrics (`GET /metrics`). */
  metrics?: HostPort | string;
  /**
   * Peers (IP addresses or CIDR ranges) whose X-Forwarded-* / Forwarded /
   * X-Forwarded-Client-Cert headers are kept and appended to; everybody else's are removed.
   */
  trustedProxies?: string[];
  /**
   * The lowest TLS version accepted: `TLSv1.2` (default: TLS 1.2's safe subset for the clients
   * that still need it, TLS 1.3 for the rest) or `TLSv1.3`.
   */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Accept TLS 1.3 0-RTT early data (RFC 8446 §4.2.10, RFC 8470). Default false. */
  earlyData?: boolean;
  /** The most early data accepted per connection, in bytes (default 16384). */
  maxEarlyDataSize?: number;
  /** Session tickets (RFC 8446 §4.6.1): how many after each full handshake, and the ticket key's lifetime. */
  tickets?: { count?: number; rotateSeconds?: number; lifetimeSeconds?: number };
  timeouts?: TimeoutSettings;
  /** Connections beyond this many are refused (default 10000). */
  maxConnections?: number;
  /** The largest request head accepted, in bytes (default 16384); larger gets 431. */
  maxHeaderSize?: number;
  /** Upstream connections kept in the pool (default 128). */
  upstreamConnections?: number;
  /** Reload certificates when their files change (default true; SIGHUP always reloads). */
  watchCertificates?: boolean;
  /** Where the JSON access log goes: `-` (stdout, the default), a file path, or false for none. */
  accessLog?: string | false;
  /** The crypto provider (default `native`). */
  crypto?: CryptoChoice;
  /**
   * Each connection begins with a PROXY protocol header (v1 or v2) from a layer-4 load
   * balancer, which must be in `trustedProxies`; the client it names is the one logged
   * and forwarded. Default false.
   */
  proxyProtocol?: boolean;
  /** A file of session ticket keys shared with other terminators (format: ticket-keys.ts, README). */
  ticketKeys?: string;
  /**
   * Processes serving connections, for the command line (default: the number of CPUs);
   * 1 runs in one process without a cluster. `startTerminator` always runs in the calling process.
   */
  workers?: number;
  /** Certificates obtained and renewed from an ACME server (acme.ts, README). */
  acme?: AcmeSettings;
}

/** The challenge types the terminator answers itself: on its HTTPS listener, or on its redirect listener. */
export type AcmeChallengeType = 'tls-alpn-01' | 'http-01';

/**
 * Where and how the terminator gets its own certificates (RFC 8555), as the config file
 * spells it; the `--acme-*` flags set the same fields.
 */
export interface AcmeSettings {
  /** The ACME server's directory URL, e.g. `https://acme-v02.api.letsencrypt.org/directory`. */
  directory: string;
  /** Contact addresses of the account (`mailto:` is added). */
  email?: string[];
  /**
   * The certificates to obtain, one per entry: a name, or several names separated by
   * commas for one certificate naming them all (`"example.com,www.example.com"`).
   */
  domains: string[];
  /** Where the account key, certificates and keys are kept (default {@link DEFAULT_ACME_DIR}). */
  dir?: string;
  /** The CAs the ACME server's own HTTPS certificate must chain to (default: the system's). */
  cafile?: string;
  /** `tls-alpn-01` (default: answered on `listen`) or `http-01` (answered on `redirectFrom`). */
  challenge?: AcmeChallengeType;
  /** Agree to the CA's terms of service when the account is created (RFC 8555 §7.3: never by default). */
  agreeTos?: boolean;
  /**
   * For tests: renew this many seconds after a certificate is obtained or loaded, instead
   * of two thirds into its lifetime.
   */
  renewAfter?: number;
  /** The first wait after a failed order, in seconds (default 60); it doubles up to an hour. */
  retryDelay?: number;
}

/** The default `acme.dir`: state kept across restarts, where system daemons keep it. */
export const DEFAULT_ACME_DIR = '/var/lib/lucid-terminator/acme';

/** {@link AcmeSettings} checked and completed; durations in milliseconds. */
export interface ResolvedAcme {
  directory: string;
  email: string[];
  /** The names of each certificate, lower case. */
  certificates: string[][];
  dir: string;
  cafile: string | undefined;
  challenge: AcmeChallengeType;
  agreeTos: boolean;
  renewAfterMs: number | undefined;
  retryMs: number;
}

/** A {@link TerminatorConfig} checked and completed; durations in milliseconds. */
export interface ResolvedConfig {
  listen: HostPort;
  upstream: URL;
  certificates: CertificateFiles[];
  redirectFrom: HostPort | undefined;
  redirectToPort: number | undefined;
  hsts: number | undefined;
  clientCa: string | undefined;
  clientCert: ClientCertMode;
  metrics: HostPort | undefined;
  trustedProxies: string[];
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  earlyData: boolean;
  maxEarlyDataSize: number;
  tickets: { count: number; rotateMs: number; lifetimeSeconds: number };
  timeouts: { handshake: number; headers: number; idle: number; upstream: number; shutdown: number };
  maxConnections: number;
  maxHeaderSize: number;
  upstreamConnections: number;
  watchCertificates: boolean;
  accessLog: string | false;
  crypto: CryptoChoice;
  proxyProtocol: boolean;
  ticketKeys: string | undefined;
  workers: number;
  acme: ResolvedAcme | undefined;
}

/** A setting that is missing or wrong; the message says which and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const TOP_LEVEL_KEYS = new Set<string>([
  'listen', 'upstream', 'certificates', 'redirectFrom', 'redirectToPort', 'hsts', 'clientCa', 'clientCert', 'metrics',
  'trustedProxies', 'minVersion', 'earlyData', 'maxEarlyDataSize', 'tickets', 'timeouts', 'maxConnections', 'maxHeaderSize',
  'upstreamConnections', 'watchCertificates', 'accessLog', 'proxyProtocol', 'ticketKeys', 'workers', 'acme', 'crypto',
]);
const ACME_KEYS = new Set<string>(['directory', 'email', 'domains', 'dir', 'cafile', 'challenge', 'agreeTos', 'renewAfter', 'retryDelay']);
const TIMEOUT_KEYS = ['handshake', 'headers', 'idle', 'upstream', 'shutdown'] as const;
const DEFAULT_TIMEOUTS = { handshake: 10, headers: 10, idle: 60, upstream: 60, shutdown: 30 };

/** `HOST:PORT` (`[::1]:8443` for IPv6) into its parts. */
export function parseHostPort(text: string, what: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!match) throw new ConfigError(`${what}: expected HOST:PORT, got ${JSON.stringify(text)}`);
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && isIP(match[1]) !== 6) throw new ConfigError(`${what}: ${match[1]} is not an IPv6 address`);
  return { host: host === '' ? '0.0.0.0' : host, port: port(Number(match[3]), what) };
}

function port(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${what}: port must be 0..65535`);
  return n;
}

function hostPort(value: HostPort | string | undefined, what: string): HostPort | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseHostPort(value, what);
  if (typeof value !== 'object' || value === null || typeof value.host !== 'string') throw new ConfigError(`${what}: expected "HOST:PORT" or { host, port }`);
  return { host: value.host, port: port(value.port, what) };
}

function positive(value: unknown, what: string, fallback: number, options: { integer?: boolean; zero?: boolean } = {}): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && (options.zero ? value >= 0 : value > 0) && (!options.integer || Number.isInteger(value));
  if (!ok) throw new ConfigError(`${what}: expected a ${options.integer ? 'whole ' : ''}number ${options.zero ? '≥ 0' : '> 0'}, got ${JSON.stringify(value)}`);
  return value as number;
}

/** An IP address or CIDR range, as `trustedProxies` takes them. */
export function checkAddressOrCidr(entry: string): void {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) throw new ConfigError(`trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
  if (prefix !== undefined) {
    const bits = Number(prefix);
    if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) throw new ConfigError(`trustedProxies: bad prefix length in ${entry}`);
  }
}

/**
 * Checks a config and fills in the defaults. Relative file names are taken relative to
 * `baseDir` (the config file's folder; the working directory for the command line).
 */
export function resolveConfig(config: TerminatorConfig, baseDir = process.cwd()): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw new ConfigError('the config must be an object');
  for (const key of Object.keys(config)) if (!TOP_LEVEL_KEYS.has(key)) throw new ConfigError(`unknown setting ${JSON.stringify(key)}`);

  const listen = hostPort(config.listen, 'listen');
  if (!listen) throw new ConfigError('listen: required (HOST:PORT)');

  if (typeof config.upstream !== 'string') throw new ConfigError('upstream: required (http://HOST:PORT)');
  let upstream: URL;
  try {
    upstream = new URL(config.upstream);
  } catch {
    throw new ConfigError(`upstream: ${JSON.stringify(config.upstream)} is not a URL`);
  }
  if (upstream.protocol !== 'http:') throw new ConfigError('upstream: only http:// upstreams are supported (TLS ends here)');
  if ((upstream.pathname !== '/' && upstream.pathname !== '') || upstream.search || upstream.username) {
    throw new ConfigError('upstream: give only http://HOST:PORT (no path, query or credentials)');
  }

  const acme = config.acme === undefined ? undefined : resolveAcme(config.acme, baseDir);
  const given = config.certificates ?? [];
  if (!Array.isArray(given) || (given.length === 0 && !acme)) throw new ConfigError('certificates: at least one --cert/--key pair is required (or --acme-* to obtain them)');
  const certificates = given.map((pair, i) => {
    if (typeof pair?.cert !== 'string' || typeof pair?.key !== 'string') throw new ConfigError(`certificates[${i}]: needs both cert and key`);
    return { cert: resolve(baseDir, pair.cert), key: resolve(baseDir, pair.key) };
  });

  if (config.clientCert !== undefined && config.clientCert !== 'optional' && config.clientCert !== 'required') {
    throw new ConfigError('clientCert: optional or required');
  }
  if (config.clientCert !== undefined && config.clientCa === undefined) throw new ConfigError('clientCert needs clientCa (--client-ca FILE)');
  if (config.clientCa !== undefined && typeof config.clientCa !== 'string') throw new ConfigError('clientCa: a file name');

  const trustedProxies = config.trustedProxies ?? [];
  if (!Array.isArray(trustedProxies)) throw new ConfigError('trustedProxies: a list of addresses or CIDR ranges');
  trustedProxies.forEach(checkAddressOrCidr);

  const timeouts = { ...DEFAULT_TIMEOUTS };
  if (config.timeouts !== undefined) {
    if (typeof config.timeouts !== 'object' || config.timeouts === null) throw new ConfigError('timeouts: an object of seconds');
    for (const key of Object.keys(config.timeouts)) {
      if (!(TIMEOUT_KEYS as readonly string[]).includes(key)) throw new ConfigError(`timeouts: unknown timeout ${JSON.stringify(key)}`);
    }
    for (const key of TIMEOUT_KEYS) timeouts[key] = positive(config.timeouts[key], `timeouts.${key}`, timeouts[key]);
  }
  const tickets = config.tickets ?? {};
  if (config.accessLog !== undefined && config.accessLog !== false && typeof config.accessLog !== 'string') {
    throw new ConfigError('accessLog: "-", a file name, or false');
  }
  if (config.minVersion !== undefined && config.minVersion !== 'TLSv1.2' && config.minVersion !== 'TLSv1.3') {
    throw new ConfigError('minVersion: TLSv1.2 or TLSv1.3');
  }
  if (config.crypto !== undefined && config.crypto !== 'native' && config.crypto !== 'noble') throw new ConfigError('crypto: native or noble');
  for (const flag of ['earlyData', 'watchCertificates', 'proxyProtocol'] as const) {
    if (config[flag] !== undefined && typeof config[flag] !== 'boolean') throw new ConfigError(`${flag}: true or false`);
  }
  // PROXY protocol §5: accepting the header from anybody would let anybody choose their address.
  if (config.proxyProtocol && trustedProxies.length === 0) throw new ConfigError('proxyProtocol needs trustedProxies: the load balancers allowed to send the header');
  if (config.ticketKeys !== undefined && typeof config.ticketKeys !== 'string') throw new ConfigError('ticketKeys: a file name');
  if (acme?.challenge === 'http-01' && config.redirectFrom === undefined) throw new ConfigError('acme: http-01 is answered on the redirect listener: add --redirect-from HOST:PORT');

  return {
    listen,
    upstream,
    certificates,
    redirectFrom: hostPort(config.redirectFrom, 'redirectFrom'),
    redirectToPort: config.redirectToPort === undefined ? undefined : port(config.redirectToPort, 'redirectToPort'),
    hsts: config.hsts === undefined ? undefined : positive(config.hsts, 'hsts', 0, { integer: true, zero: true }),
    clientCa: config.clientCa === undefined ? undefined : resolve(baseDir, config.clientCa),
    clientCert: config.clientCert ?? 'required',
    metrics: hostPort(config.metrics, 'metrics'),
    trustedProxies,
    minVersion: config.minVersion ?? 'TLSv1.2',
    earlyData: config.earlyData ?? false,
    maxEarlyDataSize: positive(config.maxEarlyDataSize, 'maxEarlyDataSize', 16384, { integer: true }),
    tickets: {
      count: positive(tickets.count, 'tickets.count', 2, { integer: true, zero: true }),
      rotateMs: positive(tickets.rotateSeconds, 'tickets.rotateSeconds', 12 * 3600) * 1000,
      // RFC 8446 §4.6.1: at most seven days.
      lifetimeSeconds: Math.min(positive(tickets.lifetimeSeconds, 'tickets.lifetimeSeconds', 7200, { integer: true }), 604800),
    },
    timeouts: {
      handshake: timeouts.handshake * 1000,
      headers: timeouts.headers * 1000,
      idle: timeouts.idle * 1000,
      upstream: timeouts.upstream * 1000,
      shutdown: timeouts.shutdown * 1000,
    },
    maxConnections: positive(config.maxConnections, 'maxConnections', 10_000, { integer: true }),
    maxHeaderSize: positive(config.maxHeaderSize, 'maxHeaderSize', 16384, { integer: true }),
    upstreamConnections: positive(config.upstreamConnections, 'upstreamConnections', 128, { integer: true }),
    watchCertificates: config.watchCertificates ?? true,
    accessLog: config.accessLog === undefined ? '-' : config.accessLog,
    proxyProtocol: config.proxyProtocol ?? false,
    ticketKeys: config.ticketKeys === undefined ? undefined : resolve(baseDir, config.ticketKeys),
    workers: positive(config.workers, 'workers', availableParallelism(), { integer: true }),
    acme,
    crypto: config.crypto ?? 'native',
  };
}

/** Checks the `acme` settings. */
function resolveAcme(acme: AcmeSettings, baseDir: string): ResolvedAcme {
  if (typeof acme !== 'object' || acme === null || Array.isArray(acme)) throw new ConfigError('acme: an object');
  for (const key of Object.keys(acme)) if (!ACME_KEYS.has(key)) throw new ConfigError(`acme: unknown setting ${JSON.stringify(key)}`);
  let directory: URL;
  try {
    directory = new URL(acme.directory);
  } catch {
    throw new ConfigError(`acme.directory (--acme-directory): ${JSON.stringify(acme.directory)} is not a URL`);
  }
  // RFC 8555 §6.1: every ACME request goes over HTTPS.
  if (directory.protocol !== 'https:') throw new ConfigError('acme.directory (--acme-directory): an https:// URL');
  const strings = (value: unknown, what: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ConfigError(`${what}: a list of strings`);
    return value;
  };
  const email = strings(acme.email, 'acme.email');
  for (const address of email) if (!/^[^\s@:]+@[^\s@]+$/.test(address)) throw new ConfigError(`acme.email: ${JSON.stringify(address)} is not an e-mail address`);
  const certificates = strings(acme.domains, 'acme.domains').map((entry) => entry.split(',').map((name) => acmeName(name.trim())));
  if (certificates.length === 0) throw new ConfigError('acme.domains (--acme-domain): at least one name');
  const all = certificates.flat();
  const twice = all.find((name, i) => all.indexOf(name) !== i);
  if (twice !== undefined) throw new ConfigError(`acme.domains: ${twice} is named twice`);
  if (acme.challenge !== undefined && acme.challenge !== 'tls-alpn-01' && acme.challenge !== 'http-01') throw new ConfigError('acme.challenge (--acme-challenge): tls-alpn-01 or http-01');
  if (acme.dir !== undefined && typeof acme.dir !== 'string') throw new ConfigError('acme.dir: a folder name');
  if (acme.cafile !== undefined && typeof acme.cafile !== 'string') throw new ConfigError('acme.cafile: a file name');
  if (acme.agreeTos !== undefined && typeof acme.agreeTos !== 'boolean') throw new ConfigError('acme.agreeTos: true or false');
  return {
    directory: directory.href,
    email,
    certificates,
    dir: resolve(baseDir, acme.dir ?? DEFAULT_ACME_DIR),
    cafile: acme.cafile === undefined ? undefined : resolve(baseDir, acme.cafile),
    challenge: acme.challenge ?? 'tls-alpn-01',
    agreeTos: acme.agreeTos ?? false,
    renewAfterMs: acme.renewAfter === undefined ? undefined : positive(acme.renewAfter, 'acme.renewAfter', 0) * 1000,
    retryMs: positive(acme.retryDelay, 'acme.retryDelay', 60) * 1000,
  };
}

/**
 * A name the terminator can get a certificate for: a DNS name (RFC 8555 §9.7.7). Not a
 * wildcard: that needs dns-01 (§8.4), which the terminator does not answer.
 */
function acmeName(name: string): string {
  if (name.startsWith('*.')) throw new ConfigError(`acme.domains: ${name}: a wildcard needs dns-01 (use lucid-tls acme issue --challenge dns-01, then --cert)`);
  try {
    return dnsIdentifier(name).value;
  } catch {
    throw new ConfigError(`acme.domains: ${JSON.stringify(name)} is not a domain name`);
  }
}

/** The command line's usage text. */
export const USAGE = `Usage: lucid-terminator --listen HOST:PORT --upstream http://HOST:PORT --cert FILE --key FILE [options]

  --listen HOST:PORT          where HTTPS is served
  --upstream http://HOST:PORT the application server (plain HTTP)
  --cert FILE --key FILE      a certificate chain and its key (PEM); repeat for more, chosen by SNI
                              (the first is the default)
  --redirect-from HOST:PORT   a plain-HTTP listener answering 301 to https://same-host/same-path
  --hsts SECONDS              add Strict-Transport-Security: max-age=SECONDS to HTTPS responses
  --client-ca FILE            validate client certificates against these CAs (mTLS)
  --client-cert MODE          with --client-ca: required (default) or optional
  --metrics HOST:PORT         serve Prometheus metrics at http://HOST:PORT/metrics
  --trusted-proxy ADDR[/BITS] keep forwarding headers from this peer (repeatable)
  --min-version 1.2|1.3       the lowest TLS version accepted (default 1.2: TLS 1.2's safe subset)
  --early-data                accept TLS 1.3 0-RTT (requests get Early-Data: 1, non-idempotent ones 425)
  --access-log FILE|-|off     where the JSON access log goes (default - : stdout)
  --crypto native|noble       the crypto provider: native (default) is OpenSSL through node:crypto,
                              noble is JavaScript (@noble/*)
  --proxy-protocol            each connection begins with a PROXY protocol header (v1 or v2) from
                              a load balancer listed with --trusted-proxy
  --ticket-keys FILE          session ticket keys shared with other terminators (see README.md)
  --workers N                 processes serving connections (default: the number of CPUs; 1: no cluster)
  --acme-directory URL        obtain and renew certificates from this ACME server (instead of, or
                              besides, --cert/--key)
  --acme-domain NAME[,NAME]   a certificate to obtain, for these names (repeatable)
  --acme-email ADDR           the account's contact address (repeatable)
  --acme-agree-tos            agree to the ACME server's terms of service
  --acme-dir DIR              where the account key and certificates are kept
                              (default ${DEFAULT_ACME_DIR})
  --acme-cafile FILE          CAs for the ACME server's own certificate (default: the system's)
  --acme-challenge TYPE       tls-alpn-01 (default: on --listen) or http-01 (on --redirect-from)
  --acme-retry-delay SECONDS  the first wait after a failed order (default 60; doubles up to 1 h)
  --acme-renew-after SECONDS  for tests: renew this long after obtaining, not at 2/3 of the lifetime
  --config FILE               a JSON file with these settings and more (see README.md)
  --help                      this text

Signals: SIGHUP reloads certificates, keys and ticket keys (in every worker); SIGTERM (or SIGINT)
shuts down gracefully.`;

/** The `--acme-*` flags over the config file's `acme` settings. */
function acmeFlags(v: Record<string, string | boolean | string[] | undefined>, file: AcmeSettings | undefined): AcmeSettings | undefined {
  const flag = (name: string) => v[`acme-${name}`];
  const given = Object.keys(v).some((name) => name.startsWith('acme-') && v[name] !== undefined);
  if (!given) return file;
  const acme: Partial<AcmeSettings> = { ...file };
  const directory = flag('directory') as string | undefined;
  if (directory !== undefined) acme.directory = directory;
  if (acme.directory === undefined) throw new ConfigError('--acme-* needs --acme-directory URL (the ACME server)');
  const domains = flag('domain') as string[] | undefined;
  if (domains !== undefined) acme.domains = domains;
  const email = flag('email') as string[] | undefined;
  if (email !== undefined) acme.email = email;
  if (flag('agree-tos')) acme.agreeTos = true;
  const dir = flag('dir') as string | undefined;
  if (dir !== undefined) acme.dir = resolve(dir);
  const cafile = flag('cafile') as string | undefined;
  if (cafile !== undefined) acme.cafile = resolve(cafile);
  const challenge = flag('challenge') as string | undefined;
  if (challenge !== undefined) acme.challenge = challenge as AcmeChallengeType;
  for (const [name, key] of [['renew-after', 'renewAfter'], ['retry-delay', 'retryDelay']] as const) {
    const value = flag(name) as string | undefined;
    if (value === undefined) continue;
    if (!/^\d+(\.\d+)?$/.test(value)) throw new ConfigError(`--acme-${name}: a number of seconds`);
    acme[key] = Number(value);
  }
  return acme as AcmeSettings;
}

/** What the command line asked for. */
export type CommandLine = { help: true } | { help: false; config: TerminatorConfig; baseDir: string };

/**
 * Reads the command line (and the config file it names). Flags override the file;
 * `--cert`/`--key` pairs, when given, replace the file's certificate list.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        upstream: { type: 'string' },
        cert: { type: 'string', multiple: true },
        key: { type: 'string', multiple: true },
        'redirect-from': { type: 'string' },
        hsts: { type: 'string' },
        'client-ca': { type: 'string' },
        'client-cert': { type: 'string' },
        metrics: { type: 'string' },
        'trusted-proxy': { type: 'string', multiple: true },
        'min-version': { type: 'string' },
        'early-data': { type: 'boolean' },
        'access-log': { type: 'string' },
        crypto: { type: 'string' },
        'proxy-protocol': { type: 'boolean' },
        'ticket-keys': { type: 'string' },
        workers: { type: 'string' },
        'acme-directory': { type: 'string' },
        'acme-domain': { type: 'string', multiple: true },
        'acme-email': { type: 'string', multiple: true },
        'acme-agree-tos': { type: 'boolean' },
        'acme-dir': { type: 'string' },
        'acme-cafile': { type: 'string' },
        'acme-challenge': { type: 'string' },
        'acme-renew-after': { type: 'string' },
        'acme-retry-delay': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };

  let config: Partial<TerminatorConfig> = {};
  let baseDir = process.cwd();
  if (v.config !== undefined) {
    const file = resolve(v.config);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`--config: cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      config = JSON.parse(text) as Partial<TerminatorConfig>;
    } catch (e) {
      throw new ConfigError(`--config: ${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError('--config: the file must hold a JSON object');
    // File names in the file are relative to the file; the command line's to the working directory.
    baseDir = dirname(file);
    const rebase = (p: string) => resolve(baseDir, p);
    if (Array.isArray(config.certificates)) config.certificates = config.certificates.map((c) => ({ ...c, cert: rebase(c.cert), key: rebase(c.key) }));
    if (typeof config.clientCa === 'string') config.clientCa = rebase(config.clientCa);
    if (typeof config.accessLog === 'string' && config.accessLog !== '-') config.accessLog = rebase(config.accessLog);
    if (typeof config.ticketKeys === 'string') config.ticketKeys = rebase(config.ticketKeys);
    if (typeof config.acme === 'object' && config.acme !== null) {
      if (typeof config.acme.dir === 'string') config.acme.dir = rebase(config.acme.dir);
      if (typeof config.acme.cafile === 'string') config.acme.cafile = rebase(config.acme.cafile);
    }
  }

  const certs = v.cert ?? [];
  const keys = v.key ?? [];
  if (certs.length !== keys.length) throw new ConfigError('--cert and --key come in pairs');
  if (certs.length > 0) config.certificates = certs.map((cert, i) => ({ cert: resolve(cert), key: resolve(keys[i]!) }));
  if (v.listen !== undefined) config.listen = v.listen;
  if (v.upstream !== undefined) config.upstream = v.upstream;
  if (v['redirect-from'] !== undefined) config.redirectFrom = v['redirect-from'];
  if (v.hsts !== undefined) {
    if (!/^\d+$/.test(v.hsts)) throw new ConfigError('--hsts: a whole number of seconds');
    config.hsts = Number(v.hsts);
  }
  if (v['client-ca'] !== undefined) config.clientCa = resolve(v['client-ca']);
  if (v['client-cert'] !== undefined) config.clientCert = v['client-cert'] as ClientCertMode;
  if (v.metrics !== undefined) config.metrics = v.metrics;
  if (v['trusted-proxy'] !== undefined) config.trustedProxies = v['trusted-proxy'];
  if (v['early-data']) config.earlyData = true;
  if (v['min-version'] !== undefined) {
    if (v['min-version'] !== '1.2' && v['min-version'] !== '1.3') throw new ConfigError('--min-version: 1.2 or 1.3');
    config.minVersion = `TLSv${v['min-version']}`;
  }
  if (v.crypto !== undefined) config.crypto = v.crypto as CryptoChoice;
  if (v['proxy-protocol']) config.proxyProtocol = true;
  if (v['ticket-keys'] !== undefined) config.ticketKeys = resolve(v['ticket-keys']);
  if (v.workers !== undefined) {
    if (!/^[1-9]\d*$/.test(v.workers)) throw new ConfigError('--workers: a whole number ≥ 1');
    config.workers = Number(v.workers);
  }
  const acme = acmeFlags(v, config.acme);
  if (acme) config.acme = acme;
  if (v['access-log'] !== undefined) config.accessLog = v['access-log'] === 'off' ? false : v['access-log'] === '-' ? '-' : resolve(v['access-log']);
  return { help: false, config: config as TerminatorConfig, baseDir };
}
