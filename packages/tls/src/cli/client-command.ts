/**
 * `lucid-tls client`: a TLS client (TLS 1.3, and TLS 1.2's safe subset) for the terminal, in
 * the manner of `openssl s_client`.
 *
 * ```
 * lucid-tls client --connect HOST:PORT [--servername NAME] [--cafile FILE | --insecure]
 *   [--ciphers LIST] [--groups LIST] [--key-shares LIST] [--alpn LIST] [--cert FILE --key FILE]
 *   [--min-version 1.2|1.3] [--max-version 1.2|1.3] [--allow-no-ems]
 *   [--sess-out FILE] [--sess-in FILE] [--early-data FILE] [--request PATH]
 *   [--key-update] [--crypto noble|native] [--keylog FILE] [--trace | --trace-json] [--html FILE]
 *   [--rtt MS]
 * ```
 * After the handshake it sends standard input (or, with `--request`, one HTTP/1.1 GET),
 * writes the application data it receives to standard output, and exits 0 when the server
 * closes. Standard error gets one summary line of `key=value` tokens, or `error: <reason>`
 * with exit status 1. Traces go to standard error too, so standard output stays the data.
 * With `--rtt`, the connection goes through a local proxy that makes the link that much
 * slower (node/latency-proxy.ts), and a second line tells how long the handshake and the
 * first byte of the answer took.
 * @module
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientConfig } from '../handshake/config.js';
import { insecureSkipVerify, verifyWithTrustStore } from '../connection/verifiers.js';
import { decodeSession } from '../handshake/session.js';
import { startLatencyProxy } from '../node/latency-proxy.js';
import { systemTrustStore } from '../node/options.js';
import { TLSSocket } from '../node/tls-socket.js';
import type { TraceEvent, TraceObserver } from '../trace/events.js';
import { renderHtml } from '../trace/render-html.js';
import { handshakeTimeline, type Timeline } from '../trace/timeline.js';
import { ALGORITHM_OPTIONS, algorithmOptions, cryptoOption, exclusive, parseHostPort, parseNameList, parseOptions, UsageError, runCommand, versionUsage, type HostPort } from './args.js';
import { failureReason, negotiated, peerSubject, stderrTrace, tokens, type TraceMode } from './connection-report.js';
import { parseRtt } from './latency-command.js';
import { certifiedKeyFromFiles, readBinaryFile, trustStoreFromFile } from './pem-files.js';

/** The usage text of `lucid-tls client`. */
export const CLIENT_USAGE = `usage: lucid-tls client --connect HOST:PORT [options]
  --servername NAME      server_name to send and to verify (default: HOST, unless it is an IP address)
  --cafile FILE          CA certificates to trust (PEM; default: the system's)
  --insecure             accept any server certificate (its signature is still checked)
  --ciphers LIST         cipher suites, colon-separated, in preference order (TLS_AES_128_GCM_SHA256:…)
  --groups LIST          key-exchange groups by IANA name, colon-separated, in preference order
                         (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, x25519, secp256r1,
                         secp384r1, secp521r1, x448, MLKEM768, MLKEM1024, ffdhe2048 … ffdhe8192);
                         X25519MLKEM768 and x25519 get key shares when listed, else the first group
  --key-shares LIST      the groups to send key shares for instead, colon-separated (each in --groups)
  --psk-modes LIST       PSK key exchange modes, comma-separated (default psk_dhe_ke;
                         psk_ke resumes without a key exchange: not forward secret)
  --alpn LIST            ALPN protocols, comma-separated (h2,http/1.1)
${versionUsage(25)}  --cert FILE --key FILE client certificate (leaf first, then its chain) and its key
  --sess-out FILE        save the session from the server's tickets
  --sess-in FILE         resume a saved session
  --early-data FILE      send the file as 0-RTT early data (with --sess-in)
  --request PATH         send "GET PATH HTTP/1.1" instead of standard input
  --key-update           send a KeyUpdate (update_requested) right after the handshake
  --crypto noble|native  the crypto provider: native (default) is OpenSSL through node:crypto,
                         noble is JavaScript (@noble/*)
  --keylog FILE          append NSS key log lines (for Wireshark)
  --trace | --trace-json show every record, message and secret on standard error
  --html FILE            write the trace as an illustrated web page at exit
  --rtt MS               go through a local proxy that adds MS of round trip (TCP's handshake
                         included), and report when the handshake and the first byte of the
                         answer came, in milliseconds and round trips, beside the round trips
                         the handshake needs at best
`;

