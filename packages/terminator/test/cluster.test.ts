/**
 * `--workers N`: the terminator in node:cluster workers, run as the real command. A
 * session from any worker resumes on any other (keys from the primary, generated or from
 * `--ticket-keys`); `/metrics` is the sum over the workers; SIGHUP reloads certificates
 * and ticket keys in every worker; a worker that dies is replaced, with the keys; SIGTERM
 * drains every worker; a worker that cannot start stops the cluster instead of looping.
 *
 * Which worker served a request is seen from the upstream: each worker has its own pool
 * of upstream connections, and sequential requests reuse its one idle connection, so the
 * echo's connection number differs between workers.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { RestartBudget } from '../src/cluster.js';
import { formatTicketKeys } from '../src/index.js';
import { makePki, sleep, startCommand, startUpstream, tlsGet, until, type RunningCommand, type TestPki, type Upstream } from './helpers.js';
import { fingerprintSha256 } from '@lucid-tls/tls/x509';

let pki: TestPki;
let upstream: Upstream;
const running: ChildProcess[] = [];

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
});

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await upstream?.close();
  pki?.cleanup();
});

const start = (extra: string[], cert = pki.localhost): Promise<RunningCommand> =>
  startCommand(['--listen', '127.0.0.1:0', '--upstream', upstream.url, '--cert', cert.cert, '--key', cert.key, '--access-log', 'off', '--workers', '2', ...extra], running);

/** The workers' pids, from the "listening on" line. */
const pidsOf = (t: RunningCommand) => /\(pids ([\d ]+)\)/.exec(t.stderr())![1]!.split(' ').map(Number);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One request on a new TLS connection (Node's client), offering `session`. */
const get = (port: number, path: string, session?: Buffer) => tlsGet({ port, path, session, ca: pki.ca.certPem });

/** `n` requests one after the other, each resuming `session`. */
async function resumeMany(port: number, session: Buffer, n: number, path: string) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await get(port, `${path}/${i}`, session));
  return results;
}

