/**
 * The rules that bind a resumed session to the connection that made it (RFC 8446 §4.6.1,
 * §4.2.10, §4.2.11), and the order of close_notify (§6.1).
 */
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/connection/connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { SingleUseTickets } from '../../src/handshake/server/anti-replay.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import type { Session } from '../../src/handshake/session.js';
import { pinned, testCert } from './harness/pki.js';
import { clientConfig, pump, utf8 } from './harness/pair.js';
import { traceLog } from './harness/trace-log.js';

const cert = testCert('p256');
const clientCert = testCert('ed25519', 'client');

function client(extra: Partial<ClientConfig> = {}): ClientConnection {
  return new ClientConnection(clientConfig(cert, extra));
}

function sessionsFrom(c: ClientConnection): Session[] {
  return c
    .takeEvents()
    .filter((e): e is Extract<ConnectionEvent, { type: 'session' }> => e.type === 'session')
    .map((e) => e.session);
}

function firstSession(server: ServerConfig, extra: Partial<ClientConfig> = {}): Session {
  const c = client(extra);
  pump(c, new ServerConnection(server));
  return sessionsFrom(c)[0]!;
}

describe('§4.6.1: a session belongs to its server name', () => {
  it('the client does not offer a session made for another name, and verifies the certificate', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const session = firstSession({ certificate: cert, tickets: { ticketer } });
    let verified = 0;
    const c = client({ serverName: 'other.test', session, verifyServerCertificate: () => void verified++ });
    pump(c, new ServerConnection({ certificate: cert, tickets: { ticketer } }));
    expect(c.info.resumed).toBe(false);
    expect(verified).toBe(1);
  });

  it('the server does not resume a ticket issued for another name', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const session = firstSession({ certificate: cert, tickets: { ticketer } });
    // The application (wrongly) relabels the session: the server still refuses it.
    const c = client({ serverName: 'other.test', session: { ...session, serverName: 'other.test' }, verifyServerCertificate: () => {} });
    const s = new ServerConnection({ certificate: cert, tickets: { ticketer } });
    pump(c, s);
    expect(s.info.resumed).toBe(false);
  });
});

describe('§2.2: a resumed session carries the original client authentication', () => {
  const serverWith = (ticketer: RotatingTicketer, clientAuth: ServerConfig['clientAuth'], accept = true): ServerConfig => ({
    certificate: cert,
    tickets: { ticketer },
    clientAuth,
    verifyClientCertificate: (chain) => {
      if (!accept) throw new TlsError('bad_certificate', 'refused');
      expect(chain[0]).toEqual(clientCert.der);
    },
  });

  it('a ticket from an unauthenticated connection does not resume where a certificate is required', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const session = firstSession({ certificate: cert, tickets: { ticketer } });
    const c = client({ session, certificate: clientCert });
    const s = new ServerConnection(serverWith(ticketer, 'required'));
    pump(c, s);
    expect(s.info.resumed).toBe(false);
    expect(s.info.peerCertificates).toEqual([clientCert.der]); // authenticated afresh
  });

  it('a resumed authenticated session reports the client certificate, re-checked by today\'s verifier', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const session = firstSession(serverWith(ticketer, 'required'), { certificate: clientCert });
    const s = new ServerConnection(serverWith(ticketer, 'required'));
    pump(client({ session, certificate: clientCert }), s);
    expect(s.info.resumed).toBe(true);
    expect(s.info.peerCertificates).toEqual([clientCert.der]);

    const refusing = new ServerConnection(serverWith(ticketer, 'required', false));
    expect(() => pump(client({ session, certificate: clientCert }), refusing)).toThrow(TlsError);
    expect(refusing.info.resumed).toBe(false);
  });
});

describe('§4.6.1: ticket_age_add', () => {
  it('is read from the random bytes themselves, even when the provider returns views of a larger buffer', () => {
    const pool = new Uint8Array(4096);
    let offset = 0;
    const views: CryptoProvider = {
      ...nobleProvider,
      randomBytes: (n) => {
        const fresh = nobleProvider.randomBytes(n);
        if (offset + n > pool.length) offset = 0;
        const view = pool.subarray(offset, offset + n);
        view.set(fresh);
        offset += n;
        return view;
      },
    };
    const ticketer = new RotatingTicketer(nobleProvider);
    const c = client();
    pump(c, new ServerConnection({ certificate: cert, provider: views, tickets: { ticketer, count: 4 } }));
    const ages = sessionsFrom(c).map((s) => s.ticketAgeAdd);
    expect(ages).toHaveLength(4);
    expect(new Set(ages).size).toBe(4);
  });
});

describe('§4.2.10: 0-RTT', () => {
  it('falls back to 1-RTT when the server refuses the PSK and picks a suite with another hash', () => {
    const session = firstSession({ certificate: cert, tickets: { ticketer: new RotatingTicketer(nobleProvider) }, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() });
    expect(session.cipherSuite).toBe(0x1301);
    const c = client({ session, earlyData: utf8('early'), cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] });
    // Another server (its own ticket key) that prefers the SHA-384 suite.
    const s = new ServerConnection({ certificate: cert, cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'], tickets: { ticketer: new RotatingTicketer(nobleProvider) } });
    pump(c, s);
    expect(c.handshakeComplete).toBe(true);
    expect(c.info.cipherSuite?.name).toBe('TLS_AES_256_GCM_SHA384');
    expect(c.info.earlyData).toBe('rejected');
    expect(s.info.earlyData).toBe('rejected');
  });

  it('is refused, not aborted, when the ticket allowed more than the server now does', () => {
    const ticketer = new RotatingTicketer(nobleProvider);
    const session = firstSession({ certificate: cert, tickets: { ticketer }, maxEarlyDataSize: 1000, antiReplay: new SingleUseTickets() });
    const c = client({ session, earlyData: new Uint8Array(500) });
    const s = new ServerConnection({ certificate: cert, tickets: { ticketer }, maxEarlyDataSize: 100, antiReplay: new SingleUseTickets() });
    pump(c, s);
    expect(s.info.resumed).toBe(true);
    expect(s.info.earlyData).toBe('rejected');
    expect(c.info.earlyData).toBe('rejected');
  });
});

describe('§6.1: nothing follows close_notify', () => {
  it('close() during the handshake sends close_notify after the Finished and the queued data', () => {
    const log = traceLog();
    const c = client({ trace: log.observer });
    c.write(utf8('queued'));
    c.close();
    expect(() => c.write(utf8('more'))).toThrow();
    const s = new ServerConnection({ certificate: cert });
    pump(c, s);
    expect(s.read()).toEqual(utf8('queued'));
    expect(s.receivedCloseNotify).toBe(true);
    const sent = log.events.filter((e) => e.kind === 'record' && e.side === 'client' && e.direction === 'sent').map((e) => (e as { innerType: string }).innerType);
    expect(sent.at(-1)).toBe('alert');
    expect(sent.slice(-3, -1)).toEqual(['handshake', 'application_data']);
    expect(() => c.keyUpdate()).toThrow();
  });
});
