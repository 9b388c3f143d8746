/**
 * What a TLS 1.2 peer may not do, and the alert each gets: hellos offering only what the safe
 * subset leaves out (CBC, RSA key transport, …), SSL 3.0 and SSL 2.0, compression, a peer
 * without the extended master secret or secure renegotiation, renegotiation itself (a
 * warning, after which the connection carries on), change_cipher_spec out of place, bad
 * signatures and Finished; and warning alerts, which TLS 1.2 lets a connection survive.
 */
import { describe, expect, it } from 'vitest';
import { ContentType } from '../../src/record/content-type.js';
import { findExtension, type ClientHello, type HandshakeMessage, type ServerHello } from '../../src/handshake/messages/types.js';
import type { AlertEvent } from '../../src/trace/events.js';
import { concat, fromHex, toHex } from '../../src/wire/bytes.js';
import { catchTlsError, pump, text, utf8 } from '../connection/harness/pair.js';
import { pinned, testCert } from '../connection/harness/pki.js';
import { sealAs, tamperFlight, tls12Pair } from './helpers.js';

/** The client's ClientHello changed by `change`, handed to a fresh server; returns the alert it sends. */
function serverAlertFor(change: (ch: ClientHello) => ClientHello, serverConfig = {}): string {
  const { client, server } = tls12Pair({}, serverConfig);
  const flight = tamperFlight(client.takeOutgoing(), (m) => (m.type === 'client_hello' ? change(m) : m));
  return catchTlsError(() => server.receive(flight)).alert;
}

/** The server's first flight changed by `change`, handed to the client; returns the alert it sends. */
function clientAlertFor(change: (m: HandshakeMessage) => HandshakeMessage | undefined, clientConfig = {}, cert = testCert('p256')): string {
  const { client, server } = tls12Pair(clientConfig, {}, cert);
  server.receive(client.takeOutgoing());
  return catchTlsError(() => client.receive(tamperFlight(server.takeOutgoing(), change))).alert;
}

const onServerHello = (change: (sh: ServerHello) => ServerHello) => (m: HandshakeMessage) => (m.type === 'server_hello' ? change(m) : m);