const SPEC = {
  valued: ['connect', 'servername', 'cafile', ...ALGORITHM_OPTIONS.valued, 'key-shares', 'cert', 'key', 'sess-out', 'sess-in', 'early-data', 'request', 'keylog', 'html', 'crypto', 'rtt'],
  flags: ['insecure', 'key-update', 'trace', 'trace-json', ...ALGORITHM_OPTIONS.flags],
};

/** The client's options, checked. */
interface ClientOptions {
  target: HostPort & { host: string };
  /** What server_name carries and the certificate is checked against. */
  serverName: string;
  config: Omit<ClientConfig, 'verifyServerCertificate' | 'keyLog'>;
  /** Which provider `--crypto` chose, for the summary line. */
  crypto: string;
  insecure: boolean;
  cafile: string | undefined;
  sessionOut: string | undefined;
  request: string | undefined;
  keyUpdate: boolean;
  keylog: string | undefined;
  trace: TraceMode | undefined;
  html: string | undefined;
  /** Through a latency proxy with this round trip, in milliseconds. */
  rttMs: number | undefined;
}

/** Runs `lucid-tls client`; resolves to the exit status. */
export function clientCommand(args: string[]): Promise<number> {
  return runCommand('client', CLIENT_USAGE, args, clientOptions, runClient);
}

