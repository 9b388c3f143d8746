/**
 * Node's own TLS client (OpenSSL) against our `createServer()`: handshake, data, ALPN,
 * exporters, key log, SNI, resumption, half-close, client certificates; and 0-RTT between
 * our own client and server (Node's client does not send early data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tls from 'node:tls';
import { connect, createServer, type ServerOptions, type TLSSocket } from '../../src/node/index.js';
import { TlsError } from '../../src/alert.js';
import { Resources, readAll, testPki, waitFor, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterAll(() => resources.closeAll());

async function lucidServer(options: Partial<ServerOptions> = {}, onSocket: (socket: TLSSocket) => void = () => {}) {
  const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ...options } as ServerOptions, onSocket);
  const port = await resources.listen(server);
  return { server, port };
}

function nodeClient(port: number, options: tls.ConnectionOptions = {}): tls.TLSSocket {
  return resources.track(tls.connect({ host: 'localhost', port, ca: pki.ca.certPem, ...options }));
}

describe('node:tls client ↔ lucid server', () => {
  it('handshakes, carries data both ways and agrees on what was negotiated', async () => {
    const { server, port } = await lucidServer({ ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
      socket.once('data', (data: Buffer) => socket.write(`echo:${data}`));
    });
    const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const client = nodeClient(port, { ALPNProtocols: ['http/1.1', 'h2'], servername: 'localhost' });
    await waitFor(client, 'secureConnect');
    const [socket] = await serverSide;

    expect(client.authorized).toBe(true);
    expect(client.getProtocol()).toBe('TLSv1.3');
    // ALPN: the server's preference among the client's offers (RFC 7301 §3.2).
    expect(client.alpnProtocol).toBe('h2');
    expect(socket.alpnProtocol).toBe('h2');
    expect(socket.servername).toBe('localhost');
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(socket.getCipher()!.name).toBe(client.getCipher().name);
    expect(socket.authorized).toBe(false); // no client certificate was asked for
    expect(socket.getPeerCertificate()).toEqual({});
    expect(socket.remoteAddress).toBe('127.0.0.1');
    expect(socket.remotePort).toBe(client.localPort);
    expect(socket.exportKeyingMaterial(64, 'EXPERIMENTAL server')).toEqual(client.exportKeyingMaterial(64, 'EXPERIMENTAL server', Buffer.alloc(0)));

    client.write('ping');
    const [reply] = await waitFor<[Buffer]>(client, 'data');
    expect(reply.toString()).toBe('echo:ping');
  });

  it('refuses a client whose ALPN protocols are none of ours with no_application_protocol', async () => {
    const { server, port } = await lucidServer({ ALPNProtocols: ['h2'] });
    const serverError = waitFor<[TlsError]>(server, 'tlsClientError');
    const client = nodeClient(port, { ALPNProtocols: ['spdy/1'] });
    const [clientError] = await waitFor<[Error]>(client, 'error');
    expect(clientError.message).toMatch(/no application protocol/i);
    const [error] = await serverError;
    expect(error).toBeInstanceOf(TlsError);
    expect(error.alert).toBe('no_application_protocol');
  });

  it('logs the same keys as the client, to the server’s keylog listeners', async () => {
    const { server, port } = await lucidServer();
    const serverLines: string[] = [];
    server.on('keylog', (line: Buffer, socket: TLSSocket) => {
      expect(socket.encrypted).toBe(true);
      serverLines.push(line.toString());
    });
    const serverSide = waitFor(server, 'secureConnection');
    const client = nodeClient(port);
    const clientLines: string[] = [];
    client.on('keylog', (line: Buffer) => clientLines.push(line.toString()));
    await waitFor(client, 'secureConnect');
    await serverSide;
    expect(serverLines.length).toBeGreaterThanOrEqual(4);
    for (const line of clientLines) expect(serverLines).toContain(line);
  });

  it('picks the certificate by server_name (SNI), the first one by default', async () => {
    const { port } = await lucidServer({
      cert: undefined,
      key: undefined,
      certificates: [
        { cert: pki.server.certPem, key: pki.server.keyPem },
        { cert: pki.other.certPem, key: pki.other.keyPem },
      ],
    });
    const other = nodeClient(port, { servername: 'other.test' });
    await waitFor(other, 'secureConnect');
    expect(other.getPeerCertificate().subjectaltname).toBe('DNS:other.test');
    const local = nodeClient(port);
    await waitFor(local, 'secureConnect');
    expect(local.getPeerCertificate().subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
  });

  it('sends the whole chain from cert, and describes it linked as Node does', async () => {
    const { port } = await lucidServer({ cert: pki.server.certPem + pki.ca.certPem });
    const node = nodeClient(port);
    await waitFor(node, 'secureConnect');
    const lucid = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(lucid, 'secureConnect');
    expect(lucid.info!.peerCertificates).toHaveLength(2);

    const theirs = node.getPeerCertificate(true);
    const ours = lucid.getPeerCertificate(true);
    if (!('issuerCertificate' in ours) || !ours.issuerCertificate) throw new Error('no issuerCertificate');
    expect(ours.issuerCertificate.subject).toEqual({ O: 'Lucid TLS development CA', CN: 'Lucid node adapter test CA' });
    expect(ours.issuerCertificate.fingerprint256).toBe(theirs.issuerCertificate.fingerprint256);
    expect(ours.issuerCertificate.ca).toBe(true);
    // The root is self-issued, so it is its own issuer, in Node and here.
    expect(theirs.issuerCertificate.issuerCertificate).toBe(theirs.issuerCertificate);
    expect(ours.issuerCertificate.issuerCertificate).toBe(ours.issuerCertificate);
  });

  it('issues tickets that resume on a later connection', async () => {
    const { server, port } = await lucidServer({}, (socket) => socket.end('bye'));
    const first = nodeClient(port);
    const [session] = await waitFor<[Buffer]>(first, 'session');
    await readAll(first);

    const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const second = nodeClient(port, { session });
    await waitFor(second, 'secureConnect');
    const [socket] = await serverSide;
    expect(second.isSessionReused()).toBe(true);
    expect(socket.isSessionReused()).toBe(true);
    expect((await readAll(second)).toString()).toBe('bye');
  });

  it('half-closes: the client’s end() is our end, and we can still answer', async () => {
    const { port } = await lucidServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => socket.end(`after your end I still say: ${Buffer.concat(chunks)}`));
    });
    const client = nodeClient(port, { allowHalfOpen: true } as tls.ConnectionOptions);
    await waitFor(client, 'secureConnect');
    const reply = readAll(client);
    client.end('hello');
    expect((await reply).toString()).toBe('after your end I still say: hello');
  });

  it('half-closes: our end() reaches the client, which can still answer', async () => {
    const { server, port } = await lucidServer({ allowHalfOpen: true }, (socket) => socket.end('closing my side'));
    const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const client = nodeClient(port, { allowHalfOpen: true } as tls.ConnectionOptions);
    const [socket] = await serverSide;
    const fromClient = readAll(socket);
    expect((await readAll(client)).toString()).toBe('closing my side');
    client.end('still here');
    expect((await fromClient).toString()).toBe('still here');
    expect(socket.receivedCloseNotify).toBe(true);
  });

  describe('client certificates', () => {
    const clientAuth = { requestCert: true, ca: () => pki.ca.certPem };

    it('required: a trusted certificate is accepted and described', async () => {
      const { server, port } = await lucidServer({ requestCert: true, ca: clientAuth.ca() });
      const serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
      const client = nodeClient(port, { cert: pki.client.certPem, key: pki.client.keyPem });
      await waitFor(client, 'secureConnect');
      const [socket] = await serverSide;
      expect(socket.authorized).toBe(true);
      expect(socket.authorizationError).toBeUndefined();
      const peer = socket.getPeerCertificate();
      expect('subjectaltname' in peer && peer.subjectaltname).toBe('email:client@lucid.test');
      expect('ext_key_usage' in peer && peer.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.2']);
    });

    it('required: no certificate ends the handshake with certificate_required', async () => {
      const { server, port } = await lucidServer({ requestCert: true, ca: clientAuth.ca() });
      const serverError = waitFor<[TlsError, TLSSocket]>(server, 'tlsClientError');
      const client = nodeClient(port);
      const [clientError] = await waitFor<[Error]>(client, 'error');
      expect(clientError.message).toMatch(/certificate required/i);
      const [error] = await serverError;
      expect(error.alert).toBe('certificate_required');
    });

    it('required: an untrusted certificate ends the handshake with unknown_ca', async () => {
      const { server, port } = await lucidServer({ requestCert: true, ca: clientAuth.ca() });
      const serverError = waitFor<[TlsError, TLSSocket]>(server, 'tlsClientError');
      const client = nodeClient(port, { cert: pki.rogueClient.certPem, key: pki.rogueClient.keyPem });
      const [clientError] = await waitFor<[Error]>(client, 'error');
      expect(clientError.message).toMatch(/unknown ca/i);
      const [error] = await serverError;
      expect(error).toBeInstanceOf(TlsError);
      expect(error.alert).toBe('unknown_ca');
    });

    it('optional: no certificate, or an untrusted one, connects with authorized false', async () => {
      const { server, port } = await lucidServer({ requestCert: true, rejectUnauthorized: false, ca: clientAuth.ca() });
      let serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
      nodeClient(port);
      let [socket] = await serverSide;
      expect(socket.authorized).toBe(false);
      expect(socket.getPeerCertificate()).toEqual({});

      serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
      nodeClient(port, { cert: pki.rogueClient.certPem, key: pki.rogueClient.keyPem });
      [socket] = await serverSide;
      expect(socket.authorized).toBe(false);
      expect(socket.authorizationError).toBeInstanceOf(TlsError);
      expect((socket.authorizationError as TlsError).alert).toBe('unknown_ca');
    });
  });
});

describe('lucid client ↔ lucid server: 0.5-RTT (§4.4.4)', () => {
  it("'earlyData' hands over the socket before the client's Finished: early data is read and the answer goes at once", async () => {
    const order: string[] = [];
    const { server, port } = await lucidServer({ maxEarlyDataSize: 1024 });
    server.on('earlyData', (socket: TLSSocket) => {
      order.push('earlyData');
      socket.once('data', (data: Buffer) => {
        order.push(`read ${data} before secure: ${socket.getProtocol() === null}`);
        // 0.5-RTT data: written, and handed to TCP, while the server still waits for the client's Finished.
        socket.write(`answer to ${data}`, () => order.push(`answer sent before secure: ${socket.getProtocol() === null}`));
      });
    });
    server.on('secureConnection', (socket: TLSSocket) => order.push(`secureConnection (early data ${socket.earlyDataAccepted ? 'accepted' : 'none'})`));
    const first = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const [session] = await waitFor<[Buffer]>(first, 'session');
    first.end();
    order.length = 0;

    const early = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, session, earlyData: Buffer.from('GET /') }));
    const [answer] = await waitFor<[Buffer]>(early, 'data');
    expect(answer.toString()).toBe('answer to GET /');
    await waitFor(server, 'secureConnection');
    expect(order).toEqual(['earlyData', 'read GET / before secure: true', 'answer sent before secure: true', 'secureConnection (early data accepted)']);
  });

  it('with a client certificate asked for, the engine holds 0.5-RTT writes until the client has authenticated', async () => {
    const { ClientConnection, ServerConnection, RotatingTicketer, SingleUseTickets, nobleProvider, insecureSkipVerify } = await import('../../src/index.js');
    const { certifiedKeyFromPem } = await import('../../src/node/options.js');
    const certificate = certifiedKeyFromPem(pki.server.certPem, pki.server.keyPem);
    const ticketer = new RotatingTicketer(nobleProvider);
    const antiReplay = new SingleUseTickets();
    for (const clientAuth of ['none', 'optional'] as const) {
      const config = { certificate, tickets: { ticketer }, maxEarlyDataSize: 64, antiReplay, clientAuth, ...(clientAuth === 'none' ? {} : { verifyClientCertificate: insecureSkipVerify }) };
      const pump = (c: InstanceType<typeof ClientConnection>, s: InstanceType<typeof ServerConnection>) => {
        for (let i = 0; i < 10; i++) {
          const a = c.takeOutgoing();
          if (a.length) s.receive(a);
          const b = s.takeOutgoing();
          if (b.length) c.receive(b);
        }
      };
      const c1 = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: insecureSkipVerify });
      const s1 = new ServerConnection(config);
      pump(c1, s1);
      const session = c1.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
      const c2 = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: insecureSkipVerify, session, earlyData: Buffer.from('hi') });
      const s2 = new ServerConnection(config);
      s2.receive(c2.takeOutgoing()); // ClientHello and 0-RTT data; the server answers with its flight
      expect(s2.info.earlyData).toBe('accepted');
      expect(s2.handshakeComplete).toBe(false);
      expect(s2.canSendNow).toBe(clientAuth === 'none');
    }
  });
});

describe('lucid client ↔ lucid server: 0-RTT', () => {
  it('sends early data with a resumed session; a replayed ticket falls back to 1-RTT', async () => {
    const { server, port } = await lucidServer({ maxEarlyDataSize: 1024, allowHalfOpen: true }, (socket) => {
      readAll(socket).then((data) => socket.end(`server read: ${data}`), () => {});
    });
    const first = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const [session] = await waitFor<[Buffer]>(first, 'session');
    first.end();

    let serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const early = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, session, earlyData: Buffer.from('early hello') }));
    await waitFor(early, 'secureConnect');
    let [socket] = await serverSide;
    expect(early.isSessionReused()).toBe(true);
    expect(early.earlyDataAccepted).toBe(true);
    expect(socket.earlyDataAccepted).toBe(true);
    let reply = readAll(early);
    early.end(', then 1-RTT');
    expect((await reply).toString()).toBe('server read: early hello, then 1-RTT');

    // The same ticket again: single use (§8.1), so the early data is refused and resent after the handshake.
    serverSide = waitFor<[TLSSocket]>(server, 'secureConnection');
    const replay = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, session, earlyData: Buffer.from('replayed hello') }));
    await waitFor(replay, 'secureConnect');
    [socket] = await serverSide;
    expect(replay.isSessionReused()).toBe(true);
    expect(replay.earlyDataAccepted).toBe(false);
    expect(socket.earlyDataAccepted).toBe(false);
    reply = readAll(replay);
    replay.end();
    expect((await reply).toString()).toBe('server read: replayed hello');
  });
});
