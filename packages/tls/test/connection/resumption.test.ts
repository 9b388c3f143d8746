/**
 * PSK resumption with session tickets (RFC 8446 §2.2, §4.6.1) and 0-RTT early data
 * (§2.3, §4.2.10) with single-use anti-replay (§8.1), client and server in memory.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/connection/connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { SingleUseTickets } from '../../src/handshake/server/anti-replay.js';
import { RotatingTicketer, SharedTicketer } from '../../src/handshake/server/ticketer.js';
import { decodeSession, encodeSession, type Session } from '../../src/handshake/session.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { pinned, testCert } from './harness/pki.js';
import { clientConfig, eventTypes, pump, text, utf8 } from './harness/pair.js';
import { messageTypes, records, traceLog } from './harness/trace-log.js';

const cert = testCert('p256');

/** A server configuration sharing one ticketer (and anti-replay store) across connections. */
function serverSide(extra: Partial<ServerConfig> = {}) {
  const ticketer = new RotatingTicketer(nobleProvider);
  const antiReplay = new SingleUseTickets();
  const config = (more: Partial<ServerConfig> = {}): ServerConfig => ({ certificate: cert, tickets: { ticketer }, ...extra, ...more });
  const zeroRtt = (more: Partial<ServerConfig> = {}): ServerConfig => config({ maxEarlyDataSize: 4096, antiReplay, ...more });
  return { ticketer, antiReplay, config, zeroRtt };
}

/** Runs a full handshake and returns the sessions the client got from the server's tickets. */
function sessionsFrom(server: ServerConfig, client: Partial<ClientConfig> = {}): Session[] {
  const c = new ClientConnection(clientConfig(cert, client));
  const s = new ServerConnection(server);
  pump(c, s);
  expect(c.info.resumed).toBe(false);
  return c
    .takeEvents()
    .filter((e): e is Extract<ConnectionEvent, { type: 'session' }> => e.type === 'session')
    .map((e) => e.session);
}

