/**
 * `lucid-tls … | head`: a reader that stops early closes the pipe, and the command's next
 * write fails with EPIPE. Every command must then end quietly: status 0, no stack trace.
 * Here the reader closes its end before the command writes anything, so that every command
 * meets the closed pipe, whatever the size of its output; and once as a shell does it, with
 * `head -n 2` reading two lines of a long trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createTlsServer } from '../../src/node/index.js';
import { testPki, type TestPki } from '../node/helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/lucid-tls.js');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the command wrote on the stream that stayed open. */
  other: string;
}

/** Runs `lucid-tls ARGS` with `closed` (its stdout or stderr) closed by the reader at once. */
function withClosed(closed: 'stdout' | 'stderr', args: string[], input = ''): Promise<Ended> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child[closed].destroy();
  const open = closed === 'stdout' ? child.stderr : child.stdout;
  let other = '';
  open.on('data', (chunk: Buffer) => (other += chunk.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lucid-tls ${args.join(' ')} still running with its ${closed} closed:\n${other}`));
    }, 20_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, other });
    });
  });
}

let dir: string;
let pki: TestPki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lucid-closed-output-'));
  pki = testPki();
  writeFileSync(join(dir, 'ca.pem'), pki.ca.certPem);
  writeFileSync(join(dir, 'server.pem'), pki.server.certPem);
  writeFileSync(join(dir, 'server.key'), pki.server.keyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a command whose reader closes its output ends quietly, with status 0', () => {
  const quiet: [string, () => string[]][] = [
    ['lucid-tls --help', () => ['--help']],
    ['rfc8448', () => ['rfc8448']],
    ['rfc8448 --json', () => ['rfc8448', '--json']],
    ['rfc8448 --trace', () => ['rfc8448', '--trace']],
    ['rfc8448 simple_1rtt --trace-json', () => ['rfc8448', 'simple_1rtt', '--trace-json']],
    ['rfc8448 --help', () => ['rfc8448', '--help']],
    ['x509 show', () => ['x509', 'show', join(dir, 'server.pem')]],
    ['x509 verify', () => ['x509', 'verify', '--cafile', join(dir, 'ca.pem'), '--hostname', 'localhost', join(dir, 'server.pem')]],
    ['ca init', () => ['ca', 'init', '--out', join(dir, 'ca')]],
  ];
  for (const [name, args] of quiet) {
    it(name, async () => {
      const ended = await withClosed('stdout', args());
      expect(ended).toEqual({ code: 0, signal: null, other: '' });
    });
  }

  it('cert issue', async () => {
    const caDir = join(dir, 'ca-for-issue');
    expect(spawnSync(process.execPath, [BIN, 'ca', 'init', '--out', caDir]).status).toBe(0);
    const ended = await withClosed('stdout', ['cert', 'issue', '--ca', caDir, '--out', join(dir, 'issued'), '--name', 'localhost']);
    expect(ended).toEqual({ code: 0, signal: null, other: '' });
  });

  it('client, while the server is still sending', async () => {
    // A server that sends far more than a pipe holds, to a client whose reader has gone.
    let served = 0;
    const server = createTlsServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (socket) => {
      socket.on('error', () => {});
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const send = () => {
        while (served < 64 * 1024 * 1024 && socket.write(chunk)) served += chunk.length;
      };
      socket.on('drain', send);
      send();
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const ended = await withClosed('stdout', ['client', '--connect', `localhost:${port}`, '--cafile', join(dir, 'ca.pem')]);
      expect(ended.code).toBe(0);
      expect(ended.signal).toBe(null);
      expect(ended.other).not.toMatch(/EPIPE|Error|at /);
      expect(served).toBeLessThan(64 * 1024 * 1024); // the client stopped reading: it did not wait for the end
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('server, whose log (standard error) is closed', async () => {
    // The server writes `listening on …` to standard error first, and meets the closed pipe.
    const ended = await withClosed('stderr', ['server', '--accept', '127.0.0.1:0', '--cert', join(dir, 'server.pem'), '--key', join(dir, 'server.key')]);
    expect(ended).toEqual({ code: 0, signal: null, other: '' });
  });

  it('as a shell runs it: `lucid-tls rfc8448 --trace | head -n 2`', () => {
    const shell = spawnSync('bash', ['-c', 'set -o pipefail; "$0" "$1" rfc8448 --trace | head -n 2', process.execPath, BIN], { encoding: 'utf8' });
    expect(shell.status, shell.stderr).toBe(0);
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toBe('\n=== RFC 8448 simple_1rtt ===\n');
  });
});
