/**
 * Our `connect()` against Node's own TLS server (OpenSSL): handshake, data, ALPN, what
 * the socket reports, exporters, key log, resumption, close_notify and half-close,
 * client certificates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tls from 'node:tls';
import { connect } from '../../src/node/index.js';
import { TlsError } from '../../src/alert.js';
import { Resources, readAll, testPki, waitFor, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterAll(() => resources.closeAll());

/** A Node TLS 1.3 server with the test certificate; `onSocket` gets each secure socket. */
async function nodeServer(options: tls.TlsOptions = {}, onSocket: (socket: tls.TLSSocket) => void = () => {}) {
  const server = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, minVersion: 'TLSv1.3', ...options }, onSocket);
  const port = await resources.listen(server);
  return { server, port };
}

describe('lucid client ↔ node:tls server', () => {
  it('handshakes, carries data both ways and reports what was negotiated', async () => {
    const { server, port } = await nodeServer({ ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
      socket.once('data', (data) => socket.write(`echo:${data}`));
    });
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }));
    await waitFor(client, 'secureConnect');
    const [nodeSocket] = await serverSide;

    expect(client.authorized).toBe(true);
    expect(client.authorizationError).toBeUndefined();
    expect(client.encrypted).toBe(true);
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(client.alpnProtocol).toBe('http/1.1');
    expect(nodeSocket.alpnProtocol).toBe('http/1.1');
    expect(client.servername).toBe('localhost');
    expect((nodeSocket as tls.TLSSocket & { servername: string }).servername).toBe('localhost');
    const cipher = client.getCipher()!;
    expect(cipher).toEqual({ name: nodeSocket.getCipher().name, standardName: nodeSocket.getCipher().standardName, version: 'TLSv1.3' });
    expect(client.remotePort).toBe(port);
    expect(client.remoteAddress).toBe('127.0.0.1');
    expect(client.isSessionReused()).toBe(false);

    // RFC 8446 §7.5 exporters: both ends derive the same bytes; in TLS 1.3 no context is an empty one.
    const empty = Buffer.alloc(0);
    expect(client.exportKeyingMaterial(32, 'EXPERIMENTAL lucid')).toEqual(nodeSocket.exportKeyingMaterial(32, 'EXPERIMENTAL lucid', empty));
    const context = Buffer.from('context bytes');
    expect(client.exportKeyingMaterial(48, 'EXPERIMENTAL ctx', context)).toEqual(nodeSocket.exportKeyingMaterial(48, 'EXPERIMENTAL ctx', context));
    expect(client.exportKeyingMaterial(32, 'EXPERIMENTAL a')).not.toEqual(client.exportKeyingMaterial(32, 'EXPERIMENTAL b'));

    client.write('ping');
    const [reply] = await waitFor<[Buffer]>(client, 'data');
    expect(reply.toString()).toBe('echo:ping');
  });

  it('describes the server certificate as node:tls does', async () => {
    const { port } = await nodeServer();
    const lucid = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(lucid, 'secureConnect');
    const node = resources.track(tls.connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(node, 'secureConnect');

    const ours = lucid.getPeerCertificate(true);
    const theirs = node.getPeerCertificate(true);
    for (const field of ['subject', 'issuer', 'subjectaltname', 'valid_from', 'valid_to', 'serialNumber', 'fingerprint', 'fingerprint256', 'fingerprint512', 'ca', 'bits', 'asn1Curve', 'nistCurve', 'pubkey', 'ext_key_usage', 'raw'] as const) {
      expect({ field, value: ours[field as keyof typeof ours] }).toEqual({ field, value: theirs[field] });
    }
    expect(ours.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    // Node's server sends only the leaf, so the chain ends there.
    expect('issuerCertificate' in ours ? ours.issuerCertificate : undefined).toBeUndefined();
  });

  it('writes the same key log lines as the server', async () => {
    const serverLines: string[] = [];
    const { server, port } = await nodeServer();
    server.on('keylog', (line: Buffer) => serverLines.push(line.toString()));
    const serverSide = waitFor(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const clientLines: string[] = [];
    client.on('keylog', (line: Buffer) => clientLines.push(line.toString()));
    await waitFor(client, 'secureConnect');
    await serverSide;
    const labels = (lines: string[]) => lines.map((l) => l.split(' ')[0]).sort();
    expect(labels(clientLines)).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
    for (const line of clientLines) expect(line.endsWith('\n')).toBe(true);
    expect([...clientLines].sort()).toEqual([...serverLines].sort());
  });

  it('resumes a session from the session event', async () => {
    const { server, port } = await nodeServer({}, (socket) => socket.end('bye'));
    const first = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const sessions: Buffer[] = [];
    first.on('session', (s: Buffer) => sessions.push(s));
    await readAll(first);
    // OpenSSL sends two tickets (RFC 8446 §4.6.1 allows several); getSession() is the latest.
    expect(sessions).toHaveLength(2);
    expect(Buffer.isBuffer(sessions[0])).toBe(true);
    expect(first.getSession()).toEqual(sessions[1]);
    const session = sessions[0]!;

    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const second = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, session }));
    await waitFor(second, 'secureConnect');
    const [nodeSocket] = await serverSide;
    expect(second.isSessionReused()).toBe(true);
    expect(nodeSocket.isSessionReused()).toBe(true);
    expect(second.authorized).toBe(true);
    expect((await readAll(second)).toString()).toBe('bye');

    // A session is for the name it was made with: offered to another name, it is not used.
    const third = resources.track(connect({ host: '127.0.0.1', port, ca: pki.ca.certPem, session }));
    await waitFor(third, 'secureConnect');
    expect(third.isSessionReused()).toBe(false);
  });

  it('sends earlyData after the handshake when the session does not allow 0-RTT', async () => {
    const { server, port } = await nodeServer({ allowHalfOpen: true }, (socket) => {
      readAll(socket).then((data) => socket.end(`read: ${data}`), () => {});
    });
    const first = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    const [session] = await waitFor<[Buffer]>(first, 'session');
    first.destroy();

    // OpenSSL's tickets carry no early_data extension (max_early_data_size 0).
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const resumed = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, session, earlyData: Buffer.from('first words') }));
    const reply = readAll(resumed);
    await waitFor(resumed, 'secureConnect');
    expect(resumed.isSessionReused()).toBe(true);
    expect(resumed.earlyDataAccepted).toBe(false);
    expect((await serverSide)[0].isSessionReused()).toBe(true);
    resumed.end(', then more');
    expect((await reply).toString()).toBe('read: first words, then more');

    // Without a session at all, the same.
    const fresh = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, earlyData: Buffer.from('hi') }));
    const freshReply = readAll(fresh);
    fresh.end();
    expect((await freshReply).toString()).toBe('read: hi');
  });

  it('updates keys mid-connection; a keylog listener added late sees the new secrets', async () => {
    const { port } = await nodeServer({}, (socket) => socket.on('data', (d: Buffer) => socket.write(d)));
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(client, 'secureConnect');
    const lines: string[] = [];
    client.on('keylog', (line: Buffer) => lines.push(line.toString().split(' ')[0]!));
    const updates: string[] = [];
    client.on('keyUpdate', (direction: string) => updates.push(direction));
    client.keyUpdate(true); // and ask the server to update its key too (§4.6.3)
    client.write('after the update');
    const [echoed] = await waitFor<[Buffer]>(client, 'data');
    expect(echoed.toString()).toBe('after the update');
    expect(updates).toEqual(['sent', 'received']);
    expect(lines).toEqual(['CLIENT_TRAFFIC_SECRET_1', 'SERVER_TRAFFIC_SECRET_1']);
  });

  it('takes connect(port, host, options, listener) and passes timeouts through', async () => {
    const { port } = await nodeServer(); // says nothing after the handshake
    const secure = new Promise<void>((resolve) => {
      const client = resources.track(connect(port, 'localhost', { ca: pki.ca.certPem, timeout: 150 }, resolve));
      client.on('timeout', () => client.destroy());
    });
    await secure;
    const client = resources.track(connect(port, { host: 'localhost', ca: pki.ca.certPem }));
    await waitFor(client, 'secureConnect');
    const started = Date.now();
    client.setTimeout(100);
    await waitFor(client, 'timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    client.setTimeout(0);
  });

  it('reports a refused TCP connection as the transport’s error', async () => {
    const probe = await nodeServer();
    await new Promise<void>((resolve) => probe.server.close(() => resolve()));
    const client = resources.track(connect({ host: '127.0.0.1', port: probe.port, ca: pki.ca.certPem }));
    const [error] = await waitFor<[Error & { code?: string }]>(client, 'error');
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('half-closes: our end() reaches the server, which can still answer', async () => {
    const { port } = await nodeServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).length} bytes after your end`));
    });
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, allowHalfOpen: true }));
    await waitFor(client, 'secureConnect');
    const reply = readAll(client);
    const closed = waitFor(client, 'close');
    client.end('twelve bytes');
    expect((await reply).toString()).toBe('got 12 bytes after your end');
    expect(client.receivedCloseNotify).toBe(true);
    await closed; // both directions closed: the socket cleans up by itself
  });

  it('half-closes: the server’s end() is our end, and we can still answer', async () => {
    const { server, port } = await nodeServer({ allowHalfOpen: true }, (socket) => socket.end('first'));
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, allowHalfOpen: true }));
    const [nodeSocket] = await serverSide;
    const fromClient = readAll(nodeSocket);
    expect((await readAll(client)).toString()).toBe('first');
    expect(client.writable).toBe(true);
    client.end('answer after your close_notify');
    expect((await fromClient).toString()).toBe('answer after your close_notify');
  });

  it('sends a client certificate when the server requires one', async () => {
    const { server, port } = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.certPem });
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem }));
    await waitFor(client, 'secureConnect');
    const [nodeSocket] = await serverSide;
    expect(nodeSocket.authorized).toBe(true);
    expect(nodeSocket.getPeerCertificate().subjectaltname).toBe('email:client@lucid.test');
  });

  it('fails with certificate_required when the server requires a certificate we do not have', async () => {
    const { port } = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.certPem });
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    // TLS 1.3 clients finish first: the server's alert arrives after our 'secureConnect'.
    const [error] = await waitFor<[TlsError]>(client, 'error');
    expect(error).toBeInstanceOf(TlsError);
    expect(error.alert).toBe('certificate_required');
    expect(error.sent).toBe(false);
  });

  it('goes on without a certificate when the server only asks for one', async () => {
    const { server, port } = await nodeServer({ requestCert: true, rejectUnauthorized: false, ca: pki.ca.certPem });
    const serverSide = waitFor<[tls.TLSSocket]>(server, 'secureConnection');
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem }));
    await waitFor(client, 'secureConnect');
    const [nodeSocket] = await serverSide;
    expect(nodeSocket.authorized).toBe(false);
    expect(nodeSocket.getPeerCertificate()).toEqual({});
  });
});
