/**
 * 4 MiB each way between our sockets and Node's, with a receiver that stops reading for a
 * while. Our socket's buffers must stay small the whole time (a stalled reader pauses the
 * transport; a write waits for the transport), and every byte must arrive once reading
 * resumes. Over TCP the kernel's buffers (megabytes on loopback) may absorb the whole
 * transfer, so the strict check, that the sender itself ends up blocked, runs over an
 * in-memory transport whose only buffers are the streams' own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { connect, createServer, TLSSocket } from '../../src/node/index.js';
import { Resources, duplexPair, sleep, testPki, waitFor, type TestPki } from './helpers.js';

const TOTAL = 4 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** What our socket may hold at any time: a few records and transport reads, nowhere near 4 MiB. */
const BOUND = 512 * 1024;

let pki: TestPki;
let payload: Buffer;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
  payload = randomBytes(TOTAL);
});
afterAll(() => resources.closeAll());

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Writes the payload in chunks, honouring write()'s verdict; `probe` runs after each
 * write. `stalled` resolves once a write returned false and no 'drain' followed for
 * 150 ms (the backpressure reached the sender), or once everything was written.
 */
function send(writable: Duplex, probe: () => void) {
  let offset = 0;
  let blocked = false;
  let resolveStalled!: () => void;
  const stalled = new Promise<void>((resolve) => (resolveStalled = resolve));
  const done = new Promise<void>((resolve, reject) => {
    writable.once('error', reject);
    const pump = (): void => {
      while (offset < TOTAL) {
        const ok = writable.write(payload.subarray(offset, offset + CHUNK));
        offset += CHUNK;
        probe();
        if (!ok) {
          const timer = setTimeout(() => {
            blocked = true;
            resolveStalled();
          }, 150);
          writable.once('drain', () => {
            clearTimeout(timer);
            pump();
          });
          return;
        }
      }
      writable.end();
      resolveStalled();
      resolve();
    };
    pump();
  });
  return { stalled, done, wasBlocked: () => blocked, sent: () => offset };
}

/** Our socket's buffers, checked against {@link BOUND}. */
function probeOf(socket: TLSSocket): { probe: () => void; max: () => number } {
  let max = 0;
  return {
    probe() {
      max = Math.max(max, socket.readableLength, socket.writableLength, socket.transport.writableLength);
    },
    max: () => max,
  };
}

/**
 * Sends the payload from `sender` to `receiver`, which reads nothing until the sender has
 * stalled (or finished); then reads it all and checks it.
 */
async function stalledTransfer(sender: Duplex, receiver: Duplex, ours: TLSSocket, expectSenderBlocked: boolean) {
  receiver.pause();
  const chunks: Buffer[] = [];
  const received = new Promise<Buffer>((resolve, reject) => {
    receiver.once('end', () => resolve(Buffer.concat(chunks)));
    receiver.once('error', reject);
  });
  const { probe, max } = probeOf(ours);
  const writer = send(sender, probe);
  await Promise.race([writer.stalled, sleep(10_000)]);
  await sleep(50);
  probe();
  if (expectSenderBlocked) {
    expect(writer.wasBlocked()).toBe(true);
    expect(writer.sent()).toBeLessThan(TOTAL);
  }
  if (ours === receiver) {
    // The reader is full, so the transport is paused: the rest waits at the peer (or in the kernel).
    expect(ours.transport.isPaused()).toBe(true);
  }
  expect(max()).toBeLessThan(BOUND);

  receiver.on('data', (d: Buffer) => {
    chunks.push(d);
    probe();
  });
  receiver.resume();
  await writer.done;
  const data = await received;
  expect(data.length).toBe(TOTAL);
  expect(sha256(data)).toBe(sha256(payload));
  expect(max()).toBeLessThan(BOUND);
}

describe('backpressure over TCP, 4 MiB each way', () => {
  it('lucid client ↔ node:tls server', async () => {
    const server = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, allowHalfOpen: true });
    const port = await resources.listen(server);
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, allowHalfOpen: true }));
    await waitFor(client, 'secureConnect');
    const [nodeSocket] = await serverSide;

    await stalledTransfer(client, nodeSocket, client, false);
    await stalledTransfer(nodeSocket, client, client, false);
  });

  it('node:tls client ↔ lucid server', async () => {
    const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, allowHalfOpen: true });
    const port = await resources.listen(server);
    const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const client = resources.track(tls.connect({ host: 'localhost', port, ca: pki.ca.certPem, allowHalfOpen: true } as tls.ConnectionOptions));
    await waitFor(client, 'secureConnect');
    const [socket] = await serverSide;

    await stalledTransfer(client, socket, socket, false);
    await stalledTransfer(socket, client, socket, false);
  });
});

describe('backpressure over an in-memory transport: the sender blocks', () => {
  it('lucid client ↔ node:tls server socket', async () => {
    const [ours, theirs] = duplexPair();
    const nodeSocket = resources.track(
      new tls.TLSSocket(theirs, { isServer: true, secureContext: tls.createSecureContext({ cert: pki.server.certPem, key: pki.server.keyPem }) }),
    );
    const client = resources.track(connect({ host: 'localhost', ca: pki.ca.certPem, socket: ours, allowHalfOpen: true }));
    await waitFor(client, 'secureConnect');

    await stalledTransfer(client, nodeSocket, client, true);
    await stalledTransfer(nodeSocket, client, client, true);
  });

  it('node:tls client ↔ lucid server, the transport handed over as a connection', async () => {
    const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, allowHalfOpen: true });
    const [ours, theirs] = duplexPair();
    const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    server.emit('connection', ours);
    const client = resources.track(tls.connect({ socket: theirs, servername: 'localhost', ca: pki.ca.certPem, allowHalfOpen: true } as tls.ConnectionOptions));
    await waitFor(client, 'secureConnect');
    const [socket] = await serverSide;
    resources.track(socket);

    await stalledTransfer(client, socket, socket, true);
    await stalledTransfer(socket, client, socket, true);
  });
});
