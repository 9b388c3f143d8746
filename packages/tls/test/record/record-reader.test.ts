import { describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_LENGTH } from '../../src/record/limits.js';
import { RecordReader, type TlsRecord } from '../../src/record/record-reader.js';
import { concat, fromHex, toHex } from '../../src/wire/bytes.js';
import { expectAlert, rawRecord, traceRecords } from './helpers.js';

/** Every record the server sends in RFC 8448 simple_1rtt, as one byte stream. */
const serverRecords = traceRecords('simple_1rtt')
  .filter((r) => r.side === 'server')
  .map((r) => r.record);
const serverStream = concat(...serverRecords.map(fromHex));

function drain(reader: RecordReader): TlsRecord[] {
  const out: TlsRecord[] = [];
  for (let r = reader.next(); r !== null; r = reader.next()) out.push(r);
  return out;
}

describe('RecordReader', () => {
  it('returns several records pushed in one chunk, with their header fields', () => {
    const reader = new RecordReader();
    reader.push(serverStream);
    const records = drain(reader);
    expect(records.map((r) => toHex(r.bytes))).toEqual(serverRecords);
    expect(records[0]!.contentType).toBe(22);
    expect(records[0]!.legacyRecordVersion).toBe(0x0303);
    expect(records[0]!.fragment.length).toBe(90); // ServerHello
    expect(records[1]!.contentType).toBe(23);
    expect(reader.buffered).toBe(0);
  });

  it('reassembles the stream split in two at every byte boundary', () => {
    for (let cut = 0; cut <= serverStream.length; cut++) {
      const reader = new RecordReader();
      reader.push(serverStream.subarray(0, cut));
      const records = drain(reader);
      reader.push(serverStream.subarray(cut));
      records.push(...drain(reader));
      expect(records.map((r) => toHex(r.bytes))).toEqual(serverRecords);
    }
  });

  it('reassembles the stream fed one byte at a time, never returning a record early', () => {
    const reader = new RecordReader();
    const records: TlsRecord[] = [];
    let recordEnds = 0;
    let nextEnd = fromHex(serverRecords[0]!).length;
    for (let i = 0; i < serverStream.length; i++) {
      reader.push(serverStream.subarray(i, i + 1));
      const got = drain(reader);
      if (i + 1 === nextEnd) {
        expect(got.length).toBe(1);
        recordEnds++;
        if (recordEnds < serverRecords.length) nextEnd += fromHex(serverRecords[recordEnds]!).length;
      } else {
        expect(got.length).toBe(0);
      }
      records.push(...got);
    }
    expect(records.map((r) => toHex(r.bytes))).toEqual(serverRecords);
  });

  it('counts buffered bytes and ignores empty pushes', () => {
    const reader = new RecordReader();
    reader.push(new Uint8Array(0));
    expect(reader.buffered).toBe(0);
    expect(reader.next()).toBeNull();
    reader.push(serverStream.subarray(0, 3));
    expect(reader.peekHeader()).toBeNull();
    reader.push(serverStream.subarray(3, 7));
    expect(reader.buffered).toBe(7);
    expect(reader.peekHeader()).toEqual({ contentType: 22, legacyRecordVersion: 0x0303, length: 90 });
    expect(reader.next()).toBeNull();
    expect(reader.buffered).toBe(7);
  });

  it('accepts a record of exactly 2^14 + 256 bytes', () => {
    const reader = new RecordReader();
    reader.push(rawRecord(23, new Uint8Array(MAX_CIPHERTEXT_LENGTH)));
    expect(reader.next()?.fragment.length).toBe(MAX_CIPHERTEXT_LENGTH);
  });

  it('rejects an oversize length with record_overflow as soon as the header is in', () => {
    const reader = new RecordReader();
    const length = MAX_CIPHERTEXT_LENGTH + 1;
    reader.push(Uint8Array.of(23, 3, 3, length >> 8, length & 0xff)); // no body at all
    expectAlert(() => reader.next(), 'record_overflow');
  });

  it('copies nothing for a record inside one chunk; joins a record split across chunks', () => {
    const reader = new RecordReader();
    const stream = serverStream.slice();
    reader.push(stream.subarray(0, 100));
    reader.push(stream.subarray(100));
    const [first, second] = drain(reader);
    expect(first!.bytes.buffer).toBe(stream.buffer); // a view of the pushed bytes
    expect(second!.bytes.buffer).not.toBe(stream.buffer); // 95..100 + rest: a copy
    expect(toHex(second!.bytes)).toBe(serverRecords[1]);
  });
});
