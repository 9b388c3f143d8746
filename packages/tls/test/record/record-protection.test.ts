import { describe, expect, it } from 'vitest';
import { aes128gcm, aes256gcm, chacha20poly1305 } from '../../src/crypto/aead.js';
import { aes128gcm as nativeAes128gcm, aes256gcm as nativeAes256gcm, chacha20poly1305 as nativeChacha20poly1305 } from '../../src/node/crypto/aead.js';
import { ContentType, contentTypeName } from '../../src/record/content-type.js';
import { MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../src/record/limits.js';
import { perRecordNonce, RecordProtection } from '../../src/record/record-protection.js';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { expectAlert, IV, sealInner, testProtection, traceProtection, traceRecords, traceValue } from './helpers.js';

describe('contentTypeName', () => {
  it('names the RFC 8446 content types and marks others unknown', () => {
    expect(contentTypeName(22)).toBe('handshake');
    expect(contentTypeName(ContentType.change_cipher_spec)).toBe('change_cipher_spec');
    expect(contentTypeName(24)).toBe('unknown(24)');
  });
});

describe('perRecordNonce (RFC 8446 §5.3)', () => {
  const iv = fromHex('5d313eb2671276ee13000b30');

  it('is the IV itself for sequence number 0', () => {
    expect(toHex(perRecordNonce(iv, 0n))).toBe(toHex(iv));
  });

  it('XORs the big-endian sequence number into the last 8 bytes', () => {
    expect(toHex(perRecordNonce(iv, 1n))).toBe('5d313eb2671276ee13000b31');
    expect(toHex(perRecordNonce(iv, 0x0102030405060708n))).toBe('5d313eb2' + (0x671276ee ^ 0x01020304).toString(16).padStart(8, '0') + (0x13000b30 ^ 0x05060708).toString(16).padStart(8, '0'));
    expect(toHex(perRecordNonce(iv, 2n ** 64n - 1n))).toBe('5d313eb298ed8911ecfff4cf');
  });

  it('does not modify the IV and refuses sequence numbers beyond 64 bits', () => {
    perRecordNonce(iv, 12345n);
    expect(toHex(iv)).toBe('5d313eb2671276ee13000b30');
    expect(() => perRecordNonce(iv, 2n ** 64n)).toThrow(RangeError);
    expect(() => perRecordNonce(iv, -1n)).toThrow(RangeError);
  });
});

describe('RecordProtection against RFC 8448 simple_1rtt', () => {
  // Which traffic key protects each protected record of the trace, in order. One
  // RecordProtection per key, so the sequence numbers follow from the order.
  const keyFor = ['handshake', 'handshake', 'application', 'application', 'application', 'application', 'application'] as const;
  const protectedRecords = traceRecords('simple_1rtt').filter((r) => r.protected);

  it('has the seven protected records this test expects', () => {
    expect(protectedRecords.map((r) => `${r.side} ${r.content}`)).toEqual([
      'server handshake', // EncryptedExtensions .. Finished, one record
      'client handshake', // Finished
      'server handshake', // NewSessionTicket
      'client application_data',
      'server application_data',
      'client alert',
      'server alert',
    ]);
  });

  it('seals each payload into the exact record bytes of the RFC', () => {
    const sealers = new Map<string, RecordProtection>();
    protectedRecords.forEach((r, i) => {
      const name = `${r.side}_${keyFor[i]}`;
      if (!sealers.has(name)) sealers.set(name, traceProtection('simple_1rtt', r.side, keyFor[i]!));
      const sealer = sealers.get(name)!;
      expect(toHex(sealer.seal(ContentType[r.content], fromHex(r.payload)))).toBe(r.record);
    });
    // Sequence numbers after the trace: server application key used 3 times, client's twice.
    expect(sealers.get('server_application')!.sequenceNumber).toBe(3n);
    expect(sealers.get('client_application')!.sequenceNumber).toBe(2n);
  });

  it('opens each record to its payload and content type', () => {
    const openers = new Map<string, RecordProtection>();
    protectedRecords.forEach((r, i) => {
      const name = `${r.side}_${keyFor[i]}`;
      if (!openers.has(name)) openers.set(name, traceProtection('simple_1rtt', r.side, keyFor[i]!));
      const opened = openers.get(name)!.open(fromHex(r.record));
      expect(opened).not.toBeNull();
      expect(opened!.contentType).toBe(ContentType[r.content]);
      expect(toHex(opened!.content)).toBe(r.payload);
      expect(opened!.paddingLength).toBe(0);
    });
  });

  it('the server flight starts with the header 17 03 03 02 a2 (one record)', () => {
    const flight = protectedRecords[0]!;
    expect(flight.record.slice(0, 10)).toBe('17030302a2');
    expect(flight.payload.length / 2).toBe(657);
    expect(traceValue('simple_1rtt', 'server_handshake_iv').length).toBe(12);
  });
});

describe('RecordProtection', () => {
  it('starts at sequence number 0 and counts sealed records', () => {
    const p = testProtection();
    expect(p.sequenceNumber).toBe(0n);
    p.seal(ContentType.application_data, new Uint8Array(3));
    p.seal(ContentType.application_data, new Uint8Array(3));
    expect(p.sequenceNumber).toBe(2n);
    // A new protection (a new key) starts again at 0 (§5.3).
    expect(testProtection().sequenceNumber).toBe(0n);
  });

  it('uses a different nonce for each record', () => {
    const p = testProtection();
    const a = p.seal(ContentType.application_data, new Uint8Array(8));
    const b = p.seal(ContentType.application_data, new Uint8Array(8));
    expect(toHex(a.subarray(0, 5))).toBe(toHex(b.subarray(0, 5)));
    expect(toHex(a)).not.toBe(toHex(b));
    const reader = testProtection();
    expect(reader.open(b)).toBeNull(); // b needs sequence number 1
    expect(reader.open(a)).not.toBeNull();
    expect(reader.open(b)).not.toBeNull();
  });

  it('does not advance the sequence number when a record fails to open', () => {
    const record = testProtection().seal(ContentType.handshake, fromHex('14000000'));
    const tampered = record.slice();
    tampered[tampered.length - 1]! ^= 1;
    const reader = testProtection();
    expect(reader.open(tampered)).toBeNull();
    expect(reader.sequenceNumber).toBe(0n);
    expect(reader.open(record)?.content).toEqual(fromHex('14000000'));
    expect(reader.sequenceNumber).toBe(1n);
  });

  it('authenticates the header as additional data (§5.2)', () => {
    const record = testProtection().seal(ContentType.application_data, new Uint8Array(10));
    const changed = record.slice();
    changed[2] = 0x01; // legacy_record_version 0x0301
    expect(testProtection().open(changed)).toBeNull();
  });

  it('fails a record too short to hold a tag', () => {
    expect(testProtection().open(Uint8Array.of(23, 3, 3, 0, 3, 1, 2, 3))).toBeNull();
    expect(testProtection().open(Uint8Array.of(23, 3, 3, 0, 0))).toBeNull();
  });

  it.each([
    ['AES-128-GCM', aes128gcm],
    ['AES-256-GCM', aes256gcm],
    ['ChaCha20-Poly1305', chacha20poly1305],
  ])('round-trips content, type and padding with %s', (_name, aead) => {
    const content = fromHex('0102030405');
    const record = testProtection(aead).seal(ContentType.alert, content, 7);
    expect(record.length).toBe(5 + 5 + 1 + 7 + 16);
    expect(toHex(record.subarray(0, 5))).toBe('170303001d') // 5 + 1 + 7 + 16 = 29;
    const opened = testProtection(aead).open(record);
    expect(opened).toEqual({ contentType: ContentType.alert, content, paddingLength: 7 });
  });

  it('seals the largest inner plaintext (2^14 + 1 bytes) and refuses a larger one', () => {
    const full = testProtection().seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT_LENGTH));
    expect(full.length).toBe(5 + MAX_INNER_PLAINTEXT_LENGTH + 16);
    expect(() => testProtection().seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT_LENGTH), 1)).toThrow(RangeError);
    expect(() => testProtection().seal(ContentType.invalid, new Uint8Array(1))).toThrow(RangeError);
  });

  it('finds the content type behind the padding, and an empty content', () => {
    const opened = testProtection().open(sealInner(Uint8Array.of(23, 0, 0, 0)));
    expect(opened).toEqual({ contentType: 23, content: new Uint8Array(0), paddingLength: 3 });
  });

  it('rejects an all-zero inner plaintext with unexpected_message (§5.4)', () => {
    expectAlert(() => testProtection().open(sealInner(new Uint8Array(20))), 'unexpected_message');
    expectAlert(() => testProtection().open(sealInner(new Uint8Array(0))), 'unexpected_message');
  });

  it('rejects an inner plaintext over 2^14 + 1 bytes with record_overflow (§5.4)', () => {
    const inner = new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH + 1);
    inner[inner.length - 1] = ContentType.application_data;
    expectAlert(() => testProtection().open(sealInner(inner)), 'record_overflow');
    // Exactly 2^14 + 1 is fine.
    const ok = new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH);
    ok[ok.length - 1] = ContentType.application_data;
    expect(testProtection().open(sealInner(ok))?.content.length).toBe(MAX_PLAINTEXT_LENGTH);
  });

  it('rejects a record whose header length does not match its bytes', () => {
    const record = testProtection().seal(ContentType.application_data, new Uint8Array(4));
    expectAlert(() => testProtection().open(record.subarray(0, record.length - 1)), 'decode_error');
  });

  it('refuses an IV of the wrong length', () => {
    expect(() => new RecordProtection(aes128gcm, new Uint8Array(16), IV.subarray(0, 8))).toThrow(RangeError);
  });
});

