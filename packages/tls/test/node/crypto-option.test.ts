/**
 * The Node adapters compute with `nodeCryptoProvider` (OpenSSL) unless told otherwise, and
 * `crypto: nobleProvider` switches them to JavaScript; both ways they interoperate with
 * node:tls in every cipher suite, resume, and with each other, client certificates included.
 */
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { connect, createServer, nodeCryptoProvider, type ServerOptions, type TLSSocket } from '../../src/node/index.js';
import { Resources, readAll, testPki, waitFor, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => resources.closeAll());

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const PROVIDERS: [string, CryptoProvider][] = [
  ['native', nodeCryptoProvider],
  ['noble', nobleProvider],
];

async function lucidServer(options: Partial<ServerOptions> = {}) {
  const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ...options } as ServerOptions, (socket) => socket.end('bye'));
  return { server, port: await resources.listen(server) };
}

async function nodeServer(options: tls.TlsOptions = {}) {
  const server = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, minVersion: 'TLSv1.3', ...options }, (socket) => socket.end('bye'));
  return { server, port: await resources.listen(server) };
}

describe('the crypto option', () => {
  it('connect() and createServer() use the native provider by default, noble when asked, never the other', async () => {
    for (const [chosen, unused, crypto] of [
      [nodeCryptoProvider, nobleProvider, undefined],
      [nobleProvider, nodeCryptoProvider, nobleProvider],
    ] as const) {
      const used = vi.spyOn(chosen, 'randomBytes');
      const untouched = vi.spyOn(unused, 'randomBytes');
      const { port } = await lucidServer(crypto ? { crypto } : {});
      const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, ...(crypto ? { crypto } : {}) }));
      expect((await readAll(client)).toString()).toBe('bye');
      // The client's random, the server's random and key share, the tickets: all from the chosen provider.
      expect(used.mock.calls.length).toBeGreaterThanOrEqual(4);
      expect(untouched).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });
});

describe.each(PROVIDERS)('crypto: %s', (_name, crypto) => {
  for (const suite of SUITES) {
    it(`connect() ↔ node:tls server and node:tls client ↔ createServer(), ${suite}, then resumption`, async () => {
      const node = await nodeServer({ ciphers: suite });
      const client = resources.track(connect({ host: 'localhost', port: node.port, ca: pki.ca.certPem, crypto }));
      const sessions: Buffer[] = [];
      client.on('session', (s: Buffer) => sessions.push(s));
      expect((await readAll(client)).toString()).toBe('bye');
      expect(client.getCipher()?.name).toBe(suite);
      const again = resources.track(connect({ host: 'localhost', port: node.port, ca: pki.ca.certPem, crypto, session: sessions[0] }));
      expect((await readAll(again)).toString()).toBe('bye');
      expect(again.isSessionReused()).toBe(true);

      const lucid = await lucidServer({ crypto, ciphers: suite });
      const nodeClient = resources.track(tls.connect({ host: 'localhost', port: lucid.port, ca: pki.ca.certPem }));
      const [session] = await waitFor<[Buffer]>(nodeClient, 'session');
      expect((await readAll(nodeClient)).toString()).toBe('bye');
      expect(nodeClient.getCipher().standardName).toBe(suite);
      const resumed = resources.track(tls.connect({ host: 'localhost', port: lucid.port, ca: pki.ca.certPem, session }));
      expect((await readAll(resumed)).toString()).toBe('bye');
      expect(resumed.isSessionReused()).toBe(true);
    });
  }
});

describe('a noble client and a native server, and the reverse', () => {
  for (const [clientName, clientCrypto, serverCrypto] of [
    ['noble', nobleProvider, nodeCryptoProvider],
    ['native', nodeCryptoProvider, nobleProvider],
  ] as const) {
    it(`${clientName} client with a client certificate`, async () => {
      const { server, port } = await lucidServer({ crypto: serverCrypto, requestCert: true, ca: pki.ca.certPem });
      const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
      const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, crypto: clientCrypto, cert: pki.client.certPem, key: pki.client.keyPem }));
      expect((await readAll(client)).toString()).toBe('bye');
      const [socket] = await serverSide;
      expect(client.authorized).toBe(true);
      expect(socket.authorized).toBe(true);
    });
  }
});
