/**
 * Protection: handshake, header-read (slowloris) and idle timeouts, the connection limit,
 * the header size limit, and clients that send garbage, stall or vanish, none of which
 * may take the terminator down or stop it serving others.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket as NodeTlsSocket } from 'node:tls';
import { connect as lucidConnect } from '@lucid-tls/tls/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTerminator, type Terminator } from '../src/index.js';
import { curl, curlTo, httpsGet, makePki, parseCurlResponse, sleep, startUpstream, until, type TestPki, type Upstream } from './helpers.js';

let pki: TestPki;
let upstream: Upstream;
let terminator: Terminator;
let port: number;

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  terminator = await startTerminator(
    {
      listen: '127.0.0.1:0',
      upstream: upstream.url,
      certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }],
      timeouts: { handshake: 0.5, headers: 1, idle: 1, upstream: 5 },
      maxConnections: 6,
      maxHeaderSize: 4096,
      hsts: 60,
      accessLog: false,
    },
    { logger: () => {} },
  );
  port = terminator.address.port;
});

afterAll(async () => {
  await terminator?.close();
  await upstream?.close();
  pki?.cleanup();
});

/** A TLS connection to the terminator (Node's client), once its handshake is done. */
function secureConnection(): Promise<NodeTlsSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves with the milliseconds until `socket` closes, and everything it received. */
function untilClosed(socket: Socket, limitMs = 8000): Promise<{ ms: number; received: string }> {
  const started = Date.now();
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the connection was not closed')), limitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, received });
    });
  });
}

const ok = async () => {
  const result = await curl([...curlTo(port, pki.caFile), '-s', '-o', '/dev/null', '-w', '%{http_code}', `https://localhost:${port}/ok`]);
  return result.stdout;
};

describe('timeouts', () => {
  test('handshake timeout: a TCP connection that never says hello is closed', async () => {
    const before = terminator.metrics.handshakes.get('timeout');
    const socket = netConnect(port, '127.0.0.1');
    const { ms } = await untilClosed(socket);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(4000);
    expect(terminator.metrics.handshakes.get('timeout')).toBe(before + 1);
  });

  test('header timeout (slowloris): a request head trickling in is answered 408 and closed', async () => {
    const socket = await secureConnection();
    const closed = untilClosed(socket);
    socket.write('GET /slowloris HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 150);
    try {
      const { ms, received } = await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(received).toMatch(/\r\nStrict-Transport-Security: max-age=60\r\n/);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
    }
  });

  test('idle timeout: a connection with nothing in flight gets close_notify and is closed', async () => {
    // lucid's own client, which tells a close_notify from a bare TCP close.
    const socket = lucidConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] });
    socket.resume();
    const { ms } = await untilClosed(socket as unknown as Socket);
    expect(socket.receivedCloseNotify).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });

  test('a slow upstream response is not cut by the idle or header timeouts', async () => {
    const response = await httpsGet({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, path: '/slow?ms=1600' });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('slow done\n');
  });
});

describe('limits', () => {
  test('maxHeaderSize: a larger request head gets 431', async () => {
    const result = await curl([...curlTo(port, pki.caFile), '-i', '-H', `X-Big: ${'a'.repeat(8000)}`, `https://localhost:${port}/big-header`]);
    expect(parseCurlResponse(result.stdout).status).toBe(431);
    expect(parseCurlResponse(result.stdout).headers['strict-transport-security']).toBe('max-age=60');
    expect(await ok()).toBe('200');
  });

  test('maxConnections: connections beyond the limit are refused; a freed slot is used again', async () => {
    await until(() => terminator.connectionCount === 0, 5000, 'earlier connections to close');
    const held: NodeTlsSocket[] = [];
    try {
      for (let i = 0; i < 6; i++) held.push(await secureConnection());
      const before = terminator.metrics.refusedConnections;
      const refused = await secureConnection().then(
        (s) => (s.destroy(), false),
        () => true,
      );
      expect(refused).toBe(true);
      expect(terminator.metrics.refusedConnections).toBe(before + 1);
      held.pop()!.destroy();
      await until(() => terminator.connectionCount < 6, 3000, 'a slot to free up');
      const again = await secureConnection();
      held.push(again);
      expect(again.getProtocol()).toBe('TLSv1.3');
    } finally {
      for (const s of held) s.destroy();
    }
    await until(() => terminator.connectionCount === 0, 5000, 'the held connections to close');
  });
});

describe('clients that misbehave', () => {
  test('garbage instead of a ClientHello, a broken ClientHello, vanishing mid-handshake', async () => {
    const garbage = netConnect(port, '127.0.0.1');
    garbage.write(randomBytes(2000));
    await untilClosed(garbage);

    // A handshake record whose ClientHello is random bytes: answered with an alert, closed.
    const broken = netConnect(port, '127.0.0.1');
    const body = randomBytes(300);
    broken.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x01, 0x30, 0x01, 0x00, 0x01, 0x2c]), body]));
    const { received } = await untilClosed(broken);
    expect(received.charCodeAt(0)).toBe(0x15); // an alert record

    for (let i = 0; i < 20; i++) {
      const vanishing = netConnect(port, '127.0.0.1');
      vanishing.on('error', () => {});
      vanishing.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
      vanishing.destroy();
    }
    expect(await ok()).toBe('200');
  });

  test('HTTP garbage after the handshake gets 400; the next client is served', async () => {
    const socket = await secureConnection();
    const closed = untilClosed(socket);
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    const { received } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(received).toMatch(/\r\nStrict-Transport-Security: max-age=60\r\n/);
    expect(await ok()).toBe('200');
  });

  test('a client that vanishes mid-body, or mid-response, costs only its own connection', async () => {
    const uploading = await secureConnection();
    uploading.write('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n');
    uploading.write(randomBytes(50_000));
    await sleep(50);
    uploading.destroy();

    const downloading = await secureConnection();
    downloading.write('GET /big?bytes=20000000 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => downloading.once('data', resolve));
    downloading.destroy();

    await sleep(100);
    expect(await ok()).toBe('200');
    await until(() => terminator.connectionCount === 0, 5000, 'the broken connections to be cleaned up');
  });
});
