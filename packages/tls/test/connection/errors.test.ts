/**
 * The error paths of a connection (RFC 8446 §6): each violation ends the connection
 * with the alert §6 and the section concerned prescribe. `receive()` throws a TlsError
 * naming it, the alert record for the peer is waiting in `takeOutgoing()` (plaintext
 * before keys, protected after), receiving again rethrows the same error, and other
 * connections go on unaffected. (`expectFailure` in ./harness/expect-failure.ts checks all of that.)
 *
 * Messages are tampered with by a man in the middle that knows the keys of both
 * sides, so a changed message arrives properly protected and is rejected for what it
 * says, not for failing to decrypt.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/connection/connection.js';
import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/handshake/deframer.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';
import type { ClientHello, ClientHelloExtension, HandshakeMessage, ServerHello } from '../../src/handshake/messages/types.js';
import { ContentType } from '../../src/record/content-type.js';
import { MAX_CIPHERTEXT_LENGTH, MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../src/record/limits.js';
import { concat, fromHex } from '../../src/wire/bytes.js';
import { testCert } from './harness/pki.js';
import { utf8 } from './harness/pair.js';
import { deliver, rawRecord, sealInner, tappedEndpoint, tappedPair, type Endpoint, type TappedPairOptions } from './harness/tap.js';
import { replay, script, testSessions, type Scenario } from './harness/scripts.js';
import { alertCode, expectFailure } from './harness/expect-failure.js';

beforeAll(() => {
  testSessions();
});

// ---- Helpers --------------------------------------------------------------------------

const decode = (bytes: Uint8Array): HandshakeMessage => decodeHandshakeMessage(bytes).message;
const encode = (message: HandshakeMessage): Uint8Array => encodeHandshakeMessage(message).bytes;

/** How many steps of `scenario`'s script come before the first `title` sent by `from`. */
function stepOf(scenario: Scenario, title: string, from: 'client' | 'server'): number {
  const k = script(scenario).findIndex((s) => s.type === title && s.from === from);
  if (k < 0) throw new Error(`${scenario} has no ${title} from the ${from}`);
  return k;
}

/** The message `title` of `scenario`'s script, decoded. */
function scripted<T extends HandshakeMessage>(scenario: Scenario, title: string, from: 'client' | 'server'): T {
  return decode(script(scenario)[stepOf(scenario, title, from)]!.content) as T;
}

/**
 * A fresh `side` of `scenario`, brought to where the peer's `title` comes next, which
 * then receives `bytes` instead, in a record protected as the real one would be.
 * Returns the failure.
 */
function instead(scenario: Scenario, title: string, from: 'client' | 'server', bytes: Uint8Array) {
  const side = from === 'client' ? 'server' : 'client';
  const { ep } = replay(scenario, side, stepOf(scenario, title, from));
  return expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, bytes)));
}

/** Flips bit `bit` of byte `index` (negative: from the end) of a copy of `bytes`. */
function flip(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = bytes.slice();
  out[index < 0 ? out.length + index : index]! ^= 1 << bit;
  return out;
}

/** A client that has sent its ClientHello and waits for the ServerHello, with the ServerHello the server really answered. */
function clientAwaitingServerHello(options: TappedPairOptions = {}): { client: Endpoint; serverHello: ServerHello } {
  const pair = tappedPair(options);
  deliver(pair, 1); // the ClientHello to the server
  return { client: pair.client, serverHello: decode(pair.server.tap.sent[0]!.content) as ServerHello };
}

/** Sends `message` (a ServerHello or HelloRetryRequest) to a client waiting for one; returns the failure. */
function serverHelloToClient(client: Endpoint, message: HandshakeMessage) {
  return expectFailure(client, () => client.conn.receive(client.tap.recordFor(ContentType.handshake, encode(message))));
}

// ---- Finished, binders and signatures ---------------------------------------------------

describe('Finished (§4.4.4): a wrong verify_data is decrypt_error', () => {
  it('the client rejects a server Finished with one bit flipped, with a protected alert', () => {
    const finished = script('full')[stepOf('full', 'Finished', 'server')]!.content;
    for (const bit of [0, 7]) {
      const failure = instead('full', 'Finished', 'server', flip(finished, -1, bit));
      expect(failure.error.alert).toBe('decrypt_error');
      expect(failure.sentAlert).toEqual({ alert: 'decrypt_error', protected: true });
    }
  });

  it('the server rejects a client Finished with one bit flipped', () => {
    const finished = script('full')[stepOf('full', 'Finished', 'client')]!.content;
    const failure = instead('full', 'Finished', 'client', flip(finished, 4));
    expect(failure.sentAlert).toEqual({ alert: 'decrypt_error', protected: true });
  });

  it('and so do both after resumption and after client authentication', () => {
    for (const scenario of ['resume', 'client-auth'] as const) {
      for (const from of ['client', 'server'] as const) {
        const finished = script(scenario)[stepOf(scenario, 'Finished', from)]!.content;
        expect(instead(scenario, 'Finished', from, flip(finished, 10)).error.alert).toBe('decrypt_error');
      }
    }
  });
});

describe('PSK binder (§4.2.11.2)', () => {
  it('the server rejects a ClientHello whose binder has one bit flipped: decrypt_error, plaintext alert', () => {
    const hello = script('resume')[0]!.content;
    // The binder is the last field of the ClientHello (pre_shared_key is last, §4.2.11).
    const { ep } = replay('resume', 'server', 0);
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, flip(hello, -1))));
    expect(failure.sentAlert).toEqual({ alert: 'decrypt_error', protected: false });
  });
});

