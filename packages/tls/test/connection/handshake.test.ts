/**
 * Full 1-RTT handshakes between our client and server in memory (RFC 8446 §2): every
 * cipher suite × group × server key type on each crypto provider (noble and native), then application data both ways, a 1 MiB
 * transfer split into 2^14-byte records (§5.1), ALPN, SNI, middlebox compatibility mode,
 * close_notify, the exporter and record_size_limit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CipherSuiteName, CryptoProvider } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto/index.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { pinned, testCert, type CertKind } from './harness/pki.js';
import { catchTlsError, eventTypes, pair, patternBytes, pump, text, utf8 } from './harness/pair.js';
import { findMessage, findTraceField, messageTypes, records, traceLog } from './harness/trace-log.js';

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const PROVIDERS: [string, CryptoProvider][] = [
  ['noble', nobleProvider],
  ['native', nodeCryptoProvider],
];
const CERTS: [CertKind, string][] = [
  ['p256', 'ecdsa_secp256r1_sha256'],
  ['p384', 'ecdsa_secp384r1_sha384'],
  ['ed25519', 'ed25519'],
  ['rsa', 'rsa_pss_rsae_sha256'],
];

beforeAll(() => {
  for (const [kind] of CERTS) testCert(kind);
});

/** Splits raw bytes into TLS records: [content type, fragment length] each (§5.1). */
function recordHeaders(bytes: Uint8Array): { type: number; length: number }[] {
  const out: { type: number; length: number }[] = [];
  for (let o = 0; o < bytes.length; ) {
    const length = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    out.push({ type: bytes[o]!, length });
    o += 5 + length;
  }
  return out;
}

// Once per crypto provider, with every group the provider has.
describe.each(PROVIDERS)('1-RTT handshake on the %s provider: every suite × group × certificate', (_name, provider) => {
  for (const suite of SUITES) {
    for (const group of provider.groups.map((g) => g.name)) {
      for (const [kind, scheme] of CERTS) {
        it(`${suite} / ${group} / ${kind}`, () => {
          const cert = testCert(kind);
          const verifier = pinned(cert.der);
          const client = new ClientConnection({ provider, serverName: 'localhost', verifyServerCertificate: verifier, cipherSuites: [suite], groups: [group] });
          const server = new ServerConnection({ provider, certificate: cert, groups: [group] });
          pump(client, server);

          expect(client.handshakeComplete).toBe(true);
          expect(server.handshakeComplete).toBe(true);
          for (const conn of [client, server]) {
            expect(conn.info.cipherSuite?.name).toBe(suite);
            expect(conn.info.group).toBe(group);
            expect(conn.info.signatureScheme).toBe(scheme);
            expect(conn.info.resumed).toBe(false);
            expect(conn.info.earlyData).toBe('none');
            expect(conn.info.helloRetryRequest).toBe(false);
            expect(conn.stateName).toBe('Connected');
          }
          expect(client.info.peerCertificates).toHaveLength(1);
          expect(equalBytes(client.info.peerCertificates[0]!, cert.der)).toBe(true);
          expect(server.info.peerCertificates).toEqual([]);
          expect(verifier.calls).toHaveLength(1);
          expect(verifier.calls[0]!.purpose).toBe('server');
          expect(verifier.calls[0]!.serverName).toBe('localhost');
          expect(eventTypes(client.takeEvents())).toEqual(['handshake_complete']);
          expect(eventTypes(server.takeEvents())).toEqual(['handshake_complete']);

          client.write(utf8(`ping over ${suite}`));
          pump(client, server);
          expect(text(server.read())).toBe(`ping over ${suite}`);
          server.write(utf8('pong'));
          pump(client, server);
          expect(text(client.read())).toBe('pong');
          expect(client.read()).toHaveLength(0);
        });
      }
    }
  }
});

