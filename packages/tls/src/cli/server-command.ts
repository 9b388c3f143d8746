/**
 * `lucid-tls server`: a TLS server (TLS 1.3, and TLS 1.2's safe subset) for the terminal, in
 * the manner of `openssl s_server`.
 *
 * ```
 * lucid-tls server --accept [HOST:]PORT --cert FILE --key FILE [--chain FILE]
 *   [--ciphers LIST] [--groups LIST] [--alpn LIST] [--verify-client CAFILE]
 *   [--require-client-cert] [--early-data MAX] [--tickets N] [--handshake-timeout MS]
 *   [--crypto noble|native] [--keylog FILE] [--trace | --trace-json] [--www]
 * ```
 * It serves any number of connections at once until SIGINT or SIGTERM. By default it
 * echoes what it receives; with `--www` it answers each HTTP/1.x request with what was
 * negotiated, as `key: value` lines. Standard error gets a line `listening on HOST:PORT`,
 * then one line per connection: its address and what was negotiated, or why it failed.
 * A client that sends garbage, speaks only TLS 1.2 or stalls costs only its own connection.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { verifyWithTrustStore } from '../connection/verifiers.js';
import { SingleUseTickets } from '../handshake/server/anti-replay.js';
import { RotatingTicketer } from '../handshake/server/ticketer.js';
import { DEFAULT_HANDSHAKE_TIMEOUT } from '../node/create-server.js';
import { TLSSocket, type ServerSocketSetup } from '../node/tls-socket.js';
import { ALGORITHM_OPTIONS, versionUsage, algorithmOptions, cryptoOption, exclusive, parseCount, parseHostPort, parseOptions, UsageError, runCommand, type HostPort } from './args.js';
import { failureReason, negotiated, peerSubject, stderrTrace, tokens, type TraceMode } from './connection-report.js';
import { certifiedKeyFromFiles, trustStoreFromFile } from './pem-files.js';

/** The usage text of `lucid-tls server`. */
export const SERVER_USAGE = `usage: lucid-tls server --accept [HOST:]PORT --cert FILE --key FILE [options]
  --accept [HOST:]PORT     where to listen (default host: every interface; port 0 picks a free one)
  --cert FILE --key FILE   certificate (leaf first, then its chain) and key (PKCS#8, SEC1 or PKCS#1 PEM)
  --chain FILE             more chain certificates to send after --cert's
  --ciphers LIST           cipher suites, colon-separated, in preference order
  --groups LIST            key-exchange groups by IANA name, colon-separated, in preference order
                           (default: every group, X25519MLKEM768 first)
  --psk-modes LIST         PSK key exchange modes, comma-separated (default psk_dhe_ke;
                           psk_ke resumes without a key exchange: not forward secret)
  --alpn LIST              ALPN protocols, comma-separated, in preference order
${versionUsage(27)}  --verify-client CAFILE   ask for a client certificate and verify it against these CAs
  --require-client-cert    with --verify-client: refuse clients without one (certificate_required;
                           handshake_failure in TLS 1.2)
  --early-data MAX         accept up to MAX bytes of 0-RTT data per connection (single-use tickets)
  --tickets N              session tickets after each full handshake (default 2)
  --handshake-timeout MS   time a client has to complete its handshake (default ${DEFAULT_HANDSHAKE_TIMEOUT})
  --crypto noble|native    the crypto provider: native (default) is OpenSSL through node:crypto,
                           noble is JavaScript (@noble/*)
  --keylog FILE            append NSS key log lines (for Wireshark)
  --trace | --trace-json   show every record, message and secret on standard error
  --www                    answer HTTP/1.x requests with what was negotiated, instead of echoing
`;

const SPEC = {
  valued: ['accept', 'cert', 'key', 'chain', ...ALGORITHM_OPTIONS.valued, 'verify-client', 'early-data', 'tickets', 'handshake-timeout', 'keylog', 'crypto'],
  flags: ['require-client-cert', 'trace', 'trace-json', 'www', ...ALGORITHM_OPTIONS.flags],
};

