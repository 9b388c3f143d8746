/**
 * Shared helpers for the terminator's end-to-end tests: a PKI written to a temporary
 * folder, an upstream HTTP server that echoes what it received, curl and Node's https
 * client pointed at the terminator, and waits that never hang.
 * @module
 */
import { execFile, spawn, type ChildProcess, type ExecFileException } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '@lucid-tls/tls/x509';

/** Certificate files in a temporary folder. */
export interface TestPki {
  dir: string;
  ca: CertificateAuthority;
  caFile: string;
  /** localhost and 127.0.0.1 (the default certificate). */
  localhost: { cert: string; key: string; issued: IssuedCertificate };
  /** other.test and *.other.test. */
  other: { cert: string; key: string; issued: IssuedCertificate };
  /** A client certificate issued by `ca`. */
  client: { cert: string; key: string; issued: IssuedCertificate };
  /** A client certificate from a CA nobody trusts. */
  rogueClient: { cert: string; key: string; issued: IssuedCertificate };
  /** Writes a new certificate for `names` under `name`, returning its files. */
  issue(name: string, names: string[], client?: boolean): { cert: string; key: string; issued: IssuedCertificate };
  cleanup(): void;
}

/** A fresh PKI: a CA, server certificates for two names, client certificates. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-terminator-'));
  const ca = createCertificateAuthority({ commonName: 'Terminator test CA' });
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const write = (name: string, issued: IssuedCertificate) => {
    const cert = join(dir, `${name}.pem`);
    const key = join(dir, `${name}-key.pem`);
    writeFileSync(cert, issued.certPem);
    writeFileSync(key, issued.keyPem);
    return { cert, key, issued };
  };
  const rogueCa = createCertificateAuthority({ commonName: 'Rogue CA' });
  return {
    dir,
    ca,
    caFile,
    localhost: write('localhost', issueCertificate(ca, { names: ['localhost', '127.0.0.1'] })),
    other: write('other', issueCertificate(ca, { names: ['other.test', '*.other.test'] })),
    client: write('client', issueCertificate(ca, { names: ['alice@lucid.test'], client: true })),
    rogueClient: write('rogue-client', issueCertificate(rogueCa, { names: ['mallory@lucid.test'], client: true })),
    issue: (name, names, client) => write(name, issueCertificate(ca, { names, client: client ?? false })),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the echo upstream answers with (JSON). */
export interface Echo {
  method: string;
  url: string;
  httpVersion: string;
  /** Header names in lower case; repeated ones joined as Node does. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw header pairs, to check exactly what arrived. */
  rawHeaders: string[];
  bodyLength: number;
  bodySha256: string;
  /** The upstream connection's number (1, 2, …): equal numbers mean a reused connection. */
  connection: number;
}