describe('CertificateVerify (§4.4.3)', () => {
  it('the client rejects a server signature with one bit flipped: decrypt_error', () => {
    const cv = script('full')[stepOf('full', 'CertificateVerify', 'server')]!.content;
    for (const index of [8, -1]) {
      expect(instead('full', 'CertificateVerify', 'server', flip(cv, index)).sentAlert).toEqual({ alert: 'decrypt_error', protected: true });
    }
  });

  it('an ECDSA signature damaged anywhere, DER structure included, is decrypt_error (never an internal error)', () => {
    const options = { cert: testCert('p256') };
    const reference = tappedPair(options);
    deliver(reference);
    const cv = reference.server.tap.sent.find((p) => p.type === 'CertificateVerify')!.content;
    // Header (4), algorithm (2), signature length (2), then the DER SEQUENCE { r, s }.
    const der = cv.length - 8;
    for (const offset of [0, 1, 2, 3, 4, 5, Math.floor(der / 2), der - 1]) {
      const pair = tappedPair(options);
      deliver(pair, 4); // ClientHello, ServerHello, EncryptedExtensions, Certificate
      const client = pair.client;
      const failure = expectFailure(client, () => client.conn.receive(client.tap.recordFor(ContentType.handshake, flip(cv, 8 + offset, 6))));
      expect(failure.error.alert, `byte ${offset} of the DER signature`).toBe('decrypt_error');
    }
  });

  it('the server rejects a client signature with one bit flipped: decrypt_error', () => {
    const cv = script('client-auth')[stepOf('client-auth', 'CertificateVerify', 'client')]!.content;
    expect(instead('client-auth', 'CertificateVerify', 'client', flip(cv, -3)).sentAlert).toEqual({ alert: 'decrypt_error', protected: true });
  });

  it('a scheme the client did not offer is illegal_parameter', () => {
    // The client offers Ed25519 and ECDSA only; the server claims RSA-PSS.
    const pair = tappedPair({ client: { signatureSchemes: ['ed25519', 'ecdsa_secp256r1_sha256'] } });
    deliver(pair, 4);
    const client = pair.client;
    const cv = decode(pair.server.tap.sent.find((p) => p.type === 'CertificateVerify')!.content);
    const forged = encode({ ...(cv as Extract<HandshakeMessage, { type: 'certificate_verify' }>), algorithm: 0x0804 });
    expect(expectFailure(client, () => client.conn.receive(client.tap.recordFor(ContentType.handshake, forged))).error.alert).toBe('illegal_parameter');
  });

  it('rsa_pkcs1_sha256, which TLS 1.3 never allows in CertificateVerify, is illegal_parameter (§4.2.3)', () => {
    const cv = scripted<Extract<HandshakeMessage, { type: 'certificate_verify' }>>('full', 'CertificateVerify', 'server');
    expect(instead('full', 'CertificateVerify', 'server', encode({ ...cv, algorithm: 0x0401 })).error.alert).toBe('illegal_parameter');
  });

  it('an offered scheme that does not fit the certificate key is illegal_parameter', () => {
    const cv = scripted<Extract<HandshakeMessage, { type: 'certificate_verify' }>>('full', 'CertificateVerify', 'server');
    // The certificate is Ed25519; ecdsa_secp256r1_sha256 is offered but cannot be its scheme.
    expect(instead('full', 'CertificateVerify', 'server', encode({ ...cv, algorithm: 0x0403 })).error.alert).toBe('illegal_parameter');
  });

  it('the server rejects a client CertificateVerify in a scheme its CertificateRequest did not list', () => {
    const cv = scripted<Extract<HandshakeMessage, { type: 'certificate_verify' }>>('client-auth', 'CertificateVerify', 'client');
    expect(instead('client-auth', 'CertificateVerify', 'client', encode({ ...cv, algorithm: 0x0401 })).error.alert).toBe('illegal_parameter');
  });
});

// ---- Version negotiation ----------------------------------------------------------------

/** A TLS 1.2 (or older) ServerHello: no supported_versions, a TLS 1.2 suite, TLS 1.2 extensions. */
function legacyServerHello(random: Uint8Array, legacyVersion = 0x0303): ServerHello {
  return {
    type: 'server_hello',
    legacyVersion,
    random,
    legacySessionIdEcho: new Uint8Array(0),
    cipherSuite: 0xc02f, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    legacyCompressionMethod: 0,
    extensions: [
      { type: 'unknown', code: 0xff01, data: Uint8Array.of(0) }, // renegotiation_info
      { type: 'unknown', code: 0x000b, data: Uint8Array.of(1, 0) }, // ec_point_formats
    ],
  };
}

const randomEnding = (tail: string): Uint8Array => concat(new Uint8Array(24).fill(0x5a), fromHex(tail));

describe('downgrade protection (§4.1.3)', () => {
  it('a TLS 1.2 ServerHello whose random ends in DOWNGRD\\x01 → illegal_parameter, plaintext alert', () => {
    const { client } = clientAwaitingServerHello();
    const failure = serverHelloToClient(client, legacyServerHello(randomEnding('444f574e47524401')));
    expect(failure.sentAlert).toEqual({ alert: 'illegal_parameter', protected: false });
  });

  it('a TLS 1.1 ServerHello whose random ends in DOWNGRD\\x00 → illegal_parameter', () => {
    const { client } = clientAwaitingServerHello();
    expect(serverHelloToClient(client, legacyServerHello(randomEnding('444f574e47524400'), 0x0302)).error.alert).toBe('illegal_parameter');
  });

  it('a TLS 1.2 ServerHello without the sentinel → protocol_version', () => {
    for (const version of [0x0303, 0x0302, 0x0301]) {
      const { client } = clientAwaitingServerHello();
      const failure = serverHelloToClient(client, legacyServerHello(randomEnding('0102030405060708'), version));
      expect(failure.sentAlert).toEqual({ alert: 'protocol_version', protected: false });
    }
  });

  it('a TLS 1.2 ServerHello without any extensions block → protocol_version', () => {
    const { client } = clientAwaitingServerHello();
    const bytes = encode(legacyServerHello(randomEnding('0102030405060708')));
    // Drop the extensions block (its 2-byte length and the extensions) and fix the message length.
    const withoutBlock = bytes.slice(0, 4 + 2 + 32 + 1 + 2 + 1);
    withoutBlock[3] = withoutBlock.length - 4;
    expect(expectFailure(client, () => client.conn.receive(client.tap.recordFor(ContentType.handshake, withoutBlock))).error.alert).toBe('protocol_version');
  });

  it('supported_versions selecting TLS 1.2 in a ServerHello → illegal_parameter (§4.2.1)', () => {
    const { client, serverHello } = clientAwaitingServerHello();
    const extensions = serverHello.extensions.map((e) => (e.type === 'supported_versions' ? { ...e, selectedVersion: 0x0303 } : e));
    expect(serverHelloToClient(client, { ...serverHello, extensions }).error.alert).toBe('illegal_parameter');
  });
});