function clientOptions(args: string[]): ClientOptions {
  const o = parseOptions(args, SPEC);
  exclusive(o, 'cafile', 'insecure');
  exclusive(o, 'trace', 'trace-json');
  const connectTo = o.values.get('connect');
  if (connectTo === undefined) throw new UsageError('--connect HOST:PORT is required');
  const target = parseHostPort(connectTo, 'connect') as HostPort & { host: string };
  // An IP address is not sent as server_name (RFC 6066 §3) but is still checked against the certificate.
  const serverName = o.values.get('servername') ?? target.host;

  const crypto = cryptoOption(o);
  const config: ClientOptions['config'] = { serverName, provider: crypto.provider, ...algorithmOptions(o, crypto.provider) };
  const keyShares = o.values.get('key-shares');
  if (keyShares !== undefined) {
    const offered = config.groups ?? crypto.provider.groups.map((g) => g.name);
    config.keyShareGroups = parseNameList(keyShares, ':', offered, 'key-shares');
  }

  const cert = o.values.get('cert');
  const key = o.values.get('key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (cert !== undefined && key !== undefined) config.certificate = certifiedKeyFromFiles(cert, key);

  const sessionIn = o.values.get('sess-in');
  const earlyData = o.values.get('early-data');
  if (earlyData !== undefined && sessionIn === undefined) throw new UsageError('--early-data needs --sess-in (0-RTT resumes a session)');
  if (sessionIn !== undefined) {
    const session = decodeSession(readBinaryFile(sessionIn, 'sess-in'));
    // A session vouches for the server it was made with (its certificate is not sent
    // again, §2.2): offer it only to the same name.
    if ((session.serverName ?? '') === serverName) {
      config.session = session;
      if (earlyData !== undefined) config.earlyData = readBinaryFile(earlyData, 'early-data');
    } else {
      process.stderr.write(`warning: --sess-in is a session with ${session.serverName || 'no server name'}, not ${serverName}: not resuming\n`);
    }
  }

  const request = o.values.get('request');
  return {
    target,
    serverName,
    config,
    crypto: crypto.name,
    insecure: o.flags.has('insecure'),
    cafile: o.values.get('cafile'),
    sessionOut: o.values.get('sess-out'),
    request: request === undefined ? undefined : httpRequest(request, serverName),
    keyUpdate: o.flags.has('key-update'),
    keylog: o.values.get('keylog'),
    trace: o.flags.has('trace') ? 'terminal' : o.flags.has('trace-json') ? 'json' : undefined,
    html: o.values.get('html'),
    rttMs: o.values.has('rtt') ? parseRtt(o.values.get('rtt')!) : undefined,
  };
}

/** `GET PATH HTTP/1.1` with Host (RFC 9112 §3.2) and `Connection: close`, so the server ends the connection. */
function httpRequest(path: string, host: string): string {
  if (!path.startsWith('/') || /[\s]/.test(path)) throw new UsageError(`--request wants a path such as /index.html, not ${path}`);
  const hostHeader = isIP(host) === 6 ? `[${host}]` : host;
  return `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`;
}

/** Connects (through a latency proxy with `--rtt`), runs the handshake and carries data until the server closes. */
async function runClient(options: ClientOptions): Promise<number> {
  if (options.rttMs === undefined) return runConnection(options, options.target, undefined);
  const proxy = await startLatencyProxy({ target: { host: options.target.host, port: options.target.port }, rttMs: options.rttMs });
  try {
    return await runConnection(options, { host: '127.0.0.1', port: proxy.port }, options.rttMs);
  } finally {
    await proxy.close();
  }
}

/**
 * `timing rtt_ms=100 best_first_byte_rtt=3 secure_ms=205 secure_rtt=2.1 first_byte_ms=312 first_byte_rtt=3.1`:
 * times from the TCP SYN, and the round trips the handshake needs at best (from its trace).
 */
function timing(rttMs: number, secureMs: number | undefined, firstByteMs: number | undefined, timeline: Timeline): string {
  const pairs: [string, string][] = [['rtt_ms', String(rttMs)]];
  if (timeline.response) pairs.push(['best_first_byte_rtt', String(timeline.response.arrives)]);
  const add = (name: string, ms: number | undefined) => {
    if (ms === undefined) return;
    pairs.push([`${name}_ms`, String(Math.round(ms))]);
    if (rttMs > 0) pairs.push([`${name}_rtt`, (ms / rttMs).toFixed(1)]);
  };
  add('secure', secureMs);
  add('first_byte', firstByteMs);
  return `timing ${tokens(pairs)}`;
}

/** Runs the handshake over a TCP connection to `to` and carries data until the server closes. */
function runConnection(options: ClientOptions, to: { host: string; port: number }, rttMs: number | undefined): Promise<number> {
  const events: TraceEvent[] = [];
  const observers: TraceObserver[] = [];
  if (options.trace) observers.push(stderrTrace(options.trace));
  // The HTML page wants the trace; so does --rtt, to say how many round trips the handshake needs at best.
  if (options.html || rttMs !== undefined) observers.push((event) => events.push(event));
  const config = { ...options.config };
  if (observers.length > 0) config.trace = (event) => observers.forEach((observe) => observe(event));

  const trustStore = options.insecure ? undefined : options.cafile !== undefined ? trustStoreFromFile(options.cafile, 'cafile') : systemTrustStore();
  const started = performance.now();
  let secureMs: number | undefined;
  let firstByteMs: number | undefined;
  const transport = netConnect({ host: to.host, port: to.port, allowHalfOpen: true });
  const socket = new TLSSocket(transport, {
    isServer: false,
    config,
    verifier: trustStore ? verifyWithTrustStore(trustStore) : insecureSkipVerify,
    rejectUnauthorized: true,
  });

  return new Promise<number>((resolve) => {
    let failed = false;
    const stdin = process.stdin;

    if (options.keylog) {
      const file = options.keylog;
      socket.on('keylog', (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
    }
    if (options.sessionOut) {
      const file = options.sessionOut;
      // The session holds a resumption PSK: keep it like a key.
      socket.on('session', (session: Buffer) => writeFileSync(file, session, { mode: 0o600 }));
    }

    socket.once('secureConnect', () => {
      secureMs = performance.now() - started;
      const info = socket.info!;
      process.stderr.write(`${tokens(negotiated(info))} crypto=${options.crypto} peer=${peerSubject(info)}\n`);
      // §4.6.3: update our keys and ask the server to update its own.
      if (options.keyUpdate) socket.keyUpdate(true);
    });

    if (options.request !== undefined) {
      // The request is written now and goes out once the handshake completes; we
      // close only after the server's response (its `Connection: close`).
      socket.write(options.request);
    } else {
      stdin.pipe(socket);
    }

    socket.on('data', (data: Buffer) => {
      firstByteMs ??= performance.now() - started;
      if (!process.stdout.write(data)) {
        socket.pause();
        process.stdout.once('drain', () => socket.resume());
      }
    });
    socket.on('end', () => stdin.unpipe(socket));
    socket.on('error', (error: Error) => {
      if (failed) return;
      failed = true;
      process.stderr.write(`error: ${failureReason(error, 'server')}\n`);
    });
    socket.on('close', () => {
      stdin.unpipe(socket);
      // Standard input may never end (a terminal): stop reading it, or the process would wait.
      stdin.destroy();
      if (options.html) writeHtml(options.html, events, options.serverName, socket.info?.protocol);
      if (rttMs !== undefined) process.stderr.write(`${timing(rttMs, secureMs, firstByteMs, handshakeTimeline(events))}\n`);
      resolve(failed ? 1 : 0);
    });
  });
}

function writeHtml(file: string, events: TraceEvent[], serverName: string, protocol = 'TLSv1.3'): void {
  writeFileSync(file, renderHtml(events, { title: `A ${protocol.replace('TLSv', 'TLS ')} connection to ${serverName}, byte by byte` }));
  process.stderr.write(`wrote ${file}\n`);
}