describe('application data', () => {
  it('moves 1 MiB each way in 2^14-byte records, byte for byte', () => {
    const { client, server } = pair();
    pump(client, server);
    const mib = patternBytes(1 << 20, 7);

    client.write(mib);
    const wire = client.takeOutgoing();
    const headers = recordHeaders(wire);
    // §5.1: 2^20 / 2^14 = 64 full records; each protected record adds the type byte and a 16-byte tag (§5.2).
    expect(headers).toHaveLength(64);
    for (const h of headers) {
      expect(h.type).toBe(23);
      expect(h.length).toBe(2 ** 14 + 1 + 16);
    }
    // Delivered in arbitrary slices (TCP does not keep record boundaries).
    for (let o = 0; o < wire.length; o += 10_007) server.receive(wire.subarray(o, o + 10_007));
    expect(equalBytes(server.read(), mib)).toBe(true);

    const back = patternBytes((1 << 20) + 3, 9);
    server.write(back);
    pump(client, server);
    expect(equalBytes(client.read(), back)).toBe(true);
  });

  it('holds data written before the handshake and sends it once it completes', () => {
    const { client, server } = pair();
    client.write(utf8('early bird'));
    const first = client.takeOutgoing();
    // Only the ClientHello went out: one plaintext handshake record.
    expect(recordHeaders(first).map((h) => h.type)).toEqual([22]);
    server.receive(first);
    client.receive(server.takeOutgoing());
    server.receive(client.takeOutgoing());
    expect(text(server.read())).toBe('early bird');
  });

  it('the server may send 0.5-RTT data before the client Finished', () => {
    const { client, server } = pair();
    server.receive(client.takeOutgoing());
    expect(server.handshakeComplete).toBe(false);
    server.write(utf8('half a round trip'));
    client.receive(server.takeOutgoing());
    expect(client.handshakeComplete).toBe(true);
    expect(text(client.read())).toBe('half a round trip');
    server.receive(client.takeOutgoing());
    expect(server.handshakeComplete).toBe(true);
  });
});

describe('ALPN (RFC 7301)', () => {
  it('agrees on the server’s preference among the client’s protocols', () => {
    const { client, server } = pair({ client: { alpnProtocols: ['http/1.1', 'h2'] }, server: { alpnProtocols: ['h2', 'http/1.1'] } });
    pump(client, server);
    expect(client.info.alpnProtocol).toBe('h2');
    expect(server.info.alpnProtocol).toBe('h2');
  });

  it('without a common protocol the server fails with no_application_protocol and the client gets the alert', () => {
    const { client, server } = pair({ client: { alpnProtocols: ['spdy/3'] }, server: { alpnProtocols: ['h2'] } });
    const serverError = catchTlsError(() => server.receive(client.takeOutgoing()));
    expect(serverError.alert).toBe('no_application_protocol');
    expect(serverError.sent).toBe(true);
    const clientError = catchTlsError(() => client.receive(server.takeOutgoing()));
    expect(clientError.alert).toBe('no_application_protocol');
    expect(clientError.sent).toBe(false);
    expect(client.error).toBe(clientError);
    expect(client.handshakeComplete).toBe(false);
  });

  it('no ALPN when only one side configures it', () => {
    const { client, server } = pair({ client: { alpnProtocols: ['h2'] } });
    pump(client, server);
    expect(client.info.alpnProtocol).toBeUndefined();
    expect(server.info.alpnProtocol).toBeUndefined();
  });
});

describe('SNI (RFC 6066 §3)', () => {
  it('the server sees the name and picks the certificate by it', () => {
    const a = testCert('p256', 'a.example');
    const b = testCert('ed25519', 'b.example');
    const asked: (string | undefined)[] = [];
    const choose = (name: string | undefined) => {
      asked.push(name);
      return name === 'a.example' ? a : name === 'b.example' ? b : undefined;
    };
    for (const [name, cert, scheme] of [['a.example', a, 'ecdsa_secp256r1_sha256'], ['b.example', b, 'ed25519']] as const) {
      const verifier = pinned(cert.der);
      const client = new ClientConnection({ serverName: name, verifyServerCertificate: verifier });
      const server = new ServerConnection({ certificate: choose });
      pump(client, server);
      expect(server.info.serverName).toBe(name);
      expect(client.info.serverName).toBe(name); // acknowledged in EncryptedExtensions
      expect(client.info.signatureScheme).toBe(scheme);
      expect(equalBytes(client.info.peerCertificates[0]!, cert.der)).toBe(true);
      expect(verifier.calls[0]!.serverName).toBe(name);
    }
    expect(asked).toEqual(['a.example', 'b.example']);
  });

  it('an unknown name gets unrecognized_name', () => {
    const client = new ClientConnection({ serverName: 'c.example', verifyServerCertificate: pinned() });
    const server = new ServerConnection({ certificate: () => undefined });
    expect(catchTlsError(() => server.receive(client.takeOutgoing())).alert).toBe('unrecognized_name');
    const e = catchTlsError(() => client.receive(server.takeOutgoing()));
    expect([e.alert, e.sent]).toEqual(['unrecognized_name', false]);
  });

  it('a client without serverName sends none', () => {
    const { client, server } = pair({ client: { serverName: undefined } });
    pump(client, server);
    expect(server.info.serverName).toBeUndefined();
    expect(client.handshakeComplete).toBe(true);
  });
});