/** A ClientHello as a TLS 1.2 client sends it; `versions` adds supported_versions. */
function tls12ClientHello(versions?: number[]): ClientHello {
  const extensions: ClientHelloExtension[] = [
    { type: 'server_name', hostName: 'localhost' },
    { type: 'supported_groups', groups: [0x001d, 0x0017] },
    { type: 'unknown', code: 0x000b, data: Uint8Array.of(1, 0) }, // ec_point_formats
    { type: 'signature_algorithms', schemes: [0x0403, 0x0804, 0x0401] },
    { type: 'renegotiation_info', renegotiatedConnection: new Uint8Array(0) },
    { type: 'unknown', code: 0x0017, data: new Uint8Array(0) }, // extended_master_secret
  ];
  if (versions) extensions.push({ type: 'supported_versions', versions });
  return {
    type: 'client_hello',
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(0),
    cipherSuites: [0xc02b, 0xc02f, 0x009c],
    legacyCompressionMethods: Uint8Array.of(0),
    extensions,
  };
}

describe('a client that cannot speak TLS 1.3, to a TLS 1.3-only server (§4.2.1, §D.2): protocol_version', () => {
  const cases: [string, Uint8Array][] = [
    ['TLS 1.2 ClientHello without supported_versions', encode(tls12ClientHello())],
    ['supported_versions listing only TLS 1.2 and 1.1', encode(tls12ClientHello([0x0303, 0x0302]))],
    ['supported_versions listing only a future version', encode(tls12ClientHello([0x0305]))],
  ];
  // An SSL 3.0-era ClientHello has no extensions block at all (§4.1.2 tolerates reading it).
  const bare = encode({ ...tls12ClientHello(), legacyVersion: 0x0300, extensions: [] });
  const noBlock = bare.slice(0, bare.length - 2);
  noBlock[3] = noBlock.length - 4;
  cases.push(['an SSL 3.0 ClientHello without extensions', noBlock]);

  for (const [name, hello] of cases) {
    it(name, () => {
      const server = tappedEndpoint('server', { server: { minVersion: 'TLSv1.3' } });
      // Old clients put their first record at version 0x0301 (§5.1, §D.2).
      const failure = expectFailure(server, () => server.conn.receive(rawRecord(ContentType.handshake, hello, 0x0301)));
      expect(failure.sentAlert).toEqual({ alert: 'protocol_version', protected: false });
    });
  }
});

// ---- ServerHello, HelloRetryRequest, EncryptedExtensions ----------------------------------

describe('a ServerHello the client did not ask for (§4.1.3, §4.2)', () => {
  const expectAlert = (alert: string, change: (sh: ServerHello) => ServerHello) => {
    const { client, serverHello } = clientAwaitingServerHello();
    expect(serverHelloToClient(client, change(serverHello)).sentAlert).toEqual({ alert, protected: false });
  };

  it('a cipher suite not offered → illegal_parameter', () => {
    expectAlert('illegal_parameter', (sh) => ({ ...sh, cipherSuite: 0x1302 })); // we offer only TLS_AES_128_GCM_SHA256
    expectAlert('illegal_parameter', (sh) => ({ ...sh, cipherSuite: 0xc02f }));
  });

  it('a legacy_session_id_echo that is not ours → illegal_parameter', () => {
    expectAlert('illegal_parameter', (sh) => ({ ...sh, legacySessionIdEcho: new Uint8Array(32).fill(1) }));
    // In compatibility mode the client's id is 32 bytes: an empty echo is as wrong.
    const { client, serverHello } = clientAwaitingServerHello({ client: { middleboxCompatibility: true } });
    expect(serverHelloToClient(client, { ...serverHello, legacySessionIdEcho: new Uint8Array(0) }).error.alert).toBe('illegal_parameter');
  });

  it('a legacy_version other than 0x0303, or a compression method → illegal_parameter', () => {
    expectAlert('illegal_parameter', (sh) => ({ ...sh, legacyVersion: 0x0304 }));
    expectAlert('illegal_parameter', (sh) => ({ ...sh, legacyCompressionMethod: 1 }));
  });

  const withShare = (group: number, keyExchange: Uint8Array) => (sh: ServerHello): ServerHello => ({
    ...sh,
    extensions: sh.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share' as const, serverShare: { group, keyExchange } } : e)),
  });
  const p256Point = fromHex('04' + '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' + '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5');

  it('a key share in a group the client sent no share for → illegal_parameter (§4.2.8)', () => {
    // secp256r1 is in supported_groups, but the client's shares are X25519MLKEM768 and x25519.
    expectAlert('illegal_parameter', withShare(0x0017, p256Point));
    // brainpoolP256r1tls13 (RFC 8734) was not even offered.
    expectAlert('illegal_parameter', withShare(0x001f, new Uint8Array(65).fill(4)));
  });

  it('an invalid X25519 share (the all-zero point) → illegal_parameter (§7.4.2)', () => {
    expectAlert('illegal_parameter', withShare(0x001d, new Uint8Array(32)));
  });

  it('an unusable X25519MLKEM768 share → illegal_parameter (draft-ietf-tls-ecdhe-mlkem §3.2)', () => {
    const { serverHello } = clientAwaitingServerHello();
    const share = serverHello.extensions.find((e) => e.type === 'key_share')!;
    const good = share.type === 'key_share' && 'serverShare' in share ? share.serverShare.keyExchange : new Uint8Array(0);
    expect(good.length).toBe(1088 + 32); // the server took the default hybrid: ML-KEM-768 ciphertext, then X25519
    // A ciphertext one byte short (FIPS 203 §7.3), or one byte long.
    expectAlert('illegal_parameter', withShare(0x11ec, good.subarray(0, good.length - 1)));
    expectAlert('illegal_parameter', withShare(0x11ec, Uint8Array.of(...good, 0)));
    // A valid ML-KEM part, but the all-zero X25519 point as the second part (§7.4.2).
    expectAlert('illegal_parameter', withShare(0x11ec, Uint8Array.of(...good.subarray(0, 1088), ...new Uint8Array(32))));
  });

  it('no key_share → missing_extension', () => {
    expectAlert('missing_extension', (sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== 'key_share') }));
  });

  it('an extension the client did not send → unsupported_extension; one not allowed in a ServerHello → illegal_parameter', () => {
    expectAlert('unsupported_extension', (sh) => ({ ...sh, extensions: [{ type: 'unknown', code: 0x1234, data: new Uint8Array(0) }, ...sh.extensions] }));
    expectAlert('unsupported_extension', (sh) => ({ ...sh, extensions: [...sh.extensions, { type: 'pre_shared_key', selectedIdentity: 0 }] }));
    // server_name belongs in EncryptedExtensions, never in a ServerHello.
    expectAlert('illegal_parameter', (sh) => ({ ...sh, extensions: [{ type: 'unknown', code: 0, data: new Uint8Array(0) }, ...sh.extensions] }));
  });
});

