// The latency proxy delays each direction by half the round trip, and the client's first
// bytes by one more (the TCP handshake), keeping every byte in order. Only lower bounds are
// asserted: a loaded machine makes things slower, never faster.
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../src/node/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function echoServer(): Promise<number> {
  const server: Server = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function proxyTo(port: number, rttMs: number): Promise<LatencyProxy> {
  const proxy = await startLatencyProxy({ target: { host: '127.0.0.1', port }, rttMs });
  cleanup.push(() => proxy.close());
  return proxy;
}

/** Connects through the proxy, sends `messages` one after the other as each echo returns; the times of the echoes. */
async function echoTimes(port: number, messages: string[]): Promise<{ times: number[]; received: string }> {
  const socket = connect(port, '127.0.0.1');
  const started = performance.now();
  const times: number[] = [];
  let received = '';
  let expected = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length < expected) return;
      times.push(performance.now() - started);
      if (times.length === messages.length) return resolve();
      expected += messages[times.length]!.length;
      socket.write(messages[times.length]!);
    });
    expected = messages[0]!.length;
    socket.write(messages[0]!);
  });
  socket.destroy();
  return { times, received };
}

describe('startLatencyProxy', () => {
  it('the first exchange costs two round trips (the TCP handshake, then the data), each later one one', async () => {
    const proxy = await proxyTo(await echoServer(), 120);
    const { times, received } = await echoTimes(proxy.port, ['hello', 'again', 'and again']);
    expect(received).toBe('helloagainand again');
    expect(times[0]).toBeGreaterThanOrEqual(2 * 120 - 5);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(120 - 5);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(120 - 5);
  });

  it('keeps megabytes in order both ways, and forwards the end', async () => {
    const proxy = await proxyTo(await echoServer(), 20);
    const data = Buffer.alloc(2 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const socket = connect(proxy.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.end(data);
    await ended;
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('refuses a negative round trip', async () => {
    await expect(startLatencyProxy({ target: { host: '127.0.0.1', port: 1 }, rttMs: -1 })).rejects.toThrow(RangeError);
  });
});