describe('middlebox compatibility mode (§D.4)', () => {
  it('sends change_cipher_spec records both ways and still completes', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { middleboxCompatibility: true, trace: log.observer }, server: { trace: log.observer } });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    const ccs = (side: 'client' | 'server') => records(log.events, side, 'sent').filter((r) => r.outerType === 'change_cipher_spec');
    expect(ccs('client')).toHaveLength(1);
    expect(ccs('server')).toHaveLength(1);
    for (const r of [...ccs('client'), ...ccs('server')]) {
      expect(r.protected).toBe(false);
      expect(r.hex).toBe('140303000101');
    }
    // The server's comes right after its ServerHello; the client's right before its Finished.
    const serverSent = records(log.events, 'server', 'sent').map((r) => r.outerType);
    expect(serverSent.slice(0, 2)).toEqual(['handshake', 'change_cipher_spec']);
    const clientSent = records(log.events, 'client', 'sent').map((r) => r.outerType);
    expect(clientSent.slice(0, 2)).toEqual(['handshake', 'change_cipher_spec']);
    // Received change_cipher_spec records are dropped, not processed.
    const dropped = records(log.events, 'server', 'received').filter((r) => r.outerType === 'change_cipher_spec');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.dropped).toBeTruthy();
    // The legacy_session_id is 32 bytes and echoed.
    const ch = findMessage(log.events, 'client', 'sent', 'ClientHello')!;
    const sh = findMessage(log.events, 'client', 'received', 'ServerHello')!;
    const sid = findTraceField(ch.fields, 'legacy_session_id')!;
    const echo = findTraceField(sh.fields, 'legacy_session_id_echo')!;
    expect(sid.length).toBe(33);
    expect(echo.hex).toBe(sid.hex);
    client.write(utf8('through the middlebox'));
    pump(client, server);
    expect(text(server.read())).toBe('through the middlebox');
  });
});

describe('close_notify (§6.1)', () => {
  it('close() reaches the peer as receivedCloseNotify and a close_notify event', () => {
    const { client, server } = pair();
    pump(client, server);
    client.takeEvents();
    server.takeEvents();
    client.write(utf8('last words'));
    client.close();
    pump(client, server);
    expect(text(server.read())).toBe('last words');
    expect(server.receivedCloseNotify).toBe(true);
    expect(eventTypes(server.takeEvents())).toEqual(['close_notify']);
    expect(client.receivedCloseNotify).toBe(false);
    expect(() => client.write(utf8('more'))).toThrow();
    // The other direction stays open until the server closes too.
    server.write(utf8('reply after close'));
    server.close();
    pump(client, server);
    expect(text(client.read())).toBe('reply after close');
    expect(client.receivedCloseNotify).toBe(true);
    expect(eventTypes(client.takeEvents())).toEqual(['close_notify']);
    expect(client.error).toBeUndefined();
    expect(server.error).toBeUndefined();
  });
});

