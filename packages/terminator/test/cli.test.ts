/**
 * The `lucid-terminator` command, run as a real process: its flags and config file,
 * certificate reload on SIGHUP and on file change without dropping connections, and
 * graceful shutdown on SIGTERM (requests in flight finish, close_notify is sent, no new
 * connection is accepted).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { connect as lucidConnect, type TLSSocket } from '@lucid-tls/tls/node';
import { fingerprintSha256 } from '@lucid-tls/tls/x509';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { curl, curlTo, makePki, parseCurlResponse, sleep, startCommand, startUpstream, until, type RunningCommand, type TestPki, type Upstream } from './helpers.js';

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

/** Starts the command and waits for its "listening on" line. */
const start = (args: string[]): Promise<RunningCommand> => startCommand(args, running);

/** The SHA-256 fingerprint of the certificate the terminator presents now, as Node prints it. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

const colonHex = (hex: string) => hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');

/** A keep-alive connection with lucid's client, sending raw HTTP/1.1 and collecting what comes back. */
async function keepAliveConnection(port: number): Promise<{ socket: TLSSocket; received: () => string; get: (path: string) => Promise<string> }> {
  const socket = lucidConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  let text = '';
  socket.on('data', (d: Buffer) => (text += d));
  socket.on('error', () => {});
  return {
    socket,
    received: () => text,
    get: async (path: string) => {
      const start = text.length;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      await until(() => /\r\n\r\n/.test(text.slice(start)) && /Content-Length: (\d+)/i.test(text.slice(start)) && text.length - start - text.slice(start).indexOf('\r\n\r\n') - 4 >= Number(/Content-Length: (\d+)/i.exec(text.slice(start))![1]), 5000, `the response to ${path}`);
      return text.slice(start);
    },
  };
}

