/**
 * Robustness of TLS 1.2 connections against arbitrary input, in every state of both sides
 * (RFC 5246 §7.2: every violation ends the connection with a fatal alert), as the TLS 1.3
 * states are tested in test/connection/fuzz.property.test.ts.
 *
 * Three handshakes are recorded with deterministic randomness (full with a ticket and data
 * both ways, client authentication, resumption). A fresh client or server is replayed up to
 * its peer's k-th flight, then fed that flight mutated: records' contents with bits flipped,
 * truncated, replaced, duplicated, dropped, swapped or foreign ones inserted — protected
 * ones sealed again under the right keys and sequence numbers, so they reach the decoders
 * and states — then damaged on the wire and cut into random pieces. Whatever happens,
 * nothing but a TlsError leaves `receive()`, never internal_error, and the alert it names is
 * the last record queued for the peer. Undamaged flights cut anywhere are accepted.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import type { Connection } from '../../src/connection/connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import type { Session } from '../../src/handshake/session.js';
import { tls12CipherSuites } from '../../src/handshake/tls12/cipher-suites.js';
import { ContentType } from '../../src/record/content-type.js';
import { Tls12RecordProtection } from '../../src/record/tls12-record-protection.js';
import type { RecordEvent, SecretEvent, Side, TraceEvent } from '../../src/trace/events.js';
import { concat, fromHex } from '../../src/wire/bytes.js';
import { utf8 } from '../connection/harness/pair.js';
import { pinned, testCert } from '../connection/harness/pki.js';

const SEED = 0x1212;
const T0 = Date.UTC(2025, 5, 1);
const SCENARIOS = ['full', 'clientAuth', 'resumed'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Randomness that is the same on every run: a replayed connection sends the same bytes. */
function seeded(name: string): CryptoProvider {
  let counter = 0;
  return {
    ...nobleProvider,
    randomBytes: (n) => {
      const out = new Uint8Array(n);
      for (let o = 0; o < n; o += 32) out.set(createHash('sha256').update(`${name}/${counter++}`).digest().subarray(0, n - o), o);
      return out;
    },
  };
}

let session: Session;

function build(scenario: Scenario, trace: (e: TraceEvent) => void): { client: ClientConnection; server: ServerConnection } {
  const serverCert = testCert(scenario === 'clientAuth' ? 'rsa' : 'p256');
  const clientCert = testCert('p256', 'client.example');
  const ticketer = new RotatingTicketer(seeded('ticketer'), { now: () => T0 });
  const common = { now: () => T0, trace };
  return {
    client: new ClientConnection({
      ...common,
      provider: seeded('client'),
      serverName: 'localhost',
      maxVersion: 'TLSv1.2',
      verifyServerCertificate: pinned(serverCert.der),
      ...(scenario === 'clientAuth' ? { certificate: clientCert } : {}),
      ...(scenario === 'resumed' ? { session } : {}),
    }),
    server: new ServerConnection({
      ...common,
      provider: seeded('server'),
      certificate: serverCert,
      tickets: { ticketer },
      ...(scenario === 'clientAuth' ? { clientAuth: 'required' as const, verifyClientCertificate: pinned(clientCert.der) } : {}),
    }),
  };
}

/** One record of a flight: its real type and plaintext, and whether it went protected. */
interface Piece {
  contentType: number;
  content: Uint8Array;
  protected: boolean;
}

interface Flight {
  from: Side;
  bytes: Uint8Array;
  pieces: Piece[];
  /** The sequence number of its first protected record. */
  firstSeq: number;
}

interface Recording {
  flights: Flight[];
  keys: Record<Side, { key: Uint8Array; iv: Uint8Array } | undefined>;
  suite: string;
}

const recordings = new Map<Scenario, Recording>();
let pool: Uint8Array[];

/** Runs a scenario to the end (with data both ways), flight by flight, reading each flight's records from the trace. */
function recordScenario(scenario: Scenario): Recording {
  const events: TraceEvent[] = [];
  const { client, server } = build(scenario, (e) => events.push(e));
  const flights: Flight[] = [];
  const cursor: Record<Side, number> = { client: 0, server: 0 };
  const take = (from: Side, conn: Connection): Uint8Array => {
    const bytes = conn.takeOutgoing();
    const sent = events.filter((e): e is RecordEvent => e.kind === 'record' && e.side === from && e.direction === 'sent');
    const mine = sent.slice(cursor[from]);
    cursor[from] = sent.length;
    if (bytes.length) {
      const pieces = mine.map((e) => ({ contentType: ContentType[e.innerType as keyof typeof ContentType] as number, content: fromHex(e.contentHex), protected: e.protected }));
      flights.push({ from, bytes, pieces, firstSeq: mine.find((e) => e.protected)?.sequenceNumber ?? 0 });
    }
    return bytes;
  };
  let dataSent = false;
  for (let round = 0; round < 20; round++) {
    const c = take('client', client);
    if (c.length) server.receive(c);
    const s = take('server', server);
    if (s.length) client.receive(s);
    if (!c.length && !s.length) {
      if (dataSent) break;
      dataSent = true;
      client.write(utf8('ping'));
      server.write(utf8('pong'));
    }
  }
  if (!client.handshakeComplete || !server.handshakeComplete) throw new Error(`${scenario} did not complete`);
  const secret = (side: Side, name: string) => events.find((e): e is SecretEvent => e.kind === 'secret' && e.side === side && e.name === name);
  const keysOf = (side: Side) => {
    const key = secret(side, `${side}_write_key`);
    return key ? { key: fromHex(key.hex), iv: fromHex(secret(side, `${side}_write_IV`)!.hex) } : undefined;
  };
  if (scenario === 'full') session = client.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
  return { flights, keys: { client: keysOf('client'), server: keysOf('server') }, suite: client.info.cipherSuite!.name };
}

