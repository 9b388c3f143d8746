/**
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2), checked
 * against node:crypto's AES-GCM and ChaCha20-Poly1305 with the nonce and additional data
 * built here from the RFCs' text, on the AEADs of both providers (noble and native); and the record layer's TLS 1.2 rules: real content types,
 * no padding, the record_size_limit on the plaintext alone, and change_cipher_spec as the
 * switch to the new keys (RFC 5246 §7.1).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { aes128gcm, aes256gcm, chacha20poly1305 } from '../../src/crypto/aead.js';
import * as native from '../../src/node/crypto/aead.js';
import type { Aead } from '../../src/crypto/provider.js';
import { ContentType } from '../../src/record/content-type.js';
import { RecordLayer } from '../../src/record/record-layer.js';
import { Tls12RecordProtection } from '../../src/record/tls12-record-protection.js';
import { concat, toHex } from '../../src/wire/bytes.js';

const nodeName = (aead: Aead) => ({ 'AES-128-GCM': 'aes-128-gcm', 'AES-256-GCM': 'aes-256-gcm', 'ChaCha20-Poly1305': 'chacha20-poly1305' })[aead.name];
const seq8 = (seq: number) => Uint8Array.of(0, 0, 0, 0, 0, 0, seq >> 8, seq & 0xff);

/** Encrypts one record the way the RFCs describe it, with node:crypto. */
function referenceSeal(aead: Aead, key: Uint8Array, iv: Uint8Array, seq: number, type: number, content: Uint8Array): Uint8Array {
  const gcm = aead.name !== 'ChaCha20-Poly1305';
  const explicit = gcm ? seq8(seq) : new Uint8Array(0);
  const nonce = gcm ? concat(iv, explicit) : iv.map((b, i) => (i < 4 ? b : b ^ seq8(seq)[i - 4]!));
  const aad = concat(seq8(seq), Uint8Array.of(type, 3, 3, content.length >> 8, content.length & 0xff));
  const cipher = createCipheriv(nodeName(aead) as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: content.length });
  const body = concat(explicit, cipher.update(content), cipher.final(), cipher.getAuthTag());
  return concat(Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff), body);
}

describe('Tls12RecordProtection', () => {
  for (const [provider, aead] of [
    ...[aes128gcm, aes256gcm, chacha20poly1305].map((a) => ['noble', a] as const),
    ...[native.aes128gcm, native.aes256gcm, native.chacha20poly1305].map((a) => ['native', a] as const),
  ]) {
    it(`${aead.name} (${provider}): the records of RFC 5288 / RFC 7905, as node:crypto makes them, both ways`, () => {
      const key = randomBytes(aead.keyLength);
      const iv = randomBytes(Tls12RecordProtection.ivLength(aead));
      expect(iv.length).toBe(aead.name === 'ChaCha20-Poly1305' ? 12 : 4);
      const writer = new Tls12RecordProtection(aead, key, iv);
      const reader = new Tls12RecordProtection(aead, key, iv);
      for (let seq = 0; seq < 3; seq++) {
        const type = seq === 0 ? ContentType.handshake : ContentType.application_data;
        const content = randomBytes(20 + seq);
        const record = writer.seal(type, content);
        expect(toHex(record)).toBe(toHex(referenceSeal(aead, key, iv, seq, type, content)));
        const opened = reader.open(record)!;
        expect(opened).toEqual({ contentType: type, content: new Uint8Array(content), paddingLength: 0 });
      }
      expect(writer.sequenceNumber).toBe(3n);
    });
  }

  it('a record that does not authenticate opens to null, and the sequence number stays', () => {
    const p = new Tls12RecordProtection(aes128gcm, new Uint8Array(16), new Uint8Array(4));
    const record = new Tls12RecordProtection(aes128gcm, new Uint8Array(16), new Uint8Array(4)).seal(ContentType.alert, Uint8Array.of(1, 0));
    for (const i of [0, 3, 6, 20, record.length - 1]) {
      const bad = record.slice();
      bad[i]! ^= 0x40; // the header is authenticated too (type, version, length)
      if (i === 3) continue; // a changed length no longer matches the record: decode_error below
      expect(p.open(bad)).toBeNull();
    }
    expect(p.sequenceNumber).toBe(0n);
    // Too short for nonce_explicit and tag: null (bad_record_mac for the record layer).
    expect(p.open(Uint8Array.of(23, 3, 3, 0, 10, ...new Uint8Array(10)))).toBeNull();
    expect(() => p.open(Uint8Array.of(23, 3, 3, 0, 10))).toThrow(TlsError);
    expect(p.open(record)).not.toBeNull();
  });

  it('refuses padding and plaintext longer than 2^14 when sealing; an oversized record is record_overflow', () => {
    const p = new Tls12RecordProtection(chacha20poly1305, new Uint8Array(32), new Uint8Array(12));
    expect(() => p.seal(ContentType.application_data, new Uint8Array(1), 1)).toThrow(RangeError);
    expect(() => p.seal(ContentType.application_data, new Uint8Array(2 ** 14 + 1))).toThrow(RangeError);
    const huge = concat(Uint8Array.of(23, 3, 3, 0x48, 0x01), new Uint8Array(0x4801));
    expect(() => p.open(huge)).toThrow(expect.objectContaining({ alert: 'record_overflow' }));
  });
});

