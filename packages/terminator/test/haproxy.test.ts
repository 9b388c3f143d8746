/**
 * Scale-out, for real: two `lucid-terminator` instances behind HAProxy in TCP mode
 * (layer 4, as an AWS NLB or a Kubernetes Service), which opens every connection with a
 * PROXY protocol v2 header (`send-proxy-v2`, with a CRC32C on one server and a unique-id
 * TLV on the other). Instance a runs two workers, b one process; they share a ticket keys
 * file. The client connects from 127.0.0.2; HAProxy reaches the terminators from
 * 127.0.0.1, the only trusted proxy.
 *
 * - requests are spread over both instances (their access logs);
 * - X-Forwarded-For and the access log carry the client's address and port, not HAProxy's;
 * - a session made on one instance resumes on the other (`--ticket-keys`, one file);
 * - stopping one instance (SIGTERM) while a client keeps sending loses no request: what
 *   it had accepted it finishes, and HAProxy sends the rest to the other (`retries`,
 *   `option redispatch`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatTicketKeys, type AccessLogEntry } from '../src/index.js';
import { makePki, sleep, startCommand, startUpstream, tlsGet, until, type RunningCommand, type TestPki, type TlsGetResult, type Upstream } from './helpers.js';

const CLIENT_ADDRESS = '127.0.0.2';

let pki: TestPki;
let upstream: Upstream;
const children: ChildProcess[] = [];
let haproxy: ChildProcess;
let haproxyPort: number;
let haproxyLog = '';
const instances: Record<'a' | 'b', { run: RunningCommand; log: string }> = {} as never;

/** A port nobody listens on right now (HAProxy cannot be told to take port 0 and say which it got). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** The HAProxy configuration: TCP mode, two servers, PROXY protocol v2, retries elsewhere. */
function haproxyConfig(port: number, a: number, b: number): string {
  return `global
  maxconn 200
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A refused connection is retried, each time on the other server.
  retries 3
  option redispatch 1
frontend tls_in
  bind 127.0.0.1:${port}
  unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid
  default_backend terminators
backend terminators
  balance roundrobin
  server a 127.0.0.1:${a} send-proxy-v2 proxy-v2-options crc32c
  server b 127.0.0.1:${b} send-proxy-v2 proxy-v2-options unique-id
`;
}

/** The access-log entries an instance has written so far. */
function entries(name: 'a' | 'b'): AccessLogEntry[] {
  let text = '';
  try {
    text = readFileSync(instances[name].log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AccessLogEntry);
}

/** Which instance logged `path`. */
const servedBy = (path: string): 'a' | 'b' | undefined => (entries('a').some((e) => e.path === path) ? 'a' : entries('b').some((e) => e.path === path) ? 'b' : undefined);

/** A request through HAProxy, from the client's address. */
const viaHaproxy = (path: string, session?: Buffer): Promise<TlsGetResult> => tlsGet({ port: haproxyPort, path, session, ca: pki.ca.certPem, localAddress: CLIENT_ADDRESS });

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  const keys = join(pki.dir, 'ticket-keys');
  writeFileSync(keys, formatTicketKeys([randomBytes(32), randomBytes(32)]), { mode: 0o600 });
  chmodSync(keys, 0o600);
  for (const name of ['a', 'b'] as const) {
    const log = join(pki.dir, `access-${name}.log`);
    const run = await startCommand(
      [
        '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--cert', pki.localhost.cert, '--key', pki.localhost.key,
        '--proxy-protocol', '--trusted-proxy', '127.0.0.1', '--ticket-keys', keys, '--access-log', log,
        // a: a cluster of two workers; b: one process.
        '--workers', name === 'a' ? '2' : '1',
      ],
      children,
    );
    instances[name] = { run, log };
  }
  haproxyPort = await freePort();
  const config = join(pki.dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(haproxyPort, instances.a.run.port, instances.b.run.port));
  haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(haproxy);
  haproxy.stdout!.on('data', (d: Buffer) => (haproxyLog += d));
  haproxy.stderr!.on('data', (d: Buffer) => (haproxyLog += d));
  // Ready when it accepts; the probe connection carries no request (the terminator it reaches closes it).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = netConnect(haproxyPort, '127.0.0.1', () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || haproxy.exitCode !== null) throw new Error(`HAProxy did not start: ${haproxyLog}`);
    await sleep(100);
  }
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await upstream?.close();
  pki?.cleanup();
});

