import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import {
  decodeHandshakeMessage,
  encodeHandshakeMessage,
  HELLO_RETRY_REQUEST_RANDOM,
} from '../../src/handshake/messages/handshake-message.js';
import { findExtension, type HandshakeMessage } from '../../src/handshake/messages/types.js';
import { findField, leaves } from './leaves.js';

interface Vectors {
  scenarios: Record<string, { messages: { name: string; type: string; hex: string }[]; values: Record<string, string> }>;
}
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const allMessages = Object.entries(vectors.scenarios).flatMap(([scenario, s]) =>
  s.messages.map((m) => ({ scenario, name: m.name, type: m.type, bytes: fromHex(m.hex) })),
);

function decode(scenario: string, name: string): HandshakeMessage {
  const m = allMessages.find((x) => x.scenario === scenario && x.name === name);
  if (!m) throw new Error(`no ${scenario}/${name}`);
  return decodeHandshakeMessage(m.bytes).message;
}

describe('RFC 8448 handshake messages', () => {
  it('has all 40 messages of the five scenarios', () => {
    expect(allMessages).toHaveLength(40);
  });

  describe.each(allMessages)('$scenario $name', ({ bytes, type }) => {
    it('decodes and re-encodes to identical bytes, annotation off', () => {
      const { message, fields } = decodeHandshakeMessage(bytes);
      expect(fields).toEqual([]);
      const encoded = encodeHandshakeMessage(message);
      expect(toHex(encoded.bytes)).toBe(toHex(bytes));
      expect(encoded.fields).toEqual([]);
    });

    it('with annotation: same bytes, leaves tile the message, encoder and decoder agree', () => {
      const decoded = decodeHandshakeMessage(bytes, { annotate: true });
      const encoded = encodeHandshakeMessage(decoded.message, { annotate: true });
      expect(toHex(encoded.bytes)).toBe(toHex(bytes));
      expect(leaves(decoded.fields, bytes.length).length).toBeGreaterThanOrEqual(2);
      leaves(encoded.fields, bytes.length);
      expect(encoded.fields).toEqual(decoded.fields);
      // msg_type, length, then one group named after the message.
      const structName = decoded.message.type === 'hello_retry_request' ? 'HelloRetryRequest' : type;
      expect(decoded.fields.map((f) => f.name)).toEqual(['msg_type', 'length', structName]);
      expect(decoded.fields[2]!.rfc).toMatch(/^RFC 8446 §4\./);
    });
  });
});