describe('the record layer with TLS 1.2 protection', () => {
  const key = new Uint8Array(16).fill(5);
  const iv = new Uint8Array(4).fill(6);
  const protection = () => new Tls12RecordProtection(aes128gcm, key, iv);
  const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);

  it('sends the real content type in the header, with no padding even when the policy asks', () => {
    const sender = new RecordLayer({ padding: () => 100 });
    sender.setWriteProtection(protection());
    const [record] = sender.write(ContentType.handshake, new Uint8Array(10));
    expect(record![0]).toBe(ContentType.handshake);
    expect(record!.length).toBe(5 + 8 + 10 + 16);
  });

  it('applies the peer’s record_size_limit to the plaintext alone (RFC 8449 §4)', () => {
    const sender = new RecordLayer();
    sender.setWriteProtection(protection());
    sender.setWriteRecordSizeLimit(100);
    expect(sender.maxWriteFragment).toBe(100);
    const records = sender.write(ContentType.application_data, new Uint8Array(250));
    expect(records.map((r) => r.length - 5 - 8 - 16)).toEqual([100, 100, 50]);
  });

  it('switches reading to the new protection at the change_cipher_spec, and only there', () => {
    const receiver = new RecordLayer();
    receiver.expectChangeCipherSpec(protection());
    expect(receiver.awaitingChangeCipherSpec).toBe(true);
    const sealed = protection().seal(ContentType.handshake, Uint8Array.of(20, 0, 0, 0));
    // A handshake record where the change_cipher_spec must come: unexpected_message.
    const early = new RecordLayer();
    early.expectChangeCipherSpec(protection());
    early.reader.push(sealed);
    expect(() => early.read()).toThrow(expect.objectContaining({ alert: 'unexpected_message' }));
    receiver.reader.push(concat(ccs, sealed));
    const read = receiver.read()!;
    expect(receiver.awaitingChangeCipherSpec).toBe(false);
    expect(read).toMatchObject({ contentType: ContentType.handshake, protected: true, paddingLength: 0 });
    expect(toHex(read.content)).toBe('14000000');
    // A second change_cipher_spec is not expected: unexpected_message (the CCS injection of CVE-2014-0224).
    receiver.reader.push(ccs);
    expect(() => receiver.read()).toThrow(expect.objectContaining({ alert: 'unexpected_message' }));
  });

  it('a change_cipher_spec nobody expects is unexpected_message', () => {
    const receiver = new RecordLayer();
    receiver.reader.push(ccs);
    expect(() => receiver.read()).toThrow(expect.objectContaining({ alert: 'unexpected_message' }));
  });

  it('accepts an empty application_data record (RFC 5246 §6.2.1) and refuses an empty handshake one', () => {
    const receiver = new RecordLayer();
    receiver.setReadProtection(protection());
    const sender = protection();
    receiver.reader.push(sender.seal(ContentType.application_data, new Uint8Array(0)));
    expect(receiver.read()).toMatchObject({ contentType: ContentType.application_data, content: new Uint8Array(0) });
    receiver.reader.push(sender.seal(ContentType.handshake, new Uint8Array(0)));
    expect(() => receiver.read()).toThrow(expect.objectContaining({ alert: 'unexpected_message' }));
  });
});
