/**
 * TLS 1.2 between our Node adapters (`@lucid-tls/tls/node`) and Node's own `node:tls`
 * (OpenSSL inside Node), both ways: `maxVersion: 'TLSv1.2'` on either side, the suites by
 * OpenSSL's names, `getProtocol()` and `getCipher()` as Node reports them, resumption,
 * client certificates, ALPN, the RFC 5705 exporter computed the same on both sides (with a
 * context, and without one, which TLS 1.2 tells apart), megabytes each way, close_notify;
 * and `minVersion: 'TLSv1.3'` refusing TLS 1.2; on the default (native) crypto provider, and
 * handshakes both ways on the noble one.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { nobleProvider, type CryptoProvider } from '@lucid-tls/tls';
import { connect, createServer, nodeCryptoProvider, type ConnectOptions, type Server, type ServerOptions, type TLSSocket } from '@lucid-tls/tls/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { testData } from './processes.js';

let pki: InteropPki;
const closers: (() => void)[] = [];

beforeAll(() => {
  pki = makePki();
});
afterEach(() => {
  for (const close of closers.splice(0)) close();
});
afterAll(() => pki?.cleanup());

const read = (file: string) => readFileSync(file);

/** node:tls's exporter without a context: RFC 5705's "no context" (Node takes it; its typings want a context). */
const nodeExport = (socket: tls.TLSSocket, length: number, label: string): Buffer =>
  (socket.exportKeyingMaterial as (this: tls.TLSSocket, length: number, label: string) => Buffer).call(socket, length, label);

