import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TlsError, type AlertName } from '../../src/alert.js';
import { fromHex } from '../../src/wire/bytes.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';
import type {
  ClientHello,
  ClientHelloExtension,
  HandshakeMessage,
  ServerHello,
  UnknownExtension,
} from '../../src/handshake/messages/types.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8')) as {
  scenarios: Record<string, { values: Record<string, string> }>;
};
const vectorMessage = (scenario: string, name: string) => fromHex(vectors.scenarios[scenario]!.values[name]!);

/** The alert the decoder raises for `bytes` (fails the test if it decodes). */
function alertFor(bytes: Uint8Array): AlertName {
  try {
    decodeHandshakeMessage(bytes);
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
  throw new Error('decoded without error');
}
/** Encodes `msg` (the encoder does not police the RFC's rules) and returns the decoder's alert. */
const alertForMessage = (msg: HandshakeMessage) => alertFor(encodeHandshakeMessage(msg).bytes);

/** A handshake message of type `type` with body `body`. */
function handshake(type: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  return new Uint8Array([type, n >>> 16, (n >>> 8) & 0xff, n & 0xff, ...body]);
}
/** The same message with `extra` appended to its body (the header's length kept consistent). */
const withTrailing = (msg: Uint8Array, extra: number[]) => handshake(msg[0]!, new Uint8Array([...msg.subarray(4), ...extra]));

const unknown = (code: number, data: number[] = []): UnknownExtension => ({ type: 'unknown', code, data: new Uint8Array(data) });

const simpleClientHello = (() => {
  const m = decodeHandshakeMessage(vectorMessage('simple_1rtt', 'client_hello')).message;
  if (m.type !== 'client_hello') throw new Error(m.type);
  return m;
})();
const clientHelloWith = (extensions: ClientHelloExtension[], changes: Partial<ClientHello> = {}): HandshakeMessage => ({
  ...simpleClientHello,
  extensions,
  ...changes,
});
const clientHelloAdding = (...extra: ClientHelloExtension[]) => clientHelloWith([...simpleClientHello.extensions, ...extra]);

/** A ServerHello; with `tls13`, its first extension is supported_versions = TLS 1.3, so TLS 1.3's rules apply. */
const serverHello = (extensions: UnknownExtension[], tls13 = true): ServerHello => ({
  type: 'server_hello',
  legacyVersion: 0x0303,
  random: new Uint8Array(32).fill(1),
  legacySessionIdEcho: new Uint8Array(0),
  cipherSuite: 0x1301,
  legacyCompressionMethod: 0,
  extensions: tls13 ? [unknown(43, [3, 4]), ...extensions] : extensions,
});

describe('duplicate extensions → illegal_parameter (§4.2)', () => {
  it('two supported_groups in a ClientHello', () => {
    expect(alertForMessage(clientHelloAdding({ type: 'supported_groups', groups: [0x1d] }))).toBe('illegal_parameter');
  });
  it('two unknown extensions with the same code', () => {
    expect(alertForMessage(clientHelloAdding(unknown(0x3a3a), unknown(0x3a3a)))).toBe('illegal_parameter');
  });
  it('two early_data in EncryptedExtensions', () => {
    const ee: HandshakeMessage = { type: 'encrypted_extensions', extensions: [{ type: 'early_data' }, { type: 'early_data' }] };
    expect(alertForMessage(ee)).toBe('illegal_parameter');
  });
});

describe('extensions where the table of §4.2 does not allow them → illegal_parameter', () => {
  it('key_share in EncryptedExtensions', () => {
    const ee: HandshakeMessage = { type: 'encrypted_extensions', extensions: [unknown(51, [0, 0x1d, 0, 1, 5])] };
    expect(alertForMessage(ee)).toBe('illegal_parameter');
  });
  it('status_request (known to the table, not interpreted) in EncryptedExtensions', () => {
    expect(alertForMessage({ type: 'encrypted_extensions', extensions: [unknown(5)] })).toBe('illegal_parameter');
  });
  it('server_name in a TLS 1.3 ServerHello', () => {
    expect(alertForMessage(serverHello([unknown(0)]))).toBe('illegal_parameter');
  });
  it('pre_shared_key in a HelloRetryRequest', () => {
    const hrr: HandshakeMessage = {
      type: 'hello_retry_request',
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [unknown(41, [0, 0])],
    };
    expect(alertForMessage(hrr)).toBe('illegal_parameter');
  });
  it('supported_groups in a CertificateRequest', () => {
    const cr: HandshakeMessage = {
      type: 'certificate_request',
      certificateRequestContext: new Uint8Array(0),
      extensions: [{ type: 'signature_algorithms', schemes: [0x0804] }, unknown(10, [0, 2, 0, 0x1d])],
    };
    expect(alertForMessage(cr)).toBe('illegal_parameter');
  });
  it('key_share in a CertificateEntry', () => {
    const cert: HandshakeMessage = {
      type: 'certificate',
      certificateRequestContext: new Uint8Array(0),
      certificateList: [{ certData: new Uint8Array([0x30, 0]), extensions: [unknown(51)] }],
    };
    expect(alertForMessage(cert)).toBe('illegal_parameter');
  });
  it('server_name in a NewSessionTicket', () => {
    const nst: HandshakeMessage = {
      type: 'new_session_ticket',
      ticketLifetime: 1,
      ticketAgeAdd: 2,
      ticketNonce: new Uint8Array(0),
      ticket: new Uint8Array([1]),
      extensions: [unknown(0)],
    };
    expect(alertForMessage(nst)).toBe('illegal_parameter');
  });
  it('padding in a ServerHello', () => {
    expect(alertForMessage(serverHello([unknown(21, [0])]))).toBe('illegal_parameter');
  });
});

describe('pre_shared_key must be the last extension of a ClientHello (§4.2.11)', () => {
  it('pre_shared_key first → illegal_parameter', () => {
    const m = decodeHandshakeMessage(vectorMessage('resumed_0rtt', 'client_hello')).message;
    if (m.type !== 'client_hello') throw new Error(m.type);
    const psk = m.extensions.at(-1)!;
    expect(psk.type).toBe('pre_shared_key');
    expect(alertForMessage({ ...m, extensions: [psk, ...m.extensions.slice(0, -1)] })).toBe('illegal_parameter');
  });
  it('anywhere in a ServerHello is fine', () => {
    const sh = serverHello([unknown(41, [0, 0]), unknown(51, [0, 0x1d, 0, 1, 9])]);
    expect(() => decodeHandshakeMessage(encodeHandshakeMessage(sh).bytes)).not.toThrow();
  });
});

describe('truncated messages and vectors → decode_error', () => {
  const ch = vectorMessage('simple_1rtt', 'client_hello');
  it('fewer bytes than the header', () => {
    expect(alertFor(ch.subarray(0, 3))).toBe('decode_error');
  });
  it('fewer bytes than the header’s length', () => {
    expect(alertFor(ch.subarray(0, ch.length - 1))).toBe('decode_error');
  });
  it('the last extension cut short (header length adjusted)', () => {
    expect(alertFor(handshake(1, ch.subarray(4, ch.length - 1)))).toBe('decode_error');
  });
  it('cipher_suites longer than the message', () => {
    const body = fromHex('0303' + '00'.repeat(32) + '00' + 'ffff' + '1301');
    expect(alertFor(handshake(1, body))).toBe('decode_error');
  });
  it('an odd-length cipher_suites (half a suite)', () => {
    const body = fromHex('0303' + '00'.repeat(32) + '00' + '0003' + '130113' + '0100' + '0000');
    expect(alertFor(handshake(1, body))).toBe('decode_error');
  });
  it('a ServerHello cut inside its random', () => {
    expect(alertFor(handshake(2, fromHex('0303' + '00'.repeat(10))))).toBe('decode_error');
  });
});

describe('trailing bytes → decode_error', () => {
  it.each([
    ['ClientHello', 'simple_1rtt', 'client_hello'],
    ['ServerHello', 'simple_1rtt', 'server_hello'],
    ['HelloRetryRequest', 'hello_retry_request', 'hello_retry_request'],
    ['EncryptedExtensions', 'simple_1rtt', 'encrypted_extensions'],
    ['CertificateRequest', 'client_authentication', 'certificate_request'],
    ['Certificate', 'simple_1rtt', 'server_certificate'],
    ['CertificateVerify', 'simple_1rtt', 'server_certificate_verify'],
    ['NewSessionTicket', 'simple_1rtt', 'new_session_ticket'],
    ['EndOfEarlyData', 'resumed_0rtt', 'end_of_early_data'],
  ])('after a %s', (_, scenario, name) => {
    expect(alertFor(withTrailing(vectorMessage(scenario, name), [0]))).toBe('decode_error');
  });
  it('after a KeyUpdate', () => {
    expect(alertFor(handshake(24, new Uint8Array([1, 0])))).toBe('decode_error');
  });
  it('inside an extension body (a 3-byte selected_version)', () => {
    expect(alertForMessage(serverHello([unknown(43, [3, 4, 0])], false))).toBe('decode_error');
  });
  it('a non-empty server_name in EncryptedExtensions', () => {
    expect(alertForMessage({ type: 'encrypted_extensions', extensions: [unknown(0, [0])] })).toBe('decode_error');
  });
});

describe('empty or short vectors below the RFC floor → decode_error', () => {
  const bytes32 = new Uint8Array(32);
  const none = new Uint8Array(0);
  const psk = (identity: Uint8Array, binder: Uint8Array): ClientHelloExtension => ({
    type: 'pre_shared_key',
    identities: [{ identity, obfuscatedTicketAge: 0 }],
    binders: [binder],
  });
  it.each<[string, HandshakeMessage]>([
    ['cipher_suites<2..>', clientHelloWith(simpleClientHello.extensions, { cipherSuites: [] })],
    ['legacy_compression_methods<1..>', clientHelloWith(simpleClientHello.extensions, { legacyCompressionMethods: new Uint8Array(0) })],
    ['supported_groups<2..>', clientHelloWith([{ type: 'supported_groups', groups: [] }])],
    ['signature_algorithms<2..>', clientHelloWith([{ type: 'signature_algorithms', schemes: [] }])],
    ['supported_versions<2..>', clientHelloWith([{ type: 'supported_versions', versions: [] }])],
    ['ke_modes<1..>', clientHelloWith([{ type: 'psk_key_exchange_modes', modes: [] }])],
    ['cookie<1..>', clientHelloWith([{ type: 'cookie', cookie: new Uint8Array(0) }])],
    ['protocol_name_list<2..>', clientHelloWith([{ type: 'application_layer_protocol_negotiation', protocols: [] }])],
    ['ProtocolName<1..>', clientHelloWith([{ type: 'application_layer_protocol_negotiation', protocols: ['h2', ''] }])],
    ['HostName<1..>', clientHelloWith([{ type: 'server_name', hostName: '' }])],
    ['identities<7..>', clientHelloWith([{ type: 'pre_shared_key', identities: [], binders: [bytes32] }])],
    ['identity<1..>', clientHelloWith([psk(none, bytes32)])],
    ['PskBinderEntry<32..>', clientHelloWith([psk(new Uint8Array(8), new Uint8Array(31))])],
    [
      'authorities<3..>',
      {
        type: 'certificate_request',
        certificateRequestContext: none,
        extensions: [{ type: 'certificate_authorities', authorities: [] }],
      },
    ],
    [
      'cert_data<1..>',
      { type: 'certificate', certificateRequestContext: none, certificateList: [{ certData: none, extensions: [] }] },
    ],
    [
      'ticket<1..>',
      { type: 'new_session_ticket', ticketLifetime: 1, ticketAgeAdd: 1, ticketNonce: none, ticket: none, extensions: [] },
    ],
    ['CertificateRequest extensions<2..>', { type: 'certificate_request', certificateRequestContext: none, extensions: [] }],
  ])('%s', (_, msg) => {
    expect(alertForMessage(msg)).toBe('decode_error');
  });
  it('legacy_session_id<0..32> with 33 bytes', () => {
    expect(alertForMessage(clientHelloWith(simpleClientHello.extensions, { legacySessionId: new Uint8Array(33) }))).toBe('decode_error');
  });
  it('an empty server_name_list', () => {
    expect(alertForMessage(clientHelloWith([unknown(0, [0, 0])]))).toBe('decode_error');
  });
});

describe('bad values', () => {
  it('KeyUpdate request_update 2 → illegal_parameter', () => {
    expect(alertFor(handshake(24, new Uint8Array([2])))).toBe('illegal_parameter');
  });
  it('unknown msg_type → unexpected_message', () => {
    expect(alertFor(handshake(3, new Uint8Array(0)))).toBe('unexpected_message');
    expect(alertFor(handshake(254, new Uint8Array(32)))).toBe('unexpected_message'); // message_hash is never sent
  });
  it('record_size_limit below 64 → illegal_parameter (RFC 8449 §4)', () => {
    expect(alertForMessage(clientHelloWith([{ type: 'record_size_limit', limit: 63 }]))).toBe('illegal_parameter');
    expect(() => decodeHandshakeMessage(encodeHandshakeMessage(clientHelloWith([{ type: 'record_size_limit', limit: 64 }])).bytes)).not.toThrow();
  });
  it('non-zero padding → decode_error', () => {
    expect(alertForMessage(clientHelloWith([unknown(21, [0, 0, 1])]))).toBe('decode_error');
  });
  it('two ALPN names from the server → decode_error (RFC 7301 §3.1)', () => {
    const ee: HandshakeMessage = {
      type: 'encrypted_extensions',
      extensions: [{ type: 'application_layer_protocol_negotiation', protocols: ['h2', 'http/1.1'] }],
    };
    expect(alertForMessage(ee)).toBe('decode_error');
  });
  it('more identities than binders → illegal_parameter', () => {
    const id = { identity: new Uint8Array(8), obfuscatedTicketAge: 0 };
    const bytes32 = new Uint8Array(32);
    expect(alertForMessage(clientHelloWith([{ type: 'pre_shared_key', identities: [id, id], binders: [bytes32] }]))).toBe('illegal_parameter');
  });
  it('two key shares for one group → illegal_parameter (§4.2.8)', () => {
    const share = { group: 0x1d, keyExchange: new Uint8Array(32) };
    expect(alertForMessage(clientHelloWith([{ type: 'key_share', clientShares: [share, share] }]))).toBe('illegal_parameter');
  });
  it('server_name with two host names → illegal_parameter; with another name_type → decode_error', () => {
    const name = [0, 0, 1, 0x61];
    expect(alertForMessage(clientHelloWith([unknown(0, [0, 8, ...name, ...name])]))).toBe('illegal_parameter');
    expect(alertForMessage(clientHelloWith([unknown(0, [0, 4, 1, 0, 1, 0x61])]))).toBe('decode_error');
  });
});
