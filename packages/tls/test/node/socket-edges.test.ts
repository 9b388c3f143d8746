// Edges of the Node adapters: whom a certificate must name, a close_notify in the middle of
// the handshake, pending writes when the socket goes, and option checks.
import { createServer as netServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { connect } from '../../src/node/connect.js';
import { createServer } from '../../src/node/create-server.js';
import { Resources, testPki, waitFor } from './helpers.js';

const pki = testPki();
const resources = new Resources();
afterAll(() => resources.closeAll());

async function serverFor(cert: { certPem: string; keyPem: string }) {
  return resources.listen(createServer({ cert: cert.certPem, key: cert.keyPem }));
}

describe('whom the server certificate must name', () => {
  it('an empty servername turns SNI off but the host is still checked', async () => {
    const port = await serverFor(pki.other); // a certificate for other.test only
    const socket = resources.track(connect({ host: '127.0.0.1', port, servername: '', ca: pki.ca.certPem }));
    const [error] = await waitFor<[Error]>(socket, 'error');
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).alert).toBe('certificate_unknown');
  });

  it('with neither host nor servername, connect refuses to start', () => {
    expect(() => connect({ host: '', servername: '', port: 1, ca: pki.ca.certPem })).toThrow(TypeError);
  });
});

describe('a close_notify before the handshake completes', () => {
  it('is an aborted connection: an error, then close, not a quiet end', async () => {
    const raw = netServer((s: Socket) => {
      resources.track(s);
      s.once('data', () => s.write(Uint8Array.of(0x15, 3, 3, 0, 2, 1, 0))); // plaintext close_notify, TCP left open
    });
    const port = await resources.listen(raw);
    const socket = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const [error] = await waitFor<[Error]>(socket, 'error');
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});

describe('pending writes', () => {
  it('a write queued before the handshake learns that the handshake failed', async () => {
    const port = await serverFor(pki.rogue); // not trusted: the handshake fails
    const socket = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    socket.on('error', () => {});
    const written = new Promise<Error | null | undefined>((resolve) => socket.write('early', (e) => resolve(e)));
    await expect(written).resolves.toBeInstanceOf(Error);
  });
});

describe('groups by their IANA names', () => {
  it('connect and createServer take the post-quantum groups: a HelloRetryRequest to SecP384r1MLKEM1024', async () => {
    const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, groups: ['SecP384r1MLKEM1024'] }, (s) => s.end());
    const port = await resources.listen(server);
    const socket = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, groups: ['x25519', 'SecP384r1MLKEM1024'] }));
    await waitFor(socket, 'secureConnect');
    expect(socket.info).toMatchObject({ group: 'SecP384r1MLKEM1024', helloRetryRequest: true });
  });
});

describe('option checks', () => {
  it('refuses names inherited from Object.prototype and impossible handshake timeouts', () => {
    const { certPem, keyPem } = pki.server;
    expect(() => createServer({ cert: certPem, key: keyPem, ciphers: 'hasOwnProperty' })).toThrow(TypeError);
    expect(() => createServer({ cert: certPem, key: keyPem, groups: ['toString'] as never })).toThrow(TypeError);
    expect(() => createServer({ cert: certPem, key: keyPem, handshakeTimeout: Infinity })).toThrow(RangeError);
    expect(() => createServer({ cert: certPem, key: keyPem, handshakeTimeout: -1 })).toThrow(RangeError);
    expect(() => createServer({ cert: certPem, key: keyPem, handshakeTimeout: 0 })).not.toThrow();
  });
});

describe('corked writes', () => {
  it('travel as one record (an HTTP response’s head and body), not a record per write', async () => {
    const chunks: string[] = [];
    const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (s) => {
      s.on('data', (data: Buffer) => chunks.push(data.toString()));
      s.on('end', () => s.end());
    });
    const port = await resources.listen(server);
    const socket = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(socket, 'secureConnect');
    socket.cork();
    socket.write('HTTP/1.1 200 OK\r\n\r\n');
    socket.write('body');
    socket.uncork();
    socket.end();
    socket.resume();
    await waitFor(socket, 'close');
    // The adapter hands the reader one chunk per record received.
    expect(chunks).toEqual(['HTTP/1.1 200 OK\r\n\r\nbody']);
  });
});
