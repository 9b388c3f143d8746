/**
 * The refusals of RFC 8446, on the wire. Each case builds a bad flight with the engine's own
 * codec (a ClientHello taken apart and put together wrong, a second ClientHello that changes
 * what a retry may not, change_cipher_spec where it may not be, a key share that cannot be
 * right, …), sends it over TCP to a real `lucid-tls server`, and checks the exact alert that
 * comes back: `15 03 03 00 02 02 XX` in plaintext, or the same alert inside a protected record
 * (decrypted by a real client engine that followed the handshake). The cases a server must
 * accept (GREASE everywhere, hundreds of extensions, one change_cipher_spec right behind the
 * ClientHello) are checked to get a ServerHello.
 *
 * The same flights go to `openssl s_server`; where OpenSSL 3.0 answers differently, the table
 * of deliberate differences in FEATURES.md records it, and this test keeps that table true.
 */
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, ClientConnection, insecureSkipVerify, type TraceEvent } from '@lucid-tls/tls';
import {
  ContentType,
  RecordProtection,
  concat,
  decodeHandshakeMessage,
  encodeHandshakeMessage,
  fromHex,
  toHex,
  type ClientHello,
  type ClientHelloExtension,
} from '@lucid-tls/tls/learn';
import { makePki, type InteropPki } from './pki.js';
import { Processes, startLucidServer, startOpensslServer, type RunningServer } from './processes.js';

// ---- A client that can misbehave -----------------------------------------------------------

/** What came back: the alert (name, level, whether protected, the record's bytes), or a ServerHello or HelloRetryRequest. */
interface Outcome {
  alert?: { name: string; level: number; protected: boolean; record: string };
  serverHello?: boolean;
  helloRetryRequest?: boolean;
}

const record = (type: number, body: Uint8Array, version = 0x0303) => concat(Uint8Array.of(type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff), body);
const ccs = (value = 1) => record(ContentType.change_cipher_spec, Uint8Array.of(value));

/** The handshake messages of plaintext handshake records, in order (our client's flights are well formed). */
function messagesOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const length = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    if (bytes[o] === ContentType.handshake) out.push(bytes.subarray(o + 5, o + 5 + length));
    o += 5 + length;
  }
  return out;
}

/** A ClientHello changed by `change`, re-encoded by the engine's codec. */
function alteredHello(message: Uint8Array, change: (ch: ClientHello) => ClientHello): Uint8Array {
  const { message: ch } = decodeHandshakeMessage(message);
  if (ch.type !== 'client_hello') throw new Error('not a ClientHello');
  return encodeHandshakeMessage(change(ch)).bytes;
}

const withExtensions = (ch: ClientHello, f: (e: ClientHelloExtension[]) => ClientHelloExtension[]): ClientHello => ({ ...ch, extensions: f([...ch.extensions]) });
const replaceExtension = (ch: ClientHello, e: ClientHelloExtension) => withExtensions(ch, (list) => list.map((x) => (x.type === e.type ? e : x)));

/**
 * A real client engine on a TCP socket. Its bytes can be replaced or added to before they go
 * out; everything the server sends goes back into it, so protected alerts are decrypted by it
 * (its trace shows the alert record's real content).
 */
class Scripted {
  readonly events: TraceEvent[] = [];
  readonly conn: ClientConnection;
  private readonly socket: Socket;
  private readonly incoming: Uint8Array[] = [];
  private closed = false;