describe('HelloRetryRequest (§4.1.4)', () => {
  const hrr = () => scripted<Extract<HandshakeMessage, { type: 'hello_retry_request' }>>('hrr', 'HelloRetryRequest', 'server');
  const toClient = (message: HandshakeMessage) => {
    const { ep } = replay('hrr', 'client', 1);
    return expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, encode(message)))).error.alert;
  };

  it('asking for a group the client already sent a share for, or one it did not offer → illegal_parameter', () => {
    const base = hrr();
    const extensions = (group: number) => [{ type: 'key_share' as const, selectedGroup: group }, ...base.extensions.filter((e) => e.type !== 'key_share')];
    expect(toClient({ ...base, extensions: extensions(0x001d) })).toBe('illegal_parameter');
    expect(toClient({ ...base, extensions: extensions(0x001f) })).toBe('illegal_parameter'); // brainpoolP256r1tls13: never offered
  });

  it('a retry that would change nothing → illegal_parameter', () => {
    const base = hrr();
    expect(toClient({ ...base, extensions: base.extensions.filter((e) => e.type === 'supported_versions') })).toBe('illegal_parameter');
  });

  it('a cipher suite not offered → illegal_parameter', () => {
    expect(toClient({ ...hrr(), cipherSuite: 0x1303 })).toBe('illegal_parameter');
  });

  it('a second HelloRetryRequest → unexpected_message', () => {
    const { ep } = replay('hrr', 'client', stepOf('hrr', 'ServerHello', 'server'));
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, encode(hrr()))));
    expect(failure.error.alert).toBe('unexpected_message');
  });
});

describe('EncryptedExtensions (§4.3.1, §4.2)', () => {
  const withExtensions = (extensions: Extract<HandshakeMessage, { type: 'encrypted_extensions' }>['extensions']) =>
    instead('full', 'EncryptedExtensions', 'server', encode({ type: 'encrypted_extensions', extensions })).sentAlert;

  it('an extension the client did not offer → unsupported_extension, protected alert', () => {
    expect(withExtensions([{ type: 'application_layer_protocol_negotiation', protocols: ['h2'] }])).toEqual({ alert: 'unsupported_extension', protected: true });
    expect(withExtensions([{ type: 'early_data' }])).toEqual({ alert: 'unsupported_extension', protected: true });
    expect(withExtensions([{ type: 'unknown', code: 1, data: Uint8Array.of(2) }])).toEqual({ alert: 'unsupported_extension', protected: true }); // max_fragment_length
    expect(withExtensions([{ type: 'unknown', code: 0xfe00, data: new Uint8Array(0) }])).toEqual({ alert: 'unsupported_extension', protected: true });
  });

  it('an extension not allowed in EncryptedExtensions (key_share, supported_versions) → illegal_parameter', () => {
    expect(withExtensions([{ type: 'unknown', code: 51, data: fromHex('001d0000') }])?.alert).toBe('illegal_parameter');
    expect(withExtensions([{ type: 'unknown', code: 43, data: fromHex('0304') }])?.alert).toBe('illegal_parameter');
  });
});

// ---- What the server checks in a ClientHello (§4.1.2, §4.2, §9.2) -------------------------