describe('a server refuses ClientHellos outside the safe subset', () => {
  const onlySuites = (suites: number[]) => (ch: ClientHello) => ({ ...ch, cipherSuites: suites });
  it('CBC suites only (BEAST, Lucky13, POODLE’s kin): handshake_failure', () => {
    expect(serverAlertFor(onlySuites([0xc013, 0xc014, 0xc027, 0x002f, 0x0035]))).toBe('handshake_failure');
  });
  it('RSA key transport only (ROBOT, no forward secrecy): handshake_failure', () => {
    expect(serverAlertFor(onlySuites([0x009c, 0x009d]))).toBe('handshake_failure');
  });
  it('RC4, 3DES, NULL or export suites only: handshake_failure', () => {
    expect(serverAlertFor(onlySuites([0x0005, 0x000a, 0x0002, 0x0003, 0xc011, 0xc012]))).toBe('handshake_failure');
  });
  it('finite-field DHE only (Logjam): handshake_failure', () => {
    expect(serverAlertFor(onlySuites([0x009e, 0x009f, 0xccaa]))).toBe('handshake_failure');
  });
  it('a suite that needs another certificate (ECDSA suites to an RSA server): handshake_failure', () => {
    const { client, server } = tls12Pair({ cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }, {}, testCert('rsa'));
    expect(catchTlsError(() => pump(client, server)).alert).toBe('handshake_failure');
  });
  it('an SSL 3.0 ClientHello: protocol_version', () => {
    expect(serverAlertFor((ch) => ({ ...ch, legacyVersion: 0x0300 }))).toBe('protocol_version');
  });
  it('a TLS 1.1 ClientHello: protocol_version', () => {
    expect(serverAlertFor((ch) => ({ ...ch, legacyVersion: 0x0302 }))).toBe('protocol_version');
  });
  it('an SSL 2.0 ClientHello: protocol_version (RFC 6176)', () => {
    const { server } = tls12Pair();
    expect(catchTlsError(() => server.receive(fromHex('802e0103010015000000100700c0030080010080060040040080020080'))).alert).toBe('protocol_version');
  });
  it('compression methods without null: illegal_parameter; with null beside others, null is chosen', () => {
    expect(serverAlertFor((ch) => ({ ...ch, legacyCompressionMethods: Uint8Array.of(1) }))).toBe('illegal_parameter');
    const { client, server } = tls12Pair();
    server.receive(tamperFlight(client.takeOutgoing(), (m) => (m.type === 'client_hello' ? { ...m, legacyCompressionMethods: Uint8Array.of(1, 0) } : m)));
    let compression = -1;
    tamperFlight(server.takeOutgoing(), (m) => (m.type === 'server_hello' && (compression = m.legacyCompressionMethod), m));
    expect(compression).toBe(0);
  });
  it('no extended master secret (RFC 7627): handshake_failure, unless allowed', () => {
    const withoutEms = (ch: ClientHello) => ({ ...ch, extensions: ch.extensions.filter((e) => e.type !== 'extended_master_secret') });
    expect(serverAlertFor(withoutEms)).toBe('handshake_failure');
  });
  it('a non-empty renegotiation_info in an initial handshake (RFC 5746 §3.6): handshake_failure', () => {
    expect(serverAlertFor((ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === 'renegotiation_info' ? { ...e, renegotiatedConnection: new Uint8Array(12) } : e)) }))).toBe('handshake_failure');
  });
  it('ec_point_formats without uncompressed (RFC 8422 §5.1.2): illegal_parameter', () => {
    expect(serverAlertFor((ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === 'ec_point_formats' ? { ...e, formats: [1] } : e)) }))).toBe('illegal_parameter');
  });
  it('no signature_algorithms (TLS 1.2 would then mean SHA-1): handshake_failure', () => {
    expect(serverAlertFor((ch) => ({ ...ch, extensions: ch.extensions.filter((e) => e.type !== 'signature_algorithms') }))).toBe('handshake_failure');
  });
  it('an ECDSA certificate on a curve the client does not list (RFC 8422 §5.3): handshake_failure', () => {
    expect(serverAlertFor((ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === 'supported_groups' ? { ...e, groups: [0x001d] } : e)) }))).toBe('handshake_failure');
    // An RSA certificate has no curve: x25519 alone is fine.
    const { client, server } = tls12Pair({ groups: ['x25519'] }, {}, testCert('rsa'));
    pump(client, server);
    expect(server.info.group).toBe('x25519');
  });

  it('no elliptic curve in common: handshake_failure', () => {
    expect(serverAlertFor((ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === 'supported_groups' ? { ...e, groups: [0x0100] } : e)) }))).toBe('handshake_failure');
  });
});

describe('the extended master secret, opted out of', () => {
  it('a server that allows legacy clients completes without it: no exporter (RFC 7627 §5.4), no ticket', async () => {
    const { RotatingTicketer } = await import('../../src/handshake/server/ticketer.js');
    const { nobleProvider } = await import('../../src/crypto/noble.js');
    const { client, server } = tls12Pair({ requireExtendedMasterSecret: false }, { requireExtendedMasterSecret: false, tickets: { ticketer: new RotatingTicketer(nobleProvider) } });
    const legacy = tamperFlight(client.takeOutgoing(), (m) => (m.type === 'client_hello' ? { ...m, extensions: m.extensions.filter((e) => e.type !== 'extended_master_secret') } : m));
    server.receive(legacy);
    // The client's transcript has its real ClientHello; the server's the altered one: the Finished would fail.
    // So here we check the server's answer: no extended_master_secret and no session_ticket in its ServerHello.
    let sh: ServerHello | undefined;
    tamperFlight(server.takeOutgoing(), (m) => (m.type === 'server_hello' && (sh = m), m));
    expect(findExtension(sh!.extensions, 'extended_master_secret')).toBeUndefined();
    expect(findExtension(sh!.extensions, 'session_ticket')).toBeUndefined();
  });

  it('a client meets a server without it: handshake_failure (the interop tests complete such handshakes when allowed)', () => {
    const strip = onServerHello((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== 'extended_master_secret') }));
    expect(clientAlertFor(strip)).toBe('handshake_failure');
    const { client, server } = tls12Pair({ requireExtendedMasterSecret: false });
    server.receive(client.takeOutgoing());
    client.receive(tamperFlight(server.takeOutgoing(), strip));
    expect(client.error).toBeUndefined();
    expect(client.stateName).toBe('ExpectFinished');
  });
});

