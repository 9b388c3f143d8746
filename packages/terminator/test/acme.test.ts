/**
 * The terminator gets and renews its own certificates, against a real ACME server:
 * Pebble (packages/acme/test/pebble.ts), whose validation connections go to the ports in
 * its configuration, so the terminator listens there: HTTPS on Pebble's `tlsPort`
 * (tls-alpn-01), the redirect listener on its `httpPort` (http-01). Every terminator here
 * is the real command. curl checks what it serves against Pebble's root.
 *
 * Pebble reuses none of an account's authorizations here (`authzReuse: 0`), so every
 * renewal proves control again through the terminator's listeners.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startPebble, type Pebble } from '../../acme/test/pebble.js';
import { curl, startCommand, startUpstream, until, type RunningCommand, type Upstream } from './helpers.js';

/** Each test waits for real orders, on a machine that may be loaded. */
const TEST_TIMEOUT_MS = 120_000;

let pebble: Pebble;
let upstream: Upstream;
let rootFile: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  pebble = await startPebble({ authzReuse: 0 });
  upstream = await startUpstream();
  rootFile = join(pebble.dir, 'pebble-root.pem');
  writeFileSync(rootFile, await pebble.root(0));
}, 60_000);

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

afterAll(async () => {
  await upstream?.close();
  await pebble?.stop();
});

/** `lucid-terminator` with nothing but the listen, upstream and ACME flags (and `extra`). */
function startTerminator(dir: string, extra: string[]): Promise<RunningCommand> {
  return startCommand(
    [
      '--listen', `127.0.0.1:${pebble.tlsPort}`, '--upstream', upstream.url,
      '--acme-directory', pebble.directory, '--acme-cafile', pebble.caFile, '--acme-email', 'admin@lucid.test', '--acme-agree-tos',
      '--acme-dir', join(pebble.dir, dir), '--workers', '1', ...extra,
    ],
    running,
  );
}

/** `curl --cacert pebble-root.pem --resolve NAME:PORT:127.0.0.1 https://NAME:PORT/PATH`. */
const curlName = (name: string, path = '/') =>
  curl(['--cacert', rootFile, '--resolve', `${name}:${pebble.tlsPort}:127.0.0.1`, '--http1.1', '-o', '-', '-w', '\n%{http_code}', `https://${name}:${pebble.tlsPort}${path}`]);

/** Polls `curlName` until it answers 200; returns when that was, in ms since `since`. */
async function firstAnswer(name: string, since: number, ms = 60_000): Promise<number> {
  for (;;) {
    const result = await curlName(name, '/first');
    if (result.code === 0 && result.stdout.endsWith('\n200')) return performance.now() - since;
    if (performance.now() - since > ms) throw new Error(`no answer for ${name} within ${ms} ms: ${result.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TLS connection to the terminator for `name`, verified against Pebble's root. */
async function connectTo(name: string): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', port: pebble.tlsPort, servername: name, ca: readFileSync(rootFile, 'utf8'), ALPNProtocols: ['http/1.1'] });
  await once(socket, 'secureConnect');
  return socket;
}

/** One keep-alive request on an open connection; resolves with the status once the whole (Content-Length) body has come. */
function request(socket: TLSSocket, name: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
      if (end >= 0 && text.length >= end + 4 + length) {
        socket.off('data', onData);
        resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${name}\r\n\r\n`);
  });
}

/** The certificate a new connection for `name` gets: its serial number and notAfter. */
async function served(name: string): Promise<{ serial: string; notAfter: number; fingerprint: string }> {
  const socket = await connectTo(name);
  const peer = socket.getPeerCertificate();
  socket.destroy();
  return { serial: peer.serialNumber, notAfter: Date.parse(peer.valid_to), fingerprint: peer.fingerprint256 };
}

/** The JSON lines of the access log that record ACME orders. */
function orders(t: RunningCommand): {
  names: string[];
  result: string;
  kind: string;
  error: { type: string; detail: string } | null;
  order: string | null;
  time: string;
  durationMs: number;
  retryAt: string | null;
}[] {
  return t
    .stdout()
    .split('\n')
    .filter((line) => line.includes('"event":"acme-order"'))
    .map((line) => JSON.parse(line));
}

const obtainedCount = (t: RunningCommand) => t.stderr().match(/acme: certificate for .* obtained in/g)?.length ?? 0;

