/**
 * Property: whatever bytes arrive, RecordLayer.read() either returns records, asks
 * for more bytes, or throws a TlsError — never anything else — and it never holds
 * more than one incomplete record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../../src/record/limits.js';
import { RecordLayer } from '../../src/record/record-layer.js';
import { concat } from '../../src/wire/bytes.js';
import { rawRecord, sealInner, testProtection } from './helpers.js';

/** A record to build: plaintext or sealed with the test keys, any content type (valid or not). */
interface RecordSpec {
  sealed: boolean;
  type: number;
  content: Uint8Array;
  padding: number;
}
/** A change to a valid record: flip bits of a byte, or cut it short. */
interface Mutation {
  kind: 'flip' | 'truncate';
  at: number;
  bits: number;
}
/** A piece of the stream: random bytes, or a (maybe mutated) record. */
type Piece = Uint8Array | { spec: RecordSpec; mutations: Mutation[] };

const recordSpec: fc.Arbitrary<RecordSpec> = fc.record({
  sealed: fc.boolean(),
  type: fc.constantFrom(0, 20, 21, 22, 23, 24, 255),
  content: fc.uint8Array({ maxLength: 300 }),
  padding: fc.nat({ max: 20 }),
});
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip' as const, 'truncate' as const),
  at: fc.nat(),
  bits: fc.integer({ min: 1, max: 255 }),
});
const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.record({ spec: recordSpec, mutations: fc.array(mutation, { maxLength: 2 }) }),
  fc.record({ spec: recordSpec, mutations: fc.constant<Mutation[]>([]) }),
);

/** The receiving layer's state. */
const config = fc.record({
  protected: fc.boolean(),
  allowChangeCipherSpec: fc.boolean(),
  skip: fc.constantFrom(null, 'trial-decrypt' as const, 'skip-application-data' as const),
  skipBudget: fc.nat({ max: 500 }),
  readLimit: fc.option(fc.integer({ min: 64, max: 2 ** 14 + 1 })),
});

/** The bytes of the stream described by `pieces`. */
function build(pieces: Piece[]): Uint8Array {
  let seq = 0n; // sealed records get consecutive sequence numbers, so unmutated ones decrypt
  const parts = pieces.map((p) => {
    if (p instanceof Uint8Array) return p;
    const { spec } = p;
    let record: Uint8Array;
    if (spec.sealed) {
      const inner = new Uint8Array(spec.content.length + 1 + spec.padding);
      inner.set(spec.content);
      inner[spec.content.length] = spec.type;
      record = sealInner(inner, seq++);
    } else {
      record = rawRecord(spec.type, spec.content);
    }
    for (const m of p.mutations) {
      const at = m.at % record.length;
      if (m.kind === 'flip') record[at]! ^= m.bits;
      else record = record.subarray(0, at);
    }
    return record;
  });
  return concat(...parts);
}

describe('RecordLayer.read on arbitrary input', () => {
  it('only ever throws TlsError, and buffers at most one incomplete record', () => {
    fc.assert(
      fc.property(config, fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (cfg, pieces, cuts) => {
        const stream = build(pieces);
        const layer = new RecordLayer();
        if (cfg.protected) layer.setReadProtection(testProtection());
        layer.allowChangeCipherSpec = cfg.allowChangeCipherSpec;
        if (cfg.skip !== null) layer.skipEarlyData(cfg.skipBudget, cfg.skip);
        if (cfg.readLimit !== null) layer.setReadRecordSizeLimit(cfg.readLimit);

        // Deliver the stream in chunks cut at the chosen points.
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const p of [...points, stream.length]) {
          chunks.push(stream.subarray(start, p));
          start = p;
        }
        try {
          for (const chunk of chunks) {
            layer.reader.push(chunk);
            while (layer.read() !== null) {
              /* keep reading */
            }
            expect(layer.reader.buffered).toBeLessThan(RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH);
          }
        } catch (e) {
          if (!(e instanceof TlsError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