describe('a ClientHello the server must refuse', () => {
  const hello = (): ClientHello => scripted<ClientHello>('full', 'ClientHello', 'client');
  const withExtensions = (change: (list: ClientHelloExtension[]) => ClientHelloExtension[]): ClientHello => {
    const ch = hello();
    return { ...ch, extensions: change(ch.extensions) };
  };
  const refuse = (ch: ClientHello, server: TappedPairOptions = {}) => {
    const ep = tappedEndpoint('server', server);
    return expectFailure(ep, () => ep.conn.receive(rawRecord(ContentType.handshake, encode(ch)))).sentAlert;
  };
  const without = (type: ClientHelloExtension['type']) => withExtensions((list) => list.filter((e) => e.type !== type));
  const plain = (alert: string) => ({ alert, protected: false });

  it('compression methods other than exactly [null] → illegal_parameter', () => {
    expect(refuse({ ...hello(), legacyCompressionMethods: Uint8Array.of(0, 1) })).toEqual(plain('illegal_parameter'));
    expect(refuse({ ...hello(), legacyCompressionMethods: Uint8Array.of(1) })).toEqual(plain('illegal_parameter'));
  });

  it('no key_share, no supported_groups, or no signature_algorithms → missing_extension (§9.2, §4.2.3)', () => {
    expect(refuse(without('key_share'))).toEqual(plain('missing_extension'));
    expect(refuse(without('supported_groups'))).toEqual(plain('missing_extension'));
    expect(refuse(without('signature_algorithms'))).toEqual(plain('missing_extension'));
  });

  it('pre_shared_key without psk_key_exchange_modes → missing_extension (§4.2.9)', () => {
    const ch = scripted<ClientHello>('resume', 'ClientHello', 'client');
    const stripped = { ...ch, extensions: ch.extensions.filter((e) => e.type !== 'psk_key_exchange_modes') };
    expect(refuse(stripped)).toEqual(plain('missing_extension'));
  });

  it('pre_shared_key not the last extension → illegal_parameter (§4.2.11)', () => {
    const ch = scripted<ClientHello>('resume', 'ClientHello', 'client');
    const psk = ch.extensions.find((e) => e.type === 'pre_shared_key')!;
    expect(refuse({ ...ch, extensions: [psk, ...ch.extensions.filter((e) => e !== psk)] })).toEqual(plain('illegal_parameter'));
  });

  it('a key share for a group not in supported_groups, or two for one group → illegal_parameter (§4.2.8)', () => {
    const shares = (list: ClientHelloExtension[], f: (e: Extract<ClientHelloExtension, { type: 'key_share' }>) => ClientHelloExtension) =>
      list.map((e) => (e.type === 'key_share' ? f(e) : e));
    expect(refuse(withExtensions((list) => shares(list, (e) => ({ type: 'key_share', clientShares: [{ group: 0x001f, keyExchange: new Uint8Array(65) }, ...e.clientShares] }))))).toEqual(plain('illegal_parameter'));
    expect(refuse(withExtensions((list) => shares(list, (e) => ({ type: 'key_share', clientShares: [...e.clientShares, ...e.clientShares] }))))).toEqual(plain('illegal_parameter'));
  });

  it('an invalid key share (the all-zero X25519 point) → illegal_parameter, before anything is sent', () => {
    const zero = withExtensions((list) => list.map((e) => (e.type === 'key_share' ? { type: 'key_share', clientShares: [{ group: 0x001d, keyExchange: new Uint8Array(32) }] } : e)));
    expect(refuse(zero)).toEqual(plain('illegal_parameter'));
  });

  it('an unusable X25519MLKEM768 share → illegal_parameter, before anything is sent (draft-ietf-tls-ecdhe-mlkem §3.2)', () => {
    const withHybrid = (change: (keyExchange: Uint8Array) => Uint8Array) =>
      withExtensions((list) =>
        list.map((e): ClientHelloExtension =>
          e.type === 'key_share' ? { type: 'key_share', clientShares: e.clientShares.map((s) => (s.group === 0x11ec ? { group: s.group, keyExchange: change(s.keyExchange) } : s)) } : e,
        ),
      );
    expect(hello().extensions.some((e) => e.type === 'key_share' && e.clientShares[0]?.group === 0x11ec && e.clientShares[0].keyExchange.length === 1184 + 32)).toBe(true);
    // FIPS 203 §7.2, modulus check: the first 12-bit coefficient of the encapsulation key becomes 0xfff ≥ q.
    const outOfRange = (k: Uint8Array) => Uint8Array.of(0xff, k[1]! | 0x0f, ...k.subarray(2));
    expect(refuse(withHybrid(outOfRange))).toEqual(plain('illegal_parameter'));
    // A length that is not 1184 + 32.
    expect(refuse(withHybrid((k) => k.subarray(0, k.length - 1)))).toEqual(plain('illegal_parameter'));
    // A valid encapsulation key, but the all-zero X25519 point as the second part (§7.4.2).
    expect(refuse(withHybrid((k) => Uint8Array.of(...k.subarray(0, 1184), ...new Uint8Array(32))))).toEqual(plain('illegal_parameter'));
  });

  it('nothing in common: cipher suite, group or signature scheme → handshake_failure (§4.1.1)', () => {
    expect(refuse({ ...hello(), cipherSuites: [0xc02f, 0x1305] })).toEqual(plain('handshake_failure'));
    const noGroup = withExtensions((list) =>
      list.map((e): ClientHelloExtension => {
        // brainpoolP256r1tls13 (RFC 8734) and MLKEM512: groups we do not implement.
        if (e.type === 'supported_groups') return { type: 'supported_groups', groups: [0x001f, 0x0200] };
        return e.type === 'key_share' ? { type: 'key_share', clientShares: [] } : e;
      }),
    );
    expect(refuse(noGroup)).toEqual(plain('handshake_failure'));
    // The certificate is Ed25519; a client accepting only ECDSA leaves no scheme to sign with.
    expect(refuse(withExtensions((list) => list.map((e) => (e.type === 'signature_algorithms' ? { type: 'signature_algorithms', schemes: [0x0403] } : e))))).toEqual(plain('handshake_failure'));
  });

  it('no ALPN protocol in common → no_application_protocol (RFC 7301 §3.2)', () => {
    const ch = withExtensions((list) => [{ type: 'application_layer_protocol_negotiation', protocols: ['http/1.1'] }, ...list]);
    expect(refuse(ch, { server: { alpnProtocols: ['h2'] } })).toEqual(plain('no_application_protocol'));
  });

  it('record_size_limit below 64 → illegal_parameter (RFC 8449 §4)', () => {
    expect(refuse(withExtensions((list) => [{ type: 'record_size_limit', limit: 63 }, ...list]))).toEqual(plain('illegal_parameter'));
  });

  it('a second ClientHello that does not echo the cookie, changes the random, adds early_data or lacks the asked key share → illegal_parameter (§4.1.2)', () => {
    const k = script('hrr').findIndex((s, i) => i > 0 && s.type === 'ClientHello');
    const secondHello = decode(script('hrr')[k]!.content) as ClientHello;
    const variants: [string, ClientHello][] = [
      ['no cookie', { ...secondHello, extensions: secondHello.extensions.filter((e) => e.type !== 'cookie') }],
      ['another cookie', { ...secondHello, extensions: secondHello.extensions.map((e) => (e.type === 'cookie' ? { type: 'cookie', cookie: new Uint8Array(32).fill(9) } : e)) }],
      ['another random', { ...secondHello, random: new Uint8Array(32).fill(3) }],
      ['early_data', { ...secondHello, extensions: [{ type: 'early_data' }, ...secondHello.extensions] }],
      ['no key share at all', { ...secondHello, extensions: secondHello.extensions.map((e) => (e.type === 'key_share' ? { type: 'key_share', clientShares: [] } : e)) }],
    ];
    for (const [name, ch] of variants) {
      const { ep } = replay('hrr', 'server', k);
      expect(expectFailure(ep, () => ep.conn.receive(rawRecord(ContentType.handshake, encode(ch)))).sentAlert, name).toEqual(plain('illegal_parameter'));
    }
  });
});