describe('exporter (§7.5)', () => {
  it('gives both sides the same keying material, different per label, context and connection', () => {
    const { client, server } = pair();
    expect(() => client.exportKeyingMaterial('x', new Uint8Array(0), 16)).toThrow();
    pump(client, server);
    const ctx = utf8('context');
    const c = client.exportKeyingMaterial('EXPORTER-test', ctx, 32);
    const s = server.exportKeyingMaterial('EXPORTER-test', ctx, 32);
    expect(c).toHaveLength(32);
    expect(equalBytes(c, s)).toBe(true);
    expect(equalBytes(c, client.exportKeyingMaterial('EXPORTER-other', ctx, 32))).toBe(false);
    expect(equalBytes(c, client.exportKeyingMaterial('EXPORTER-test', utf8('other'), 32))).toBe(false);
    expect(equalBytes(c, client.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32))).toBe(false);
    // A shorter output is not a prefix of a longer one: the length is in HkdfLabel (§7.1).
    expect(equalBytes(c.subarray(0, 16), client.exportKeyingMaterial('EXPORTER-test', ctx, 16))).toBe(false);
    const other = pair();
    pump(other.client, other.server);
    expect(equalBytes(c, other.client.exportKeyingMaterial('EXPORTER-test', ctx, 32))).toBe(false);
  });
});

describe('record_size_limit (RFC 8449)', () => {
  it('a client limit of 512 keeps every protected server record to 511 bytes of content', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { recordSizeLimit: 512 }, server: { trace: log.observer }, cert: testCert('rsa') });
    pump(client, server);
    server.write(patternBytes(5000, 3));
    pump(client, server);
    expect(client.read()).toHaveLength(5000);
    const sent = records(log.events, 'server', 'sent').filter((r) => r.protected);
    // The RSA certificate makes the handshake flight span several records too.
    expect(sent.filter((r) => r.innerType === 'handshake').length).toBeGreaterThan(2);
    expect(sent.filter((r) => r.innerType === 'application_data').length).toBe(Math.ceil(5000 / 511));
    for (const r of sent) {
      // §4 of RFC 8449: the limit covers TLSInnerPlaintext: content + type byte (+ padding).
      expect(r.contentHex.length / 2).toBeLessThanOrEqual(511);
      expect((r.hex.length / 2) - 5).toBeLessThanOrEqual(512 + 16);
    }
    // The client, which received no limit, still sends full-size records.
    client.write(patternBytes(20000, 4));
    const wire = client.takeOutgoing();
    expect(recordHeaders(wire)[0]!.length).toBe(2 ** 14 + 17);
    server.receive(wire);
    expect(server.read()).toHaveLength(20000);
  });

  it('with both limits configured, each side respects the other’s', () => {
    const { client, server } = pair({ client: { recordSizeLimit: 1000 }, server: { recordSizeLimit: 300 } });
    pump(client, server);
    client.write(patternBytes(3000, 5));
    const c = recordHeaders(client.takeOutgoing());
    expect(Math.max(...c.map((h) => h.length))).toBe(300 + 16);
    server.write(patternBytes(3000, 6));
    const s = recordHeaders(server.takeOutgoing());
    expect(Math.max(...s.map((h) => h.length))).toBe(1000 + 16);
  });
});

describe('handshake message flow', () => {
  it('sends exactly the messages of §2 in order', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { trace: log.observer }, server: { trace: log.observer } });
    pump(client, server);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'Finished']);
    expect(messageTypes(log.events, 'server', 'sent')).toEqual(['ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']);
    expect(messageTypes(log.events, 'server', 'received')).toEqual(['ClientHello', 'Finished']);
    expect(messageTypes(log.events, 'client', 'received')).toEqual(messageTypes(log.events, 'server', 'sent'));
  });

  it('a client that does not trust the certificate fails with bad_certificate and tells the server', () => {
    const other = testCert('ed25519');
    const { client, server } = pair({ client: { verifyServerCertificate: pinned(other.der) } });
    server.receive(client.takeOutgoing());
    const e = catchTlsError(() => client.receive(server.takeOutgoing()));
    expect([e.alert, e.sent]).toEqual(['bad_certificate', true]);
    const s = catchTlsError(() => server.receive(client.takeOutgoing()));
    expect([s.alert, s.sent]).toEqual(['bad_certificate', false]);
    expect(s).toBeInstanceOf(TlsError);
  });
});
