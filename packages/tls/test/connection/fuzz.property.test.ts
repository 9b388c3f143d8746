/**
 * Robustness of a connection against arbitrary input, in every handshake state of both
 * sides (RFC 8446 §6: every violation ends the connection with an alert).
 *
 * A fresh client or server is replayed to step k of a recorded handshake (1-RTT, client
 * authentication, HelloRetryRequest, resumption, 0-RTT), then fed random bytes or a
 * mutated version of what its peer really sends next: messages with bits flipped,
 * truncated, duplicated, dropped, swapped, replaced or foreign ones spliced in, all
 * protected with the right keys so they reach the decoders and state machine; then
 * cut into records at random points and damaged on the wire (bit flips, truncation,
 * duplicated records, spliced and deleted bytes) and handed to `receive()` in random
 * pieces. Whatever happens:
 *
 * - nothing but a TlsError leaves `receive()`, and never internal_error (which would
 *   mean an exception from a bug, wrapped);
 * - the alert it names is the record queued for the peer;
 * - each call returns promptly;
 * - the connection holds at most one incomplete record (≤ 5 + 2^14 + 256 bytes) and one
 *   incomplete handshake message (≤ 4 + MAX_HANDSHAKE_MESSAGE_LENGTH bytes).
 *
 * The same recorded flights, cut into records at random points but not damaged, must
 * still be accepted (§5.1: handshake messages may be fragmented and coalesced freely).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/handshake/deframer.js';
import type { Connection } from '../../src/connection/connection.js';
import { ContentType } from '../../src/record/content-type.js';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../../src/record/limits.js';
import type { Side } from '../../src/trace/events.js';
import { concat } from '../../src/wire/bytes.js';
import { frame, rawRecord, seal, splitRecords, type Endpoint, type Piece } from './harness/tap.js';
import { nextFlight, replay, SCENARIOS, script, scriptStates, testSessions, type Scenario } from './harness/scripts.js';

const SEED = 0x7153; // fixed: a failure here is reproducible
/** No single receive() may take longer than this (generous: CI machines are slow, a hang is forever). */
const PROMPT_MS = 2000;
/** The most a connection may hold of unprocessed input: one incomplete record and one incomplete message. */
const MAX_RECORD_BUFFER = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;
const MAX_MESSAGE_BUFFER = 4 + MAX_HANDSHAKE_MESSAGE_LENGTH;

interface Target {
  scenario: Scenario;
  side: Side;
  k: number;
}

let targets: Target[];
/** Every message and application data piece of every recorded handshake, to splice in where it does not belong. */
let pool: Uint8Array[];

beforeAll(() => {
  testSessions();
  targets = SCENARIOS.flatMap((scenario) =>
    (['client', 'server'] as const).flatMap((side) => scriptStates(scenario).map((_, k) => ({ scenario, side, k }))),
  );
  pool = SCENARIOS.flatMap((scenario) => script(scenario).map((s) => s.content));
});

/** Bytes the connection holds without having processed them (read through its private fields: a test-only look). */
function buffered(conn: Connection): { records: number; message: number } {
  return { records: conn.buffered.records, message: conn.buffered.handshake };
}

/** What feeding produced: the error that ended the connection, if any. */
interface Outcome {
  error?: TlsError;
}

/**
 * Feeds `bytes` to `ep` in pieces cut at `cuts`, checking the invariants after every
 * call; stops at the first error, which must be a TlsError other than internal_error
 * whose alert is the record now queued.
 */