beforeAll(() => {
  for (const scenario of SCENARIOS) recordings.set(scenario, recordScenario(scenario));
  pool = [...recordings.values()].flatMap((r) => r.flights.flatMap((f) => f.pieces.map((p) => p.content)));
});

/** A fresh `side` of `scenario`, having received its peer's first `k` flights. */
function replayTo(scenario: Scenario, side: Side, k: number): Connection {
  const { client, server } = build(scenario, () => {});
  const conn = side === 'client' ? client : server;
  const peerFlights = recordings.get(scenario)!.flights.filter((f) => f.from !== side);
  for (const flight of peerFlights.slice(0, k)) {
    conn.receive(flight.bytes);
    conn.takeOutgoing();
  }
  // The client sends its data once it has read the server's last handshake flight, as in the recording.
  if (side === 'client' && conn.handshakeComplete) conn.write(utf8('ping'));
  if (side === 'server' && conn.handshakeComplete) conn.write(utf8('pong'));
  conn.takeOutgoing();
  return conn;
}

/** The pieces sealed again: plaintext ones as records, protected ones under the writer's keys from `firstSeq` on. */
function reseal(recording: Recording, flight: Flight, pieces: Piece[]): Uint8Array {
  const keys = recording.keys[flight.from];
  const suite = tls12CipherSuites(nobleProvider).find((s) => s.name === recording.suite)!;
  const protection = keys && new Tls12RecordProtection(suite.aead, keys.key, keys.iv);
  for (let i = 0; protection && i < flight.firstSeq; i++) protection.seal(ContentType.application_data, new Uint8Array(0));
  return concat(
    ...pieces.map((p) => {
      if (p.protected && protection) return protection.seal(p.contentType, p.content.subarray(0, 2 ** 14));
      const body = p.content.subarray(0, 0xffff);
      return concat(Uint8Array.of(p.contentType, 3, 3, body.length >> 8, body.length & 0xff), body);
    }),
  );
}

type PieceOp =
  | { op: 'flip'; at: number; byte: number; bit: number }
  | { op: 'truncate'; at: number; keep: number }
  | { op: 'replace'; at: number; bytes: Uint8Array }
  | { op: 'duplicate' | 'drop' | 'swap'; at: number }
  | { op: 'insert'; at: number; from: number };

type WireOp = { op: 'flip'; at: number; bit: number } | { op: 'truncate'; at: number } | { op: 'splice'; at: number; bytes: Uint8Array };

const index = fc.nat({ max: 1 << 20 });
const pieceOp: fc.Arbitrary<PieceOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: index, byte: index, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: index, keep: index }),
  fc.record({ op: fc.constant('replace' as const), at: index, bytes: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ op: fc.constantFrom('duplicate' as const, 'drop' as const, 'swap' as const), at: index }),
  fc.record({ op: fc.constant('insert' as const), at: index, from: index }),
);
const wireOp: fc.Arbitrary<WireOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: index, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: index }),
  fc.record({ op: fc.constant('splice' as const), at: index, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
);

function mutatePieces(pieces: Piece[], ops: PieceOp[]): Piece[] {
  const out = pieces.map((p) => ({ ...p }));
  for (const m of ops) {
    if (!out.length && m.op !== 'insert') continue;
    const at = out.length ? m.at % out.length : 0;
    const piece = out[at]!;
    if (m.op === 'flip' && piece.content.length) {
      piece.content = piece.content.slice();
      piece.content[m.byte % piece.content.length]! ^= 1 << m.bit;
    } else if (m.op === 'truncate') piece.content = piece.content.subarray(0, m.keep % (piece.content.length + 1));
    else if (m.op === 'replace') piece.content = piece.contentType === ContentType.handshake ? concat(piece.content.subarray(0, 1), m.bytes) : m.bytes;
    else if (m.op === 'duplicate') out.splice(at, 0, { ...piece });
    else if (m.op === 'drop') out.splice(at, 1);
    else if (m.op === 'swap' && at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1]!, piece];
    else if (m.op === 'insert') out.splice(at, 0, { contentType: ContentType.handshake, content: pool[m.from % pool.length]!, protected: out[at]?.protected ?? false });
  }
  return out;
}

