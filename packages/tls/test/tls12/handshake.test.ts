/**
 * TLS 1.2 handshakes between our client and server in memory (RFC 5246 §7.3, RFC 8422,
 * RFC 7627, RFC 5077): every suite with every kind of certificate and curve on each crypto
 * provider (noble and native) and across them, ALPN, SNI, record_size_limit, client
 * certificates, tickets, the exporter, the key log, and traces whose fields tile every message.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import type { CipherSuiteName, CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { nodeCryptoProvider } from '../../src/node/crypto/index.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import { decodeSession, encodeSession, type Session } from '../../src/handshake/session.js';
import { ecdheGroups, tls12CipherSuites } from '../../src/handshake/tls12/cipher-suites.js';
import type { MessageEvent, SecretEvent } from '../../src/trace/events.js';
import { equalBytes, toHex } from '../../src/wire/bytes.js';
import { catchTlsError, eventTypes, patternBytes, pump, text, utf8 } from '../connection/harness/pair.js';
import { pinned, testCert, type CertKind } from '../connection/harness/pki.js';
import { checkLeavesTile, findMessage, findTraceField, messageTypes } from '../connection/harness/trace-log.js';
import { tls12Pair } from './helpers.js';

const suites = tls12CipherSuites(nobleProvider).map((s) => s);
const PROVIDERS: [string, CryptoProvider][] = [
  ['noble', nobleProvider],
  ['native', nodeCryptoProvider],
];

describe.each(PROVIDERS)('a full TLS 1.2 handshake (RFC 5246 §7.3) on the %s provider', (_name, provider) => {
  it('the provider has the same TLS 1.2 suites and curves as noble', () => {
    expect(tls12CipherSuites(provider).map((s) => s.name)).toEqual(suites.map((s) => s.name));
    expect(ecdheGroups(provider.groups).map((g) => g.name)).toEqual(ecdheGroups(nobleProvider.groups).map((g) => g.name));
  });

  for (const kind of ['p256', 'ed25519', 'rsa'] as CertKind[]) {
    for (const suite of suites.filter((s) => s.authentication === (kind === 'rsa' ? 'RSA' : 'ECDSA'))) {
      it(`${suite.name} with a ${kind} certificate`, () => {
        const { client, server, log } = tls12Pair({ cipherSuites: [suite.name], provider }, { provider }, testCert(kind));
        pump(client, server);
        expect(client.info).toMatchObject({ protocol: 'TLSv1.2', cipherSuite: { name: suite.name }, resumed: false });
        expect(server.info).toMatchObject({ protocol: 'TLSv1.2', cipherSuite: { name: suite.name } });
        expect(client.info.signatureScheme).toBe(server.info.signatureScheme);
        expect(client.info.signatureScheme).toBe({ p256: 'ecdsa_secp256r1_sha256', p384: 'ecdsa_secp384r1_sha384', ed25519: 'ed25519', rsa: 'rsa_pss_rsae_sha256' }[kind]);
        expect(messageTypes(log.events, 'server', 'sent')).toEqual(['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone', 'Finished']);
        expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'ClientKeyExchange', 'Finished']);
        client.write(patternBytes(40_000));
        server.write(utf8('pong'));
        pump(client, server);
        expect(equalBytes(server.read(), patternBytes(40_000))).toBe(true);
        expect(text(client.read())).toBe('pong');
      });
    }
  }

  it('a P-384 certificate, for a client that lists secp384r1 (RFC 8422 §5.3: else no ECDSA suite)', () => {
    const { client, server } = tls12Pair({ provider }, { provider }, testCert('p384'));
    pump(client, server);
    expect(client.info.signatureScheme).toBe('ecdsa_secp384r1_sha384');
    const without = tls12Pair({ provider, groups: ['x25519', 'secp256r1'] }, { provider }, testCert('p384'));
    expect(catchTlsError(() => pump(without.client, without.server))).toMatchObject({ alert: 'handshake_failure', reason: expect.stringContaining('P-384') });
  });

  for (const group of ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'] as NamedGroupName[]) {
    it(`ECDHE over ${group}`, () => {
      const { client, server } = tls12Pair({ groups: [group], provider }, { provider }, testCert('rsa'));
      pump(client, server);
      expect(client.info.group).toBe(group);
      expect(server.info.group).toBe(group);
      client.write(utf8('over ' + group));
      pump(client, server);
      expect(text(server.read())).toBe('over ' + group);
    });
  }

  it('the server picks its own preference among the client’s suites and curves', () => {
    const { client, server } = tls12Pair(
      { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], groups: ['x25519', 'secp256r1'], provider },
      { groups: ['secp256r1', 'x25519'], provider },
    );
    pump(client, server);
    expect(server.info.cipherSuite?.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(server.info.group).toBe('secp256r1');
  });

  it('signs the ServerKeyExchange with RSA PKCS#1 v1.5 when that is all the client accepts (TLS 1.2 still needs it)', () => {
    for (const scheme of ['rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'] as const) {
      const { client, server, log } = tls12Pair({ signatureSchemes: [scheme], provider }, { provider }, testCert('rsa'));
      pump(client, server);
      expect(client.info.signatureScheme).toBe(scheme);
      expect(findTraceField(findMessage(log.events, 'client', 'received', 'ServerKeyExchange')!.fields, 'algorithm')?.value).toBe(scheme);
    }
  });

  it('resumes a session from a ticket the same provider sealed (RFC 5077)', () => {
    const ticketer = new RotatingTicketer(provider);
    const first = tls12Pair({ provider }, { provider, tickets: { ticketer } });
    pump(first.client, first.server);
    const session = first.client.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
    const { client, server } = tls12Pair({ provider, session }, { provider, tickets: { ticketer } });
    pump(client, server);
    expect(server.info.resumed).toBe(true);
    client.write(utf8('resumed'));
    pump(client, server);
    expect(text(server.read())).toBe('resumed');
  });
});

describe('TLS 1.2 across providers: a noble side and a native side agree on every byte they must', () => {
  for (const [clientName, clientProvider, serverName, serverProvider] of [
    ['noble', nobleProvider, 'native', nodeCryptoProvider],
    ['native', nodeCryptoProvider, 'noble', nobleProvider],
  ] as const) {
    for (const [kind, suite] of [['p256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], ['ed25519', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'], ['rsa', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384']] as const) {
      it(`a ${clientName} client and a ${serverName} server: ${suite}, ${kind} certificate, data, exporter`, () => {
        const { client, server } = tls12Pair({ provider: clientProvider, cipherSuites: [suite] }, { provider: serverProvider }, testCert(kind));
        pump(client, server);
        expect(client.info.cipherSuite?.name).toBe(suite);
        client.write(patternBytes(20_000));
        server.write(utf8('back'));
        pump(client, server);
        expect(equalBytes(server.read(), patternBytes(20_000))).toBe(true);
        expect(text(client.read())).toBe('back');
        expect(toHex(client.exportKeyingMaterial('EXPORTER-x', utf8('c'), 32))).toBe(toHex(server.exportKeyingMaterial('EXPORTER-x', utf8('c'), 32)));
      });
    }
  }
});

describe('a TLS 1.2 handshake’s extensions', () => {
  it('ALPN, SNI and record_size_limit are answered in the ServerHello', () => {
    const { client, server, log } = tls12Pair({ alpnProtocols: ['h2', 'http/1.1'], recordSizeLimit: 1000 }, { alpnProtocols: ['http/1.1'], recordSizeLimit: 16385 });
    pump(client, server);
    expect(client.info.alpnProtocol).toBe('http/1.1');
    expect(server.info.alpnProtocol).toBe('http/1.1');
    expect(client.info.serverName).toBe('localhost');
    const sh = findMessage(log.events, 'client', 'received', 'ServerHello')!;
    const values = JSON.stringify(sh.fields);
    for (const name of ['renegotiation_info', 'server_name', 'extended_master_secret', 'ec_point_formats', 'application_layer_protocol_negotiation', 'record_size_limit']) {
      expect(values).toContain(`"value":"${name}"`);
    }
    // RFC 8449 §4: in TLS 1.2 the limit is on the plaintext, at most 2^14.
    expect(findTraceField(sh.fields, 'RecordSizeLimit')?.value).toBe('16384 bytes');
    server.write(patternBytes(3000));
    pump(client, server);
    expect(client.read()).toHaveLength(3000);
    const sizes = log.events.filter((e) => e.kind === 'record' && e.side === 'server' && e.direction === 'sent' && e.innerType === 'application_data').map((e) => (e.kind === 'record' ? e.contentHex.length / 2 : 0));
    expect(sizes).toEqual([1000, 1000, 1000]);
  });

  it('every message’s fields tile it, and every secret has its RFC name', () => {
    const { client, server, log } = tls12Pair({ certificate: testCert('p256', 'client.example') }, { clientAuth: 'required', verifyClientCertificate: pinned(testCert('p256', 'client.example').der), tickets: { ticketer: new RotatingTicketer(nobleProvider) } });
    pump(client, server);
    const messages = log.events.filter((e): e is MessageEvent => e.kind === 'message');
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set(['ClientHello', 'ServerHello', 'Certificate', 'ServerKeyExchange', 'CertificateRequest', 'ServerHelloDone', 'ClientKeyExchange', 'CertificateVerify', 'NewSessionTicket', 'Finished']));
    for (const m of messages) expect(checkLeavesTile(m.fields, m.hex), m.type).toBeGreaterThan(0);
    const rfc = (type: string) => findMessage(log.events, 'client', 'received', type)?.fields.find((f) => f.name === type)?.rfc;
    expect(rfc('ServerKeyExchange')).toBe('RFC 8422 §5.4');
    expect(rfc('Certificate')).toBe('RFC 5246 §7.4.2');
    expect(rfc('NewSessionTicket')).toBe('RFC 5077 §3.3');
    expect(rfc('Finished')).toBe('RFC 5246 §7.4.9');
    const names = (side: string) => log.events.filter((e): e is SecretEvent => e.kind === 'secret' && e.side === side).map((e) => e.name);
    for (const side of ['client', 'server']) {
      expect(names(side)).toEqual(expect.arrayContaining(['pre_master_secret', 'session_hash', 'master_secret', 'client_write_key', 'server_write_key', 'client_write_IV', 'server_write_IV', 'client_verify_data', 'server_verify_data']));
    }
    const secret = (side: string, name: string) => log.events.find((e): e is SecretEvent => e.kind === 'secret' && e.side === side && e.name === name)!.hex;
    expect(secret('client', 'master_secret')).toBe(secret('server', 'master_secret'));
  });

  it('the key log has one CLIENT_RANDOM line, the same on both sides (NSS format)', () => {
    const lines: Record<string, string[]> = { client: [], server: [] };
    const { client, server } = tls12Pair({ keyLog: (l) => lines.client!.push(l) }, { keyLog: (l) => lines.server!.push(l) });
    pump(client, server);
    expect(lines.client).toHaveLength(1);
    expect(lines.client![0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    expect(lines.server).toEqual(lines.client);
  });

  it('the exporter (RFC 5705): both sides agree; no context and an empty one differ', () => {
    const { client, server } = tls12Pair();
    pump(client, server);
    const context = utf8('context');
    expect(toHex(client.exportKeyingMaterial('EXPORTER-test', context, 32))).toBe(toHex(server.exportKeyingMaterial('EXPORTER-test', context, 32)));
    expect(toHex(client.exportKeyingMaterial('EXPORTER-test', undefined, 32))).toBe(toHex(server.exportKeyingMaterial('EXPORTER-test', undefined, 32)));
    expect(toHex(client.exportKeyingMaterial('EXPORTER-test', undefined, 32))).not.toBe(toHex(client.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32)));
  });

  it('close_notify ends each direction as in TLS 1.3', () => {
    const { client, server } = tls12Pair();
    pump(client, server);
    client.write(utf8('last words'));
    client.close();
    pump(client, server);
    expect(text(server.read())).toBe('last words');
    expect(eventTypes(server.takeEvents())).toEqual(['handshake_complete', 'close_notify']);
  });

  it('a KeyUpdate does not exist in TLS 1.2: the API refuses it', () => {
    const { client, server } = tls12Pair();
    pump(client, server);
    expect(() => client.keyUpdate()).toThrow(/TLS 1.3 only/);
  });
});

describe('client certificates in TLS 1.2 (RFC 5246 §7.4.4, §7.4.6, §7.4.8)', () => {
  for (const kind of ['p256', 'p384', 'ed25519', 'rsa'] as CertKind[]) {
    it(`a ${kind} client certificate, required`, () => {
      const clientCert = testCert(kind, 'client.example');
      const verify = pinned(clientCert.der);
      const { client, server, log } = tls12Pair({ certificate: clientCert }, { clientAuth: 'required', verifyClientCertificate: verify });
      pump(client, server);
      expect(server.handshakeComplete).toBe(true);
      expect(equalBytes(server.info.peerCertificates[0]!, clientCert.der)).toBe(true);
      expect(verify.calls.map((c) => c.purpose)).toEqual(['client']);
      expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Certificate', 'ClientKeyExchange', 'CertificateVerify', 'Finished']);
    });
  }

  it('optional and the client has none: an empty Certificate, no CertificateVerify', () => {
    const { client, server, log } = tls12Pair({}, { clientAuth: 'optional', verifyClientCertificate: pinned() });
    pump(client, server);
    expect(server.handshakeComplete).toBe(true);
    expect(server.info.peerCertificates).toEqual([]);
    expect(findMessage(log.events, 'client', 'sent', 'Certificate')!.hex).toBe('0b000003000000');
    expect(messageTypes(log.events, 'client', 'sent')).not.toContain('CertificateVerify');
  });

  it('required and the client has none: handshake_failure (RFC 5246 §7.4.6)', () => {
    const { client, server } = tls12Pair({}, { clientAuth: 'required', verifyClientCertificate: pinned() });
    expect(() => pump(client, server)).toThrow(expect.objectContaining({ alert: 'handshake_failure' }));
  });

  it('a client certificate the verifier refuses: bad_certificate', () => {
    const { client, server } = tls12Pair({ certificate: testCert('p256', 'client.example') }, { clientAuth: 'required', verifyClientCertificate: pinned() });
    expect(() => pump(client, server)).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
  });
});

describe('resumption with session tickets (RFC 5077)', () => {
  const ticketer = new RotatingTicketer(nobleProvider);
  function firstSession(client: Partial<ConstructorParameters<typeof ClientConnection>[0]> = {}, server: Partial<ConstructorParameters<typeof ServerConnection>[0]> = {}): Session {
    const first = tls12Pair({ alpnProtocols: ['http/1.1'], ...client }, { tickets: { ticketer }, alpnProtocols: ['http/1.1'], ...server });
    pump(first.client, first.server);
    const sessions = first.client.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []));
    expect(sessions).toHaveLength(1);
    return sessions[0]!;
  }

  it('a full handshake issues one ticket; the next connection resumes it: ServerHello, NewSessionTicket-less, ChangeCipherSpec, Finished', () => {
    const session = firstSession();
    expect(session).toMatchObject({ protocol: 'TLSv1.2', cipherSuite: 0xc02b, lifetime: 7200, serverName: 'localhost', alpnProtocol: 'http/1.1' });
    expect(decodeSession(encodeSession(session))).toEqual(session);
    const { client, server, log } = tls12Pair({ session, alpnProtocols: ['http/1.1'] }, { tickets: { ticketer }, alpnProtocols: ['http/1.1'] });
    pump(client, server);
    expect(client.info.resumed).toBe(true);
    expect(server.info.resumed).toBe(true);
    expect(messageTypes(log.events, 'server', 'sent')).toEqual(['ServerHello', 'Finished']);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Finished']);
    // RFC 5077 §3.4: the server echoes the session id the client sent with its ticket.
    const sh = findMessage(log.events, 'client', 'received', 'ServerHello')!;
    const ch = findMessage(log.events, 'client', 'sent', 'ClientHello')!;
    expect(findTraceField(sh.fields, 'legacy_session_id_echo')!.hex).toBe(findTraceField(ch.fields, 'legacy_session_id')!.hex);
    expect(findTraceField(ch.fields, 'legacy_session_id')!.hex).toHaveLength(2 + 64);
    client.write(utf8('resumed'));
    pump(client, server);
    expect(text(server.read())).toBe('resumed');
    expect(toHex(client.exportKeyingMaterial('EXPORTER-x', undefined, 16))).toBe(toHex(server.exportKeyingMaterial('EXPORTER-x', undefined, 16)));
  });

  it('a client offering both versions with a TLS 1.2 session resumes it from a TLS 1.2 server', () => {
    const session = firstSession();
    const { client, server } = tls12Pair({ session, maxVersion: 'TLSv1.3', alpnProtocols: ['http/1.1'] }, { tickets: { ticketer }, maxVersion: 'TLSv1.2', alpnProtocols: ['http/1.1'] });
    pump(client, server);
    expect(client.info.resumed).toBe(true);
  });

  it('a TLS 1.3 server given a TLS 1.2 session makes a full TLS 1.3 handshake', () => {
    const session = firstSession();
    const { client, server } = tls12Pair({ session, maxVersion: 'TLSv1.3' }, { tickets: { ticketer } });
    pump(client, server);
    expect(client.info).toMatchObject({ protocol: 'TLSv1.3', resumed: false });
  });

  it('a TLS 1.3 ticket is not a TLS 1.2 one: a full handshake', () => {
    const first = tls12Pair({ maxVersion: 'TLSv1.3' }, { tickets: { ticketer } });
    pump(first.client, first.server);
    const session13 = first.client.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
    const { client, server } = tls12Pair({ session: { ...session13, protocol: 'TLSv1.2', cipherSuite: 0xc02b } }, { tickets: { ticketer } });
    pump(client, server);
    expect(client.info).toMatchObject({ protocol: 'TLSv1.2', resumed: false });
  });

  it('no resumption under another name, after the lifetime, or by another ticketer: a full handshake', () => {
    const session = firstSession({}, { tickets: { ticketer, lifetime: 60 } });
    const cases: [string, Partial<ConstructorParameters<typeof ServerConnection>[0]>, Partial<ConstructorParameters<typeof ClientConnection>[0]>][] = [
      ['expired', { tickets: { ticketer }, now: () => Date.now() + 61_000 }, {}],
      ['another ticketer', { tickets: { ticketer: new RotatingTicketer(nobleProvider) } }, {}],
      ['another name', { tickets: { ticketer } }, { session: { ...session, serverName: 'other.example' }, serverName: 'other.example', verifyServerCertificate: () => {} }],
    ];
    for (const [name, server, client] of cases) {
      const c = tls12Pair({ session, ...client }, server);
      pump(c.client, c.server);
      expect(c.client.info.resumed, name).toBe(false);
      expect(c.client.handshakeComplete, name).toBe(true);
    }
  });

  it('a session whose ticket the server resumed with another suite is refused (RFC 5246 §7.4.1.3)', () => {
    const session = firstSession();
    const { client, server } = tls12Pair({ session: { ...session, cipherSuite: 0xc02c } }, { tickets: { ticketer } });
    expect(() => pump(client, server)).toThrow(expect.objectContaining({ alert: 'illegal_parameter' }));
  });

  it('client authentication is carried by the ticket and checked again', () => {
    const clientCert = testCert('p256', 'client.example');
    const verify = pinned(clientCert.der);
    const session = firstSession({ certificate: clientCert }, { clientAuth: 'required', verifyClientCertificate: verify });
    const { client, server } = tls12Pair({ session, alpnProtocols: ['http/1.1'] }, { tickets: { ticketer }, clientAuth: 'required', verifyClientCertificate: verify, alpnProtocols: ['http/1.1'] });
    pump(client, server);
    expect(server.info.resumed).toBe(true);
    expect(equalBytes(server.info.peerCertificates[0]!, clientCert.der)).toBe(true);
  });

  it('no ticket without a ticketer, or when the client did not ask', () => {
    const a = tls12Pair();
    pump(a.client, a.server);
    expect(eventTypes(a.client.takeEvents())).toEqual(['handshake_complete']);
  });
});

describe('cipher suite names', () => {
  it('are configured by their RFC names, one list for both versions', () => {
    const names: CipherSuiteName[] = ['TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'];
    const both = tls12Pair({ cipherSuites: names, maxVersion: 'TLSv1.3' }, { cipherSuites: names, maxVersion: 'TLSv1.2' });
    pump(both.client, both.server);
    expect(both.client.info.cipherSuite?.name).toBe('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
  });
});