function feed(ep: Endpoint, bytes: Uint8Array, cuts: number[]): Outcome {
  const bounds = [...new Set([0, ...cuts.map((c) => (bytes.length ? c % bytes.length : 0)), bytes.length])].sort((a, b) => a - b);
  ep.conn.takeOutgoing();
  for (let i = 0; i + 1 < bounds.length; i++) {
    const started = performance.now();
    try {
      ep.conn.receive(bytes.subarray(bounds[i]!, bounds[i + 1]!));
    } catch (e) {
      if (!(e instanceof TlsError)) throw new Error(`a ${e instanceof Error ? e.name : typeof e} escaped receive(): ${String(e)}`);
      if (e.alert === 'internal_error') throw new Error(`internal_error (a bug wrapped as an alert): ${e.reason}`);
      const out = ep.conn.takeOutgoing();
      if (e.sent) {
        const sent = ep.tap.alertIn(out);
        if (sent.alert !== e.alert) throw new Error(`the error names ${e.alert}, the record sent carries ${sent.alert}`);
      }
      if (ep.conn.error !== e) throw new Error('conn.error is not the error thrown');
      return { error: e };
    } finally {
      const took = performance.now() - started;
      if (took > PROMPT_MS) throw new Error(`receive() took ${took.toFixed(0)} ms`);
    }
    const held = buffered(ep.conn);
    if (held.records >= MAX_RECORD_BUFFER && !ep.conn.receivedCloseNotify) throw new Error(`${held.records} bytes of records held back`);
    if (held.message > MAX_MESSAGE_BUFFER) throw new Error(`${held.message} bytes of a handshake message held`);
  }
  return {};
}

// ---- Mutations ---------------------------------------------------------------------------

type PieceOp =
  | { op: 'flip'; at: number; byte: number; bit: number }
  | { op: 'truncate'; at: number; keep: number; fixLength: boolean }
  | { op: 'duplicate'; at: number }
  | { op: 'drop'; at: number }
  | { op: 'swap'; at: number }
  | { op: 'insert'; at: number; from: number }
  | { op: 'body'; at: number; bytes: Uint8Array };

type WireOp =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicateRecord'; at: number }
  | { op: 'splice'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number };

const index = fc.nat({ max: 1 << 20 });
const pieceOp: fc.Arbitrary<PieceOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: index, byte: index, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: index, keep: index, fixLength: fc.boolean() }),
  fc.record({ op: fc.constant('duplicate' as const), at: index }),
  fc.record({ op: fc.constant('drop' as const), at: index }),
  fc.record({ op: fc.constant('swap' as const), at: index }),
  fc.record({ op: fc.constant('insert' as const), at: index, from: index }),
  fc.record({ op: fc.constant('body' as const), at: index, bytes: fc.uint8Array({ maxLength: 300 }) }),
);
const wireOp: fc.Arbitrary<WireOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: index, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: index }),
  fc.record({ op: fc.constant('duplicateRecord' as const), at: index }),
  fc.record({ op: fc.constant('splice' as const), at: index, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ op: fc.constant('delete' as const), at: index, length: fc.integer({ min: 1, max: 64 }) }),
);

/** Sets a handshake message's 3-byte length to what its body really is. */
function fixLength(message: Uint8Array): Uint8Array {
  if (message.length < 4) return message;
  const out = message.slice();
  const length = out.length - 4;
  out[1] = length >> 16;
  out[2] = (length >> 8) & 0xff;
  out[3] = length & 0xff;
  return out;
}

/** Applies message-level mutations; each piece keeps the key of its place in the flight. */
function mutatePieces(pieces: Piece[], ops: PieceOp[], fallbackKeys: Piece['keys']): Piece[] {
  const out = pieces.map((p) => ({ ...p }));
  for (const m of ops) {
    if (out.length === 0 && m.op !== 'insert') continue;
    const at = out.length ? m.at % out.length : 0;
    const piece = out[at]!;
    switch (m.op) {
      case 'flip':
        if (piece.content.length) {
          piece.content = piece.content.slice();
          piece.content[m.byte % piece.content.length]! ^= 1 << m.bit;
        }
        break;
      case 'truncate': {
        const cut = piece.content.subarray(0, m.keep % (piece.content.length + 1));
        piece.content = m.fixLength ? fixLength(cut) : cut;
        break;
      }
      case 'duplicate':
        out.splice(at, 0, { ...piece });
        break;
      case 'drop':
        out.splice(at, 1);
        break;
      case 'swap':
        if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1]!, piece];
        break;
      case 'insert': {
        const keys = out[at]?.keys ?? fallbackKeys;
        out.splice(at, 0, { contentType: ContentType.handshake, content: pool[m.from % pool.length]!, keys, order: 0 });
        break;
      }
      case 'body':
        // Keep the message type, replace the body with random bytes of a correct length.
        if (piece.contentType === ContentType.handshake && piece.content.length) piece.content = fixLength(concat(piece.content.subarray(0, 4), m.bytes));
        break;
    }
  }
  return out;
}