/** The server's options, checked. */
interface ServerCommandOptions {
  listen: HostPort;
  setup: ServerSocketSetup;
  /** Which provider `--crypto` chose, for the log lines and the `--www` page. */
  crypto: string;
  handshakeTimeout: number;
  keylog: string | undefined;
  trace: TraceMode | undefined;
  www: boolean;
}

/** Runs `lucid-tls server` until SIGINT or SIGTERM; resolves to the exit status. */
export function serverCommand(args: string[]): Promise<number> {
  return runCommand('server', SERVER_USAGE, args, serverOptions, runServer);
}

function serverOptions(args: string[]): ServerCommandOptions {
  const o = parseOptions(args, SPEC);
  exclusive(o, 'trace', 'trace-json');
  const accept = o.values.get('accept');
  const cert = o.values.get('cert');
  const key = o.values.get('key');
  if (accept === undefined) throw new UsageError('--accept [HOST:]PORT is required');
  if (cert === undefined || key === undefined) throw new UsageError('--cert and --key are required');
  const listen = parseHostPort(accept, 'accept', true);

  const crypto = cryptoOption(o);
  const config: ServerSocketSetup['config'] = { certificate: certifiedKeyFromFiles(cert, key, o.values.get('chain')), provider: crypto.provider, ...algorithmOptions(o, crypto.provider) };

  // One ticketer for the whole server, so that any connection resumes another's tickets (§4.6.1).
  const tickets = o.values.get('tickets');
  config.tickets = { count: tickets === undefined ? 2 : parseCount(tickets, 'tickets'), ticketer: new RotatingTicketer(crypto.provider) };
  const earlyData = o.values.get('early-data');
  const maxEarlyData = earlyData === undefined ? 0 : parseCount(earlyData, 'early-data');
  if (maxEarlyData > 0) {
    config.maxEarlyDataSize = maxEarlyData;
    // §8.1: each ticket is good for 0-RTT once, or early data could be replayed.
    config.antiReplay = new SingleUseTickets();
  }

  const setup: ServerSocketSetup = { isServer: true, config, rejectUnauthorized: true };
  const verifyClient = o.values.get('verify-client');
  if (verifyClient !== undefined) {
    // §4.3.2: ask for a certificate. A client that sends one that does not verify is
    // refused either way; --require-client-cert also refuses a client that sends none.
    config.clientAuth = o.flags.has('require-client-cert') ? 'required' : 'optional';
    setup.verifier = verifyWithTrustStore(trustStoreFromFile(verifyClient, 'verify-client'));
  } else if (o.flags.has('require-client-cert')) {
    throw new UsageError('--require-client-cert needs --verify-client CAFILE');
  }

  const timeout = o.values.get('handshake-timeout');
  return {
    listen,
    setup,
    crypto: crypto.name,
    handshakeTimeout: timeout === undefined ? DEFAULT_HANDSHAKE_TIMEOUT : parseCount(timeout, 'handshake-timeout'),
    keylog: o.values.get('keylog'),
    trace: o.flags.has('trace') ? 'terminal' : o.flags.has('trace-json') ? 'json' : undefined,
    www: o.flags.has('www'),
  };
}