describe('a client refuses a ServerHello that does not answer its offer', () => {
  it('a suite it did not offer, or a TLS 1.3 suite: illegal_parameter', () => {
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, cipherSuite: 0xc02c })), { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })).toBe('illegal_parameter');
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, cipherSuite: 0x1301 })))).toBe('illegal_parameter');
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, cipherSuite: 0x009c })))).toBe('illegal_parameter');
  });
  it('a compression method: illegal_parameter', () => {
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, legacyCompressionMethod: 1 })))).toBe('illegal_parameter');
  });
  it('TLS 1.1: protocol_version', () => {
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, legacyVersion: 0x0302 })))).toBe('protocol_version');
  });
  it('no renegotiation_info (RFC 5746 §4.1), or a non-empty one: handshake_failure', () => {
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== 'renegotiation_info') })))).toBe('handshake_failure');
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === 'renegotiation_info' ? { ...e, renegotiatedConnection: new Uint8Array(24) } : e)) })))).toBe('handshake_failure');
  });
  it('an extension it did not send (RFC 5246 §7.4.1.4): unsupported_extension', () => {
    expect(clientAlertFor(onServerHello((sh) => ({ ...sh, extensions: [...sh.extensions, { type: 'application_layer_protocol_negotiation', protocols: ['h2'] }] })))).toBe('unsupported_extension');
  });
  it('an echo of a session id it sent for TLS 1.3’s middlebox compatibility: illegal_parameter', () => {
    const { client, server } = tls12Pair({ maxVersion: 'TLSv1.3', middleboxCompatibility: true }, { maxVersion: 'TLSv1.2' });
    const hello = client.takeOutgoing();
    let sessionId: Uint8Array = new Uint8Array(0);
    tamperFlight(hello, (m) => (m.type === 'client_hello' && (sessionId = m.legacySessionId), m));
    server.receive(hello);
    expect(catchTlsError(() => client.receive(tamperFlight(server.takeOutgoing(), onServerHello((sh) => ({ ...sh, legacySessionIdEcho: sessionId }))))).alert).toBe('illegal_parameter');
  });
  it('a TLS 1.2 ServerHello after a HelloRetryRequest: illegal_parameter (RFC 8446 §4.2.1)', () => {
    const { client, server } = tls12Pair({ maxVersion: 'TLSv1.3', groups: ['x25519', 'secp256r1'] }, { groups: ['secp256r1'], maxVersion: 'TLSv1.3' });
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing()); // the HelloRetryRequest
    const tls12 = tls12Pair({}, { maxVersion: 'TLSv1.2' });
    tls12.server.receive(tls12.client.takeOutgoing());
    expect(catchTlsError(() => client.receive(tls12.server.takeOutgoing())).alert).toBe('illegal_parameter');
  });
});

