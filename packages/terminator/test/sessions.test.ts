/**
 * Sessions: resumption with tickets (Node's https client), ticket key rotation, and TLS
 * 1.3 0-RTT with OpenSSL's s_client: requests in early data reach the upstream with
 * `Early-Data: 1`, non-idempotent ones are answered 425, a replay is refused, and
 * without `earlyData` no ticket allows it.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket as NodeTlsSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTerminator, type AccessLogEntry, type Terminator } from '../src/index.js';
import { makePki, sleep, startUpstream, type TestPki, type Upstream } from './helpers.js';

let pki: TestPki;
let upstream: Upstream;
let terminator: Terminator;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  terminator = await startTerminator(
    {
      listen: '127.0.0.1:0',
      upstream: upstream.url,
      certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }],
      earlyData: true,
      accessLog: false,
    },
    { onAccessLog: (entry) => log.push(entry), logger: () => {} },
  );
});

afterAll(async () => {
  await terminator?.close();
  await upstream?.close();
  pki?.cleanup();
});

/** Runs `openssl s_client` with `input` on stdin; resolves with everything it printed. */
function sClient(port: number, args: string[], input = '', waitForClose = true): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      // -ign_eof: wait for the server to close (the requests say Connection: close), not for stdin's end.
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caFile, ...(waitForClose ? ['-ign_eof'] : []), ...args],
      { timeout: 10_000, encoding: 'utf8' },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    );
    child.stdin?.end(input);
  });
}

const request = (method: string, path: string, body = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`;

/** A fresh session file from a full handshake (and one request, so the tickets arrive first). */
async function freshSession(port: number, name: string): Promise<string> {
  const file = join(pki.dir, `${name}.sess`);
  const output = await sClient(port, ['-sess_out', file], request('GET', `/ticket/${name}`));
  expect(output).toMatch(/HTTP\/1\.1 200 OK/);
  return file;
}

/** Connects with Node's tls; resolves once a session ticket has arrived. */
function connectForSession(port: number, session?: Buffer): Promise<{ socket: NodeTlsSocket; session: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, ...(session ? { session } : {}) });
    socket.once('session', (s: Buffer) => resolve({ socket, session: s, reused: socket.isSessionReused() }));
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no session ticket')), 5000).unref();
  });
}

describe('resumption', () => {
  test('a second connection resumes with the ticket of the first (Node https client)', async () => {
    const agent = new Agent({ keepAlive: false, ca: pki.ca.certPem, maxCachedSessions: 10 });
    const get = (path: string) =>
      new Promise<boolean>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: terminator.address.port, servername: 'localhost', agent, path }, (res) => {
          const reused = (res.socket as NodeTlsSocket).isSessionReused();
          res.resume();
          res.on('end', () => resolve(reused));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get('/resume/1')).toBe(false);
      await sleep(50);
      expect(await get('/resume/2')).toBe(true);
    } finally {
      agent.destroy();
    }
    expect(log.find((e) => e.path === '/resume/1')?.resumed).toBe(false);
    expect(log.find((e) => e.path === '/resume/2')?.resumed).toBe(true);
  });

  test('ticket keys rotate: a ticket works while its key is one of the last two, then resumption falls back to a full handshake', async () => {
    // A terminator of its own, so that the first key is made by the first ticket here.
    const rotating = await startTerminator(
      { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], tickets: { rotateSeconds: 1 }, accessLog: false },
      { logger: () => {} },
    );
    const port = rotating.address.port;
    try {
      const first = await connectForSession(port); // key k0, made now
      first.socket.destroy();
      await sleep(1100);
      const second = await connectForSession(port); // a period later: sealed under a new key k1
      second.socket.destroy();
      const stillGood = await connectForSession(port, first.session); // k0 still opens
      stillGood.socket.destroy();
      expect(stillGood.reused).toBe(true);
      await sleep(1000);
      const expired = await connectForSession(port, first.session); // k0 is two periods old: gone
      expired.socket.destroy();
      expect(expired.reused).toBe(false);
      const current = await connectForSession(port, second.session);
      current.socket.destroy();
      expect(current.reused).toBe(true);
    } finally {
      await rotating.close();
    }
  });
});

describe('0-RTT early data (RFC 8470)', () => {
  test('a GET in early data goes upstream with Early-Data: 1', async () => {
    const port = terminator.address.port;
    const session = await freshSession(port, 'get');
    const file = join(pki.dir, 'early-get.txt');
    writeFileSync(file, request('GET', '/early-get'));
    const output = await sClient(port, ['-sess_in', session, '-early_data', file]);
    expect(output).toMatch(/Early data was accepted/);
    expect(output).toMatch(/HTTP\/1\.1 200 OK/);
    expect(output).toContain('"early-data":"1"');
    const entry = log.find((e) => e.path === '/early-get')!;
    expect(entry).toMatchObject({ earlyData: true, resumed: true, status: 200 });
    expect(entry.handshakeMs).toBeGreaterThan(0);
  });

  test('a POST in early data is answered 425 Too Early and never reaches the upstream', async () => {
    const port = terminator.address.port;
    const session = await freshSession(port, 'post');
    const file = join(pki.dir, 'early-post.txt');
    writeFileSync(file, request('POST', '/early-post', 'abc'));
    const before = upstream.requests;
    const output = await sClient(port, ['-sess_in', session, '-early_data', file]);
    expect(output).toMatch(/Early data was accepted/);
    expect(output).toMatch(/HTTP\/1\.1 425 Too Early/);
    expect(upstream.requests).toBe(before);
    expect(log.find((e) => e.path === '/early-post')).toMatchObject({ earlyData: true, status: 425 });
    expect(terminator.metrics.earlyDataRequests).toBeGreaterThanOrEqual(1);
  });

  test('the same ticket cannot carry early data twice (anti-replay); the request is then an ordinary one', async () => {
    const port = terminator.address.port;
    const session = await freshSession(port, 'replay');
    const file = join(pki.dir, 'early-replay.txt');
    writeFileSync(file, request('GET', '/early-replay'));
    expect(await sClient(port, ['-sess_in', session, '-early_data', file])).toMatch(/Early data was accepted/);
    const replay = await sClient(port, ['-sess_in', session, '-early_data', file], '', false);
    expect(replay).toMatch(/Early data was rejected/);
    expect(log.filter((e) => e.path === '/early-replay' && e.earlyData)).toHaveLength(1);
  });

  test('0-RTT is off by default: the tickets do not allow early data', async () => {
    const plain = await startTerminator(
      { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false },
      { logger: () => {} },
    );
    try {
      const session = await freshSession(plain.address.port, 'off');
      const file = join(pki.dir, 'early-off.txt');
      writeFileSync(file, request('GET', '/early-off'));
      const output = await sClient(plain.address.port, ['-sess_in', session, '-early_data', file], '', false);
      expect(output).not.toMatch(/Early data was accepted/);
      expect(output).toMatch(/Early data was not sent/);
    } finally {
      await plain.close();
    }
  });
});