describe('command line and config file', () => {
  test('--help prints the usage; a bad flag exits 2', async () => {
    const help = await start(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: lucid-terminator --listen HOST:PORT/);
    const bad = await start(['--listen', 'nowhere']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/listen: expected HOST:PORT/);
  });

  test('a JSON config file (paths relative to it), with flags overriding it', async () => {
    const file = join(pki.dir, 'terminator.json');
    writeFileSync(
      file,
      JSON.stringify({
        listen: '127.0.0.1:0',
        upstream: upstream.url,
        certificates: [{ cert: 'localhost.pem', key: 'localhost-key.pem' }],
        hsts: 100,
        trustedProxies: ['127.0.0.1'],
        accessLog: 'access.log',
      }),
    );
    const t = await start(['--config', file, '--hsts', '42']);
    try {
      const result = await curl([...curlTo(t.port, pki.caFile), '-i', '-H', 'X-Forwarded-For: 203.0.113.9', `https://localhost:${t.port}/configured`]);
      const parsed = parseCurlResponse(result.stdout);
      expect(parsed.status).toBe(200);
      expect(parsed.headers['strict-transport-security']).toBe('max-age=42');
      // 127.0.0.1 is a trusted proxy here: its X-Forwarded-For is kept and appended to.
      expect(JSON.parse(parsed.body).headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
      await until(() => readFileSync(join(pki.dir, 'access.log'), 'utf8').includes('/configured'), 3000, 'the access log line');
      const line = JSON.parse(readFileSync(join(pki.dir, 'access.log'), 'utf8').trim().split('\n').pop()!);
      expect(line).toMatchObject({ path: '/configured', status: 200, sni: 'localhost', alpn: 'http/1.1' });
    } finally {
      t.child.kill('SIGTERM');
      expect(await t.exited).toBe(0);
    }
  });
});

describe('certificate reload', () => {
  test('SIGHUP: new handshakes get the new certificate, open connections keep working; a broken update is refused', async () => {
    const files = pki.issue('hup', ['localhost']);
    const config = join(pki.dir, 'hup.json');
    writeFileSync(config, JSON.stringify({ listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: files.cert, key: files.key }], watchCertificates: false, accessLog: false }));
    // One process (cluster.test.ts has the reload in every worker).
    const t = await start(['--config', config, '--workers', '1']);
    try {
      expect(await servedFingerprint(t.port)).toBe(colonHex(fingerprintSha256(files.issued.certificate)));
      const open = await keepAliveConnection(t.port);
      expect(await open.get('/before')).toMatch(/^HTTP\/1\.1 200 OK/);

      const renewed = pki.issue('hup-renewed', ['localhost']);
      writeFileSync(files.cert, renewed.issued.certPem);
      writeFileSync(files.key, renewed.issued.keyPem);
      t.child.kill('SIGHUP');
      await until(() => t.stderr().includes('certificates reloaded'), 5000, 'the reload');
      expect(await servedFingerprint(t.port)).toBe(colonHex(fingerprintSha256(renewed.issued.certificate)));
      // The connection made before the reload was not dropped.
      expect(await open.get('/after')).toMatch(/^HTTP\/1\.1 200 OK/);
      open.socket.destroy();

      // A key that does not match the certificate: the reload fails, the served certificate stays.
      writeFileSync(files.key, pki.other.issued.keyPem);
      t.child.kill('SIGHUP');
      await until(() => t.stderr().includes('reload failed'), 5000, 'the failed reload');
      expect(await servedFingerprint(t.port)).toBe(colonHex(fingerprintSha256(renewed.issued.certificate)));
    } finally {
      t.child.kill('SIGTERM');
      await t.exited;
    }
  });

  test('a certificate file replaced on disk is picked up without a signal', async () => {
    const files = pki.issue('watched', ['localhost']);
    const t = await start(['--listen', '127.0.0.1:0', '--upstream', upstream.url, '--cert', files.cert, '--key', files.key, '--access-log', 'off', '--workers', '1']);
    try {
      expect(await servedFingerprint(t.port)).toBe(colonHex(fingerprintSha256(files.issued.certificate)));
      const renewed = pki.issue('watched-renewed', ['localhost']);
      // As certbot or a Kubernetes secret does it: new files renamed over the old ones.
      writeFileSync(`${files.key}.new`, renewed.issued.keyPem);
      writeFileSync(`${files.cert}.new`, renewed.issued.certPem);
      renameSync(`${files.key}.new`, files.key);
      renameSync(`${files.cert}.new`, files.cert);
      const wanted = colonHex(fingerprintSha256(renewed.issued.certificate));
      const deadline = Date.now() + 5000;
      while ((await servedFingerprint(t.port)) !== wanted && Date.now() < deadline) await sleep(100);
      expect(await servedFingerprint(t.port)).toBe(wanted);
    } finally {
      t.child.kill('SIGTERM');
      await t.exited;
    }
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM: stop accepting, finish the request in flight, close_notify everywhere, exit 0', async () => {
    const t = await start(['--listen', '127.0.0.1:0', '--upstream', upstream.url, '--cert', pki.localhost.cert, '--key', pki.localhost.key, '--access-log', 'off', '--workers', '1']);
    const idle = await keepAliveConnection(t.port);
    expect(await idle.get('/warm-up')).toMatch(/^HTTP\/1\.1 200 OK/);
    const busy = await keepAliveConnection(t.port);
    const idleEnded = new Promise<void>((resolve) => idle.socket.once('end', () => resolve()));
    const busyEnded = new Promise<void>((resolve) => busy.socket.once('end', () => resolve()));
    idle.socket.resume();
    busy.socket.write('GET /slow?ms=1500 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await sleep(300);
    t.child.kill('SIGTERM');

    // The idle connection is closed at once, politely.
    await idleEnded;
    expect(idle.socket.receivedCloseNotify).toBe(true);
    // No new connections.
    await until(() => t.stderr().includes('finishing the requests in flight'), 3000, 'the shutdown to begin');
    await sleep(100);
    const refused = await curl([...curlTo(t.port, pki.caFile), `https://localhost:${t.port}/too-late`]);
    expect(refused.code).not.toBe(0);
    // The request in flight completes, told the connection closes, and then it does, with close_notify.
    await busyEnded;
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(busy.received()).toMatch(/\r\nConnection: close\r\n/i);
    expect(busy.received()).toMatch(/slow done\n$/);
    expect(busy.socket.receivedCloseNotify).toBe(true);
    expect(await t.exited).toBe(0);
    expect(t.stderr()).toMatch(/shut down/);
  });
});