/** Collects a stream until it ends. */
async function readAll(socket: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('node:tls client (maxVersion TLSv1.2) → our createServer', () => {
  async function ourServer(options: ServerOptions, onSecure: (socket: TLSSocket) => void): Promise<number> {
    const server: Server = createServer(options, onSecure);
    closers.push(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  function nodeClient(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read(pki.rootFile), maxVersion: 'TLSv1.2', ...options });
    closers.push(() => socket.destroy());
    return new Promise((resolve, reject) => {
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  for (const [leaf, cipher, providerName, crypto] of [
    ['ecdsa', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'native', nodeCryptoProvider],
    ['rsa', 'ECDHE-RSA-CHACHA20-POLY1305', 'native', nodeCryptoProvider],
    ['ecdsa', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'noble', nobleProvider],
    ['rsa', 'ECDHE-RSA-AES128-GCM-SHA256', 'noble', nobleProvider],
  ] as [LeafKind, string, string, CryptoProvider][]) {
    it(`speaks ${cipher} on the ${providerName} provider, with ALPN; the exporter agrees with and without a context`, async () => {
      const files = pki.servers[leaf];
      let secured!: (socket: TLSSocket) => void;
      const ours = new Promise<TLSSocket>((resolve) => (secured = resolve));
      const port = await ourServer({ cert: read(files.chain), key: read(files.key), ALPNProtocols: ['http/1.1'], crypto }, (socket) => secured(socket));
      const client = await nodeClient(port, { ciphers: cipher, ALPNProtocols: ['h2', 'http/1.1'] });
      const server = await ours;
      expect(client.getProtocol()).toBe('TLSv1.2');
      expect(server.getProtocol()).toBe('TLSv1.2');
      expect(client.getCipher().name).toBe(cipher);
      expect(server.getCipher()).toMatchObject({ name: cipher, version: 'TLSv1.2', standardName: client.getCipher().standardName });
      expect(client.alpnProtocol).toBe('http/1.1');
      const context = Buffer.from('lucid context');
      expect(server.exportKeyingMaterial(32, 'EXPORTER-lucid', context).toString('hex')).toBe(client.exportKeyingMaterial(32, 'EXPORTER-lucid', context).toString('hex'));
      expect(server.exportKeyingMaterial(32, 'EXPORTER-lucid').toString('hex')).toBe(nodeExport(client, 32, 'EXPORTER-lucid').toString('hex'));
      expect(server.exportKeyingMaterial(32, 'EXPORTER-lucid').toString('hex')).not.toBe(server.exportKeyingMaterial(32, 'EXPORTER-lucid', Buffer.alloc(0)).toString('hex'));
    });
  }

  it('resumes with the ticket Node kept, and sends a client certificate', async () => {
    let served = 0;
    const port = await ourServer({ cert: read(pki.servers.ecdsa.chain), key: read(pki.servers.ecdsa.key), requestCert: true, ca: read(pki.rootFile) }, (socket) => {
      served++;
      socket.end(`resumed=${socket.isSessionReused()} client=${socket.getPeerCertificate().subject?.CN ?? 'none'}\n`);
    });
    const clientCert = { cert: read(pki.client.chain), key: read(pki.client.key) };
    const first = await nodeClient(port, clientCert);
    // In TLS 1.2 the ticket comes inside the handshake (RFC 5077 §3.3): the session is there at once.
    const session = first.getSession()!;
    expect((await readAll(first)).toString()).toBe('resumed=false client=lucid interop client\n');
    const second = await nodeClient(port, { ...clientCert, session });
    expect(second.isSessionReused()).toBe(true);
    expect((await readAll(second)).toString()).toBe('resumed=true client=lucid interop client\n');
    expect(served).toBe(2);
  });

  it('carries 2 MiB each way, then close_notify', async () => {
    const data = testData(2 * 1024 * 1024, 'node12');
    const port = await ourServer({ cert: read(pki.servers.ecdsa.chain), key: read(pki.servers.ecdsa.key) }, (socket) => socket.pipe(socket));
    const client = await nodeClient(port);
    client.end(data);
    const echoed = await readAll(client);
    expect(echoed.equals(data)).toBe(true);
  });

  it('refuses TLS 1.2 with minVersion TLSv1.3 (protocol_version)', async () => {
    const port = await ourServer({ cert: read(pki.servers.ecdsa.chain), key: read(pki.servers.ecdsa.key), minVersion: 'TLSv1.3' }, () => {});
    await expect(nodeClient(port)).rejects.toThrow(/protocol version|alert number 70/i);
  });
});

describe('our connect (maxVersion TLSv1.2) → node:tls server', () => {
  async function nodeServer(options: tls.TlsOptions, onSecure: (socket: tls.TLSSocket) => void): Promise<number> {
    const server = tls.createServer({ cert: read(pki.servers.ecdsa.chain), key: read(pki.servers.ecdsa.key), maxVersion: 'TLSv1.2', ...options }, (socket) => {
      socket.on('error', () => {});
      onSecure(socket);
    });
    server.on('tlsClientError', () => {});
    closers.push(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  function ourClient(port: number, options: ConnectOptions = {}): Promise<TLSSocket> {
    const socket = connect({ host: 'localhost', port, ca: read(pki.rootFile), ...options });
    closers.push(() => socket.destroy());
    return new Promise((resolve, reject) => {
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  for (const [providerName, crypto] of [['native', nodeCryptoProvider], ['noble', nobleProvider]] as const) {
    it(`accepts a TLS 1.2 server while offering both, on the ${providerName} provider; the exporter agrees`, async () => {
      let nodeSide: tls.TLSSocket | undefined;
      const port = await nodeServer({ ALPNProtocols: ['http/1.1'] }, (socket) => (nodeSide = socket));
      const ours = await ourClient(port, { ALPNProtocols: ['http/1.1'], crypto });
      expect(ours.getProtocol()).toBe('TLSv1.2');
      expect(ours.getCipher()).toMatchObject({ name: 'ECDHE-ECDSA-AES128-GCM-SHA256', version: 'TLSv1.2' });
      while (!nodeSide) await new Promise((r) => setTimeout(r, 5));
      expect(nodeSide.getProtocol()).toBe('TLSv1.2');
      expect(ours.alpnProtocol).toBe('http/1.1');
      expect(ours.exportKeyingMaterial(20, 'EXPORTER-x', Buffer.from('c')).toString('hex')).toBe(nodeSide.exportKeyingMaterial(20, 'EXPORTER-x', Buffer.from('c')).toString('hex'));
      expect(ours.exportKeyingMaterial(20, 'EXPORTER-x').toString('hex')).toBe(nodeExport(nodeSide, 20, 'EXPORTER-x').toString('hex'));
    });
  }

  it('resumes with the session it kept, by OpenSSL’s suite name', async () => {
    const port = await nodeServer({}, (socket) => socket.end(`reused=${socket.isSessionReused()}\n`));
    const first = await ourClient(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
    expect((await readAll(first)).toString()).toBe('reused=false\n');
    const session = first.getSession()!;
    const second = await ourClient(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305', session });
    expect(second.isSessionReused()).toBe(true);
    expect((await readAll(second)).toString()).toBe('reused=true\n');
  });

  it('presents its certificate when asked, and carries 2 MiB each way', async () => {
    const data = testData(2 * 1024 * 1024, 'ours12');
    const port = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: read(pki.rootFile) }, (socket) => socket.pipe(socket));
    const ours = await ourClient(port, { cert: read(pki.client.chain), key: read(pki.client.key) });
    ours.end(data);
    expect((await readAll(ours)).equals(data)).toBe(true);
  });

  it('refuses the TLS 1.2 server with minVersion TLSv1.3', async () => {
    const port = await nodeServer({}, () => {});
    await expect(ourClient(port, { minVersion: 'TLSv1.3' })).rejects.toMatchObject({ alert: 'protocol_version' });
  });
});