function damage(bytes: Uint8Array, ops: WireOp[]): Uint8Array {
  let out: Uint8Array = bytes.slice();
  for (const m of ops) {
    if (!out.length) break;
    const at = m.at % out.length;
    if (m.op === 'flip') out[at]! ^= 1 << m.bit;
    else if (m.op === 'truncate') out = out.subarray(0, at);
    else out = concat(out.subarray(0, at), m.bytes, out.subarray(at));
  }
  return out;
}

/** The alerts the mutated flights led to: evidence that they reach the decoders and the states, not only the record layer. */
const seen = new Map<string, number>();

/** Feeds `bytes` in pieces; the only way out is a TlsError (not internal_error) whose alert is the last record queued. */
function feed(conn: Connection, bytes: Uint8Array, cuts: number[]): void {
  const bounds = [...new Set([0, ...cuts.map((c) => (bytes.length ? c % bytes.length : 0)), bytes.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    try {
      conn.receive(bytes.subarray(bounds[i]!, bounds[i + 1]!));
    } catch (e) {
      if (!(e instanceof TlsError)) throw new Error(`a ${e instanceof Error ? e.name : typeof e} escaped receive(): ${String(e)}`);
      if (e.alert === 'internal_error') throw new Error(`internal_error (a bug wrapped as an alert): ${e.reason}`);
      if (conn.error !== e) throw new Error('conn.error is not the error thrown');
      seen.set(e.alert, (seen.get(e.alert) ?? 0) + 1);
      const out = conn.takeOutgoing();
      if (e.sent) {
        // The last record: an alert (TLS 1.2 names the type in the header even when protected), and in plaintext the right one.
        let o = 0;
        while (o + 5 + ((out[o + 3]! << 8) | out[o + 4]!) < out.length) o += 5 + ((out[o + 3]! << 8) | out[o + 4]!);
        if (out[o] !== ContentType.alert) throw new Error(`the last record sent is of type ${out[o]}, not an alert`);
        const length = (out[o + 3]! << 8) | out[o + 4]!;
        if (length === 2 && out[o + 6] !== AlertDescription[e.alert]) throw new Error(`the error names ${e.alert}, the record carries ${out[o + 6]}`);
      }
      return;
    }
  }
}

describe('TLS 1.2 states against arbitrary input (fast-check)', () => {
  it('every recorded flight, cut into records and pieces anywhere, is accepted', () => {
    for (const scenario of SCENARIOS) {
      for (const side of ['client', 'server'] as const) {
        const flights = recordings.get(scenario)!.flights.filter((f) => f.from !== side);
        const conn = replayTo(scenario, side, 0);
        for (const flight of flights) {
          for (let o = 0; o < flight.bytes.length; o += 7) conn.receive(flight.bytes.subarray(o, o + 7));
        }
        expect(conn.handshakeComplete, `${scenario} ${side}`).toBe(true);
        expect(conn.error).toBeUndefined();
      }
    }
  });

  it('mutated flights: only TlsError, never internal_error, and the alert is what was sent', () => {
    const targets = SCENARIOS.flatMap((scenario) =>
      (['client', 'server'] as const).flatMap((side) => recordings.get(scenario)!.flights.filter((f) => f.from !== side).map((_, k) => ({ scenario, side, k }))),
    );
    fc.assert(
      fc.property(fc.nat({ max: targets.length - 1 }), fc.array(pieceOp, { minLength: 1, maxLength: 4 }), fc.array(wireOp, { maxLength: 2 }), fc.array(index, { maxLength: 6 }), (t, pieceOps, wireOps, cuts) => {
        const { scenario, side, k } = targets[t]!;
        const recording = recordings.get(scenario)!;
        const flight = recording.flights.filter((f) => f.from !== side)[k]!;
        const conn = replayTo(scenario, side, k);
        feed(conn, damage(reseal(recording, flight, mutatePieces(flight.pieces, pieceOps)), wireOps), cuts);
      }),
      { seed: SEED, numRuns: 400 },
    );
    // Mutations under the right keys reach the message decoders and the states' checks.
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['decode_error', 'unexpected_message', 'bad_record_mac', 'decrypt_error', 'bad_certificate']));
  });

  it('random bytes in every state: only TlsError', () => {
    const targets = SCENARIOS.flatMap((scenario) => (['client', 'server'] as const).flatMap((side) => recordings.get(scenario)!.flights.filter((f) => f.from !== side).map((_, k) => ({ scenario, side, k }))));
    fc.assert(
      fc.property(fc.nat({ max: targets.length - 1 }), fc.uint8Array({ maxLength: 600 }), fc.array(index, { maxLength: 4 }), (t, bytes, cuts) => {
        const { scenario, side, k } = targets[t]!;
        feed(replayTo(scenario, side, k), bytes, cuts);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
