/**
 * The terminator's settings: the command line (`lucid-terminator --listen … --upstream …`)
 * and the JSON config file hold the same ones, the file a few more. Everything is checked
 * here, once, so the rest of the code can rely on a {@link ResolvedConfig} with every value
 * present and in the unit it is used in (milliseconds, bytes).
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

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
  /** One or more certificates; the first is the default when SNI matches none. */
  certificates: CertificateFiles[];
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
}

/** A setting that is missing or wrong; the message says which and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const TOP_LEVEL_KEYS = new Set<string>([
  'listen', 'upstream', 'certificates', 'redirectFrom', 'redirectToPort', 'hsts', 'clientCa', 'clientCert', 'metrics',
  'trustedProxies', 'minVersion', 'earlyData', 'maxEarlyDataSize', 'tickets', 'timeouts', 'maxConnections', 'maxHeaderSize',
  'upstreamConnections', 'watchCertificates', 'accessLog',
]);
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

  if (!Array.isArray(config.certificates) || config.certificates.length === 0) throw new ConfigError('certificates: at least one --cert/--key pair is required');
  const certificates = config.certificates.map((pair, i) => {
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
  for (const flag of ['earlyData', 'watchCertificates'] as const) {
    if (config[flag] !== undefined && typeof config[flag] !== 'boolean') throw new ConfigError(`${flag}: true or false`);
  }

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
  };
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
  --config FILE               a JSON file with these settings and more (see README.md)
  --help                      this text

Signals: SIGHUP reloads certificates and keys; SIGTERM (or SIGINT) shuts down gracefully.`;

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
  if (v['access-log'] !== undefined) config.accessLog = v['access-log'] === 'off' ? false : v['access-log'] === '-' ? '-' : resolve(v['access-log']);
  return { help: false, config: config as TerminatorConfig, baseDir };
}