  constructor(port: number, config: Partial<ConstructorParameters<typeof ClientConnection>[0]> = {}) {
    this.conn = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: insecureSkipVerify, trace: (e) => this.events.push(e), ...config });
    this.socket = new Socket();
    this.socket.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => this.incoming.push(new Uint8Array(chunk)));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => (this.closed = true));
  }

  /** What the engine wants to send now. */
  take(): Uint8Array {
    return this.conn.takeOutgoing();
  }

  send(...parts: Uint8Array[]): void {
    this.socket.write(concat(...parts));
  }

  /** Feeds the server's bytes to the engine until `done`, the connection closes, or a deadline. */
  async until(done: () => boolean, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
      const chunk = this.incoming.shift();
      if (chunk) {
        try {
          this.conn.receive(chunk);
        } catch {
          // The server's alert (or our engine's refusal of what it cannot follow): the trace tells.
        }
        continue;
      }
      if (this.closed) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The first alert the server sent, as the engine's trace shows it; or whether a ServerHello came. */
  outcome(): Outcome {
    for (const e of this.events) {
      if (e.kind === 'record' && e.side === 'client' && e.direction === 'received' && e.innerType === 'alert') {
        const content = fromHex(e.contentHex);
        const name = Object.entries(AlertDescription).find(([, code]) => code === content[1])?.[0] ?? `unknown(${content[1]})`;
        return { alert: { name, level: content[0]!, protected: e.protected, record: e.hex } };
      }
    }
    const received = (type: string) => this.events.some((e) => e.kind === 'message' && e.side === 'client' && e.direction === 'received' && e.type === type);
    return { serverHello: received('ServerHello'), helloRetryRequest: received('HelloRetryRequest') };
  }

  /** The engine's current key for `name` (e.g. `client_handshake`), from its trace. */
  key(name: string): { key: Uint8Array; iv: Uint8Array } {
    const last = (part: string) => [...this.events].reverse().find((e): e is Extract<TraceEvent, { kind: 'secret' }> => e.kind === 'secret' && e.name === `${name}_${part}`);
    return { key: fromHex(last('key')!.hex), iv: fromHex(last('iv')!.hex) };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Whether the server has answered a ClientHello: an alert, a ServerHello or a HelloRetryRequest. */
const answered = (o: Outcome) => !!(o.alert || o.serverHello || o.helloRetryRequest);

/** A case: what to send, and what a strict server answers. */
interface Case {
  rule: string;
  /** The alert RFC 8446 prescribes, or `accepted` when the server must carry on (a ServerHello). */
  expected: keyof typeof AlertDescription | 'accepted';
  /** Server options needed (our --groups and OpenSSL's -groups). */
  retry?: boolean;
  run(client: Scripted): Promise<Outcome>;
}

/** Sends our ClientHello changed by `change`, and reads the answer. */
const badHello = (change: (ch: ClientHello) => ClientHello) => async (c: Scripted) => {
  const [hello] = messagesOf(c.take());
  c.send(record(ContentType.handshake, alteredHello(hello!, change)));
  await c.until(() => answered(c.outcome()));
  return c.outcome();
};

/** Sends the raw handshake message bytes `message` as one plaintext record. */
const rawHello = (build: (hello: Uint8Array) => Uint8Array) => async (c: Scripted) => {
  const [hello] = messagesOf(c.take());
  c.send(record(ContentType.handshake, build(hello!)));
  await c.until(() => answered(c.outcome()));
  return c.outcome();
};

/** Our ClientHello1 as is, then, after the server's HelloRetryRequest, our ClientHello2 changed by `change`. */
const badSecondHello = (change: (ch: ClientHello) => ClientHello) => async (c: Scripted) => {
  c.send(c.take());
  await c.until(() => c.conn.info.helloRetryRequest);
  const [hello2] = messagesOf(c.take());
  c.send(record(ContentType.handshake, alteredHello(hello2!, change)));
  await c.until(() => !!(c.outcome().alert || c.outcome().serverHello));
  return c.outcome();
};

/** Runs the handshake to the point `ready` says, then sends `extra()` and reads the answer. */
const after = (ready: (c: Scripted) => boolean, extra: (c: Scripted) => Uint8Array, withFlight = true) => async (c: Scripted) => {
  c.send(c.take());
  await c.until(() => ready(c));
  const flight = c.take();
  c.send(...(withFlight ? [flight] : []), extra(c));
  await c.until(() => c.outcome().alert !== undefined);
  return c.outcome();
};

/** The client's Finished with `verifyData`, sealed under its handshake key (its first record under it). */
function finishedRecord(c: Scripted, verifyData: Uint8Array): Uint8Array {
  const { key, iv } = c.key('client_handshake');
  const finished = encodeHandshakeMessage({ type: 'finished', verifyData }).bytes;
  return new RecordProtection(c.conn.info.cipherSuite!.aead, key, iv).seal(ContentType.handshake, finished);
}

/** The `n`-th GREASE value: 0x0A0A, 0x1A1A, …, 0xFAFA (RFC 8701 §2). */
const grease = (n: number) => (((n << 4) | 0x0a) << 8) | ((n << 4) | 0x0a);
const serverFlightIn = (c: Scripted) => c.conn.stateName !== 'ExpectServerHello';
const connected = (c: Scripted) => c.conn.handshakeComplete;

const CASES: Case[] = [
  // §D.5 and §4.2.1: the version.
  { rule: 'legacy_version 0x0300 (SSL 3.0) in a ClientHello', expected: 'protocol_version', run: badHello((ch) => ({ ...ch, legacyVersion: 0x0300 })) },
  { rule: 'legacy_version 0x0301 with supported_versions offering TLS 1.3', expected: 'accepted', run: badHello((ch) => ({ ...ch, legacyVersion: 0x0301 })) },
  // §4.1.2: what a second ClientHello may change.
  { rule: 'ClientHello2 with another random', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => ({ ...ch, random: new Uint8Array(32).fill(7) })) },
  { rule: 'ClientHello2 with another cipher suite list', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => ({ ...ch, cipherSuites: [...ch.cipherSuites].reverse() })) },
  { rule: 'ClientHello2 with another legacy_session_id', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => ({ ...ch, legacySessionId: new Uint8Array(32).fill(1) })) },
  { rule: 'ClientHello2 with its extensions in another order', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => withExtensions(ch, (e) => [e[1]!, e[0]!, ...e.slice(2)])) },
  { rule: 'ClientHello2 with an extension added', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => withExtensions(ch, (e) => [{ type: 'unknown', code: 0x7777, data: Uint8Array.of(1) }, ...e])) },
  { rule: 'ClientHello2 with another supported_groups', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => replaceExtension(ch, { type: 'supported_groups', groups: [0x0017] })) },
  { rule: 'ClientHello2 with early_data', expected: 'illegal_parameter', retry: true, run: badSecondHello((ch) => withExtensions(ch, (e) => [...e, { type: 'early_data' }])) },
  // §5: change_cipher_spec.
  { rule: 'one change_cipher_spec in the same segment as the ClientHello', expected: 'accepted', run: async (c) => (c.send(c.take(), ccs()), await c.until(() => answered(c.outcome())), c.outcome()) },
  { rule: 'a second change_cipher_spec before the client Finished', expected: 'unexpected_message', run: after(serverFlightIn, () => concat(ccs(), ccs()), false) },
  { rule: 'change_cipher_spec of value 0x02', expected: 'unexpected_message', run: after(serverFlightIn, () => ccs(2), false) },
  { rule: 'change_cipher_spec after the handshake', expected: 'unexpected_message', run: after(connected, () => ccs()) },
  {
    rule: 'a protected change_cipher_spec',
    expected: 'unexpected_message',
    run: after(connected, (c) => {
      const { key, iv } = c.key('client_application');
      return new RecordProtection(c.conn.info.cipherSuite!.aead, key, iv).seal(ContentType.change_cipher_spec, Uint8Array.of(1));
    }),
  },
  // §6.2: a message whose length does not fit its syntax.
  { rule: 'a client Finished longer than the hash', expected: 'decode_error', run: after(serverFlightIn, (c) => finishedRecord(c, new Uint8Array(33)), false) },
  { rule: 'a ClientHello with a byte after its extensions', expected: 'decode_error', run: rawHello((h) => withLength(concat(h, Uint8Array.of(0)))) },
  { rule: 'a ClientHello whose extensions block claims more bytes than it has', expected: 'decode_error', run: rawHello((h) => bumpExtensionsLength(h)) },
  { rule: 'a handshake message over the 128 KiB limit', expected: 'decode_error', run: async (c) => (c.take(), c.send(record(ContentType.handshake, Uint8Array.of(1, 0x02, 0x00, 0x01))), await c.until(() => !!c.outcome().alert), c.outcome()) },
  // §4.2.8: key shares.
  { rule: 'an empty x25519 key_exchange', expected: 'illegal_parameter', run: badHello((ch) => replaceExtension(ch, { type: 'key_share', clientShares: [{ group: 0x001d, keyExchange: new Uint8Array(0) }] })) },
  { rule: 'an x25519 key_exchange of 31 bytes', expected: 'illegal_parameter', run: badHello((ch) => replaceExtension(ch, { type: 'key_share', clientShares: [{ group: 0x001d, keyExchange: new Uint8Array(31).fill(9) }] })) },
  { rule: 'a secp256r1 key_exchange of 64 bytes', expected: 'illegal_parameter', run: badHello((ch) => replaceExtension(ch, { type: 'key_share', clientShares: [{ group: 0x0017, keyExchange: new Uint8Array(64).fill(4) }] })) },
  { rule: 'a key share for a group not in supported_groups', expected: 'illegal_parameter', run: badHello((ch) => replaceExtension(replaceExtension(ch, { type: 'supported_groups', groups: [0x001d] }), { type: 'key_share', clientShares: [{ group: 0x0017, keyExchange: p256Point() }] })) },
  ...[0x0013, 0x001a, 0xff01].map(
    (group): Case => ({
      rule: `a key share for 0x${group.toString(16).padStart(4, '0')}, which TLS 1.3 does not define`,
      expected: 'illegal_parameter',
      run: badHello((ch) => replaceExtension(replaceExtension(ch, { type: 'supported_groups', groups: [group, 0x001d] }), { type: 'key_share', clientShares: [{ group, keyExchange: new Uint8Array(49).fill(4) }] })),
    }),
  ),
  // RFC 8701 and §4.2: unknown values are ignored.
  {
    rule: 'GREASE in every list (cipher suites, groups with a key share, versions, signature schemes, extensions)',
    expected: 'accepted',
    run: badHello((ch) =>
      withExtensions({ ...ch, cipherSuites: [grease(1), ...ch.cipherSuites] }, (list) => [
        { type: 'unknown', code: grease(2), data: new Uint8Array(0) },
        ...list.map((e): ClientHelloExtension => {
          if (e.type === 'supported_groups') return { ...e, groups: [grease(3), ...e.groups] };
          if (e.type === 'key_share') return { ...e, clientShares: [{ group: grease(3), keyExchange: Uint8Array.of(0) }, ...e.clientShares] };
          if (e.type === 'supported_versions') return { ...e, versions: [grease(4), ...e.versions] };
          if (e.type === 'signature_algorithms') return { ...e, schemes: [grease(5), ...e.schemes] };
          return e;
        }),
        { type: 'unknown', code: grease(6), data: Uint8Array.of(0) },
      ]),
    ),
  },
  {
    rule: 'a ClientHello with 300 extensions',
    expected: 'accepted',
    run: badHello((ch) => withExtensions(ch, (list) => [...Array.from({ length: 300 }, (_, i): ClientHelloExtension => ({ type: 'unknown', code: 0x4000 + i, data: Uint8Array.of(i & 0xff) })), ...list])),
  },
];