/** Applies wire-level damage to the byte stream. */
function mutateWire(bytes: Uint8Array, ops: WireOp[]): Uint8Array {
  let out = bytes;
  for (const m of ops) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    switch (m.op) {
      case 'flip':
        out = out.slice();
        out[at]! ^= 1 << m.bit;
        break;
      case 'truncate':
        out = out.subarray(0, at);
        break;
      case 'duplicateRecord': {
        const records = splitRecords(out);
        const i = m.at % records.length;
        out = concat(...records.slice(0, i + 1), records[i]!, ...records.slice(i + 1));
        break;
      }
      case 'splice':
        out = concat(out.subarray(0, at), m.bytes, out.subarray(at));
        break;
      case 'delete':
        out = concat(out.subarray(0, at), out.subarray(at + m.length));
        break;
    }
  }
  return out;
}

// ---- Properties --------------------------------------------------------------------------------

const target = (): fc.Arbitrary<Target> => fc.constantFrom(...targets);
const cuts = fc.array(index, { maxLength: 6 });

describe('a connection fed hostile input in any state', () => {
  it('random bytes: raw, as plaintext records, or as properly protected records of random content', () => {
    const input = fc.oneof(
      fc.record({ kind: fc.constant('raw' as const), bytes: fc.uint8Array({ maxLength: 2048 }) }),
      fc.record({ kind: fc.constant('plaintext' as const), type: fc.constantFrom(20, 21, 22, 23, 24), bytes: fc.uint8Array({ maxLength: 600 }) }),
      // A handshake message header of a real type and a right length, then random bytes: reaches every decoder.
      fc.record({ kind: fc.constant('message' as const), type: fc.constantFrom(1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254), bytes: fc.uint8Array({ maxLength: 600 }) }),
      fc.record({ kind: fc.constant('protected' as const), type: fc.constantFrom(0, 20, 21, 22, 23, 24, 99), bytes: fc.uint8Array({ maxLength: 600 }) }),
    );
    fc.assert(
      fc.property(target(), input, cuts, (t, x, at) => {
        const { ep } = replay(t.scenario, t.side, t.k);
        let bytes: Uint8Array;
        if (x.kind === 'raw') bytes = x.bytes;
        else if (x.kind === 'plaintext') bytes = rawRecord(x.type, x.bytes);
        else {
          const content = x.kind === 'message' ? fixLength(concat(Uint8Array.of(x.type, 0, 0, 0), x.bytes)) : x.bytes;
          const type = x.kind === 'message' ? ContentType.handshake : x.type;
          bytes = ep.tap.read ? seal(ep.tap.read, type, content) : rawRecord(type, content);
        }
        feed(ep, bytes, at);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('mutated versions of the flight the peer really sends next', () => {
    fc.assert(
      fc.property(
        // States where the peer has something left to send (the others get random bytes above).
        fc.constantFrom(...targets.filter((t) => nextFlight(script(t.scenario).slice(t.k), t.side).length > 0)),
        fc.array(pieceOp, { maxLength: 3 }),
        cuts,
        fc.array(wireOp, { maxLength: 2 }),
        cuts,
        (t, pieceOps, recordCuts, wireOps, deliveryCuts) => {
          const { ep, rest } = replay(t.scenario, t.side, t.k);
          const flight = mutatePieces(nextFlight(rest, t.side), pieceOps, ep.tap.read);
          const records = frame(ep.tap, flight, (total) => recordCuts.map((c) => c % Math.max(total, 1)).sort((a, b) => a - b));
          feed(ep, mutateWire(concat(...records), wireOps), deliveryCuts);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('the real flights, cut into records and delivered in pieces at random points, are accepted', () => {
    fc.assert(
      fc.property(target(), cuts, cuts, (t, recordCuts, deliveryCuts) => {
        const { ep, rest } = replay(t.scenario, t.side, t.k);
        const flight = nextFlight(rest, t.side);
        const records = frame(ep.tap, flight, (total) => recordCuts.map((c) => c % Math.max(total, 1)).sort((a, b) => a - b));
        const outcome = feed(ep, concat(...records), deliveryCuts);
        expect(outcome.error).toBeUndefined();
        // It is where the recorded handshake was after the same flight.
        const after = t.k + rest.indexOf(flight[flight.length - 1]!) + 1;
        if (flight.length) expect(ep.conn.stateName).toBe(scriptStates(t.scenario)[after]![t.side]);
      }),
      { seed: SEED, numRuns: 120 },
    );
  });
});

describe('memory stays bounded', () => {
  /** A deterministic stream of pseudo-random bytes. */
  function pseudoRandom(n: number, seed: number): Uint8Array {
    const out = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  }

  it('10 MiB of random bytes in 4 KiB pieces end the connection within the first 2^17 + 2^15 bytes, in every state', () => {
    const chunk = 4096;
    for (const t of targets.filter((x) => x.scenario === 'full' || x.scenario === 'early-data')) {
      const { ep } = replay(t.scenario, t.side, t.k);
      const stream = pseudoRandom(10 * 1024 * 1024, t.k * 2 + (t.side === 'client' ? 1 : 2));
      let fed = 0;
      let error: unknown;
      while (fed < stream.length && error === undefined) {
        try {
          ep.conn.receive(stream.subarray(fed, fed + chunk));
        } catch (e) {
          error = e;
        }
        fed += chunk;
      }
      expect(error, `${t.scenario}/${t.side}/${t.k}`).toBeInstanceOf(TlsError);
      expect(fed, `${t.scenario}/${t.side}/${t.k}`).toBeLessThanOrEqual(2 ** 17 + 2 ** 15);
    }
  });

  it('a peer trickling the largest allowed handshake message byte by byte is held to one message and one record', () => {
    const { ep } = replay('full', 'client', script('full').length);
    // A NewSessionTicket announcing MAX_HANDSHAKE_MESSAGE_LENGTH bytes, sent 1000 bytes per record.
    const header = Uint8Array.of(4, MAX_HANDSHAKE_MESSAGE_LENGTH >> 16, (MAX_HANDSHAKE_MESSAGE_LENGTH >> 8) & 0xff, MAX_HANDSHAKE_MESSAGE_LENGTH & 0xff);
    const body = pseudoRandom(MAX_HANDSHAKE_MESSAGE_LENGTH, 3);
    const message = concat(header, body);
    let peak = 0;
    let error: unknown;
    for (let o = 0; o < message.length && error === undefined; o += 1000) {
      const record = ep.tap.recordFor(ContentType.handshake, message.subarray(o, o + 1000));
      try {
        // Each record in two pieces, so the reader holds a partial record too.
        ep.conn.receive(record.subarray(0, 500));
        const held = buffered(ep.conn);
        peak = Math.max(peak, held.records + held.message);
        ep.conn.receive(record.subarray(500));
      } catch (e) {
        error = e;
      }
    }
    // Random content is not a NewSessionTicket: the complete message is rejected, nothing was lost on the way.
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).alert).toBe('decode_error');
    expect(peak).toBeGreaterThan(MAX_HANDSHAKE_MESSAGE_LENGTH - 1000);
    expect(peak).toBeLessThanOrEqual(2 ** 17 + 2 ** 15);
  });
});