describe('decoded values', () => {
  it('simple_1rtt ClientHello', () => {
    const ch = decode('simple_1rtt', 'client_hello');
    if (ch.type !== 'client_hello') throw new Error(ch.type);
    expect(ch.legacyVersion).toBe(0x0303);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(ch.legacySessionId).toHaveLength(0);
    expect(toHex(ch.legacyCompressionMethods)).toBe('00');
    expect(findExtension(ch.extensions, 'server_name')?.hostName).toBe('server');
    const keyShare = findExtension(ch.extensions, 'key_share');
    expect(keyShare?.clientShares.map((s) => s.group)).toEqual([0x001d]);
    expect(toHex(keyShare!.clientShares[0]!.keyExchange)).toBe(vectors.scenarios.simple_1rtt!.values.client_x25519_public);
    expect(findExtension(ch.extensions, 'supported_versions')?.versions).toEqual([0x0304]);
    expect(findExtension(ch.extensions, 'supported_groups')?.groups).toEqual([0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104]);
    expect(findExtension(ch.extensions, 'psk_key_exchange_modes')?.modes).toEqual([1]);
    expect(findExtension(ch.extensions, 'record_size_limit')?.limit).toBe(0x4001);
    expect(findExtension(ch.extensions, 'session_ticket')?.ticket).toHaveLength(0);
    expect(findExtension(ch.extensions, 'renegotiation_info')?.renegotiatedConnection).toHaveLength(0);
    expect(findExtension(ch.extensions, 'signature_algorithms')?.schemes).toContain(0x0804);
  });

  it('simple_1rtt ServerHello and EncryptedExtensions', () => {
    const sh = decode('simple_1rtt', 'server_hello');
    if (sh.type !== 'server_hello') throw new Error(sh.type);
    expect(sh.cipherSuite).toBe(0x1301);
    expect(findExtension(sh.extensions, 'supported_versions')?.selectedVersion).toBe(0x0304);
    expect(findExtension(sh.extensions, 'key_share')?.serverShare.group).toBe(0x001d);
    const ee = decode('simple_1rtt', 'encrypted_extensions');
    if (ee.type !== 'encrypted_extensions') throw new Error(ee.type);
    expect(ee.extensions.map((e) => e.type)).toEqual(['supported_groups', 'record_size_limit', 'server_name']);
  });

  it('the HelloRetryRequest', () => {
    const hrr = decode('hello_retry_request', 'hello_retry_request');
    if (hrr.type !== 'hello_retry_request') throw new Error(hrr.type);
    expect(findExtension(hrr.extensions, 'key_share')?.selectedGroup).toBe(0x0017); // secp256r1
    expect(findExtension(hrr.extensions, 'cookie')?.cookie).toHaveLength(114);
    expect(findExtension(hrr.extensions, 'supported_versions')?.selectedVersion).toBe(0x0304);
    const ch2 = decode('hello_retry_request', 'client_hello_2');
    if (ch2.type !== 'client_hello') throw new Error(ch2.type);
    expect(findExtension(ch2.extensions, 'key_share')?.clientShares[0]?.keyExchange).toHaveLength(65);
    expect(findExtension(ch2.extensions, 'padding')?.length).toBe(175);
    expect(toHex(findExtension(ch2.extensions, 'cookie')!.cookie)).toBe(toHex(findExtension(hrr.extensions, 'cookie')!.cookie));
  });

  it('HELLO_RETRY_REQUEST_RANDOM is the value printed in §4.1.3', () => {
    expect(toHex(HELLO_RETRY_REQUEST_RANDOM)).toBe('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');
  });

  it('the NewSessionTicket', () => {
    const nst = decode('simple_1rtt', 'new_session_ticket');
    if (nst.type !== 'new_session_ticket') throw new Error(nst.type);
    const v = vectors.scenarios.simple_1rtt!.values;
    expect(nst.ticketLifetime).toBe(30);
    expect(nst.ticketAgeAdd).toBe(parseInt(v.ticket_age_add!, 16));
    expect(toHex(nst.ticketNonce)).toBe(v.ticket_nonce);
    expect(toHex(nst.ticket)).toBe(v.ticket);
    expect(findExtension(nst.extensions, 'early_data')?.maxEarlyDataSize).toBe(0x400);
  });

  it('the resumed ClientHello offers one PSK with a 32-byte binder; the ServerHello selects it', () => {
    const ch = decode('resumed_0rtt', 'client_hello');
    if (ch.type !== 'client_hello') throw new Error(ch.type);
    const psk = ch.extensions.at(-1);
    if (psk?.type !== 'pre_shared_key') throw new Error('pre_shared_key is not last');
    expect(toHex(psk.identities[0]!.identity)).toBe(vectors.scenarios.simple_1rtt!.values.ticket);
    expect(toHex(psk.binders[0]!)).toBe(vectors.scenarios.resumed_0rtt!.values.psk_binder);
    expect(findExtension(ch.extensions, 'early_data')).toEqual({ type: 'early_data' });
    const sh = decode('resumed_0rtt', 'server_hello');
    if (sh.type !== 'server_hello') throw new Error(sh.type);
    expect(findExtension(sh.extensions, 'pre_shared_key')?.selectedIdentity).toBe(0);
  });

  it('Certificate, CertificateRequest, CertificateVerify, Finished, EndOfEarlyData', () => {
    const v = vectors.scenarios.client_authentication!.values;
    const cert = decode('client_authentication', 'client_certificate');
    if (cert.type !== 'certificate') throw new Error(cert.type);
    expect(cert.certificateList).toHaveLength(1);
    expect(toHex(cert.certificateList[0]!.certData)).toBe(v.client_certificate_der);
    const cr = decode('client_authentication', 'certificate_request');
    if (cr.type !== 'certificate_request') throw new Error(cr.type);
    expect(cr.certificateRequestContext).toHaveLength(0);
    expect(findExtension(cr.extensions, 'signature_algorithms')?.schemes).toContain(0x0403);
    const cv = decode('simple_1rtt', 'server_certificate_verify');
    expect(cv).toMatchObject({ type: 'certificate_verify', algorithm: 0x0804 });
    const fin = decode('simple_1rtt', 'server_finished');
    if (fin.type !== 'finished') throw new Error(fin.type);
    expect(toHex(fin.verifyData)).toBe(vectors.scenarios.simple_1rtt!.values.server_finished_verify_data);
    expect(decode('resumed_0rtt', 'end_of_early_data')).toEqual({ type: 'end_of_early_data' });
  });

  it('annotates fields with RFC names and human values', () => {
    const bytes = allMessages.find((m) => m.scenario === 'simple_1rtt' && m.name === 'client_hello')!.bytes;
    const { fields } = decodeHandshakeMessage(bytes, { annotate: true });
    expect(fields[0]).toMatchObject({ name: 'msg_type', offset: 0, length: 1, value: 'client_hello (1)' });
    expect(fields[1]).toMatchObject({ name: 'length', offset: 1, length: 3 });
    expect(findField(fields, 'legacy_version')).toMatchObject({ offset: 4, length: 2, value: '0x0303 (TLS 1.2, frozen)' });
    expect(findField(fields, 'random')).toMatchObject({ offset: 6, length: 32 });
    const suites = findField(fields, 'cipher_suites')!.children!.slice(1).map((f) => f.value);
    expect(suites).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']);
    const exts = findField(fields, 'extensions')!.children!.slice(1);
    expect(exts[0]).toMatchObject({ name: 'Extension', value: 'server_name', rfc: 'RFC 6066 §3' });
    expect(findField(exts, 'HostName')?.value).toBe('server');
    const keyShare = exts.find((e) => e.value === 'key_share')!;
    expect(keyShare.rfc).toBe('RFC 8446 §4.2.8');
    expect(findField([keyShare], 'extension_type')?.value).toBe('key_share');
    expect(findField([keyShare], 'group')?.value).toBe('x25519');
    expect(findField([keyShare], 'key_exchange')?.length).toBe(2 + 32);
  });
});