describe('session tickets', () => {
  it('a full handshake yields two sessions, each with its own ticket and PSK', () => {
    const { config } = serverSide();
    const sessions = sessionsFrom(config());
    expect(sessions).toHaveLength(2);
    const [a, b] = sessions as [Session, Session];
    expect(equalBytes(a.ticket, b.ticket)).toBe(false);
    expect(equalBytes(a.psk, b.psk)).toBe(false); // §4.6.1: a different ticket_nonce each
    expect(a.psk).toHaveLength(32);
    expect(a.cipherSuite).toBe(0x1301);
    expect(a.lifetime).toBe(7200);
    expect(a.maxEarlyDataSize).toBe(0);
    expect(a.serverName).toBe('localhost');
  });

  it('tickets: { count } and { lifetime } are honoured', () => {
    const { ticketer } = serverSide();
    const sessions = sessionsFrom({ certificate: cert, tickets: { ticketer, count: 3, lifetime: 60 } });
    expect(sessions.map((s) => s.lifetime)).toEqual([60, 60, 60]);
    expect(sessionsFrom({ certificate: cert, tickets: { ticketer, count: 0 } })).toEqual([]);
  });

  it('a resumed handshake has info.resumed and no Certificate or CertificateVerify', () => {
    const { config } = serverSide();
    const [session] = sessionsFrom(config({ alpnProtocols: ['h2'] }), { alpnProtocols: ['h2'] });
    const log = traceLog();
    const verifier = pinned(cert.der);
    const client = new ClientConnection(clientConfig(cert, { session: session!, trace: log.observer, verifyServerCertificate: verifier, alpnProtocols: ['h2'] }));
    const server = new ServerConnection(config({ trace: log.observer, alpnProtocols: ['h2'] }));
    pump(client, server);
    expect(client.info.resumed).toBe(true);
    expect(server.info.resumed).toBe(true);
    for (const conn of [client, server]) {
      expect(conn.info.earlyData).toBe('none');
      expect(conn.info.alpnProtocol).toBe('h2');
      expect(conn.info.cipherSuite?.name).toBe('TLS_AES_128_GCM_SHA256');
      expect(conn.info.group).toBe('X25519MLKEM768'); // psk_dhe_ke: a fresh key exchange all the same, the default one
    }
    expect(messageTypes(log.events, 'server', 'sent')).toEqual(['ServerHello', 'EncryptedExtensions', 'Finished', 'NewSessionTicket', 'NewSessionTicket']);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Finished']);
    expect(verifier.calls).toHaveLength(0); // nothing to verify: the PSK authenticates
    // The binder was computed and checked with the resumption binder key (§7.1).
    expect(log.events.some((e) => e.kind === 'secret' && e.side === 'server' && e.label === 'res binder')).toBe(true);
    client.write(utf8('resumed data'));
    pump(client, server);
    expect(text(server.read())).toBe('resumed data');
    // A resumed connection issues fresh tickets too.
    expect(eventTypes(client.takeEvents()).filter((t) => t === 'session')).toHaveLength(2);
  });

  it('encodeSession / decodeSession round-trip, and the decoded session resumes', () => {
    const { config } = serverSide();
    const [session] = sessionsFrom(config({ alpnProtocols: ['h2'] }), { alpnProtocols: ['h2'] });
    const bytes = encodeSession(session!);
    const decoded = decodeSession(bytes);
    expect(decoded).toEqual(session);
    expect(decoded.alpnProtocol).toBe('h2');
    expect(equalBytes(encodeSession(decoded), bytes)).toBe(true);
    expect(() => decodeSession(bytes.subarray(0, bytes.length - 1))).toThrow();
    expect(() => decodeSession(Uint8Array.of(99, ...bytes.subarray(1)))).toThrow();

    const client = new ClientConnection(clientConfig(cert, { session: decoded, alpnProtocols: ['h2'] }));
    const server = new ServerConnection(config({ alpnProtocols: ['h2'] }));
    pump(client, server);
    expect(client.info.resumed && server.info.resumed).toBe(true);
  });

  it('a ticket another server issued falls back to a full handshake', () => {
    const [session] = sessionsFrom(serverSide().config());
    const other = serverSide();
    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session! }));
    const server = new ServerConnection(other.config({ trace: log.observer }));
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(client.info.resumed || server.info.resumed).toBe(false);
    expect(messageTypes(log.events, 'server', 'sent')).toContain('Certificate');
  });

  it('servers with the same shared keys resume each other\'s sessions; the first key seals, every key opens', () => {
    const key = (fill: number) => new Uint8Array(32).fill(fill);
    const serverWith = (keys: Uint8Array[]): ServerConfig => ({ certificate: cert, tickets: { ticketer: new SharedTicketer(nobleProvider, keys) } });
    const resumes = (session: Session, server: ServerConfig) => {
      const client = new ClientConnection(clientConfig(cert, { session }));
      const s = new ServerConnection(server);
      pump(client, s);
      expect(client.handshakeComplete && s.handshakeComplete).toBe(true);
      return client.info.resumed && s.info.resumed;
    };
    const [fromA] = sessionsFrom(serverWith([key(1)]));
    expect(resumes(fromA!, serverWith([key(1)]))).toBe(true); // another "machine", same key
    // Rotation: key 2 is added behind key 1, then moved to the front; key 1 still opens.
    expect(resumes(fromA!, serverWith([key(1), key(2)]))).toBe(true);
    expect(resumes(fromA!, serverWith([key(2), key(1)]))).toBe(true);
    const [fromRotated] = sessionsFrom(serverWith([key(2), key(1)]));
    expect(resumes(fromRotated!, serverWith([key(2)]))).toBe(true);
    // Key 1 retired: its tickets fall back to a full handshake.
    expect(resumes(fromA!, serverWith([key(2)]))).toBe(false);
    // A RotatingTicketer's ticket is not one of the shared keys'.
    const [fromRotating] = sessionsFrom(serverSide().config());
    expect(resumes(fromRotating!, serverWith([key(1)]))).toBe(false);
  });

  it('SharedTicketer: a tampered or truncated ticket opens to nothing; bad keys are refused without showing them', () => {
    const ticketer = new SharedTicketer(nobleProvider, [new Uint8Array(32).fill(7)]);
    const ticket = ticketer.seal(utf8('state'));
    expect(text(ticketer.open(ticket)!)).toBe('state');
    for (const i of [0, 5, 20, ticket.length - 1]) {
      const bad = ticket.slice();
      bad[i]! ^= 1;
      expect(ticketer.open(bad)).toBeNull();
    }
    expect(ticketer.open(ticket.subarray(0, 31))).toBeNull();
    expect(ticketer.open(new Uint8Array(0))).toBeNull();
    expect(() => new SharedTicketer(nobleProvider, [])).toThrow(/at least one key/);
    expect(() => new SharedTicketer(nobleProvider, [new Uint8Array(32), new Uint8Array(16).fill(0xab)])).toThrow(/^SharedTicketer: key 2 is not 32 bytes$/);
  });

  it('an expired session is not offered', () => {
    const { config } = serverSide();
    const [session] = sessionsFrom(config({ tickets: { ticketer: serverSide().ticketer, lifetime: 10 } }));
    const later = session!.receivedAt + 11_000;
    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session!, now: () => later, trace: log.observer }));
    const server = new ServerConnection(config({ now: () => later }));
    pump(client, server);
    expect(client.info.resumed).toBe(false);
    const ch = log.events.find((e) => e.kind === 'message' && e.type === 'ClientHello');
    expect(ch && ch.kind === 'message' && JSON.stringify(ch.fields).includes('"value":"pre_shared_key"')).toBe(false);
  });

  it('a session from a SHA-256 suite is not offered when only a SHA-384 suite is allowed', () => {
    const { config } = serverSide();
    const [session] = sessionsFrom(config());
    const client = new ClientConnection(clientConfig(cert, { session: session!, cipherSuites: ['TLS_AES_256_GCM_SHA384'] }));
    const server = new ServerConnection(config());
    pump(client, server);
    expect(client.info.resumed).toBe(false);
    expect(client.info.cipherSuite?.name).toBe('TLS_AES_256_GCM_SHA384');
  });

  it('resumes with a different suite of the same hash (§4.2.11)', () => {
    const { config } = serverSide();
    const [session] = sessionsFrom(config());
    // The client offers the session only with its original suite allowed (it needs its hash);
    // the server prefers another suite with the same hash.
    const client = new ClientConnection(clientConfig(cert, { session: session!, cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] }));
    const server = new ServerConnection(config({ cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] }));
    pump(client, server);
    expect(client.info.resumed && server.info.resumed).toBe(true);
    expect(client.info.cipherSuite?.name).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });
});

