/**
 * The key log of a TLS 1.2 connection: one `CLIENT_RANDOM <client_random> <master_secret>`
 * line (NSS's format), the same from client and server, with which tshark decrypts a real
 * TLS 1.2 capture (the HTTP inside, and the Finished messages), and without which it cannot.
 *
 * Capturing needs tshark and the right to capture (root, as in CI); elsewhere the capture
 * test is skipped, and in CI (CI=true) it fails instead.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki } from './pki.js';
import { Processes, startLucidServer } from './processes.js';

let pki: InteropPki;
const processes = new Processes();
const inCi = process.env.CI === 'true';
const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

beforeAll(() => {
  pki = makePki();
});
afterEach(() => processes.killAll());
afterAll(() => pki?.cleanup());

function tshark(args: string[]): string {
  const result = spawnSync('tshark', args, { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) throw new Error(`tshark ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

describe('TLS 1.2 key log', () => {
  it('is one CLIENT_RANDOM line, the same from client and server', async () => {
    const serverLog = join(pki.dir, 'server12.keys');
    const clientLog = join(pki.dir, 'client12.keys');
    const { port } = await startLucidServer(processes, ['--cert', pki.servers.rsa.chain, '--key', pki.servers.rsa.key, '--www', '--keylog', serverLog], { cwd: pki.dir });
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--max-version', '1.2', '--keylog', clientLog, '--request', '/'], { ms: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    const lines = readFileSync(clientLog, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    // `CLIENT_RANDOM <client_random, 32 bytes> <master_secret, 48 bytes>`
    expect(lines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    expect(readFileSync(serverLog, 'utf8').trim().split('\n')).toEqual(lines);
  });

  it.skipIf(!hasTshark && !inCi)('lets tshark decrypt a captured TLS 1.2 session', async (ctx) => {
    const keyLog = join(pki.dir, 'capture12.keys');
    const pcap = join(pki.dir, 'capture12.pcap');
    const { port } = await startLucidServer(processes, ['--cert', pki.servers.ecdsa.chain, '--key', pki.servers.ecdsa.key, '--www', '--alpn', 'http/1.1']);
    const capture = processes.start('tshark', 'tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', pcap]);
    try {
      await capture.waitFor(/Capturing on/, 15_000, 'stderr');
    } catch (e) {
      if (inCi) throw e;
      ctx.skip();
    }
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--max-version', '1.2', '--alpn', 'http/1.1', '--keylog', keyLog, '--request', '/lucid-tls12-keylog'], { ms: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    capture.kill('SIGINT');
    await capture.wait(10_000);

    const decodeAs = ['-d', `tcp.port==${port},tls`];
    const withKeys = ['-o', `tls.keylog_file:${keyLog}`];
    expect(tshark(['-r', pcap, ...decodeAs, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tls.handshake.version']).trim()).toBe('0x0303');
    const decrypted = tshark(['-r', pcap, ...decodeAs, ...withKeys, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code']);
    expect(decrypted.split('\n').filter(Boolean).map((l) => l.trim())).toEqual(['/lucid-tls12-keylog', '200']);
    // Both Finished messages (type 20), which travel encrypted after ChangeCipherSpec.
    expect(tshark(['-r', pcap, ...decodeAs, ...withKeys, '-Y', 'tls.handshake.type == 20', '-T', 'fields', '-e', 'frame.number']).trim().split('\n')).toHaveLength(2);
    expect(tshark(['-r', pcap, ...decodeAs, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri']).trim()).toBe('');
  });
});
