/**
 * What a handshake costs in time, measured: `lucid-tls latency` times each kind of
 * handshake through the latency proxy, and `lucid-tls client --rtt` one connection to a
 * server of ours. Only lower bounds are asserted (a loaded machine is slower, never faster),
 * with the round trips each handshake needs at best read from its trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLatency } from '../../src/cli/latency-command.js';
import { createServer, type Server } from '../../src/node/index.js';
import { testPki, type TestPki } from '../node/helpers.js';
import { killAll, run, tokens } from './run.js';

let pki: TestPki;
let dir: string;
let caFile: string;
let server: Server;
let port: number;

beforeAll(async () => {
  pki = testPki();
  dir = mkdtempSync(join(tmpdir(), 'lucid-cli-latency-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.certPem);
  server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await killAll();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('lucid-tls latency', () => {
  it('measures each kind of handshake, never faster than its round trips allow', async () => {
    const rtt = 60;
    const out = await run(['latency', '--rtt', String(rtt)], '', 60_000);
    expect(out.code, out.stderr).toBe(0);
    const text = out.stdout.toString();
    expect(text).toContain(`over a link with a ${rtt} ms round trip`);
    const rows = [...text.matchAll(/^(full handshake|with a HelloRetryRequest|resumed|resumed with 0-RTT data) +(\d+) +(\d+) ms +(\d+) ms( \*)?$/gm)];
    expect(rows.map((m) => [m[1], Number(m[2]), Number(m[3])])).toEqual([
      ['full handshake', 3, 3 * rtt],
      ['with a HelloRetryRequest', 4, 4 * rtt],
      ['resumed', 3, 3 * rtt],
      ['resumed with 0-RTT data', 2, 2 * rtt],
    ]);
    // Each measurement is at least the best its round trips allow (a millisecond of timer slack).
    for (const m of rows) expect(Number(m[4]), m[1]).toBeGreaterThanOrEqual(Number(m[3]) - 1);
    // The footnote is there exactly when the 0-RTT answer waited for the handshake.
    const late = rows[3]![5] !== undefined;
    expect(text.includes('could answer only after the client’s Finished')).toBe(late);
    if (late) expect(Number(rows[3]![4])).toBeGreaterThanOrEqual(3 * rtt - 1);
  }, 90_000);

  it('refuses a round trip it cannot use', async () => {
    for (const bad of ['-5', 'fast', '100000']) {
      const out = await run(['latency', '--rtt', bad]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('--rtt wants milliseconds from 0 to 2000');
    }
  });

  it('marks the 0-RTT row and says why, when the answer had to wait', () => {
    const table = formatLatency(
      [
        { name: 'full handshake', roundTrips: 3, measuredMs: 310.4, answeredBeforeFinished: false },
        { name: 'resumed with 0-RTT data', roundTrips: 2, measuredMs: 305, answeredBeforeFinished: false },
      ],
      100,
    );
    expect(table).toContain('full handshake                         3    300 ms     310 ms\n');
    expect(table).toContain('resumed with 0-RTT data                2    200 ms     305 ms *\n');
    expect(table).toContain('(0.5-RTT data, RFC 8446 §2.3)');
    expect(formatLatency([{ name: 'resumed with 0-RTT data', roundTrips: 2, measuredMs: 205, answeredBeforeFinished: true }], 100)).not.toContain('*');
  });
});

describe('lucid-tls client --rtt', () => {
  it('goes through a proxy of that round trip and reports when the handshake and the first byte came', async () => {
    const rtt = 80;
    const out = await run(['client', '--connect', `localhost:${port}`, '--cafile', caFile, '--request', '/', '--rtt', String(rtt)], '', 30_000);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(tokens(lines[0]!)).toMatchObject({ protocol: 'TLSv1.3', resumed: 'no' });
    const timing = tokens(lines[1]!.replace(/^timing /, ''));
    expect(Object.keys(timing)).toEqual(['rtt_ms', 'best_first_byte_rtt', 'secure_ms', 'secure_rtt', 'first_byte_ms', 'first_byte_rtt']);
    expect(timing.rtt_ms).toBe(String(rtt));
    expect(timing.best_first_byte_rtt).toBe('3');
    // TCP, then a round trip of TLS: secure after two; the answer one later.
    expect(Number(timing.secure_ms)).toBeGreaterThanOrEqual(2 * rtt - 1);
    expect(Number(timing.first_byte_ms)).toBeGreaterThanOrEqual(3 * rtt - 1);
    expect(Number(timing.first_byte_rtt)).toBeCloseTo(Number(timing.first_byte_ms) / rtt, 1);
  }, 40_000);

  it('refuses a bad --rtt with its usage', async () => {
    const out = await run(['client', '--connect', `localhost:${port}`, '--rtt', 'soon']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--rtt wants milliseconds');
  });
});