/** A metric's value in Prometheus text. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

const colonHex = (hex: string) => hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');

describe('--workers 2', () => {
  test('sessions resume on either worker; /metrics is the sum of both', async () => {
    const t = await start(['--metrics', '127.0.0.1:0']);
    const metricsUrl = /metrics at (http:\/\/[^ ;]+)/.exec(t.stderr())![1]!;
    expect(pidsOf(t)).toHaveLength(2);
    const first = await get(t.port, '/first');
    expect(first.reused).toBe(false);
    const resumed = await resumeMany(t.port, first.session!, 8, '/again');
    // Every connection resumed, whichever worker took it…
    expect(resumed.map((r) => r.reused)).toEqual(Array(8).fill(true));
    // …and both workers took some.
    expect(new Set([first, ...resumed].map((r) => r.echo.connection)).size).toBe(2);

    const text = await (await fetch(metricsUrl)).text();
    expect(metric(text, 'lucid_tls_handshakes_total{result="success"}')).toBe(9);
    expect(metric(text, 'lucid_tls_handshakes_resumed_total')).toBe(8);
    expect(metric(text, 'lucid_http_requests_total{status="200"}')).toBe(9);
    expect(metric(text, 'lucid_tls_handshake_duration_seconds_count')).toBe(9);
    expect(metric(text, 'lucid_tls_resumed_ratio')).toBeCloseTo(8 / 9, 10);
    expect(metric(text, 'lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.3"}')).toBe(9);
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
  });

  test('TLS 1.2 sessions resume on either worker too (RFC 5077 tickets under the shared keys); /metrics counts them by protocol', async () => {
    const t = await start(['--metrics', '127.0.0.1:0']);
    const metricsUrl = /metrics at (http:\/\/[^ ;]+)/.exec(t.stderr())![1]!;
    const get12 = (path: string, session?: Buffer) => tlsGet({ port: t.port, path, session, ca: pki.ca.certPem, maxVersion: 'TLSv1.2' });
    const first = await get12('/first12');
    expect([first.status, first.reused]).toEqual([200, false]);
    const resumed = [];
    for (let i = 0; i < 8; i++) resumed.push(await get12(`/again12/${i}`, first.session!));
    expect(resumed.map((r) => r.reused)).toEqual(Array(8).fill(true));
    expect(new Set([first, ...resumed].map((r) => r.echo.connection)).size).toBe(2);
    await get(t.port, '/tls13');
    const text = await (await fetch(metricsUrl)).text();
    expect(metric(text, 'lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.2"}')).toBe(9);
    expect(metric(text, 'lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.3"}')).toBe(1);
    expect(metric(text, 'lucid_tls_handshakes_resumed_total')).toBe(8);
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
  });

  test('SIGHUP reloads the certificate and the ticket keys file in every worker', async () => {
    const keys = join(pki.dir, 'cluster-keys');
    const writeKeys = (...fills: number[]) => {
      writeFileSync(`${keys}.new`, formatTicketKeys(fills.map((f) => new Uint8Array(32).fill(f))), { mode: 0o600 });
      chmodSync(`${keys}.new`, 0o600);
      renameSync(`${keys}.new`, keys);
    };
    writeKeys(1);
    const files = pki.issue('cluster-hup', ['localhost']);
    const t = await start(['--ticket-keys', keys], files);
    const reloads = () => t.stderr().match(/certificates reloaded in 2 workers/g)?.length ?? 0;
    const old = await get(t.port, '/before');

    const renewed = pki.issue('cluster-hup-renewed', ['localhost']);
    writeFileSync(files.cert, renewed.issued.certPem);
    writeFileSync(files.key, renewed.issued.keyPem);
    writeKeys(2, 1);
    t.child.kill('SIGHUP');
    await until(() => reloads() === 1, 10_000, 'the reload in every worker');
    expect(t.stderr()).toMatch(/ticket keys reloaded: 2/);
    const after = await resumeMany(t.port, old.session!, 6, '/after');
    // The session sealed under key 1 still resumes everywhere; no worker serves the old certificate.
    expect(after.map((r) => r.reused)).toEqual(Array(6).fill(true));
    const fresh = await get(t.port, '/fresh');
    expect(fresh.fingerprint).toBe(colonHex(fingerprintSha256(renewed.issued.certificate)));
    const fingerprints = [];
    for (let i = 0; i < 6; i++) fingerprints.push((await get(t.port, `/cert/${i}`)).fingerprint);
    expect(new Set(fingerprints)).toEqual(new Set([colonHex(fingerprintSha256(renewed.issued.certificate))]));

    // Key 1 retired: its sessions fall back to full handshakes on both workers; key 2's resume.
    writeKeys(2);
    t.child.kill('SIGHUP');
    await until(() => reloads() === 2, 10_000, 'the second reload');
    expect((await resumeMany(t.port, old.session!, 4, '/retired')).map((r) => r.reused)).toEqual(Array(4).fill(false));
    expect((await resumeMany(t.port, fresh.session!, 4, '/current')).map((r) => r.reused)).toEqual(Array(4).fill(true));
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
  });

  test('a worker killed is replaced and gets the keys; SIGTERM then drains every worker and the primary exits 0', async () => {
    const t = await start([]);
    const [victim, survivor] = pidsOf(t) as [number, number];
    const before = await get(t.port, '/before-crash');
    process.kill(victim, 'SIGKILL');
    await until(() => /starting another/.test(t.stderr()) && /worker \d+ \(pid \d+\) listens/.test(t.stderr()), 15_000, 'the replacement');
    const replacement = Number(/worker \d+ \(pid (\d+)\) listens/.exec(t.stderr())![1]);
    expect(alive(victim)).toBe(false);
    // The keys (made by the primary, no file) outlived the worker: the session resumes on the new one too.
    const after = await resumeMany(t.port, before.session!, 6, '/after-crash');
    expect(after.map((r) => r.reused)).toEqual(Array(6).fill(true));

    // Two slow requests, one per worker (connections are handed out in turn), then SIGTERM.
    const slow = [get(t.port, '/slow?ms=1500'), (async () => (await sleep(100), get(t.port, '/slow?ms=1500')))()];
    await sleep(500);
    t.child.kill('SIGTERM');
    const finished = await Promise.all(slow);
    for (const response of finished) {
      expect(response.status).toBe(200);
      expect(response.head).toMatch(/\r\nConnection: close/i);
    }
    expect(await t.exited).toBe(0);
    expect(t.stderr()).toMatch(/worker \d+: shut down/);
    await until(() => !alive(survivor) && !alive(replacement), 5000, 'every worker to exit');
  });

  test('a worker that cannot start stops the cluster (exit 1), instead of restarting in a loop', async () => {
    const started = Date.now();
    // The upstream's port is taken: no worker can listen there.
    const t = await startCommand(['--listen', `127.0.0.1:${upstream.port}`, '--upstream', upstream.url, '--cert', pki.localhost.cert, '--key', pki.localhost.key, '--workers', '2'], running);
    expect(await t.exited).toBe(1);
    expect(t.stderr()).toMatch(/EADDRINUSE/);
    expect(t.stderr()).toMatch(/before it listened/);
    expect(t.stderr()).not.toMatch(/starting another/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('the bound on restarts', () => {
  test('five restarts a minute are allowed, the sixth is not; the window slides', () => {
    const budget = new RestartBudget(5, 60_000);
    for (const at of [0, 10, 20, 30, 40]) expect(budget.allow(at)).toBe(true);
    expect(budget.allow(50)).toBe(false);
    expect(budget.allow(60_005)).toBe(true); // the one at 0 has left the window
    expect(budget.allow(60_006)).toBe(false);
  });
});