describe('authentication messages (§4.3.2, §4.4.2, §4.6.1)', () => {
  it('an empty server Certificate → decode_error (§4.4.2.4)', () => {
    const failure = instead('full', 'Certificate', 'server', encode({ type: 'certificate', certificateRequestContext: new Uint8Array(0), certificateList: [] }));
    expect(failure.sentAlert).toEqual({ alert: 'decode_error', protected: true });
  });

  it('a server Certificate with a request context → illegal_parameter (§4.4.2)', () => {
    const cert = scripted<Extract<HandshakeMessage, { type: 'certificate' }>>('full', 'Certificate', 'server');
    expect(instead('full', 'Certificate', 'server', encode({ ...cert, certificateRequestContext: Uint8Array.of(1) })).error.alert).toBe('illegal_parameter');
  });

  it('a server certificate the verifier rejects → the verifier’s alert (bad_certificate)', () => {
    const cert = scripted<Extract<HandshakeMessage, { type: 'certificate' }>>('full', 'Certificate', 'server');
    const other = testCert('ed25519', 'client.example').der;
    const forged = encode({ ...cert, certificateList: [{ certData: other, extensions: [] }] });
    expect(instead('full', 'Certificate', 'server', forged).error.alert).toBe('bad_certificate');
  });

  it('a CertificateRequest with a context, or without signature_algorithms, during the handshake', () => {
    const cr = scripted<Extract<HandshakeMessage, { type: 'certificate_request' }>>('client-auth', 'CertificateRequest', 'server');
    expect(instead('client-auth', 'CertificateRequest', 'server', encode({ ...cr, certificateRequestContext: Uint8Array.of(7) })).error.alert).toBe('illegal_parameter');
    // (The block may not be empty, §4.3.2: it holds an extension we do not know instead.)
    const unknownOnly = encode({ ...cr, extensions: [{ type: 'unknown', code: 0xfe01, data: new Uint8Array(0) }] });
    expect(instead('client-auth', 'CertificateRequest', 'server', unknownOnly).error.alert).toBe('missing_extension');
  });

  it('a client that sends no certificate to a server requiring one → certificate_required (§4.4.2.4)', () => {
    const failure = instead('client-auth', 'Certificate', 'client', encode({ type: 'certificate', certificateRequestContext: new Uint8Array(0), certificateList: [] }));
    expect(failure.sentAlert).toEqual({ alert: 'certificate_required', protected: true });
  });

  it('a client Certificate with a context the request did not have → illegal_parameter', () => {
    const cert = scripted<Extract<HandshakeMessage, { type: 'certificate' }>>('client-auth', 'Certificate', 'client');
    expect(instead('client-auth', 'Certificate', 'client', encode({ ...cert, certificateRequestContext: Uint8Array.of(1) })).error.alert).toBe('illegal_parameter');
  });

  it('a NewSessionTicket valid for more than seven days → illegal_parameter (§4.6.1)', () => {
    const nst = scripted<Extract<HandshakeMessage, { type: 'new_session_ticket' }>>('full', 'NewSessionTicket', 'server');
    expect(instead('full', 'NewSessionTicket', 'server', encode({ ...nst, ticketLifetime: 604801 })).sentAlert).toEqual({ alert: 'illegal_parameter', protected: true });
  });
});

describe('0-RTT (§4.2.10)', () => {
  it('more early data than max_early_data_size → unexpected_message', () => {
    const { ep } = replay('early-data', 'server', 1); // the ClientHello, accepting 1024 bytes of early data
    expect(ep.conn.stateName).toBe('ExpectEndOfEarlyData');
    ep.conn.receive(ep.tap.recordFor(ContentType.application_data, new Uint8Array(1000)));
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.application_data, new Uint8Array(25))));
    expect(failure.sentAlert).toEqual({ alert: 'unexpected_message', protected: true });
  });

  it('early_data accepted in EncryptedExtensions when the client sent none → unsupported_extension', () => {
    expect(instead('resume', 'EncryptedExtensions', 'server', encode({ type: 'encrypted_extensions', extensions: [{ type: 'early_data' }] })).error.alert).toBe('unsupported_extension');
  });
});

// ---- The record layer, through a connection ---------------------------------------------