/** Listens and serves until a signal; every connection is independent of the others. */
function runServer(options: ServerCommandOptions): Promise<number> {
  const sockets = new Set<TLSSocket>();
  let connections = 0;
  // TCP half-closes are left to TLS: each direction ends with its close_notify (§6.1).
  const server = createNetServer({ allowHalfOpen: true }, (transport) => {
    const socket = serve(transport, options, ++connections);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return new Promise<number>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      server.close();
      for (const socket of sockets) socket.destroy();
      resolve(0);
    };
    server.once('error', (error) => {
      process.stderr.write(`error: ${error.message}\n`);
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve(1);
    });
    server.listen(options.listen.port, options.listen.host, () => {
      const { address, port } = server.address() as AddressInfo;
      process.stderr.write(`listening on ${hostPort(address, port)}\n`);
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}

/** Runs one connection: the handshake (under a deadline), then echo or `--www`. */
function serve(transport: Socket, options: ServerCommandOptions, id: number): TLSSocket {
  const peer = hostPort(transport.remoteAddress ?? '?', transport.remotePort ?? 0);
  const log = (text: string) => process.stderr.write(`${peer} ${text}\n`);
  const setup: ServerSocketSetup = options.trace
    ? { ...options.setup, config: { ...options.setup.config, trace: stderrTrace(options.trace, { connection: id }) } }
    : options.setup;
  const socket = new TLSSocket(transport, setup);

  if (options.keylog) {
    const file = options.keylog;
    socket.on('keylog', (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
  }
  // A client that stalls mid-handshake holds a socket and memory: give it a deadline.
  const timer = setTimeout(() => socket.destroy(new Error(`handshake not complete after ${options.handshakeTimeout} ms`)), options.handshakeTimeout);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', (error: Error) => log(`error: ${failureReason(error, 'client')}`));

  socket.once('secure', () => {
    clearTimeout(timer);
    const info = socket.info!;
    const sni = info.serverName ?? 'none';
    log(`${tokens(negotiated(info))} sni=${sni} crypto=${options.crypto} client_cert=${peerSubject(info)}`);
    if (options.www) answerHttp(socket, options.crypto);
    else socket.pipe(socket); // echo, with backpressure; the client's close_notify ends ours
  });
  return socket;
}

/** The largest request head `--www` reads before giving up on a client. */
const MAX_REQUEST_HEAD = 16 * 1024;

/**
 * `--www`: answers each HTTP/1.x request (RFC 9112) with 200 and a text/plain page of
 * what was negotiated; closes after a request with `Connection: close`, an HTTP/1.0
 * request, or anything that is not HTTP (400).
 */
function answerHttp(socket: TLSSocket, crypto: string): void {
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (;;) {
      const end = buffered.search(/\r?\n\r?\n/);
      if (end < 0) {
        if (buffered.length > MAX_REQUEST_HEAD) respond(socket, 431, 'Request Header Fields Too Large', 'request head too large\n', true);
        return;
      }
      const head = buffered.slice(0, end).split(/\r?\n/);
      buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, '');
      const requestLine = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/1\.([01])$/.exec(head[0]!);
      if (!requestLine) {
        respond(socket, 400, 'Bad Request', 'not an HTTP/1.x request\n', true);
        return;
      }
      const connection = head.slice(1).find((h) => /^connection\s*:/i.test(h))?.replace(/^[^:]*:\s*/, '').toLowerCase() ?? '';
      const close = requestLine[1] === '0' ? !connection.includes('keep-alive') : connection.includes('close');
      respond(socket, 200, 'OK', statusPage(socket, crypto), close);
      if (close) return;
    }
  };
  socket.on('data', onData);
  function respond(s: TLSSocket, status: number, reason: string, body: string, close: boolean): void {
    const headers = [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`];
    if (close) headers.push('Connection: close');
    s.write(`${headers.join('\r\n')}\r\n\r\n${body}`);
    if (close) {
      s.removeListener('data', onData);
      s.resume(); // read (and drop) the rest until the client's close_notify
      s.end();
    }
  }
}

/** The `--www` page: what this connection negotiated, and with which crypto provider, one `key: value` per line. */
function statusPage(socket: TLSSocket, crypto: string): string {
  const info = socket.info!;
  const lines: [string, string][] = [...negotiated(info), ['sni', info.serverName ?? 'none'], ['crypto', crypto], ['client_cert', peerSubject(info)]];
  return lines.map(([k, v]) => `${k}: ${v}\n`).join('');
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
