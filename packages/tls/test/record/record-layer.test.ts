import { describe, expect, it } from 'vitest';
import { aes256gcm, chacha20poly1305 } from '../../src/crypto/aead.js';
import { ContentType } from '../../src/record/content-type.js';
import { MAX_CIPHERTEXT_LENGTH, MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../src/record/limits.js';
import { LEGACY_RECORD_VERSION_TLS10 } from '../../src/record/record-header.js';
import { RecordLayer, type ReceivedRecord } from '../../src/record/record-layer.js';
import type { TlsRecord } from '../../src/record/record-reader.js';
import { concat, fromHex, toHex } from '../../src/wire/bytes.js';
import { expectAlert, rawRecord, sealInner, testProtection, traceProtection, traceRecords } from './helpers.js';

const { change_cipher_spec: CCS, alert: ALERT, handshake: HANDSHAKE, application_data: APP } = ContentType;

/** A layer with `bytes` pushed into its reader. */
function layerWith(bytes: Uint8Array, setup: (layer: RecordLayer) => void = () => {}): RecordLayer {
  const layer = new RecordLayer();
  setup(layer);
  layer.reader.push(bytes);
  return layer;
}

/** A layer reading with the test keys. */
const protectedLayer = (bytes: Uint8Array, setup: (layer: RecordLayer) => void = () => {}) =>
  layerWith(bytes, (layer) => {
    layer.setReadProtection(testProtection());
    setup(layer);
  });

/** Everything read() gives until it needs more bytes. */
function readAll(layer: RecordLayer): ReceivedRecord[] {
  const out: ReceivedRecord[] = [];
  for (let r = layer.read(); r !== null; r = layer.read()) out.push(r);
  return out;
}

/** Records sealed with the test keys, sequence numbers 0, 1, ... */
function sealAll(...items: [type: number, content: Uint8Array, padding?: number][]): Uint8Array {
  const p = testProtection();
  return concat(...items.map(([type, content, padding]) => p.seal(type, content, padding)));
}

const finished = fromHex('14000004aabbccdd');
const alertBytes = fromHex('0100');

describe('RecordLayer.read: plaintext records (no read protection)', () => {
  it('hands up handshake and alert records as they are', () => {
    const layer = layerWith(concat(rawRecord(HANDSHAKE, finished), rawRecord(ALERT, alertBytes)));
    const [hs, alert] = readAll(layer);
    expect(hs).toMatchObject({ contentType: HANDSHAKE, content: finished, protected: false, paddingLength: 0 });
    expect(hs!.sequenceNumber).toBeUndefined();
    expect(alert).toMatchObject({ contentType: ALERT, content: alertBytes, protected: false });
  });

  it('reads the RFC 8448 ClientHello record, whose legacy_record_version is 0x0301', () => {
    const ch = traceRecords('simple_1rtt')[0]!;
    const r = layerWith(fromHex(ch.record)).read()!;
    expect(r.record.legacyRecordVersion).toBe(0x0301);
    expect(toHex(r.content)).toBe(ch.payload);
  });

  it('rejects application_data before keys with unexpected_message (§5.1)', () => {
    expectAlert(() => layerWith(rawRecord(APP, fromHex('68656c6c6f'))).read(), 'unexpected_message');
  });

  it.each([0, 24, 0x47 /* "G" of an HTTP request */, 255])('rejects unknown content type %i with unexpected_message (§5), header alone', (type) => {
    expectAlert(() => layerWith(Uint8Array.of(type, 3, 3, 0, 10)).read(), 'unexpected_message');
  });

  it('accepts a 2^14-byte fragment and rejects a longer one with record_overflow before its body (§5.1)', () => {
    expect(layerWith(rawRecord(HANDSHAKE, new Uint8Array(MAX_PLAINTEXT_LENGTH).fill(1))).read()!.content.length).toBe(MAX_PLAINTEXT_LENGTH);
    const length = MAX_PLAINTEXT_LENGTH + 1;
    expectAlert(() => layerWith(Uint8Array.of(HANDSHAKE, 3, 3, length >> 8, length & 0xff)).read(), 'record_overflow');
  });

  it.each([HANDSHAKE, ALERT])('rejects a zero-length fragment of type %i with unexpected_message (§5.1, §5.4)', (type) => {
    expectAlert(() => layerWith(rawRecord(type, new Uint8Array(0))).read(), 'unexpected_message');
  });

  it('returns null until a whole record is in', () => {
    const record = rawRecord(HANDSHAKE, finished);
    const layer = layerWith(record.subarray(0, 7));
    expect(layer.read()).toBeNull();
    layer.reader.push(record.subarray(7));
    expect(layer.read()?.content).toEqual(finished);
    expect(layer.read()).toBeNull();
  });
});

describe('RecordLayer.read: change_cipher_spec (§5, §D.4)', () => {
  const ccs = rawRecord(CCS, Uint8Array.of(1));

  it('drops a plaintext CCS of 0x01 when allowed, reporting it', () => {
    const dropped: [TlsRecord, string][] = [];
    const layer = layerWith(concat(ccs, rawRecord(HANDSHAKE, finished)), (l) => {
      l.allowChangeCipherSpec = true;
      l.onDropped = (record, why) => dropped.push([record, why]);
    });
    expect(layer.read()?.content).toEqual(finished);
    expect(dropped.length).toBe(1);
    expect(dropped[0]![0].contentType).toBe(CCS);
    expect(dropped[0]![1]).toContain('change_cipher_spec');
    expect(layer.dropped).toBe(1);
  });

  it('drops it while records are protected too (checked before decryption)', () => {
    const layer = protectedLayer(concat(ccs, sealAll([HANDSHAKE, finished])), (l) => (l.allowChangeCipherSpec = true));
    expect(readAll(layer).map((r) => r.content)).toEqual([finished]);
    expect(layer.dropped).toBe(1);
  });

  it('rejects a CCS with unexpected_message when not allowed, with or without keys', () => {
    expectAlert(() => layerWith(ccs).read(), 'unexpected_message');
    expectAlert(() => protectedLayer(ccs).read(), 'unexpected_message');
  });

  it.each([[Uint8Array.of(2)], [Uint8Array.of(0)], [Uint8Array.of(1, 1)], [new Uint8Array(0)]])(
    'rejects CCS content %s with unexpected_message',
    (content) => {
      expectAlert(() => layerWith(rawRecord(CCS, content), (l) => (l.allowChangeCipherSpec = true)).read(), 'unexpected_message');
    },
  );

  it('rejects a protected CCS (inner type 20) with unexpected_message', () => {
    const layer = protectedLayer(sealAll([CCS, Uint8Array.of(1)]), (l) => (l.allowChangeCipherSpec = true));
    expectAlert(() => layer.read(), 'unexpected_message');
  });

  it('drops the server CCS of RFC 8448 compatibility_mode between ServerHello and the encrypted flight', () => {
    const server = traceRecords('compatibility_mode').filter((r) => r.side === 'server');
    expect(server.map((r) => r.content).slice(0, 3)).toEqual(['handshake', 'change_cipher_spec', 'handshake']);
    const client = layerWith(concat(...server.slice(0, 3).map((r) => fromHex(r.record))), (l) => (l.allowChangeCipherSpec = true));
    expect(toHex(client.read()!.content)).toBe(server[0]!.payload); // ServerHello
    client.setReadProtection(traceProtection('compatibility_mode', 'server', 'handshake'));
    const flight = client.read()!;
    expect(flight).toMatchObject({ contentType: HANDSHAKE, protected: true, sequenceNumber: 0n });
    expect(toHex(flight.content)).toBe(server[2]!.payload);
    expect(client.dropped).toBe(1);
  });
});

describe('RecordLayer.read: protected records', () => {
  it('decrypts records, reporting inner type, padding and sequence number', () => {
    const layer = protectedLayer(sealAll([HANDSHAKE, finished, 3], [APP, fromHex('6869')], [ALERT, alertBytes]));
    const [a, b, c] = readAll(layer);
    expect(a).toMatchObject({ contentType: HANDSHAKE, content: finished, protected: true, paddingLength: 3, sequenceNumber: 0n });
    expect(a!.record.contentType).toBe(APP); // the outer type
    expect(b).toMatchObject({ contentType: APP, content: fromHex('6869'), sequenceNumber: 1n });
    expect(c).toMatchObject({ contentType: ALERT, content: alertBytes, sequenceNumber: 2n });
  });

  it.each([HANDSHAKE, ALERT])('rejects a plaintext record of outer type %i with unexpected_message', (type) => {
    expectAlert(() => protectedLayer(rawRecord(type, finished)).read(), 'unexpected_message');
  });

  it('rejects a ciphertext over 2^14 + 256 bytes with record_overflow before its body (§5.2)', () => {
    const length = MAX_CIPHERTEXT_LENGTH + 1;
    expectAlert(() => protectedLayer(Uint8Array.of(APP, 3, 3, length >> 8, length & 0xff)).read(), 'record_overflow');
  });

  it('rejects a record that fails authentication with bad_record_mac (§5.2)', () => {
    const record = sealAll([APP, fromHex('0102030405')]);
    // The version bytes of the header (additional data), the ciphertext, the tag.
    for (const i of [1, 2, 5, 10, record.length - 1]) {
      const tampered = record.slice();
      tampered[i]! ^= 0x80;
      expectAlert(() => protectedLayer(tampered).read(), 'bad_record_mac');
    }
    // A record from another key (another sequence number here) also fails.
    const second = testProtection();
    second.seal(APP, new Uint8Array(1));
    expectAlert(() => protectedLayer(second.seal(APP, new Uint8Array(1))).read(), 'bad_record_mac');
  });

  it('rejects an inner plaintext over 2^14 + 1 bytes with record_overflow (§5.4)', () => {
    const inner = new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH + 1);
    inner[MAX_PLAINTEXT_LENGTH] = APP; // content 2^14, type, one byte of padding
    expectAlert(() => protectedLayer(sealInner(inner)).read(), 'record_overflow');
  });

  it('applies our own record_size_limit to the whole inner plaintext, padding included (RFC 8449)', () => {
    const limit = 100;
    const withLimit = (bytes: Uint8Array) => protectedLayer(bytes, (l) => l.setReadRecordSizeLimit(limit));
    expect(withLimit(sealAll([APP, new Uint8Array(99)])).read()!.content.length).toBe(99);
    expect(withLimit(sealAll([APP, new Uint8Array(49), 50])).read()!.paddingLength).toBe(50);
    expectAlert(() => withLimit(sealAll([APP, new Uint8Array(100)])).read(), 'record_overflow');
    expectAlert(() => withLimit(sealAll([APP, new Uint8Array(50), 50])).read(), 'record_overflow');
    expect(() => new RecordLayer().setReadRecordSizeLimit(63)).toThrow(RangeError);
    expect(() => new RecordLayer().setReadRecordSizeLimit(MAX_INNER_PLAINTEXT_LENGTH + 1)).toThrow(RangeError);
  });

  it('rejects an all-zero inner plaintext with unexpected_message (§5.4)', () => {
    expectAlert(() => protectedLayer(sealInner(new Uint8Array(32))).read(), 'unexpected_message');
  });

  it.each([HANDSHAKE, ALERT])('rejects a protected zero-length record of inner type %i with unexpected_message (§5.4)', (type) => {
    expectAlert(() => protectedLayer(sealAll([type, new Uint8Array(0), 10])).read(), 'unexpected_message');
  });

  it('accepts a zero-length application_data record (§5.4)', () => {
    expect(protectedLayer(sealAll([APP, new Uint8Array(0)])).read()).toMatchObject({ contentType: APP, content: new Uint8Array(0) });
  });

  it('rejects an unknown inner content type with unexpected_message', () => {
    expectAlert(() => protectedLayer(sealAll([24, fromHex('00')])).read(), 'unexpected_message');
  });

  it('starts again at sequence number 0 with each new RecordProtection', () => {
    const layer = protectedLayer(sealAll([HANDSHAKE, finished], [HANDSHAKE, finished]));
    expect(readAll(layer).map((r) => r.sequenceNumber)).toEqual([0n, 1n]);
    layer.setReadProtection(testProtection()); // e.g. after KeyUpdate
    layer.reader.push(sealAll([APP, fromHex('01')]));
    expect(layer.read()!.sequenceNumber).toBe(0n);
  });

  it('reads the RFC 8448 simple_1rtt server records as the client does, switching keys', () => {
    const server = traceRecords('simple_1rtt').filter((r) => r.side === 'server');
    const client = layerWith(concat(...server.map((r) => fromHex(r.record))));
    expect(toHex(client.read()!.content)).toBe(server[0]!.payload); // ServerHello, plaintext
    client.setReadProtection(traceProtection('simple_1rtt', 'server', 'handshake'));
    expect(toHex(client.read()!.content)).toBe(server[1]!.payload); // EncryptedExtensions..Finished
    client.setReadProtection(traceProtection('simple_1rtt', 'server', 'application'));
    const rest = readAll(client);
    expect(rest.map((r) => [r.contentType, toHex(r.content)])).toEqual(server.slice(2).map((r) => [ContentType[r.content], r.payload]));
  });
});