describe('records (§5)', () => {
  it('a plaintext record longer than 2^14 → record_overflow, refused from its header alone', () => {
    const server = tappedEndpoint('server');
    const header = Uint8Array.of(ContentType.handshake, 3, 1, (MAX_PLAINTEXT_LENGTH + 1) >> 8, (MAX_PLAINTEXT_LENGTH + 1) & 0xff);
    expect(expectFailure(server, () => server.conn.receive(header)).sentAlert).toEqual({ alert: 'record_overflow', protected: false });
  });

  it('a protected record longer than 2^14 + 256 → record_overflow, refused from its header alone', () => {
    const { ep } = replay('full', 'client', stepOf('full', 'EncryptedExtensions', 'server'));
    const length = MAX_CIPHERTEXT_LENGTH + 1;
    const failure = expectFailure(ep, () => ep.conn.receive(Uint8Array.of(ContentType.application_data, 3, 3, length >> 8, length & 0xff)));
    expect(failure.sentAlert).toEqual({ alert: 'record_overflow', protected: true });
  });

  it('a protected record whose inner plaintext exceeds 2^14 + 1 → record_overflow (§5.4)', () => {
    const { ep } = replay('full', 'server', 1);
    const inner = new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH + 1);
    inner[0] = 0x16; // content type handshake, followed by zero padding
    const failure = expectFailure(ep, () => ep.conn.receive(sealInner(ep.tap.read!, inner)));
    expect(failure.error.alert).toBe('record_overflow');
  });

  it('a protected record with no content type (all zeros) → unexpected_message (§5.4)', () => {
    const { ep } = replay('full', 'server', 1);
    expect(expectFailure(ep, () => ep.conn.receive(sealInner(ep.tap.read!, new Uint8Array(20)))).error.alert).toBe('unexpected_message');
  });

  it('a protected record that does not authenticate → bad_record_mac (§5.2)', () => {
    const { ep } = replay('full', 'client', stepOf('full', 'EncryptedExtensions', 'server'));
    const ee = script('full')[stepOf('full', 'EncryptedExtensions', 'server')]!.content;
    const record = ep.tap.recordFor(ContentType.handshake, ee);
    const failure = expectFailure(ep, () => ep.conn.receive(flip(record, 9)));
    expect(failure.sentAlert).toEqual({ alert: 'bad_record_mac', protected: true });
  });

  it('garbage instead of a first record → unexpected_message (an unknown record type, §5)', () => {
    const garbage: [string, Uint8Array][] = [
      ['an HTTP request', utf8('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
      ['zero bytes', new Uint8Array(64)],
    ];
    for (const [name, bytes] of garbage) {
      const server = tappedEndpoint('server');
      expect(expectFailure(server, () => server.conn.receive(bytes)).sentAlert, name).toEqual({ alert: 'unexpected_message', protected: false });
    }
  });

  it('an SSL 2.0 ClientHello → protocol_version (RFC 6176 §3)', () => {
    const server = tappedEndpoint('server');
    const hello = fromHex('802e0103010015000000100700c0030080010080060040040080020080');
    expect(expectFailure(server, () => server.conn.receive(hello)).sentAlert).toEqual({ alert: 'protocol_version', protected: false });
  });

  it('a zero-length handshake record → unexpected_message (§5.1)', () => {
    const server = tappedEndpoint('server');
    expect(expectFailure(server, () => server.conn.receive(rawRecord(ContentType.handshake, new Uint8Array(0)))).error.alert).toBe('unexpected_message');
  });

  it('a handshake message that changes keys must end its record (§5.1) → unexpected_message', () => {
    // ServerHello and the first bytes of EncryptedExtensions in one plaintext record.
    const { client, serverHello } = clientAwaitingServerHello();
    const both = concat(encode(serverHello), fromHex('0800'));
    expect(expectFailure(client, () => client.conn.receive(rawRecord(ContentType.handshake, both))).error.alert).toBe('unexpected_message');
    // The client's Finished followed by more handshake bytes.
    const { ep } = replay('full', 'server', stepOf('full', 'Finished', 'client'));
    const finished = script('full')[stepOf('full', 'Finished', 'client')]!.content;
    const keyUpdate = encode({ type: 'key_update', requestUpdate: 'update_not_requested' });
    // (The server has sent its tickets by the time it finds the trailing bytes: the alert follows them.)
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, concat(finished, keyUpdate))), { after: 1 });
    expect(failure.error.alert).toBe('unexpected_message');
  });

  it('another record type in the middle of a fragmented handshake message → unexpected_message (§5.1)', () => {
    const { client, serverHello } = clientAwaitingServerHello();
    const bytes = encode(serverHello);
    client.conn.receive(rawRecord(ContentType.handshake, bytes.subarray(0, 10)));
    const alert = rawRecord(ContentType.alert, Uint8Array.of(1, 0));
    expect(expectFailure(client, () => client.conn.receive(alert)).error.alert).toBe('unexpected_message');
  });

  it('change_cipher_spec before the first ClientHello, or after the peer’s Finished → unexpected_message (§5)', () => {
    const ccs = rawRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
    const server = tappedEndpoint('server');
    expect(expectFailure(server, () => server.conn.receive(ccs)).sentAlert).toEqual({ alert: 'unexpected_message', protected: false });
    for (const side of ['client', 'server'] as const) {
      const { ep } = replay('full', side, script('full').length);
      expect(expectFailure(ep, () => ep.conn.receive(ccs)).sentAlert, side).toEqual({ alert: 'unexpected_message', protected: true });
    }
    // In between, it is dropped: here after the server's Finished was sent but not yet the client's.
    const { ep } = replay('full', 'server', stepOf('full', 'Finished', 'client'));
    ep.conn.receive(ccs);
    expect(ep.conn.error).toBeUndefined();
  });

  it('change_cipher_spec with a value other than 0x01, longer, or protected → unexpected_message (§5)', () => {
    const records = (ep: Endpoint): Uint8Array[] => [
      rawRecord(ContentType.change_cipher_spec, Uint8Array.of(2)),
      rawRecord(ContentType.change_cipher_spec, Uint8Array.of(1, 1)),
      ep.tap.recordFor(ContentType.change_cipher_spec, Uint8Array.of(1)),
    ];
    for (let i = 0; i < 3; i++) {
      const { ep } = replay('full', 'server', 1);
      expect(expectFailure(ep, () => ep.conn.receive(records(ep)[i]!)).error.alert, `case ${i}`).toBe('unexpected_message');
    }
  });

  it('an alert record of the wrong length → decode_error', () => {
    const { client } = clientAwaitingServerHello();
    expect(expectFailure(client, () => client.conn.receive(rawRecord(ContentType.alert, Uint8Array.of(2, 40, 0)))).error.alert).toBe('decode_error');
  });
});

describe('alerts from the peer (§6)', () => {
  it('a fatal alert ends the connection: TlsError naming it with sent = false, nothing sent back', () => {
    const { client } = clientAwaitingServerHello();
    const failure = expectFailure(client, () => client.conn.receive(rawRecord(ContentType.alert, Uint8Array.of(2, alertCode('handshake_failure')))));
    expect(failure.error.alert).toBe('handshake_failure');
    expect(failure.error.sent).toBe(false);
  });

  it('a protected alert after the handshake, too', () => {
    const { ep } = replay('full', 'client', script('full').length);
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.alert, Uint8Array.of(2, alertCode('internal_error')))));
    expect([failure.error.alert, failure.error.sent]).toEqual(['internal_error', false]);
  });

  it('an error alert sent at warning level is still fatal (§6: the level is ignored)', () => {
    const { client } = clientAwaitingServerHello();
    const failure = expectFailure(client, () => client.conn.receive(rawRecord(ContentType.alert, Uint8Array.of(1, alertCode('bad_certificate')))));
    expect([failure.error.alert, failure.error.sent]).toEqual(['bad_certificate', false]);
  });

  it('an unknown alert is treated as an error alert (§6)', () => {
    const { client } = clientAwaitingServerHello();
    const failure = expectFailure(client, () => client.conn.receive(rawRecord(ContentType.alert, Uint8Array.of(2, 200))));
    expect(failure.error.sent).toBe(false);
    expect(failure.error.reason).toMatch(/unknown\(200\)/);
  });

  it('user_canceled then close_notify closes without an error (§6.1)', () => {
    const { ep } = replay('full', 'client', script('full').length);
    ep.conn.receive(ep.tap.recordFor(ContentType.alert, Uint8Array.of(1, alertCode('user_canceled'))));
    ep.conn.receive(ep.tap.recordFor(ContentType.alert, Uint8Array.of(1, alertCode('close_notify'))));
    expect(ep.conn.receivedCloseNotify).toBe(true);
    expect(ep.conn.error).toBeUndefined();
  });

  it('bytes after close_notify are ignored and not kept (§6.1)', () => {
    const { ep } = replay('full', 'client', script('full').length);
    ep.conn.receive(ep.tap.recordFor(ContentType.alert, Uint8Array.of(1, alertCode('close_notify'))));
    const junk = new Uint8Array(64 * 1024).fill(0x17);
    for (let i = 0; i < 160; i++) ep.conn.receive(junk); // 10 MiB
    expect(ep.conn.error).toBeUndefined();
    expect(ep.conn.read().length).toBe(0);
    expect(ep.conn.buffered.records).toBeLessThanOrEqual(junk.length);
  });
});