describe('two terminators behind HAProxy (TCP mode, send-proxy-v2)', () => {
  test('requests are spread over both; X-Forwarded-For and the access log name the client, not HAProxy', async () => {
    const started = Date.now();
    const results: TlsGetResult[] = [];
    for (let i = 0; i < 20; i++) results.push(await viaHaproxy(`/spread/${i}`));
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of results) {
      expect(r.echo.headers['x-forwarded-for']).toBe(CLIENT_ADDRESS);
      expect(r.echo.headers.forwarded).toBe(`for=${CLIENT_ADDRESS};host=localhost;proto=https`);
    }
    await until(() => entries('a').length + entries('b').length >= 20, 5000, 'the access logs');
    const a = entries('a').filter((e) => e.path.startsWith('/spread/'));
    const b = entries('b').filter((e) => e.path.startsWith('/spread/'));
    console.log(`HAProxy spread 20 sequential requests: a ${a.length}, b ${b.length} (${elapsed} ms, ${(elapsed / 20).toFixed(1)} ms per connection and request)`);
    expect(a.length + b.length).toBe(20);
    expect(Math.min(a.length, b.length)).toBeGreaterThanOrEqual(5);
    // The access log has the client's address and its very port, as the PROXY header told.
    for (const [i, r] of results.entries()) {
      const entry = [...a, ...b].find((e) => e.path === `/spread/${i}`)!;
      expect(entry).toMatchObject({ client: CLIENT_ADDRESS, clientPort: r.localPort, status: 200 });
    }
  });

  test('a session made on one instance resumes on the other', async () => {
    const first = await viaHaproxy('/session/0');
    expect(first.reused).toBe(false);
    const next = [];
    for (let i = 1; i <= 4; i++) next.push(await viaHaproxy(`/session/${i}`, first.session));
    expect(next.map((r) => r.reused)).toEqual([true, true, true, true]);
    await until(() => [0, 1, 2, 3, 4].every((i) => servedBy(`/session/${i}`) !== undefined), 5000, 'the access logs');
    const origin = servedBy('/session/0');
    const elsewhere = [1, 2, 3, 4].filter((i) => servedBy(`/session/${i}`) !== origin);
    console.log(`session made on ${origin}; resumed on ${[1, 2, 3, 4].map((i) => servedBy(`/session/${i}`)).join(', ')}`);
    expect(elsewhere.length).toBeGreaterThanOrEqual(1);
    for (const i of elsewhere) expect([...entries('a'), ...entries('b')].find((e) => e.path === `/session/${i}`)?.resumed).toBe(true);
  });

  test('SIGTERM to one instance while a client keeps sending: every request is answered', async () => {
    const results: { path: string; status: number; startedAt: number; ms: number; error?: string }[] = [];
    let stop = false;
    /** A client sending one request after another, each on a new connection through HAProxy. */
    const client = async (id: number) => {
      for (let i = 0; !stop; i++) {
        // Every other one is slow (300 ms upstream), so some are in flight when the instance is told to stop.
        const path = i % 2 === 0 ? `/slow?ms=300&drain=${id}-${i}` : `/drain?id=${id}-${i}`;
        const startedAt = Date.now();
        try {
          const r = await viaHaproxy(path);
          results.push({ path, status: r.status, startedAt, ms: Date.now() - startedAt });
        } catch (error) {
          results.push({ path, status: 0, startedAt, ms: Date.now() - startedAt, error: (error as Error).message });
        }
      }
    };
    // Two long requests first: round robin gives one to each instance, so b has one in flight when it is stopped.
    const long = [viaHaproxy('/slow?ms=3000&long=1'), viaHaproxy('/slow?ms=3000&long=2')];
    await sleep(200);
    const clients = [client(1), client(2), client(3)];
    await sleep(1500);
    const beforeStop = results.length;
    const stoppedAt = Date.now();
    instances.b.run.child.kill('SIGTERM');
    const bExit = await instances.b.run.exited;
    const bGone = Date.now() - stoppedAt;
    await sleep(1500); // and more requests, with b gone
    stop = true;
    await Promise.all(clients);
    const longDone = await Promise.all(long);

    const failures = results.filter((r) => r.status !== 200);
    const afterStop = results.slice(beforeStop);
    const slowest = Math.max(...results.map((r) => r.ms));
    const slowestAfter = Math.max(...afterStop.map((r) => r.ms));
    const drains = results.map((r) => r.path);
    await until(() => drains.every((p) => servedBy(p) !== undefined), 5000, 'the access logs');
    const byB = drains.filter((p) => servedBy(p) === 'b');
    const bLast = Math.max(...entries('b').filter((e) => drains.includes(e.path)).map((e) => Date.parse(e.time)));
    console.log(
      `drain: ${results.length} requests from 3 clients (${beforeStop} before SIGTERM), ${failures.length} failed; ` +
        `b exited ${bGone} ms after SIGTERM with code ${bExit}, having served ${byB.length}, its last ${bLast - stoppedAt} ms after SIGTERM; ` +
        `slowest request ${slowest} ms (after SIGTERM ${slowestAfter} ms)`,
    );
    expect(failures).toEqual([]);
    expect(bExit).toBe(0);
    // The long request b had accepted was finished (told the connection closes), and b waited for it.
    expect(new Set(['/slow?ms=3000&long=1', '/slow?ms=3000&long=2'].map(servedBy))).toEqual(new Set(['a', 'b']));
    for (const r of longDone) expect(r.status).toBe(200);
    const onB = longDone[servedBy('/slow?ms=3000&long=1') === 'b' ? 0 : 1]!;
    expect(onB.head).toMatch(/\r\nConnection: close/i);
    expect(bGone).toBeGreaterThan(800);
    expect(byB.length).toBeGreaterThan(0);
    // Once b had exited, a served everything.
    const late = results.filter((r) => r.startedAt > stoppedAt + bGone);
    expect(late.length).toBeGreaterThan(0);
    for (const r of late) expect(servedBy(r.path)).toBe('a');
    expect(instances.b.run.stderr()).toMatch(/shut down/);
  }, 60_000);
});