/** A metric's value in Prometheus text. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  if (process.env.DEBUG_METRICS) console.log(text);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

const metricsUrl = (t: RunningCommand) => /metrics at (http:\/\/[^ ;\n]+)/.exec(t.stderr())![1]!;

describe('lucid-terminator --acme-*', () => {
  test('started with nothing but ACME flags, it answers curl with a certificate from Pebble (tls-alpn-01 on its listener)', async () => {
    const since = performance.now();
    const t = await startTerminator('first', ['--acme-domain', 'lucid.test', '--metrics', '127.0.0.1:0']);
    const ms = await firstAnswer('lucid.test', since);
    console.log(`acme.test.ts: first ACME certificate served ${(ms / 1000).toFixed(2)} s after the terminator was started`);
    expect(ms).toBeLessThan(30_000);

    const result = await curlName('lucid.test', '/hello');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.slice(0, result.stdout.lastIndexOf('\n'))).headers['x-forwarded-proto']).toBe('https');

    // The order is in the JSON log; the files are kept, keys 0600.
    const [order] = orders(t);
    expect(order).toMatchObject({ names: ['lucid.test'], result: 'valid', kind: 'new', error: null });
    expect(order!.order).toMatch(/^https:\/\/localhost:\d+\//);
    const dir = join(pebble.dir, 'first');
    expect(statSync(join(dir, 'account.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'certificates', 'lucid.test', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'certificates', 'lucid.test', 'cert.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    // /metrics: the expiry of the certificate served, and no failure.
    const { notAfter } = await served('lucid.test');
    expect(await metric(metricsUrl(t), 'lucid_certificate_expiry_timestamp_seconds{name="lucid.test"}')).toBe(notAfter / 1000);
    expect((await (await fetch(metricsUrl(t))).text())).not.toMatch(/^lucid_acme_failures_total\{/m);

    // A restart serves the stored certificate at once: no new order.
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
    const again = await startTerminator('first', ['--acme-domain', 'lucid.test']);
    expect((await served('lucid.test')).notAfter).toBe(notAfter);
    expect(again.stderr()).toMatch(/serving the stored certificate for lucid\.test/);
    expect(orders(again)).toEqual([]);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('renewal (shortened for the test, http-01 on the redirect listener) swaps the certificate under a client that stays connected', async () => {
    const t = await startTerminator('renew', [
      '--acme-domain', 'renew.lucid.test', '--acme-challenge', 'http-01', '--redirect-from', `127.0.0.1:${pebble.httpPort}`, '--acme-renew-after', '5',
    ]);
    await firstAnswer('renew.lucid.test', performance.now());
    const before = await served('renew.lucid.test');
    const client = await connectTo('renew.lucid.test');
    expect(await request(client, 'renew.lucid.test', '/before')).toBe(200);

    await until(() => obtainedCount(t) >= 2, 30_000, 'the renewal');
    const after = await served('renew.lucid.test');
    expect(after.serial).not.toBe(before.serial);
    // The client connected before the swap goes on, with the certificate it was given.
    expect(await request(client, 'renew.lucid.test', '/after')).toBe(200);
    expect(client.getPeerCertificate().serialNumber).toBe(before.serial);
    client.destroy();
    expect(orders(t).map((o) => `${o.kind} ${o.result}`).slice(0, 2)).toEqual(['new valid', 'renewal valid']);
  }, TEST_TIMEOUT_MS);

  test('a renewal that fails (a wrong answer to the challenge) is retried with backoff while the old certificate keeps serving', async () => {
    const name = 'wrong.lucid.test';
    const t = await startTerminator('wrong', [
      '--acme-domain', name, '--acme-challenge', 'http-01', '--redirect-from', `127.0.0.1:${pebble.httpPort}`,
      '--acme-renew-after', '4', '--acme-retry-delay', '1', '--metrics', '127.0.0.1:0',
    ]);
    await firstAnswer(name, performance.now());
    const old = await served(name);
    // From now on the name leads Pebble to an impostor, which answers the challenge wrongly.
    const impostor = createHttpServer((_req, res) => res.end('not-the-token.not-the-thumbprint'));
    impostor.listen(pebble.httpPort, '127.0.0.3');
    await once(impostor, 'listening');
    await pebble.addA(name, ['127.0.0.3']);
    try {
      const failures = () => metric(metricsUrl(t), 'lucid_acme_failures_total{reason="unauthorized"}');
      const deadline = Date.now() + 40_000;
      while (!((await failures()) >= 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await failures()).toBeGreaterThanOrEqual(3);
      expect([...t.stderr().matchAll(/failed \((\d+) in a row\)/g)].map((m) => Number(m[1])).slice(0, 3)).toEqual([1, 2, 3]);
      // Backoff: 1 s, then 2 s, then 4 s until the next attempt (less up to 10% of jitter).
      const failedOrders = orders(t).filter((o) => o.result === 'failed');
      const waits = failedOrders.slice(0, 3).map((o) => Date.parse(o.retryAt!) - Date.parse(o.time) - o.durationMs);
      waits.forEach((wait, i) => {
        expect(wait).toBeGreaterThan(1000 * 2 ** i * 0.85);
        expect(wait).toBeLessThanOrEqual(1000 * 2 ** i + 50);
      });
      expect(failedOrders[0]!.error!.type).toBe('urn:ietf:params:acme:error:unauthorized');
      expect(failedOrders[0]!.error!.detail).toMatch(/did not match/);
      expect(t.stderr()).toMatch(/unauthorized: .*did not match.*\(dns wrong\.lucid\.test\).*keeps serving/);
      // The old certificate still serves, to curl as to Node.
      expect((await served(name)).serial).toBe(old.serial);
      expect((await curlName(name)).code).toBe(0);
      expect(await metric(metricsUrl(t), `lucid_certificate_expiry_timestamp_seconds{name="${name}"}`)).toBe(old.notAfter / 1000);
    } finally {
      impostor.close();
    }
  }, TEST_TIMEOUT_MS);

  test('a first order that fails (an unreachable name) leaves nothing to serve: Pebble’s problem document, exit 1', async () => {
    await pebble.addA('unreachable.lucid.test', ['127.0.0.2']);
    const t = await startTerminator('unreachable', ['--acme-domain', 'unreachable.lucid.test']);
    expect(await Promise.race([t.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))])).toBe(1);
    // Pebble 2.4 types a failed tls-alpn-01 connection "unauthorized" (http-01's is "connection").
    expect(t.stderr()).toMatch(new RegExp(`unauthorized: Failed to connect to 127\\.0\\.0\\.2:${pebble.tlsPort} for the tls-alpn-01 challenge \\(dns unreachable\\.lucid\\.test\\)`));
    expect(t.stderr()).toMatch(/nothing to serve/);
    const [order] = orders(t);
    expect(order).toMatchObject({ names: ['unreachable.lucid.test'], result: 'failed', kind: 'new' });
    expect(order!.error).toMatchObject({ type: 'urn:ietf:params:acme:error:unauthorized', detail: expect.stringContaining('127.0.0.2') });
  }, TEST_TIMEOUT_MS);

  test('a name still without a certificate is refused with unrecognized_name; the others serve meanwhile', async () => {
    await pebble.addA('pending.lucid.test', ['127.0.0.2']);
    const t = await startTerminator('pending', ['--acme-domain', 'served.lucid.test', '--acme-domain', 'pending.lucid.test', '--acme-retry-delay', '1']);
    await firstAnswer('served.lucid.test', performance.now());
    await until(() => orders(t).some((o) => o.names[0] === 'pending.lucid.test' && o.result === 'failed'), 30_000, 'the failed order');
    const refused = await curlName('pending.lucid.test');
    expect(refused.code).toBe(35); // CURLE_SSL_CONNECT_ERROR
    expect(refused.stderr).toMatch(/unrecognized name/i);
    expect(t.child.exitCode).toBe(null);
    expect((await curlName('served.lucid.test')).code).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe('lucid-terminator --acme-* --workers 2', () => {
  test('the primary orders, every worker answers the challenge and serves the certificate, and each renewal', async () => {
    const name = 'cluster.lucid.test';
    const t = await startTerminator('cluster', ['--acme-domain', name, '--acme-renew-after', '6', '--workers', '2', '--metrics', '127.0.0.1:0']);
    await firstAnswer(name, performance.now());
    const first = await served(name);
    // Sequential connections go to both workers in turn (cluster's round robin): all serve it.
    const seen = await Promise.all(Array.from({ length: 6 }, () => served(name)));
    expect(new Set(seen.map((s) => s.serial))).toEqual(new Set([first.serial]));

    await until(() => obtainedCount(t) >= 2, 30_000, 'the renewal');
    // Six connections in a row, all with the renewed certificate (both workers have it).
    let renewed: string[] = [];
    const deadline = Date.now() + 10_000;
    while (!(renewed.length === 6 && renewed.every((s) => s !== first.serial)) && Date.now() < deadline) {
      renewed = [];
      for (let j = 0; j < 6; j++) renewed.push((await served(name)).serial);
    }
    expect(renewed.every((s) => s !== first.serial)).toBe(true);
    // The metrics, merged: one expiry per name, that of the certificate served (renewals go
    // on every 6 s, so it is the one served just before or just after).
    const before = await served(name);
    const expiry = await metric(metricsUrl(t), `lucid_certificate_expiry_timestamp_seconds{name="${name}"}`);
    const after = await served(name);
    expect([before.notAfter / 1000, after.notAfter / 1000]).toContain(expiry);
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
    // One order per certificate for the whole cluster: the primary's, logged once.
    expect(orders(t).filter((o) => o.result === 'valid').length).toBe(obtainedCount(t));
  }, TEST_TIMEOUT_MS);
});