/** A valid P-256 point (the generator), so that only the group's listing is wrong. */
function p256Point(): Uint8Array {
  return fromHex('046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5');
}

/** `message` with its 3-byte length fixed to its body. */
function withLength(message: Uint8Array): Uint8Array {
  const out = message.slice();
  const length = out.length - 4;
  out.set([length >> 16, (length >> 8) & 0xff, length & 0xff], 1);
  return out;
}

/** A ClientHello whose extensions length says one byte more than there is (the message length stays true). */
function bumpExtensionsLength(hello: Uint8Array): Uint8Array {
  const out = hello.slice();
  // header 4, version 2, random 32, session id 1+n, suites 2+n, compression 1+n, then extensions' length.
  let o = 4 + 2 + 32;
  o += 1 + out[o]!;
  o += 2 + ((out[o]! << 8) | out[o + 1]!);
  o += 1 + out[o]!;
  const length = ((out[o]! << 8) | out[o + 1]!) + 1;
  out.set([length >> 8, length & 0xff], o);
  return out;
}

// ---- The servers ---------------------------------------------------------------------------

let pki: InteropPki;
const processes = new Processes();
const servers: Record<'lucid' | 'openssl', { plain: RunningServer; retry: RunningServer }> = {} as never;

beforeAll(async () => {
  pki = makePki();
  const { chain, key } = pki.servers.ecdsa;
  servers.lucid = {
    plain: await startLucidServer(processes, ['--cert', chain, '--key', key, '--www']),
    // Only secp256r1: a client that sends an x25519 share gets a HelloRetryRequest.
    retry: await startLucidServer(processes, ['--cert', chain, '--key', key, '--www', '--groups', 'secp256r1']),
  };
  const openssl = (extra: string[]) => startOpensslServer(processes, ['-cert', chain, '-key', key, '-www', '-tls1_3', ...extra]);
  servers.openssl = { plain: await openssl([]), retry: await openssl(['-groups', 'P-256']) };
}, 60_000);
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** Runs a case against a server, with a client that offers x25519 and secp256r1 but sends an x25519 share. */
async function outcomeOf(test: Case, server: 'lucid' | 'openssl'): Promise<Outcome> {
  const { port } = test.retry ? servers[server].retry : servers[server].plain;
  const client = new Scripted(port, { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] });
  try {
    return await test.run(client);
  } finally {
    client.close();
  }
}