describe('a client authenticates the server’s key exchange (RFC 8422 §5.4)', () => {
  it('a ServerKeyExchange whose signature does not verify: decrypt_error', () => {
    expect(clientAlertFor((m) => (m.type === 'server_key_exchange' ? { ...m, signature: m.signature.map((b, i) => (i === 10 ? b ^ 1 : b)) } : m))).toBe('decrypt_error');
  });
  it('a ServerKeyExchange with another key than the one signed: decrypt_error', () => {
    expect(clientAlertFor((m) => (m.type === 'server_key_exchange' ? { ...m, publicKey: m.publicKey.map((b, i) => (i === 5 ? b ^ 1 : b)) } : m))).toBe('decrypt_error');
  });
  it('a curve it did not offer: illegal_parameter', () => {
    expect(clientAlertFor((m) => (m.type === 'server_key_exchange' ? { ...m, namedCurve: 0x0018 } : m), { groups: ['x25519', 'secp256r1'] })).toBe('illegal_parameter');
  });
  it('a signature scheme it did not offer: illegal_parameter', () => {
    expect(clientAlertFor((m) => (m.type === 'server_key_exchange' ? { ...m, algorithm: 0x0201 } : m))).toBe('illegal_parameter');
  });
  it('explicit curve parameters (deprecated): illegal_parameter, from the decoder', () => {
    const { client, server } = tls12Pair();
    server.receive(client.takeOutgoing());
    const flight = server.takeOutgoing();
    const at = toHex(flight).indexOf('0c0000') / 2; // the ServerKeyExchange header
    const bad = flight.slice();
    bad[at + 4] = 1; // curve_type explicit_prime
    expect(catchTlsError(() => client.receive(bad)).alert).toBe('illegal_parameter');
  });
  it('an RSA certificate for an ECDSA suite: unsupported_certificate', () => {
    const { client, server } = tls12Pair({}, {}, testCert('rsa'));
    server.receive(client.takeOutgoing());
    const flight = tamperFlight(server.takeOutgoing(), onServerHello((sh) => ({ ...sh, cipherSuite: 0xc02b })));
    expect(catchTlsError(() => client.receive(flight)).alert).toBe('unsupported_certificate');
  });
});

describe('change_cipher_spec and Finished (RFC 5246 §7.1, §7.4.9)', () => {
  it('a Finished that does not authenticate: bad_record_mac; one that does but is wrong: decrypt_error', () => {
    const { client, server } = tls12Pair();
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
    const clientFlight = client.takeOutgoing();
    const bad = clientFlight.slice();
    bad[bad.length - 1]! ^= 1; // in the tag of the encrypted Finished
    expect(catchTlsError(() => server.receive(bad)).alert).toBe('bad_record_mac');

    const again = tls12Pair();
    again.server.receive(again.client.takeOutgoing());
    again.client.receive(again.server.takeOutgoing());
    const flight = again.client.takeOutgoing();
    // Up to the ChangeCipherSpec as sent, then a Finished with wrong verify_data under the client's real keys.
    const cke = 5 + ((flight[3]! << 8) | flight[4]!);
    const seal = sealAs(again.log.events, 'client', again.server.info.cipherSuite!.name, 0);
    const forged = concat(flight.subarray(0, cke + 6), seal.message({ type: 'finished', verifyData: new Uint8Array(12) }));
    expect(catchTlsError(() => again.server.receive(forged)).alert).toBe('decrypt_error');
  });

  it('a Finished before the ChangeCipherSpec, in the same record as the ClientKeyExchange: unexpected_message', () => {
    const { client, server } = tls12Pair();
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
    const flight = client.takeOutgoing();
    // Keep the ClientKeyExchange, drop the ChangeCipherSpec, and put a plaintext Finished right behind it.
    const cke = flight.subarray(5, 5 + ((flight[3]! << 8) | flight[4]!));
    const finished = fromHex('1400000c' + '00'.repeat(12));
    const record = concat(Uint8Array.of(22, 3, 3, 0, cke.length + finished.length), cke, finished);
    expect(catchTlsError(() => server.receive(record)).alert).toBe('unexpected_message');
  });

  it('a ChangeCipherSpec before the keys exist (CVE-2014-0224’s early CCS): unexpected_message', () => {
    const { client, server } = tls12Pair();
    server.receive(client.takeOutgoing());
    expect(catchTlsError(() => client.receive(concat(Uint8Array.of(20, 3, 3, 0, 1, 1), server.takeOutgoing()))).alert).toBe('unexpected_message');
  });

  it('a KeyUpdate message does not exist in TLS 1.2: unexpected_message', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    expect(catchTlsError(() => server.receive(seal.record(ContentType.handshake, fromHex('1800000100')))).alert).toBe('unexpected_message');
  });
});