describe('RecordLayer.skipEarlyData (§4.2.10)', () => {
  // RFC 8448 resumed_0rtt: the client sends a 0-RTT application_data record and
  // EndOfEarlyData under its early key, then Finished under its handshake key.
  const client = traceRecords('resumed_0rtt').filter((r) => r.side === 'client');
  const earlyData = fromHex(client[1]!.record); // 23 bytes of ciphertext, 6 of data
  const endOfEarlyData = fromHex(client[2]!.record); // 21 bytes of ciphertext, 4 of data
  const clientFinished = client[3]!;
  const stream = concat(earlyData, endOfEarlyData, fromHex(clientFinished.record));

  it('has the records this test expects', () => {
    expect(client.map((r) => `${r.content} ${r.protected}`).slice(0, 4)).toEqual([
      'handshake false',
      'application_data true',
      'handshake true',
      'handshake true',
    ]);
  });

  it('trial-decrypt: skips records that fail to decrypt, then hands up the first that decrypts', () => {
    const why: string[] = [];
    const server = layerWith(stream, (l) => {
      l.setReadProtection(traceProtection('resumed_0rtt', 'client', 'handshake'));
      l.skipEarlyData(10, 'trial-decrypt');
      l.onDropped = (_record, reason) => why.push(reason);
    });
    expect(server.skippingEarlyData).toBe(true);
    const r = server.read()!;
    expect(toHex(r.content)).toBe(clientFinished.payload);
    expect(r.sequenceNumber).toBe(0n);
    expect(server.dropped).toBe(2);
    expect(why.every((w) => w.includes('early data'))).toBe(true);
    expect(server.skippingEarlyData).toBe(false);
  });

  it('trial-decrypt: beyond max_early_data_size a failing record is bad_record_mac', () => {
    const server = layerWith(stream, (l) => {
      l.setReadProtection(traceProtection('resumed_0rtt', 'client', 'handshake'));
      l.skipEarlyData(9, 'trial-decrypt'); // 6 + 4 bytes of early data do not fit
    });
    expectAlert(() => server.read(), 'bad_record_mac');
  });

  it('trial-decrypt: after the first record decrypts, a failing record is bad_record_mac again', () => {
    const server = layerWith(concat(fromHex(clientFinished.record), earlyData), (l) => {
      l.setReadProtection(traceProtection('resumed_0rtt', 'client', 'handshake'));
      l.skipEarlyData(1000, 'trial-decrypt');
    });
    expect(toHex(server.read()!.content)).toBe(clientFinished.payload);
    expectAlert(() => server.read(), 'bad_record_mac');
  });

  it('skip-application-data: after HelloRetryRequest, skips application_data records until the second ClientHello', () => {
    const clientHello2 = rawRecord(HANDSHAKE, fromHex('010000020303'));
    const server = layerWith(concat(earlyData, earlyData, clientHello2, earlyData), (l) => l.skipEarlyData(100, 'skip-application-data'));
    const r = server.read()!;
    expect(r).toMatchObject({ contentType: HANDSHAKE, protected: false });
    expect(server.dropped).toBe(2);
    expect(server.skippingEarlyData).toBe(false);
    // Once the second ClientHello is in, application_data is unexpected again.
    expectAlert(() => server.read(), 'unexpected_message');
  });

  it('skip-application-data: more than max_early_data_size is unexpected_message', () => {
    const server = layerWith(concat(earlyData, earlyData), (l) => l.skipEarlyData(11, 'skip-application-data'));
    expectAlert(() => readAll(server), 'unexpected_message');
    expect(server.dropped).toBe(1);
  });

  it('skip-application-data: still rejects plaintext handshake data of the wrong kind normally', () => {
    const server = layerWith(rawRecord(HANDSHAKE, new Uint8Array(0)), (l) => l.skipEarlyData(100, 'skip-application-data'));
    expectAlert(() => server.read(), 'unexpected_message');
  });
});

