/**
 * The trace (records, messages with annotated fields, secrets, state transitions) and
 * the NSS key log, checked over handshakes that between them send every message type.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { SingleUseTickets } from '../../src/handshake/server/anti-replay.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import type { Session } from '../../src/handshake/session.js';
import type { MessageEvent, SecretEvent, StateEvent, TraceEvent } from '../../src/trace/events.js';
import { pinned, testCert } from './harness/pki.js';
import { pump, utf8 } from './harness/pair.js';
import { checkLeavesTile, findMessage, findTraceField, records, traceLog } from './harness/trace-log.js';

const serverCert = testCert('rsa');
const clientCert = testCert('ed25519', 'client.example');
const ticketer = new RotatingTicketer(nobleProvider);
const antiReplay = new SingleUseTickets();

interface Run {
  events: TraceEvent[];
  keyLog: { client: string[]; server: string[] };
  client: ClientConnection;
  server: ServerConnection;
}

/** A connection with client auth, a HelloRetryRequest, compatibility mode, ALPN, SNI, record_size_limit, tickets, KeyUpdate and close_notify. */
function fullRun(): Run & { session: Session } {
  const log = traceLog();
  const keyLog = { client: [] as string[], server: [] as string[] };
  const client = new ClientConnection({
    serverName: 'localhost',
    verifyServerCertificate: pinned(serverCert.der),
    certificate: clientCert,
    alpnProtocols: ['h2'],
    recordSizeLimit: 4096,
    middleboxCompatibility: true,
    trace: log.observer,
    keyLog: (l) => keyLog.client.push(l),
  });
  const server = new ServerConnection({
    certificate: serverCert,
    clientAuth: 'required',
    verifyClientCertificate: pinned(clientCert.der),
    groups: ['secp256r1'],
    alpnProtocols: ['h2'],
    tickets: { ticketer },
    maxEarlyDataSize: 1000,
    antiReplay,
    trace: log.observer,
    keyLog: (l) => keyLog.server.push(l),
  });
  pump(client, server);
  client.write(utf8('hello'));
  client.keyUpdate(true);
  client.write(utf8('again'));
  pump(client, server);
  client.close();
  server.close();
  pump(client, server);
  const event = client.takeEvents().find((e) => e.type === 'session');
  if (event?.type !== 'session') throw new Error('no session');
  return { events: log.events, keyLog, client, server, session: event.session };
}

/** A resumed connection with accepted 0-RTT. */
function zeroRttRun(session: Session): Run {
  const log = traceLog();
  const keyLog = { client: [] as string[], server: [] as string[] };
  const client = new ClientConnection({
    serverName: 'localhost',
    verifyServerCertificate: pinned(serverCert.der),
    alpnProtocols: ['h2'],
    session,
    earlyData: utf8('early'),
    trace: log.observer,
    keyLog: (l) => keyLog.client.push(l),
  });
  const server = new ServerConnection({
    certificate: serverCert,
    alpnProtocols: ['h2'],
    tickets: { ticketer, count: 1 },
    maxEarlyDataSize: 1000,
    antiReplay,
    trace: log.observer,
    keyLog: (l) => keyLog.server.push(l),
  });
  pump(client, server);
  return { events: log.events, keyLog, client, server };
}

const full = fullRun();
const early = zeroRttRun(full.session);
const messages = (events: TraceEvent[]) => events.filter((e): e is MessageEvent => e.kind === 'message');

