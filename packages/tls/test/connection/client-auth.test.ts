/**
 * Client authentication (RFC 8446 §4.3.2, §4.4.2): CertificateRequest, the client's
 * Certificate and CertificateVerify, an empty Certificate when it has none (§4.4.2.4),
 * and certificate_required when the server insists.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { pinned, testCert, type CertKind } from './harness/pki.js';
import { catchTlsError, pair, pump, text, utf8 } from './harness/pair.js';
import { findMessage, findTraceField, messageTypes, traceLog } from './harness/trace-log.js';

const serverCert = testCert('p256');

describe('client authentication', () => {
  for (const kind of ['ed25519', 'p256', 'p384', 'rsa'] as CertKind[]) {
    it(`required, and the client has a ${kind} certificate: the server gets its chain`, () => {
      const clientCert = testCert(kind, 'client.example');
      const log = traceLog();
      const verifyClient = pinned(clientCert.der);
      const { client, server } = pair({
        client: { certificate: clientCert, trace: log.observer },
        server: { clientAuth: 'required', verifyClientCertificate: verifyClient, trace: log.observer },
        cert: serverCert,
      });
      pump(client, server);
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
      expect(server.info.peerCertificates).toHaveLength(1);
      expect(equalBytes(server.info.peerCertificates[0]!, clientCert.der)).toBe(true);
      expect(equalBytes(client.info.peerCertificates[0]!, serverCert.der)).toBe(true);
      expect(verifyClient.calls).toHaveLength(1);
      expect(verifyClient.calls[0]!.purpose).toBe('client');
      expect(messageTypes(log.events, 'server', 'sent')).toEqual(['ServerHello', 'EncryptedExtensions', 'CertificateRequest', 'Certificate', 'CertificateVerify', 'Finished']);
      expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Certificate', 'CertificateVerify', 'Finished']);
      // The client's CertificateVerify uses a scheme for its key (RSA: PSS, §4.2.3).
      const cv = findMessage(log.events, 'client', 'sent', 'CertificateVerify')!;
      const expected = { ed25519: 'ed25519', p256: 'ecdsa_secp256r1_sha256', p384: 'ecdsa_secp384r1_sha384', rsa: 'rsa_pss_rsae_sha256' }[kind];
      expect(findTraceField(cv.fields, 'algorithm')?.value).toContain(expected);
      client.write(utf8('authenticated'));
      pump(client, server);
      expect(text(server.read())).toBe('authenticated');
    });
  }

  it('optional, and the client has no certificate: an empty Certificate and no CertificateVerify', () => {
    const log = traceLog();
    const verifyClient = pinned();
    const { client, server } = pair({ client: { trace: log.observer }, server: { clientAuth: 'optional', verifyClientCertificate: verifyClient }, cert: serverCert });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(server.info.peerCertificates).toEqual([]);
    expect(verifyClient.calls).toHaveLength(0);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Certificate', 'Finished']);
    const certificate = findMessage(log.events, 'client', 'sent', 'Certificate')!;
    // §4.4.2: type, 3-byte length, empty context (1 byte), empty certificate_list (3 bytes).
    expect(certificate.hex).toBe('0b00000400000000');
    server.write(utf8('anonymous is fine'));
    pump(client, server);
    expect(text(client.read())).toBe('anonymous is fine');
  });

  it('optional, and the client has one: it is sent and checked', () => {
    const clientCert = testCert('ed25519', 'client.example');
    const { client, server } = pair({ client: { certificate: clientCert }, server: { clientAuth: 'optional', verifyClientCertificate: pinned(clientCert.der) }, cert: serverCert });
    pump(client, server);
    expect(server.info.peerCertificates).toHaveLength(1);
  });

  it('required, and the client has no certificate: certificate_required, and the client gets the alert', () => {
    const { client, server } = pair({ server: { clientAuth: 'required', verifyClientCertificate: pinned() }, cert: serverCert });
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
    // The client has sent its Finished: from its side the handshake is done.
    const serverError = catchTlsError(() => server.receive(client.takeOutgoing()));
    expect(serverError.alert).toBe('certificate_required');
    expect(serverError.sent).toBe(true);
    expect(server.handshakeComplete).toBe(false);
    const clientError = catchTlsError(() => client.receive(server.takeOutgoing()));
    expect(clientError.alert).toBe('certificate_required');
    expect(clientError.sent).toBe(false);
    expect(client.error).toBe(clientError);
    expect(() => client.write(utf8('too late'))).toThrow();
  });

  it('a client certificate the server does not trust: bad_certificate both ways', () => {
    const clientCert = testCert('p256', 'client.example');
    const { client, server } = pair({ client: { certificate: clientCert }, server: { clientAuth: 'required', verifyClientCertificate: pinned(serverCert.der) }, cert: serverCert });
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
    const e = catchTlsError(() => server.receive(client.takeOutgoing()));
    expect([e.alert, e.sent]).toEqual(['bad_certificate', true]);
    const c = catchTlsError(() => client.receive(server.takeOutgoing()));
    expect([c.alert, c.sent]).toEqual(['bad_certificate', false]);
  });

  it('no CertificateRequest unless asked: a client certificate stays unsent', () => {
    const clientCert = testCert('ed25519', 'client.example');
    const log = traceLog();
    const { client, server } = pair({ client: { certificate: clientCert, trace: log.observer }, cert: serverCert });
    pump(client, server);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Finished']);
    expect(server.info.peerCertificates).toEqual([]);
  });

  it('a resumed handshake does not ask again (§4.6.1: the PSK carries the authentication)', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const clientCert = testCert('ed25519', 'client.example');
    const serverConfig = { certificate: serverCert, clientAuth: 'required' as const, verifyClientCertificate: pinned(clientCert.der), tickets: { ticketer } };
    const first = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: pinned(serverCert.der), certificate: clientCert });
    pump(first, new ServerConnection(serverConfig));
    const event = first.takeEvents().find((e) => e.type === 'session');
    if (event?.type !== 'session') throw new Error('no session');
    const log = traceLog();
    const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: pinned(serverCert.der), certificate: clientCert, session: event.session, trace: log.observer });
    const server = new ServerConnection(serverConfig);
    pump(client, server);
    expect(server.info.resumed).toBe(true);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Finished']);
  });
});