describe('messages built from scratch', () => {
  it('encoding a HelloRetryRequest writes the special random and decodes back', () => {
    const hrr: HandshakeMessage = {
      type: 'hello_retry_request',
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [
        { type: 'supported_versions', selectedVersion: 0x0304 },
        { type: 'key_share', selectedGroup: 0x0017 },
      ],
    };
    const { bytes, fields } = encodeHandshakeMessage(hrr, { annotate: true });
    expect(bytes[0]).toBe(2);
    expect(toHex(bytes.subarray(6, 38))).toBe(toHex(HELLO_RETRY_REQUEST_RANDOM));
    expect(fields[2]!.name).toBe('HelloRetryRequest');
    expect(findField(fields, 'random')?.value).toBe('SHA-256("HelloRetryRequest")');
    expect(decodeHandshakeMessage(bytes).message).toEqual(hrr);
  });

  it('shows a hybrid key share as its two parts, in the group’s order, and a malformed one as one field', () => {
    const ch = decode('simple_1rtt', 'client_hello');
    if (ch.type !== 'client_hello') throw new Error(ch.type);
    const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
    const shares = [
      { group: 0x11ec, keyExchange: pattern(1216, 1) }, // X25519MLKEM768: ML-KEM-768, then X25519
      { group: 0x11eb, keyExchange: pattern(1249, 2) }, // SecP256r1MLKEM768: secp256r1, then ML-KEM-768
      { group: 0x11ed, keyExchange: pattern(1000, 3) }, // SecP384r1MLKEM1024 of a wrong length (1665 expected)
      { group: 0x0201, keyExchange: pattern(1184, 4) }, // MLKEM768
    ];
    const hello = { ...ch, extensions: ch.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares: shares } : e)) };
    const encoded = encodeHandshakeMessage(hello, { annotate: true });
    const decoded = decodeHandshakeMessage(encoded.bytes, { annotate: true });
    expect(decoded.message).toEqual(hello);
    for (const fields of [encoded.fields, decoded.fields]) {
      leaves(fields, encoded.bytes.length);
      const entries = findField(fields, 'client_shares')!.children!.filter((f) => f.name === 'KeyShareEntry');
      const parts = entries.map((e) => findField(e.children!, 'key_exchange')!.children!.map((f) => `${f.name} ${f.length}`));
      expect(parts).toEqual([
        ['length 2', 'ML-KEM-768 encapsulation key 1184', 'X25519 public key 32'],
        ['length 2', 'secp256r1 public key (uncompressed point) 65', 'ML-KEM-768 encapsulation key 1184'],
        ['length 2', 'data 1000'],
        ['length 2', 'data 1184'],
      ]);
      const notes = entries.map((e) => findField(e.children!, 'key_exchange')!.note);
      expect(notes[0]).toBe('Two parts, concatenated (draft-ietf-tls-ecdhe-mlkem §3): the ML-KEM-768 encapsulation key, then the X25519 public key.');
      expect(notes[3]).toMatch(/^The client's ML-KEM-768 encapsulation key \(FIPS 203\), 1184 bytes/);
    }
    // A server share: the ML-KEM-768 ciphertext, then the X25519 public key.
    const sh = decode('simple_1rtt', 'server_hello');
    if (sh.type !== 'server_hello') throw new Error(sh.type);
    const serverHello = { ...sh, extensions: sh.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share' as const, serverShare: { group: 0x11ec, keyExchange: pattern(1120, 5) } } : e)) };
    const { bytes } = encodeHandshakeMessage(serverHello);
    const { fields } = decodeHandshakeMessage(bytes, { annotate: true });
    expect(findField(fields, 'key_exchange')!.children!.map((f) => `${f.name} ${f.length}`)).toEqual(['length 2', 'ML-KEM-768 ciphertext 1088', 'X25519 public key 32']);
  });

  it('reads an empty key_exchange (the handshake refuses it: illegal_parameter, §4.2.8), and refuses one that runs past its extension (decode_error)', () => {
    const ch = decode('simple_1rtt', 'client_hello');
    if (ch.type !== 'client_hello') throw new Error(ch.type);
    const withShares = (clientShares: { group: number; keyExchange: Uint8Array }[]) => ({
      ...ch,
      extensions: ch.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share' as const, clientShares } : e)),
    });
    const empty = encodeHandshakeMessage(withShares([{ group: 0x11ec, keyExchange: new Uint8Array(0) }])).bytes;
    const decoded = decodeHandshakeMessage(empty).message;
    expect(decoded.type === 'client_hello' && decoded.extensions.find((e) => e.type === 'key_share')).toEqual({ type: 'key_share', clientShares: [{ group: 0x11ec, keyExchange: new Uint8Array(0) }] });
    // A hybrid entry whose key_exchange length claims more bytes than its client_shares holds.
    const bytes = encodeHandshakeMessage(withShares([{ group: 0x11ec, keyExchange: new Uint8Array(1216) }])).bytes;
    const at = toHex(bytes).indexOf('11ec04c0') / 2 + 2; // group 0x11ec, then the length 0x04c0 = 1216
    expect(at).toBeGreaterThan(2);
    const longer = bytes.slice();
    longer[at + 1] = 0xc1; // 1217
    expect(() => decodeHandshakeMessage(longer, { annotate: true })).toThrow(expect.objectContaining({ alert: 'decode_error' }));
  });

  it('keeps unknown and GREASE extensions as bytes and writes them back unchanged', () => {
    const ch = decode('simple_1rtt', 'client_hello');
    if (ch.type !== 'client_hello') throw new Error(ch.type);
    const grease = { type: 'unknown' as const, code: 0x3a3a, data: new Uint8Array(0) };
    const other = { type: 'unknown' as const, code: 0x0016, data: new Uint8Array([1, 2, 3]) }; // encrypt_then_mac
    const withUnknown = { ...ch, cipherSuites: [0x2a2a, ...ch.cipherSuites], extensions: [grease, ...ch.extensions, other] };
    const { bytes, fields } = encodeHandshakeMessage(withUnknown, { annotate: true });
    const { message } = decodeHandshakeMessage(bytes);
    expect(message).toEqual(withUnknown);
    expect(findField(fields, 'Extension')).toMatchObject({ value: 'GREASE (0x3a3a)' });
    expect(findField(fields, 'CipherSuite')?.value).toBe('GREASE (0x2a2a)');
    leaves(fields, bytes.length);
  });

  it('a ServerHello without supported_versions (TLS 1.2) reads its extensions as TLS 1.2 answers, outside §4.2’s table', () => {
    const sh: HandshakeMessage = {
      type: 'server_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(7),
      legacySessionIdEcho: new Uint8Array(32),
      cipherSuite: 0xc02f,
      legacyCompressionMethod: 0,
      extensions: [
        { type: 'renegotiation_info', renegotiatedConnection: new Uint8Array(0) },
        { type: 'server_name' }, // an acknowledgement, which a TLS 1.3 ServerHello may not carry
        { type: 'application_layer_protocol_negotiation', protocols: ['h2'] },
        { type: 'unknown', code: 0x0016, data: new Uint8Array(0) }, // encrypt_then_mac, which we do not interpret
      ],
    };
    const { bytes } = encodeHandshakeMessage(sh);
    expect(toHex(bytes)).toContain('ff0100010000000000001000050003026832');
    expect(decodeHandshakeMessage(bytes).message).toEqual(sh);
  });

  it('a ClientHello without an extensions block (pre-TLS 1.3) decodes with no extensions', () => {
    const body = fromHex('0301' + '11'.repeat(32) + '00' + '0002c02f' + '0100');
    const bytes = new Uint8Array([1, 0, 0, body.length, ...body]);
    const { message, fields } = decodeHandshakeMessage(bytes, { annotate: true });
    expect(message).toMatchObject({ type: 'client_hello', legacyVersion: 0x0301, cipherSuites: [0xc02f], extensions: [] });
    leaves(fields, bytes.length);
  });

  it('KeyUpdate and EndOfEarlyData round-trip', () => {
    for (const requestUpdate of ['update_not_requested', 'update_requested'] as const) {
      const { bytes, fields } = encodeHandshakeMessage({ type: 'key_update', requestUpdate }, { annotate: true });
      expect(toHex(bytes)).toBe(`18000001${requestUpdate === 'update_requested' ? '01' : '00'}`);
      expect(findField(fields, 'request_update')?.value).toBe(requestUpdate);
      expect(decodeHandshakeMessage(bytes).message).toEqual({ type: 'key_update', requestUpdate });
    }
    const eoed = encodeHandshakeMessage({ type: 'end_of_early_data' }, { annotate: true });
    expect(toHex(eoed.bytes)).toBe('05000000');
    leaves(eoed.fields, 4);
  });

  it('EncryptedExtensions with ALPN and early_data, CertificateRequest with certificate_authorities', () => {
    const ee: HandshakeMessage = {
      type: 'encrypted_extensions',
      extensions: [
        { type: 'application_layer_protocol_negotiation', protocols: ['h2'] },
        { type: 'early_data' },
      ],
    };
    const eeBytes = encodeHandshakeMessage(ee).bytes;
    expect(toHex(eeBytes)).toBe('0800000f' + '000d' + '0010' + '0005' + '0003' + '02' + '6832' + '002a0000');
    expect(decodeHandshakeMessage(eeBytes).message).toEqual(ee);
    const cr: HandshakeMessage = {
      type: 'certificate_request',
      certificateRequestContext: new Uint8Array([9]),
      extensions: [
        { type: 'signature_algorithms', schemes: [0x0807] },
        { type: 'certificate_authorities', authorities: [fromHex('3000')] },
        { type: 'unknown', code: 5, data: new Uint8Array(0) }, // status_request is allowed in CR
      ],
    };
    const crEncoded = encodeHandshakeMessage(cr, { annotate: true });
    expect(decodeHandshakeMessage(crEncoded.bytes).message).toEqual(cr);
    leaves(crEncoded.fields, crEncoded.bytes.length);
  });

  it('notes say what this message holds: an empty, lone or chained certificate list, a context, the entries in order', () => {
    const der = (n: number) => fromHex(`30030201${n.toString(16).padStart(2, '0')}`); // stands in for a certificate
    const certificate = (count: number, context: Uint8Array = new Uint8Array(0)): HandshakeMessage => ({
      type: 'certificate',
      certificateRequestContext: context,
      certificateList: Array.from({ length: count }, (_, i) => ({ certData: der(i), extensions: [] })),
    });
    /** The notes of the list, the context and each cert_data: as written, and as read back (they must agree). */
    const notes = (message: HandshakeMessage) => {
      const written = encodeHandshakeMessage(message, { annotate: true });
      const read = decodeHandshakeMessage(written.bytes, { annotate: true });
      const of = (fields: typeof read.fields) => {
        const list = findField(fields, 'certificate_list')!;
        const certs = (list.children ?? []).filter((f) => f.name === 'CertificateEntry').map((e) => findField([e], 'cert_data')!.note);
        return { context: findField(fields, 'certificate_request_context')!.note, list: list.note, certs };
      };
      expect(of(read.fields)).toEqual(of(written.fields));
      return of(read.fields);
    };

    const none = notes(certificate(0));
    expect(none.list).toMatch(/^Empty: the client has no certificate/);
    expect(none.certs).toEqual([]);
    const lone = notes(certificate(1));
    expect(lone.list).toMatch(/^The sender’s own certificate, alone/);
    expect(lone.list).not.toMatch(/Empty|client/);
    expect(lone.context).toMatch(/^Empty, as in every Certificate sent during the handshake/);
    expect(lone.certs).toEqual([expect.stringMatching(/end-entity/)]);
    const chain = notes(certificate(3));
    expect(chain.list).toMatch(/^The chain: the sender’s own certificate first, then the 2 that certify it/);
    expect(chain.list).not.toMatch(/Empty|client/);
    expect(chain.certs).toEqual([expect.stringMatching(/end-entity/), expect.stringMatching(/^A CA certificate/), expect.stringMatching(/^A CA certificate/)]);
    expect(notes(certificate(1, fromHex('2a'))).context).toMatch(/^Echoes the context of the CertificateRequest .* after the handshake/);

    // RFC 8448 §3: the server's one certificate. The note may not speak of an empty list.
    const rfcServer = allMessages.find((m) => m.scenario === 'simple_1rtt' && m.name === 'server_certificate')!.bytes;
    expect(findField(decodeHandshakeMessage(rfcServer, { annotate: true }).fields, 'certificate_list')!.note).toMatch(/^The sender’s own certificate, alone/);
  });

  it('notes on early_data and legacy_session_id depend on the message and the content', () => {
    const bytesOf = (scenario: string, name: string) => allMessages.find((m) => m.scenario === scenario && m.name === name)!.bytes;
    const earlyData = (bytes: Uint8Array) => {
      const extensions = findField(decodeHandshakeMessage(bytes, { annotate: true }).fields, 'extensions')!.children!;
      return extensions.find((e) => e.value === 'early_data')!.note;
    };
    expect(earlyData(bytesOf('resumed_0rtt', 'client_hello'))).toMatch(/^Empty: the client sends 0-RTT data right after this ClientHello/);
    expect(earlyData(bytesOf('resumed_0rtt', 'encrypted_extensions'))).toMatch(/^Empty: the server accepted the client’s 0-RTT data/);
    const sessionId = (bytes: Uint8Array) => findField(decodeHandshakeMessage(bytes, { annotate: true }).fields, 'legacy_session_id')!.note;
    expect(sessionId(bytesOf('simple_1rtt', 'client_hello'))).toMatch(/^Empty: unused by TLS 1.3/);
    expect(sessionId(bytesOf('compatibility_mode', 'client_hello'))).toMatch(/^32 bytes, unused by TLS 1.3: middlebox compatibility mode/);
  });

  it('the decoded message does not share the caller’s buffer', () => {
    const bytes = allMessages.find((m) => m.scenario === 'simple_1rtt' && m.name === 'server_finished')!.bytes.slice();
    const fin = decodeHandshakeMessage(bytes).message;
    bytes.fill(0);
    if (fin.type !== 'finished') throw new Error(fin.type);
    expect(toHex(fin.verifyData)).toBe(vectors.scenarios.simple_1rtt!.values.server_finished_verify_data);
  });
});