/** A plain-HTTP upstream that echoes requests; some paths behave specially (see `startUpstream`). */
export interface Upstream {
  server: Server;
  port: number;
  url: string;
  /** Requests received (complete heads). */
  requests: number;
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/**
 * Starts the echo upstream on 127.0.0.1. Paths:
 * - `/slow?ms=N`: answers after N ms;
 * - `/stream?chunks=N&size=B`: a chunked response of N chunks of B bytes, 5 ms apart;
 * - `/big?bytes=N`: N bytes with a Content-Length;
 * - `/reset`: destroys the connection without answering;
 * - `/head-then-reset`: sends a response head and some body, then destroys the connection;
 * - `/status?code=N`: answers with that status;
 * - WebSocket upgrades on any path: 101 with Sec-WebSocket-Accept, then echoes bytes back (prefixed `echo:`).
 * Anything else: 200 with an {@link Echo} JSON body, after reading the whole request body.
 */
export async function startUpstream(): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const state = { requests: 0, connections: 0 };
  const connectionIds = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    state.requests += 1;
    const url = new URL(req.url ?? '/', 'http://upstream');
    const param = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      switch (url.pathname) {
        case '/slow':
          setTimeout(() => res.end('slow done\n'), param('ms', 1000));
          return;
        case '/stream': {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          let left = param('chunks', 10);
          const size = param('size', 1000);
          const tick = () => {
            if (left-- === 0) return res.end();
            res.write(Buffer.alloc(size, 0x61));
            setTimeout(tick, 5);
          };
          tick();
          return;
        }
        case '/big': {
          const bytes = param('bytes', 1 << 20);
          res.writeHead(200, { 'Content-Length': bytes, 'Content-Type': 'application/octet-stream' });
          res.end(Buffer.alloc(bytes, 0x62));
          return;
        }
        case '/reset':
          req.socket.destroy();
          return;
        case '/head-then-reset':
          res.writeHead(200, { 'Content-Length': 100000 });
          res.write(Buffer.alloc(1000));
          setTimeout(() => req.socket.destroy(), 50);
          return;
        case '/status':
          res.writeHead(param('code', 200), { 'Content-Type': 'text/plain' }).end('status\n');
          return;
      }
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: req.httpVersion,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        bodyLength: length,
        bodySha256: hash.digest('hex'),
        connection: connectionIds.get(req.socket) ?? 0,
      };
      const body = JSON.stringify(echo);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Upstream': 'echo' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    connectionIds.set(socket, state.connections);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    state.requests += 1;
    if (req.url === '/ws-refused') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 8\r\nConnection: close\r\n\r\nrefused\n');
      return;
    }
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
        `X-Forwarded-For-Seen: ${req.headers['x-forwarded-for'] ?? ''}\r\n\r\n`,
    );
    if (head.length) socket.write(Buffer.concat([Buffer.from('echo:'), head]));
    socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
    socket.on('error', () => {});
  });
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a curl run printed. */
export interface CurlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs curl (OpenSSL inside) with a timeout; never rejects. */
export function curl(args: string[], timeoutMs = 10_000, input?: string | Buffer): Promise<CurlResult> {
  return new Promise((resolve) => {
    const child = execFile('curl', ['-sS', '--max-time', String(timeoutMs / 1000), ...args], { timeout: timeoutMs + 2000, maxBuffer: 64 << 20, encoding: 'utf8' }, (error: ExecFileException | null, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** curl's usual arguments to reach `name` at the terminator's port over TLS 1.3 and HTTP/1.1. */
export function curlTo(port: number, caFile: string, name = 'localhost'): string[] {
  return ['--cacert', caFile, '--resolve', `${name}:${port}:127.0.0.1`, '--http1.1', '--tlsv1.3'];
}

/** Splits `curl -i` output into status, headers (lower-case names) and body. */
export function parseCurlResponse(text: string): { status: number; headers: Record<string, string>; body: string } {
  // Skip interim responses (100 Continue).
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    const head = end < 0 ? rest : rest.slice(0, end);
    const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1] ?? 0);
    if (status >= 100 && status < 200 && status !== 101) {
      rest = rest.slice(end + 4);
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    return { status, headers, body: end < 0 ? '' : rest.slice(end + 4) };
  }
}

/** A response read whole by Node's https client. */
export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with Node's https client (OpenSSL), with a timeout. */
export function httpsGet(options: RequestOptions & { body?: Buffer | string }, timeoutMs = 10_000): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = options;
    const req = httpsRequest({ ALPNProtocols: ['http/1.1'], ...rest } as RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves when `check()` is true, polling; rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `lucid-terminator` command. */
export const TERMINATOR_BIN = fileURLToPath(new URL('../bin/lucid-terminator.js', import.meta.url));

/** A running `lucid-terminator`: its HTTPS port, what it printed, and how it ended. */
export interface RunningCommand {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts the command and waits for its "listening on" line; `started` collects the child for cleanup. */
export async function startCommand(args: string[], started: ChildProcess[] = []): Promise<RunningCommand> {
  const child = spawn(process.execPath, [TERMINATOR_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(() => /listening on https:\/\/[^ ]+:\d+/.test(stderr) || child.exitCode !== null, 20_000, 'the terminator to start');
  const port = Number(/listening on https:\/\/[^ ]+:(\d+)/.exec(stderr)?.[1]);
  return { child, port, stderr: () => stderr, stdout: () => stdout, exited };
}

/** What {@link tlsGet} saw. */
export interface TlsGetResult {
  /** The upstream's echo ({} when the body is not one). */
  echo: Echo;
  status: number;
  /** The response head, as text. */
  head: string;
  /** Whether the TLS session was resumed. */
  reused: boolean;
  /** The newest session the server gave (from its tickets). */
  session: Buffer | undefined;
  /** The server certificate's SHA-256 fingerprint, as Node prints it. */
  fingerprint: string;
  /** The client's own port (what a PROXY header would name). */
  localPort: number;
}

/**
 * One `GET path` on a new TLS connection to 127.0.0.1:`port` with Node's client (OpenSSL),
 * `Connection: close`, offering `session`, optionally from `localAddress` (e.g. 127.0.0.2).
 */
export function tlsGet(options: { port: number; path: string; ca: string; session?: Buffer | undefined; localAddress?: string; timeoutMs?: number; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<TlsGetResult> {
  const { port, path, ca, session, localAddress, timeoutMs = 15_000, maxVersion } = options;
  return new Promise((resolve, reject) => {
    let latest: Buffer | undefined;
    let text = '';
    let localPort = 0;
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['http/1.1'], ...(session ? { session } : {}), ...(localAddress ? { localAddress } : {}), ...(maxVersion ? { maxVersion } : {}) }, () => {
      localPort = socket.localPort ?? 0;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    socket.on('session', (s: Buffer) => (latest = s));
    socket.on('data', (d: Buffer) => (text += d));
    socket.on('end', () => {
      const head = text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')));
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({
        echo: (body.startsWith('{') ? JSON.parse(body) : {}) as Echo,
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
        head,
        reused: socket.isSessionReused(),
        session: latest,
        fingerprint: socket.getPeerCertificate().fingerprint256 ?? '',
        localPort,
      });
    });
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${path}: timed out`)));
  });
}