describe('RecordProtection without waste', () => {
  const key = fromHex('17422dda596ed5d9acd890e3c63f5051');
  const iv = fromHex('5b78923dee08579033e523d9');
  const content = Uint8Array.from({ length: 100 }, (_, i) => i);
  /** Moves a RecordProtection to sequence number `seq` (2^32 records are too many to seal in a test). */
  const at = (protection: RecordProtection, seq: number): RecordProtection => {
    (protection as unknown as { seq: number }).seq = seq;
    return protection;
  };

  it('computes each nonce as perRecordNonce does, across the 32-bit halves and up to 2^53 − 1', () => {
    for (const seq of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
      const record = at(new RecordProtection(aes128gcm, key, iv), seq).seal(ContentType.application_data, content);
      const inner = aes128gcm.importKey(key).open(perRecordNonce(iv, BigInt(seq)), record.subarray(5), record.subarray(0, 5));
      expect(inner && toHex(inner)).toBe(toHex(content) + '17');
    }
  });

  it('stops at 2^53 − 1 records rather than reuse a nonce (§5.3)', () => {
    expectAlert(() => at(new RecordProtection(aes128gcm, key, iv), Number.MAX_SAFE_INTEGER + 1).seal(23, content), 'internal_error');
  });

  it('gives the same record with an AEAD that ignores the output buffer', () => {
    const ignoresOutput: typeof aes128gcm = {
      ...aes128gcm,
      importKey(k) {
        const inner = aes128gcm.importKey(k);
        return { seal: (nonce, plaintext, aad) => inner.seal(nonce, plaintext, aad), open: inner.open.bind(inner) };
      },
    };
    const expected = new RecordProtection(aes128gcm, key, iv).seal(22, content, 7);
    expect(toHex(new RecordProtection(ignoresOutput, key, iv).seal(22, content, 7))).toBe(toHex(expected));
  });
});

describe('AeadKey.seal into an output buffer', () => {
  const providers = { noble: [aes128gcm, aes256gcm, chacha20poly1305], native: [nativeAes128gcm, nativeAes256gcm, nativeChacha20poly1305] };
  for (const [provider, aeads] of Object.entries(providers)) for (const aead of aeads) {
    it(`${provider} ${aead.name}: in place, the same bytes as into a new buffer`, () => {
      const k = aead.importKey(new Uint8Array(aead.keyLength).fill(3));
      const nonce = new Uint8Array(12).fill(9);
      const aad = Uint8Array.of(23, 3, 3, 0, 116);
      const plaintext = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
      const buffer = new Uint8Array(plaintext.length + 16);
      buffer.set(plaintext);
      const sealed = k.seal(nonce, buffer.subarray(0, plaintext.length), aad, buffer);
      expect(sealed).toBe(buffer);
      expect(toHex(buffer)).toBe(toHex(k.seal(nonce, plaintext, aad)));
      expect(() => k.seal(nonce, plaintext, aad, new Uint8Array(plaintext.length))).toThrow(RangeError);
    });
  }
});