describe('RecordLayer.write', () => {
  it('reproduces the RFC 8448 ClientHello record with legacy_record_version 0x0301', () => {
    const ch = traceRecords('simple_1rtt')[0]!;
    const records = new RecordLayer().write(HANDSHAKE, fromHex(ch.payload), LEGACY_RECORD_VERSION_TLS10);
    expect(records.map(toHex)).toEqual([ch.record]);
  });

  it('reproduces the RFC 8448 simple_1rtt client records: Finished, application data, alert', () => {
    const [, , , finishedRecord, , appData, , alertRecord] = traceRecords('simple_1rtt');
    const layer = new RecordLayer();
    layer.setWriteProtection(traceProtection('simple_1rtt', 'client', 'handshake'));
    expect(layer.write(HANDSHAKE, fromHex(finishedRecord!.payload)).map(toHex)).toEqual([finishedRecord!.record]);
    layer.setWriteProtection(traceProtection('simple_1rtt', 'client', 'application'));
    expect(layer.write(APP, fromHex(appData!.payload)).map(toHex)).toEqual([appData!.record]);
    expect(layer.write(ALERT, fromHex(alertRecord!.payload)).map(toHex)).toEqual([alertRecord!.record]);
  });

  it('splits plaintext handshake data into 2^14-byte records', () => {
    const data = new Uint8Array(2 * MAX_PLAINTEXT_LENGTH + 5).map((_, i) => i & 0xff);
    const records = new RecordLayer().write(HANDSHAKE, data);
    expect(records.map((r) => r.length - 5)).toEqual([MAX_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, 5]);
    const received = readAll(layerWith(concat(...records)));
    expect(concat(...received.map((r) => r.content))).toEqual(data);
  });

  it('splits protected data so that each record respects the peer record_size_limit (content ≤ limit − 1)', () => {
    const writer = new RecordLayer();
    writer.setWriteProtection(testProtection());
    writer.setWriteRecordSizeLimit(1000);
    expect(writer.maxWriteFragment).toBe(999);
    const data = new Uint8Array(2500).fill(7);
    const records = writer.write(APP, data);
    expect(records.map((r) => r.length - 5 - 16)).toEqual([1000, 1000, 503]); // inner = content + type
    const reader = protectedLayer(concat(...records), (l) => l.setReadRecordSizeLimit(1000));
    expect(concat(...readAll(reader).map((r) => r.content))).toEqual(data);
  });

  it('ignores record_size_limit for plaintext records (RFC 8449 §4)', () => {
    const writer = new RecordLayer();
    writer.setWriteRecordSizeLimit(64);
    expect(writer.write(HANDSHAKE, new Uint8Array(500)).length).toBe(1);
  });

  it('limits a record_size_limit above 2^14 + 1 to the protocol maximum, and refuses one below 64', () => {
    const writer = new RecordLayer();
    writer.setWriteRecordSizeLimit(65535);
    expect(writer.maxWriteFragment).toBe(MAX_PLAINTEXT_LENGTH);
    expectAlert(() => writer.setWriteRecordSizeLimit(63), 'illegal_parameter');
  });

  it('sends zero-length application data as one record and refuses empty handshake and alert records', () => {
    const writer = new RecordLayer();
    writer.setWriteProtection(testProtection());
    const records = writer.write(APP, new Uint8Array(0));
    expect(records.length).toBe(1);
    expect(protectedLayer(records[0]!).read()!.content.length).toBe(0);
    expectAlert(() => writer.write(HANDSHAKE, new Uint8Array(0)), 'internal_error');
    expectAlert(() => writer.write(ALERT, new Uint8Array(0)), 'internal_error');
  });

  it('refuses to send application data without a write key, and unknown types', () => {
    expectAlert(() => new RecordLayer().write(APP, new Uint8Array(1)), 'internal_error');
    expectAlert(() => new RecordLayer().write(24, new Uint8Array(1)), 'internal_error');
  });

  it('always sends change_cipher_spec in plaintext (§D.4)', () => {
    const writer = new RecordLayer();
    writer.setWriteProtection(testProtection());
    expect(writer.write(CCS, Uint8Array.of(1)).map(toHex)).toEqual(['140303000101']);
  });

  it('pads protected records as the policy asks, within the size limit (§5.4)', () => {
    const asked: [number, number][] = [];
    const writer = new RecordLayer({
      padding: (type, length) => {
        asked.push([type, length]);
        return 100;
      },
    });
    expect(writer.write(HANDSHAKE, finished)[0]!.length).toBe(5 + finished.length); // no padding in plaintext
    writer.setWriteProtection(testProtection());
    writer.setWriteRecordSizeLimit(200);
    const records = [...writer.write(HANDSHAKE, finished), ...writer.write(APP, new Uint8Array(150))];
    expect(asked).toEqual([
      [HANDSHAKE, finished.length],
      [APP, 150],
    ]);
    const received = readAll(protectedLayer(concat(...records)));
    expect(received.map((r) => r.paddingLength)).toEqual([100, 49]); // 150 + 1 + 49 = 200
    expect(received[0]!.content).toEqual(finished);
  });

  it('refuses a padding policy that returns nonsense', () => {
    const writer = new RecordLayer({ padding: () => -1 });
    writer.setWriteProtection(testProtection());
    expect(() => writer.write(APP, new Uint8Array(1))).toThrow(RangeError);
  });

  it.each([
    ['AES-256-GCM', aes256gcm],
    ['ChaCha20-Poly1305', chacha20poly1305],
  ])('round-trips a long message with %s', (_name, aead) => {
    const writer = new RecordLayer();
    writer.setWriteProtection(testProtection(aead));
    const data = new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff);
    const records = writer.write(HANDSHAKE, data);
    expect(records.length).toBe(3);
    const reader = layerWith(concat(...records), (l) => l.setReadProtection(testProtection(aead)));
    expect(concat(...readAll(reader).map((r) => r.content))).toEqual(data);
  });
});
