/**
 * `--keylog`: the NSS key log lines our client and server write let Wireshark decrypt a
 * real capture. tshark captures a session on the loopback interface (through a KeyUpdate,
 * which Wireshark follows on its own from *_TRAFFIC_SECRET_0), then reads the HTTP request
 * and response inside it with the key log, and cannot without it.
 *
 * Capturing needs tshark and the right to capture (root, as in CI). Outside CI a machine
 * without them skips the capture test; in CI (CI=true) it fails instead.
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

/** `tshark ARGS` on a capture file, to its end; its standard output. */
function tshark(args: string[]): string {
  const result = spawnSync('tshark', args, { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) throw new Error(`tshark ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

describe('key log', () => {
  it('client and server write the same NSS key log lines for a connection', async () => {
    const serverLog = join(pki.dir, 'server-same.keys');
    const clientLog = join(pki.dir, 'client-same.keys');
    const { port } = await startLucidServer(processes, ['--cert', pki.servers.ecdsa.chain, '--key', pki.servers.ecdsa.key, '--www', '--keylog', serverLog]);
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--keylog', clientLog, '--request', '/'], { ms: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    const lines = readFileSync(clientLog, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ]);
    // `<label> <client_random, 32 bytes> <secret, Hash.length bytes>`
    for (const line of lines) expect(line).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/);
    // The server wrote its lines before its first flight went out, so they are all there.
    expect(readFileSync(serverLog, 'utf8').trim().split('\n').sort()).toEqual([...lines].sort());
  });

  it.skipIf(!hasTshark && !inCi)('lets tshark decrypt a captured session, through a KeyUpdate', async (ctx) => {
    const keyLog = join(pki.dir, 'capture.keys');
    const pcap = join(pki.dir, 'capture.pcap');
    const { port } = await startLucidServer(processes, ['--cert', pki.servers.ecdsa.chain, '--key', pki.servers.ecdsa.key, '--www', '--alpn', 'http/1.1']);

    const capture = processes.start('tshark', 'tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', pcap]);
    try {
      await capture.waitFor(/Capturing on/, 15_000, 'stderr');
    } catch (e) {
      if (inCi) throw e;
      ctx.skip(); // no capture rights on this machine (not root, no dumpcap capabilities)
    }
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--alpn', 'http/1.1', '--key-update', '--keylog', keyLog, '--request', '/lucid-keylog-check'], { ms: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    expect(readFileSync(keyLog, 'utf8')).toMatch(/^CLIENT_TRAFFIC_SECRET_1 /m);
    // Let the last packets reach the capture, then stop it (tshark finishes the file on SIGINT).
    await new Promise((r) => setTimeout(r, 300));
    capture.kill('SIGINT');
    await capture.wait(10_000);

    // tshark does not know the port is TLS (-d), nor, without the key log, what is inside.
    const decodeAs = ['-d', `tcp.port==${port},tls`];
    const decrypted = tshark(['-r', pcap, ...decodeAs, '-o', `tls.keylog_file:${keyLog}`, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code']);
    expect(decrypted.split('\n').filter(Boolean).map((l) => l.trim())).toEqual(['/lucid-keylog-check', '200']);
    // Decrypted handshake messages too: the server's Certificate (type 11) under the handshake keys.
    expect(tshark(['-r', pcap, ...decodeAs, '-o', `tls.keylog_file:${keyLog}`, '-Y', 'tls.handshake.type == 11', '-T', 'fields', '-e', 'frame.number']).trim()).not.toBe('');

    const opaque = tshark(['-r', pcap, ...decodeAs, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri']);
    expect(opaque.trim()).toBe('');
  });
});