describe('trace: messages', () => {
  it('the runs cover every handshake message type, both directions', () => {
    const types = new Set([...messages(full.events), ...messages(early.events)].map((m) => `${m.side}:${m.direction}:${m.type}`));
    for (const type of ['ClientHello', 'HelloRetryRequest', 'ServerHello', 'EncryptedExtensions', 'CertificateRequest', 'Certificate', 'CertificateVerify', 'Finished', 'NewSessionTicket', 'EndOfEarlyData', 'KeyUpdate']) {
      expect([...types].some((t) => t.endsWith(`:${type}`)), type).toBe(true);
    }
    expect(early.server.info.earlyData).toBe('accepted');
    expect(full.client.info.helloRetryRequest).toBe(true);
  });

  it('every message event’s field leaves tile the message exactly', () => {
    let checked = 0;
    for (const m of [...messages(full.events), ...messages(early.events)]) {
      expect(m.fields.length, m.type).toBeGreaterThan(0);
      const leaves = checkLeavesTile(m.fields, m.hex);
      expect(leaves, m.type).toBeGreaterThanOrEqual(3); // at least msg_type, length and a body field
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('the tiling check catches a gap, an overlap and a wrong total', () => {
    const m = findMessage(full.events, 'client', 'sent', 'Finished')!;
    const [type, length, ...rest] = m.fields;
    expect(() => checkLeavesTile([type!, ...rest], m.hex)).toThrow(/starts at/);
    expect(() => checkLeavesTile([type!, { ...length!, length: length!.length + 1 }, ...rest], m.hex)).toThrow();
    expect(() => checkLeavesTile(m.fields, `${m.hex}00`)).toThrow(/leaves end at/);
  });

  it('what each side sent is what the other received, and what went into its handshake records', () => {
    for (const run of [full, early]) {
      for (const [from, to] of [['client', 'server'], ['server', 'client']] as const) {
        const sent = messages(run.events).filter((m) => m.side === from && m.direction === 'sent');
        const received = messages(run.events).filter((m) => m.side === to && m.direction === 'received');
        expect(received.map((m) => m.hex)).toEqual(sent.map((m) => m.hex));
        const recordContent = records(run.events, from, 'sent')
          .filter((r) => r.innerType === 'handshake')
          .map((r) => r.contentHex)
          .join('');
        expect(recordContent).toBe(sent.map((m) => m.hex).join(''));
      }
    }
  });

  it('fields carry readable values (e.g. the negotiated cipher suite and the random)', () => {
    const sh = findMessage(full.events, 'client', 'received', 'ServerHello')!;
    expect(findTraceField(sh.fields, 'cipher_suite')?.value).toContain('TLS_AES_128_GCM_SHA256');
    expect(findTraceField(sh.fields, 'random')?.length).toBe(32);
  });
});

describe('trace: records', () => {
  it('protected records carry their sequence numbers, restarting with each key (§5.3)', () => {
    const sent = records(full.events, 'server', 'sent');
    expect(sent[0]!.protected).toBe(false); // the HelloRetryRequest
    const firstProtected = sent.findIndex((r) => r.protected);
    expect(sent[firstProtected]!.sequenceNumber).toBe(0);
    expect(sent.filter((r) => r.protected).every((r) => r.outerType === 'application_data' && typeof r.sequenceNumber === 'number')).toBe(true);
    expect(sent.filter((r) => r.protected && r.sequenceNumber === 0).length).toBeGreaterThanOrEqual(3); // handshake, application, after KeyUpdate
  });

  it('the record_size_limit the client advertised bounds the server’s records (RFC 8449)', () => {
    for (const r of records(full.events, 'server', 'sent').filter((r) => r.protected)) expect(r.contentHex.length / 2).toBeLessThan(4096);
  });

  it('received change_cipher_spec records are marked as dropped', () => {
    const ccs = records(full.events, 'server', 'received').filter((r) => r.outerType === 'change_cipher_spec');
    expect(ccs.length).toBe(1);
    expect(ccs.every((r) => typeof r.dropped === 'string')).toBe(true);
  });

  it('alerts appear as alert events (close_notify here)', () => {
    const alerts = full.events.filter((e) => e.kind === 'alert');
    expect(alerts.map((a) => (a.kind === 'alert' ? `${a.side}:${a.direction}:${a.description}` : ''))).toEqual(
      expect.arrayContaining(['client:sent:close_notify', 'server:received:close_notify', 'server:sent:close_notify', 'client:received:close_notify']),
    );
  });
});

describe('trace: secrets', () => {
  const secrets = (run: Run, side: 'client' | 'server') => run.events.filter((e): e is SecretEvent => e.kind === 'secret' && e.side === side);

  it('include every key-schedule label (§7.1), on both sides', () => {
    for (const side of ['client', 'server'] as const) {
      const labels = new Set(secrets(full, side).map((s) => s.label));
      for (const label of ['HKDF-Extract', 'derived', 'c hs traffic', 's hs traffic', 'c ap traffic', 's ap traffic', 'exp master', 'res master', 'key', 'iv', 'finished', 'traffic upd', '(EC)DHE']) {
        expect(labels.has(label), `${side}: ${label}`).toBe(true);
      }
      const earlyLabels = new Set(secrets(early, side).map((s) => s.label));
      for (const label of ['res binder', 'c e traffic', 'e exp master']) expect(earlyLabels.has(label), `${side}: ${label}`).toBe(true);
    }
    // The client shows the resumption PSK it offers (the server's comes sealed in the ticket).
    expect(secrets(early, 'client').some((s) => s.label === 'PSK')).toBe(true);
  });

  it('both sides derive the same values under the same names', () => {
    for (const run of [full, early]) {
      const server = new Map(secrets(run, 'server').map((s) => [s.name, s.hex]));
      const shared = secrets(run, 'client').filter((s) => server.has(s.name) && s.name !== 'resumption_psk');
      expect(shared.length).toBeGreaterThan(15);
      for (const s of shared) expect(server.get(s.name), s.name).toBe(s.hex);
    }
    const chts = secrets(full, 'client').find((s) => s.name === 'client_handshake_traffic_secret')!;
    expect(chts.label).toBe('c hs traffic');
    expect(chts.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(chts.derivation).toContain('Derive-Secret');
    expect(chts.contextHex).toMatch(/^[0-9a-f]{64}$/); // Transcript-Hash(ClientHello..ServerHello)
  });
});

describe('trace: states', () => {
  const states = (run: Run, side: 'client' | 'server') => run.events.filter((e): e is StateEvent => e.kind === 'state' && e.side === side);

  it('transitions chain (each starts where the previous ended) and end in Connected', () => {
    for (const run of [full, early]) {
      for (const side of ['client', 'server'] as const) {
        const list = states(run, side);
        expect(list.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < list.length; i++) expect(list[i]!.from).toBe(list[i - 1]!.to);
        expect(list.at(-1)!.to).toBe('Connected');
      }
    }
  });

  it('follow the handshake: client authentication and early data', () => {
    const path = (run: Run, side: 'client' | 'server') => {
      const list = states(run, side);
      return [list[0]!.from, ...list.map((s) => s.to)];
    };
    expect(path(full, 'client')).toEqual(['ExpectServerHello', 'ExpectEncryptedExtensions', 'ExpectCertificateOrCertificateRequest', 'ExpectCertificate', 'ExpectCertificateVerify', 'ExpectFinished', 'Connected']);
    expect(path(full, 'server')).toEqual(['ExpectClientHello2', 'ExpectCertificate', 'ExpectCertificateVerify', 'ExpectFinished', 'Connected']);
    expect(path(early, 'client')).toEqual(['ExpectServerHello', 'ExpectEncryptedExtensions', 'ExpectFinished', 'Connected']);
    expect(path(early, 'server')).toEqual(['ExpectClientHello', 'ExpectEndOfEarlyData', 'ExpectFinished', 'Connected']);
  });
});

describe('key log (NSS format)', () => {
  const LINE = /^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]+)$/;

  it('has a line per traffic secret, named by the client random, the same on both sides', () => {
    const random = findTraceField(findMessage(full.events, 'client', 'sent', 'ClientHello')!.fields, 'random')!.hex;
    for (const side of ['client', 'server'] as const) {
      const lines = full.keyLog[side];
      for (const l of lines) {
        const m = LINE.exec(l);
        expect(m, l).not.toBeNull();
        expect(m![2]).toBe(random);
      }
      const labels = lines.map((l) => l.split(' ')[0]);
      expect(labels).toEqual(expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'CLIENT_TRAFFIC_SECRET_1', 'SERVER_TRAFFIC_SECRET_1']));
      expect(new Set(labels).size).toBe(labels.length);
    }
    expect([...full.keyLog.server].sort()).toEqual([...full.keyLog.client].sort());
    expect(full.keyLog.client.find((l) => l.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET '))).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}$/);
  });

  it('the logged secrets are the traced ones', () => {
    const traced = new Map(full.events.filter((e): e is SecretEvent => e.kind === 'secret' && e.side === 'client').map((s) => [s.name, s.hex]));
    const logged = new Map(full.keyLog.client.map((l) => [l.split(' ')[0]!, l.split(' ')[2]!]));
    expect(logged.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')).toBe(traced.get('client_handshake_traffic_secret'));
    expect(logged.get('SERVER_TRAFFIC_SECRET_0')).toBe(traced.get('server_application_traffic_secret_0'));
    expect(logged.get('EXPORTER_SECRET')).toBe(traced.get('exporter_master_secret'));
  });

  it('with 0-RTT, the early secrets are logged too', () => {
    for (const side of ['client', 'server'] as const) {
      const labels = early.keyLog[side].map((l) => l.split(' ')[0]);
      expect(labels).toEqual(expect.arrayContaining(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']));
    }
    expect([...early.keyLog.server].sort()).toEqual([...early.keyLog.client].sort());
  });

});