describe('PSK key exchange modes (§4.2.9)', () => {
  /** Resumes `session` with the given modes on each side; returns both ends and the trace. */
  function resume(clientModes: ClientConfig['pskKeyExchangeModes'], serverModes: ServerConfig['pskKeyExchangeModes']) {
    const { config } = serverSide({ pskKeyExchangeModes: serverModes });
    const [session] = sessionsFrom(config());
    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session!, pskKeyExchangeModes: clientModes, trace: log.observer }));
    const server = new ServerConnection(config({ trace: log.observer }));
    pump(client, server);
    return { client, server, log };
  }

  const serverHelloExtensions = (log: ReturnType<typeof traceLog>) => {
    const hello = log.events.find((e) => e.kind === 'message' && e.side === 'server' && e.direction === 'sent' && e.type === 'ServerHello');
    return JSON.stringify(hello);
  };

  it('psk_ke, allowed by the server and the only mode the client offers, resumes with no key exchange at all', () => {
    const { client, server, log } = resume(['psk_ke'], ['psk_dhe_ke', 'psk_ke']);
    for (const conn of [client, server]) {
      expect(conn.info.resumed).toBe(true);
      expect(conn.info.group).toBeUndefined(); // no (EC)DHE: the Handshake Secret comes from the PSK alone
      expect(conn.handshakeComplete).toBe(true);
    }
    expect(serverHelloExtensions(log)).not.toContain('"key_share"');
    // §7.1: with no (EC)DHE the Handshake Secret extracts from zeros; no shared secret is reported.
    expect(log.events.some((e) => e.kind === 'secret' && e.name === 'ecdhe_shared_secret' && e.side === 'server')).toBe(false);
    client.write(utf8('psk only'));
    pump(client, server);
    expect(text(server.read())).toBe('psk only');
  });

  it('the server prefers psk_dhe_ke, for forward secrecy, when the client offers both', () => {
    const { client, server } = resume(['psk_ke', 'psk_dhe_ke'], ['psk_ke', 'psk_dhe_ke']);
    expect(server.info.resumed).toBe(true);
    expect(server.info.group).toBe('X25519MLKEM768');
    expect(client.info.group).toBe('X25519MLKEM768');
  });

  it('a server that allows only psk_dhe_ke (the default) answers a psk_ke-only client with a full handshake', () => {
    const { client, server } = resume(['psk_ke'], undefined);
    expect(server.info.resumed).toBe(false);
    expect(client.info.resumed).toBe(false);
    expect(client.handshakeComplete).toBe(true);
  });

  it('a server that allows only psk_ke answers a client offering only psk_dhe_ke (the default) with a full handshake', () => {
    const { config } = serverSide({ pskKeyExchangeModes: ['psk_ke'] });
    const [session] = sessionsFrom(config());
    const client = new ClientConnection(clientConfig(cert, { session: session! }));
    const server = new ServerConnection(config());
    pump(client, server);
    expect(client.info.resumed).toBe(false);
  });
});