describe('renegotiation is refused with a warning, and the connection carries on (RFC 5746, RFC 5246 §7.2.2)', () => {
  it('a ClientHello after the handshake: the server answers no_renegotiation, then data flows both ways', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    const renegotiation = tamperFlight(tls12Pair().client.takeOutgoing(), (m) => m).subarray(5);
    server.receive(seal.record(ContentType.handshake, renegotiation));
    const sentAlert = log.events.filter((e): e is AlertEvent => e.kind === 'alert' && e.side === 'server');
    expect(sentAlert.map((e) => [e.direction, e.level, e.description])).toEqual([['sent', 'warning', 'no_renegotiation']]);
    // The warning reaches the client, which carries on too.
    client.receive(server.takeOutgoing());
    expect(client.error).toBeUndefined();
    server.write(utf8('me too'));
    client.receive(server.takeOutgoing());
    expect(text(client.read())).toBe('me too');
    // Our records took the client's sequence numbers on the way in: we go on speaking for it.
    server.receive(seal.record(ContentType.application_data, utf8('still here')));
    expect(text(server.read())).toBe('still here');
  });

  it('a HelloRequest: the client answers no_renegotiation and carries on', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'server', client.info.cipherSuite!.name);
    client.receive(seal.message({ type: 'hello_request' }));
    expect(log.events.filter((e): e is AlertEvent => e.kind === 'alert' && e.side === 'client').map((e) => [e.level, e.description])).toEqual([['warning', 'no_renegotiation']]);
    server.receive(client.takeOutgoing()); // the warning: the server carries on
    expect(server.error).toBeUndefined();
    client.write(utf8('go on'));
    server.receive(client.takeOutgoing());
    expect(text(server.read())).toBe('go on');
    // Our HelloRequest took the server's sequence number on the way in: we go on speaking for it.
    client.receive(seal.record(ContentType.application_data, utf8('and on')));
    expect(text(client.read())).toBe('and on');
  });

  it('a peer that keeps asking: after 8 warnings, handshake_failure (RFC 5746 §4.4 allows either)', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    const hello = tamperFlight(tls12Pair().client.takeOutgoing(), (m) => m).subarray(5);
    for (let i = 0; i < 8; i++) server.receive(seal.record(ContentType.handshake, hello));
    expect(catchTlsError(() => server.receive(seal.record(ContentType.handshake, hello))).alert).toBe('handshake_failure');
  });

  it('a HelloRequest to a server: unexpected_message', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    expect(catchTlsError(() => server.receive(seal.message({ type: 'hello_request' }))).alert).toBe('unexpected_message');
  });

  it('a HelloRequest in the middle of the handshake: unexpected_message', () => {
    const { client, server } = tls12Pair();
    server.receive(client.takeOutgoing());
    const flight = concat(server.takeOutgoing(), Uint8Array.of(22, 3, 3, 0, 4, 0, 0, 0, 0));
    expect(catchTlsError(() => client.receive(flight)).alert).toBe('unexpected_message');
  });
});

describe('warning alerts in TLS 1.2 (RFC 5246 §7.2.2)', () => {
  it('are noted and survived, up to a limit without data in between', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    const warning = () => seal.record(ContentType.alert, Uint8Array.of(1, 112)); // unrecognized_name, as a warning
    for (let i = 0; i < 8; i++) server.receive(warning());
    expect(server.error).toBeUndefined();
    expect(catchTlsError(() => server.receive(warning())).alert).toBe('unexpected_message');
  });

  it('a fatal alert ends the connection as always', () => {
    const { client, server, log } = tls12Pair();
    pump(client, server);
    const seal = sealAs(log.events, 'client', server.info.cipherSuite!.name);
    const error = catchTlsError(() => server.receive(seal.record(ContentType.alert, Uint8Array.of(2, 40))));
    expect(error).toMatchObject({ alert: 'handshake_failure', sent: false });
  });
});

describe('trust', () => {
  it('a server certificate the client does not trust: bad_certificate, before any key exchange', () => {
    const { client, server } = tls12Pair({ verifyServerCertificate: pinned() });
    expect(catchTlsError(() => pump(client, server)).alert).toBe('bad_certificate');
  });
});
