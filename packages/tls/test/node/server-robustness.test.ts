/**
 * Bad clients cost the server only their own connection: a client that says nothing, or
 * stops halfway, is cut off at the handshake timeout; garbage gets an alert; a client that
 * hangs up mid-handshake is reported. Each is a 'tlsClientError', never a crash, and a
 * good connection alongside carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createServer, type TLSSocket } from '../../src/node/index.js';
import { AlertDescription, TlsError } from '../../src/alert.js';
import { Resources, testPki, waitFor, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterAll(() => resources.closeAll());

/** An echo server with a short handshake timeout. */
async function echoServer(handshakeTimeout: number) {
  const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, handshakeTimeout }, (socket) => socket.pipe(socket));
  const port = await resources.listen(server);
  return { server, port };
}

/** A good client, connected and echoing: returns a function that checks a round trip. */
async function goodClient(port: number): Promise<(text: string) => Promise<string>> {
  const client = resources.track(tls.connect({ host: 'localhost', port, ca: pki.ca.certPem }));
  await waitFor(client, 'secureConnect');
  return async (text) => {
    const reply = waitFor<[Buffer]>(client, 'data');
    client.write(text);
    return (await reply)[0].toString();
  };
}

/** A raw TCP connection, collecting what it receives until it closes. */
async function rawClient(port: number) {
  const socket = resources.track(net.connect({ host: '127.0.0.1', port }));
  await waitFor(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<Buffer>((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
  socket.on('error', () => {});
  return { socket, closed };
}

describe('server robustness', () => {
  it('cuts off a client that sends nothing at the handshake timeout', async () => {
    // Long enough for the good client's handshake on a loaded machine, short for a test.
    const { server, port } = await echoServer(600);
    const good = await goodClient(port);
    const started = Date.now();
    const tlsClientError = waitFor<[Error, TLSSocket]>(server, 'tlsClientError', 3000);
    const silent = await rawClient(port);
    const [error, socket] = await tlsClientError;
    expect(error.message).toBe('TLS handshake timeout');
    expect((error as Error & { code?: string }).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(socket.destroyed).toBe(true);
    expect((await silent.closed).length).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    // The good connection is older than the timeout and still works.
    expect(await good('still here')).toBe('still here');
  });

  it('cuts off a client that stops halfway through its ClientHello', async () => {
    const { server, port } = await echoServer(300);
    const tlsClientError = waitFor<[Error]>(server, 'tlsClientError', 3000);
    const stalled = await rawClient(port);
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00])); // a record header promising 256 bytes
    const [error] = await tlsClientError;
    expect(error.message).toBe('TLS handshake timeout');
    await stalled.closed;
  });

  it('answers garbage with an alert and reports it', async () => {
    const { server, port } = await echoServer(5000);
    const good = await goodClient(port);
    const tlsClientError = waitFor<[TlsError, TLSSocket]>(server, 'tlsClientError');
    const garbage = await rawClient(port);
    garbage.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const [error] = await tlsClientError;
    expect(error).toBeInstanceOf(TlsError);
    expect(error.sent).toBe(true);
    const received = await garbage.closed;
    // One plaintext alert record: type 21, version 0x0303, length 2, level fatal, the description.
    expect([...received.subarray(0, 6)]).toEqual([21, 3, 3, 0, 2, 2]);
    expect(received[6]).toBe(AlertDescription[error.alert]);
    expect(received.length).toBe(7);
    expect(await good('fine')).toBe('fine');
  });

  it('reports a client that hangs up mid-handshake', async () => {
    const { server, port } = await echoServer(5000);
    const tlsClientError = waitFor<[Error & { code?: string }]>(server, 'tlsClientError');
    const quitter = await rawClient(port);
    quitter.socket.end();
    const [error] = await tlsClientError;
    expect(error.code).toBe('ECONNRESET');
    await quitter.closed;
  });

  it('lets many connections complete while others stall', async () => {
    const { server, port } = await echoServer(1000);
    const errors: Error[] = [];
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const stalled = await Promise.all([rawClient(port), rawClient(port), rawClient(port)]);
    const clients = await Promise.all([1, 2, 3, 4].map(() => goodClient(port)));
    expect(await Promise.all(clients.map((c, i) => c(`client ${i}`)))).toEqual(['client 0', 'client 1', 'client 2', 'client 3']);
    await Promise.all(stalled.map((s) => s.closed));
    expect(errors.map((e) => e.message)).toEqual(['TLS handshake timeout', 'TLS handshake timeout', 'TLS handshake timeout']);
    expect(await clients[0]!('after the timeouts')).toBe('after the timeouts');
  });
});