describe('0-RTT early data', () => {
  it('accepted: the data arrives through readEarlyData before the handshake completes', () => {
    const srv = serverSide();
    const [session] = sessionsFrom(srv.zeroRtt());
    expect(session!.maxEarlyDataSize).toBe(4096);

    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('GET / HTTP/1.1\r\n\r\n'), trace: log.observer }));
    const server = new ServerConnection(srv.zeroRtt({ trace: log.observer }));
    // The first flight: ClientHello and the early data record, before any answer.
    const first = client.takeOutgoing();
    server.receive(first);
    expect(text(server.readEarlyData())).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(server.read()).toHaveLength(0); // kept apart from 1-RTT data
    expect(server.handshakeComplete).toBe(false);
    pump(client, server);

    for (const conn of [client, server]) {
      expect(conn.info.earlyData).toBe('accepted');
      expect(conn.info.resumed).toBe(true);
      expect(conn.handshakeComplete).toBe(true);
    }
    expect(client.takeEvents().find((e) => e.type === 'early_data')).toEqual({ type: 'early_data', status: 'accepted' });
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'EndOfEarlyData', 'Finished']);
    expect(messageTypes(log.events, 'server', 'received')).toEqual(['ClientHello', 'EndOfEarlyData', 'Finished']);
    const early = records(log.events, 'client', 'sent').filter((r) => r.innerType === 'application_data');
    expect(early).toHaveLength(1);
    expect(log.events.some((e) => e.kind === 'secret' && e.side === 'server' && e.label === 'c e traffic')).toBe(true);
    expect(server.exportKeyingMaterial('x', new Uint8Array(0), 8)).toEqual(client.exportKeyingMaterial('x', new Uint8Array(0), 8));

    client.write(utf8('1-RTT now'));
    pump(client, server);
    expect(text(server.read())).toBe('1-RTT now');
    expect(server.readEarlyData()).toHaveLength(0);
  });

  it('the same ticket a second time: early data rejected (anti-replay), the handshake still succeeds', () => {
    const srv = serverSide();
    const [session] = sessionsFrom(srv.zeroRtt());
    const first = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('once') }));
    const server1 = new ServerConnection(srv.zeroRtt());
    pump(first, server1);
    expect(server1.info.earlyData).toBe('accepted');
    expect(text(server1.readEarlyData())).toBe('once');

    const log = traceLog();
    const replay = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('twice') }));
    const server2 = new ServerConnection(srv.zeroRtt({ trace: log.observer }));
    pump(replay, server2);
    for (const conn of [replay, server2]) {
      expect(conn.handshakeComplete).toBe(true);
      expect(conn.info.earlyData).toBe('rejected');
      expect(conn.info.resumed).toBe(true); // the PSK is fine; only its 0-RTT is refused
    }
    expect(server2.readEarlyData()).toHaveLength(0);
    expect(server2.read()).toHaveLength(0);
    expect(replay.takeEvents().find((e) => e.type === 'early_data')).toEqual({ type: 'early_data', status: 'rejected' });
    // The early data record was skipped, not processed (§4.2.10).
    const skipped = records(log.events, 'server', 'received').filter((r) => r.dropped);
    expect(skipped).toHaveLength(1);
    expect(messageTypes(log.events, 'server', 'received')).toEqual(['ClientHello', 'Finished']);
    // The application resends after rejection.
    replay.write(utf8('twice'));
    pump(replay, server2);
    expect(text(server2.read())).toBe('twice');
  });

  it('a server without maxEarlyDataSize rejects and skips the early data', () => {
    const srv = serverSide();
    const [session] = sessionsFrom(srv.zeroRtt());
    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: new Uint8Array(3000).fill(0x61) }));
    const server = new ServerConnection(srv.config({ antiReplay: srv.antiReplay, trace: log.observer }));
    pump(client, server);
    expect(client.info.earlyData).toBe('rejected');
    expect(server.info.earlyData).toBe('rejected');
    expect(server.info.resumed).toBe(true);
    expect(server.readEarlyData()).toHaveLength(0);
    expect(records(log.events, 'server', 'received').filter((r) => r.dropped)).toHaveLength(1);
    client.write(utf8('after rejection'));
    server.write(utf8('server too'));
    pump(client, server);
    expect(text(server.read())).toBe('after rejection');
    expect(text(client.read())).toBe('server too');
  });

  it('a server without maxEarlyDataSize issues tickets that do not allow early data', () => {
    const [session] = sessionsFrom(serverSide().config({ antiReplay: new SingleUseTickets() }));
    expect(session!.maxEarlyDataSize).toBe(0);
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('not sent') }));
    expect(client.info.earlyData).toBe('none');
  });

  it('after a HelloRetryRequest, offered early data is rejected and skipped; resumption still works', () => {
    const srv = serverSide();
    // The ticket comes from an x25519 handshake; the second server only does secp256r1.
    const [session] = sessionsFrom(srv.zeroRtt());
    const log = traceLog();
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('too early'), trace: log.observer }));
    const server = new ServerConnection(srv.zeroRtt({ groups: ['secp256r1'], trace: log.observer }));
    pump(client, server);
    for (const conn of [client, server]) {
      expect(conn.handshakeComplete).toBe(true);
      expect(conn.info.helloRetryRequest).toBe(true);
      expect([conn.side, conn.info.earlyData]).toEqual([conn.side, 'rejected']);
      expect(conn.info.resumed).toBe(true);
      expect(conn.info.group).toBe('secp256r1');
    }
    expect(server.readEarlyData()).toHaveLength(0);
    expect(records(log.events, 'server', 'received').filter((r) => r.dropped)).toHaveLength(1);
    // §4.1.2: the second ClientHello drops early_data.
    const hellos = log.events.filter((e) => e.kind === 'message' && e.side === 'client' && e.direction === 'sent' && e.type === 'ClientHello');
    expect(hellos).toHaveLength(2);
    const has = (e: (typeof hellos)[number]) => e.kind === 'message' && JSON.stringify(e.fields).includes('"early_data"');
    expect([has(hellos[0]!), has(hellos[1]!)]).toEqual([true, false]);
    client.write(utf8('resent'));
    pump(client, server);
    expect(text(server.read())).toBe('resent');
  });

  it('early data larger than the ticket allows is not sent', () => {
    const srv = serverSide();
    const [session] = sessionsFrom(srv.zeroRtt({ maxEarlyDataSize: 16 }));
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: new Uint8Array(17) }));
    const server = new ServerConnection(srv.zeroRtt({ maxEarlyDataSize: 16 }));
    pump(client, server);
    expect(client.info.earlyData).toBe('none');
    expect(server.info.resumed).toBe(true);
  });

  it('with middlebox compatibility mode', () => {
    const srv = serverSide();
    const [session] = sessionsFrom(srv.zeroRtt());
    const client = new ClientConnection(clientConfig(cert, { session: session!, earlyData: utf8('boxed'), middleboxCompatibility: true }));
    const server = new ServerConnection(srv.zeroRtt());
    pump(client, server);
    expect(server.info.earlyData).toBe('accepted');
    expect(text(server.readEarlyData())).toBe('boxed');
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
  });
});