// ---- KeyUpdate and handshake message size -------------------------------------------------

describe('KeyUpdate (§4.6.3)', () => {
  const keyUpdate = encode({ type: 'key_update', requestUpdate: 'update_not_requested' });
  const connectedClient = () => replay('full', 'client', script('full').length).ep;

  it(`more than MAX_KEY_UPDATES_WITHOUT_DATA (${MAX_KEY_UPDATES_WITHOUT_DATA}) KeyUpdates without data → unexpected_message`, () => {
    const ep = connectedClient();
    // Each KeyUpdate is protected with the key the previous one installed.
    for (let i = 0; i < MAX_KEY_UPDATES_WITHOUT_DATA; i++) ep.conn.receive(ep.tap.recordFor(ContentType.handshake, keyUpdate));
    expect(ep.tap.read!.name).toBe(`server_application_${MAX_KEY_UPDATES_WITHOUT_DATA}`);
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, keyUpdate)));
    expect(failure.sentAlert).toEqual({ alert: 'unexpected_message', protected: true });
  });

  it('application data in between resets the count', () => {
    const ep = connectedClient();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < MAX_KEY_UPDATES_WITHOUT_DATA; i++) ep.conn.receive(ep.tap.recordFor(ContentType.handshake, keyUpdate));
      ep.conn.receive(ep.tap.recordFor(ContentType.application_data, utf8(`round ${round}`)));
    }
    expect(new TextDecoder().decode(ep.conn.read())).toBe('round 0round 1round 2');
    expect(ep.conn.error).toBeUndefined();
  });

  it('a request_update other than 0 or 1 → illegal_parameter', () => {
    const ep = connectedClient();
    expect(expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, fromHex('1800000102')))).error.alert).toBe('illegal_parameter');
  });

  it('a KeyUpdate before the handshake completes → unexpected_message', () => {
    const { ep } = replay('full', 'server', stepOf('full', 'Finished', 'client'));
    expect(expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, keyUpdate))).error.alert).toBe('unexpected_message');
  });
});

describe(`handshake messages larger than MAX_HANDSHAKE_MESSAGE_LENGTH (${MAX_HANDSHAKE_MESSAGE_LENGTH})`, () => {
  const header = (type: number, length: number) => Uint8Array.of(type, length >> 16, (length >> 8) & 0xff, length & 0xff);

  it('are refused as soon as their 4-byte header arrives, before any body is buffered', () => {
    const server = tappedEndpoint('server');
    const failure = expectFailure(server, () => server.conn.receive(rawRecord(ContentType.handshake, header(1, MAX_HANDSHAKE_MESSAGE_LENGTH + 1))));
    expect(failure.error.sent).toBe(true);
    expect(failure.error.reason).toMatch(/exceeds the limit/);
  });

  it('also after the handshake (a NewSessionTicket announcing 16 MiB)', () => {
    const { ep } = replay('full', 'client', script('full').length);
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, header(4, 2 ** 24 - 1))));
    expect(failure.sentAlert?.protected).toBe(true);
  });

  it('while one of exactly the limit is waited for', () => {
    const server = tappedEndpoint('server');
    server.conn.receive(rawRecord(ContentType.handshake, header(1, MAX_HANDSHAKE_MESSAGE_LENGTH)));
    expect(server.conn.error).toBeUndefined();
    expect(server.conn.stateName).toBe('ExpectClientHello');
  });
});

// ---- After an error, and other connections -------------------------------------------------

describe('after an error', () => {
  it('the connection stays failed: receive and write rethrow the error, close and keyUpdate send nothing', () => {
    const { ep } = replay('full', 'client', script('full').length);
    const failure = expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, encode({ type: 'finished', verifyData: new Uint8Array(32) }))));
    const error = failure.error;
    for (let i = 0; i < 3; i++) expect(() => ep.conn.receive(ep.tap.recordFor(ContentType.application_data, utf8('more')))).toThrow(error);
    expect(() => ep.conn.write(utf8('data'))).toThrow(error);
    expect(() => ep.conn.keyUpdate()).toThrow(error);
    ep.conn.close();
    expect(ep.conn.takeOutgoing().length).toBe(0);
    expect(ep.conn.read().length).toBe(0);
    expect(ep.conn.error).toBe(error);
    expect(error).toBeInstanceOf(TlsError);
  });

  it('other connections, sharing the same configuration and ticketer, are unaffected', () => {
    const broken = tappedPair();
    const healthy = tappedPair();
    deliver(broken, 1);
    deliver(healthy, 1);
    const c = broken.client;
    expectFailure(c, () => c.conn.receive(rawRecord(ContentType.handshake, fromHex('0200000100'))));
    deliver(healthy);
    expect(healthy.client.conn.handshakeComplete).toBe(true);
    expect(healthy.server.conn.handshakeComplete).toBe(true);
    healthy.client.conn.takeOutgoing(); // the middle delivered the handshake itself
    healthy.client.conn.write(utf8('still fine'));
    healthy.server.conn.receive(healthy.client.conn.takeOutgoing());
    expect(new TextDecoder().decode(healthy.server.conn.read())).toBe('still fine');
    // The failed pair's server is merely left waiting.
    expect(broken.server.conn.error).toBeUndefined();
  });
});