/** `15 03 03 00 02 02 XX`: a fatal alert in a plaintext record. */
const plaintextAlert = (name: keyof typeof AlertDescription) => toHex(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, AlertDescription[name]));

describe('a lucid-tls server refuses each bad flight with the alert RFC 8446 prescribes', () => {
  for (const test of CASES) {
    it(`${test.rule} → ${test.expected}`, async () => {
      const outcome = await outcomeOf(test, 'lucid');
      if (test.expected === 'accepted') {
        expect(outcome.alert, JSON.stringify(outcome.alert)).toBeUndefined();
        expect(outcome.serverHello).toBe(true);
        return;
      }
      expect(outcome.alert?.name).toBe(test.expected);
      expect(outcome.alert?.level).toBe(2);
      // Before the server's first flight the alert is in plaintext, byte for byte; afterwards it is protected.
      if (!outcome.alert!.protected) expect(outcome.alert!.record).toBe(plaintextAlert(test.expected));
      else expect(outcome.alert!.record.slice(0, 6)).toBe('170303');
    });
  }
});

/**
 * Where OpenSSL 3.0's s_server answers otherwise, as FEATURES.md documents it. Cases not
 * listed are answered by OpenSSL exactly as by us.
 */
const OPENSSL_DIFFERS: Record<string, string> = {
  'legacy_version 0x0300 (SSL 3.0) in a ClientHello': 'handshake_failure',
  'ClientHello2 with another random': 'carries on',
  'ClientHello2 with another legacy_session_id': 'carries on',
  'ClientHello2 with its extensions in another order': 'carries on',
  'ClientHello2 with an extension added': 'carries on',
  'ClientHello2 with another supported_groups': 'carries on',
  'a second change_cipher_spec before the client Finished': 'carries on',
  'change_cipher_spec of value 0x02': 'illegal_parameter',
  'a handshake message over the 128 KiB limit': 'no answer',
  'an empty x25519 key_exchange': 'decode_error',
  'a key share for 0x0013, which TLS 1.3 does not define': 'HelloRetryRequest',
  'a key share for 0x001a, which TLS 1.3 does not define': 'HelloRetryRequest',
  'a key share for 0xff01, which TLS 1.3 does not define': 'HelloRetryRequest',
};

describe('openssl s_server, given the same flights (differences documented, not failures)', () => {
  it('answers as FEATURES.md says', async () => {
    const seen: Record<string, string> = {};
    for (const test of CASES) {
      const outcome = await outcomeOf(test, 'openssl');
      const answer = outcome.alert ? outcome.alert.name : outcome.serverHello ? 'carries on' : outcome.helloRetryRequest ? 'HelloRetryRequest' : 'no answer';
      if (answer !== (test.expected === 'accepted' ? 'carries on' : test.expected)) seen[test.rule] = answer;
    }
    expect(seen).toEqual(OPENSSL_DIFFERS);
  }, 120_000);
});
