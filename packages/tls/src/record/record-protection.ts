/**
 * Record protection for one direction of a connection: an AEAD key, its static IV
 * and the sequence number (RFC 8446 §5.2, §5.3, §5.4).
 *
 * Sealing turns content into a complete TLSCiphertext record; opening reverses it.
 * A new RecordProtection is made for every new traffic key, which is what restarts
 * the sequence number at zero (§5.3).
 * @module
 */
import { fail } from '../alert.js';
import type { Aead, AeadKey } from '../crypto/provider.js';
import { ContentType } from './content-type.js';
import { MAX_CIPHERTEXT_LENGTH, MAX_INNER_PLAINTEXT_LENGTH, MAX_SEQUENCE_NUMBER, RECORD_HEADER_LENGTH } from './limits.js';
import { LEGACY_RECORD_VERSION, writeRecordHeader } from './record-header.js';

/**
 * The per-record nonce (RFC 8446 §5.3): the 64-bit sequence number in network byte
 * order, padded on the left with zeros to the IV's length, XORed with the IV.
 *
 * @example
 * ```ts
 * import { fromHex, perRecordNonce, toHex } from '@lucid-tls/tls/learn';
 * const iv = fromHex('5b78923dee08579033e523d9');
 * console.log(toHex(perRecordNonce(iv, 0n))); // → 5b78923dee08579033e523d9
 * console.log(toHex(perRecordNonce(iv, 1n))); // → 5b78923dee08579033e523d8
 * ```
 * @category Records
 */
export function perRecordNonce(iv: Uint8Array, sequenceNumber: bigint): Uint8Array {
  // §5.3: iv_length is at least 8 bytes, so the sequence number always fits.
  if (iv.length < 8) throw new RangeError(`the IV must be at least 8 bytes, got ${iv.length}`);
  if (sequenceNumber < 0n || sequenceNumber > MAX_SEQUENCE_NUMBER) {
    throw new RangeError('the sequence number must fit in 64 bits');
  }
  const nonce = Uint8Array.from(iv); // a copy even of a Buffer, whose slice() is a view
  // XOR the sequence number into the last 8 bytes, lowest byte last.
  let rest = sequenceNumber;
  for (let i = nonce.length - 1; rest > 0n; i--) {
    nonce[i]! ^= Number(rest & 0xffn);
    rest >>= 8n;
  }
  return nonce;
}

/** Bytes left unused before a sealed record's header, so that its body is 4-byte aligned (5 + 3 = 8). */
const BODY_ALIGNMENT_GAP = 3;

/**
 * What {@link Protection.open} recovers from a record: the TLSInnerPlaintext, taken apart.
 * @category Records
 */
export interface OpenedRecord {
  /** TLSInnerPlaintext.type: the real content type (in TLS 1.2, the header's). */
  contentType: number;
  /** TLSInnerPlaintext.content. */
  content: Uint8Array;
  /** How many zero bytes of padding followed the type (§5.4); always 0 in TLS 1.2. */
  paddingLength: number;
}

/**
 * One direction's record protection, as the record layer uses it whatever the protocol
 * version: {@link RecordProtection} for TLS 1.3, `Tls12RecordProtection` for TLS 1.2.
 * @category Records
 */
export interface Protection {
  /** The AEAD algorithm in use. */
  readonly aead: Aead;
  /** The sequence number the next record will use. */
  readonly sequenceNumber: bigint;
  /**
   * Whether a record carries a TLSInnerPlaintext (RFC 8446 §5.2): the real content type inside,
   * after the content, with zero padding allowed, and application_data in the header. False in
   * TLS 1.2, whose header carries the real type and whose plaintext is the content alone
   * (RFC 5246 §6.2.3).
   */
  readonly innerContentType: boolean;
  /** Seals `content` of type `contentType` into a complete record (with `paddingLength` zeros where padding exists). */
  seal(contentType: number, content: Uint8Array, paddingLength?: number): Uint8Array;
  /** Opens a complete record; null when it does not authenticate (the sequence number then stays). */
  open(record: Uint8Array): OpenedRecord | null;
}

/**
 * One direction's AEAD state: key, IV and sequence number (RFC 8446 §5.2, §5.3).
 *
 * @example
 * ```ts
 * import { ContentType, RecordProtection, aes128gcm, fromHex, toHex } from '@lucid-tls/tls/learn';
 * // RFC 8448 §3: the client's first application data record, 50 bytes 00..31.
 * const key = fromHex('17422dda596ed5d9acd890e3c63f5051');
 * const iv = fromHex('5b78923dee08579033e523d9');
 * const writer = new RecordProtection(aes128gcm, key, iv);
 * const record = writer.seal(ContentType.application_data, Uint8Array.from({ length: 50 }, (_, i) => i));
 * console.log(toHex(record.subarray(0, 12))); // → 1703030043a23f7054b62c94
 * const reader = new RecordProtection(aes128gcm, key, iv);
 * const opened = reader.open(record)!;
 * console.log(opened.contentType, opened.content.length, opened.paddingLength); // → 23 50 0
 * ```
 * @category Records
 */
export class RecordProtection implements Protection {
  readonly innerContentType = true;
  private readonly key: AeadKey;
  /**
   * The nonce of the current record, rewritten for each one (the AEADs use it only during
   * the call). Its first bytes are the IV's; its last 8 are rewritten through {@link nonceTail}.
   */
  private readonly nonce: Uint8Array;
  private readonly nonceTail: DataView;
  /** The IV's last 8 bytes as two 32-bit halves, into which the sequence number is XORed (§5.3). */
  private readonly ivTail: readonly [high: number, low: number];
  /**
   * The sequence number, as a plain number rather than a BigInt: BigInt arithmetic on every
   * record costs more than the rest of the nonce. A number is exact up to 2^53 − 1, which
   * is where we stop (§5.3 only forbids wrapping at 2^64): at a million records a second a
   * connection would need 285 years to get there.
   */
  private seq = 0;

  /**
   * @param aead the cipher suite's AEAD
   * @param key the traffic key ([sender]_write_key, §7.3)
   * @param iv the static IV ([sender]_write_iv, §7.3)
   */
  constructor(
    /** The AEAD algorithm in use (its name is shown in traces). */
    readonly aead: Aead,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    if (iv.length !== aead.nonceLength) {
      throw new RangeError(`${aead.name} needs a ${aead.nonceLength}-byte IV, got ${iv.length} bytes`);
    }
    if (iv.length < 8) throw new RangeError(`the IV must be at least 8 bytes, got ${iv.length}`);
    this.key = aead.importKey(key);
    this.nonce = Uint8Array.from(iv); // a copy even of a Buffer, whose slice() is a view
    this.nonceTail = new DataView(this.nonce.buffer, this.nonce.length - 8, 8);
    this.ivTail = [this.nonceTail.getUint32(0), this.nonceTail.getUint32(4)];
  }

  /** The sequence number the next record will use; starts at 0 (§5.3). */
  get sequenceNumber(): bigint {
    return BigInt(this.seq);
  }

  /**
   * Seals `content` of type `contentType` into a complete TLSCiphertext record:
   * the TLSInnerPlaintext `content || type || zeros[paddingLength]` is encrypted with
   * the record header as additional data (§5.2). The header says application_data
   * and 0x0303 whatever the real type is.
   */
  seal(contentType: number, content: Uint8Array, paddingLength = 0): Uint8Array {
    if (contentType === ContentType.invalid || contentType < 0 || contentType > 255) {
      throw new RangeError(`cannot seal content type ${contentType}`);
    }
    if (!Number.isInteger(paddingLength) || paddingLength < 0) throw new RangeError('padding must be a whole number of bytes');
    const innerLength = content.length + 1 + paddingLength;
    if (innerLength > MAX_INNER_PLAINTEXT_LENGTH) {
      throw new RangeError(`a TLSInnerPlaintext of ${innerLength} bytes exceeds 2^14 + 1 (RFC 8446 §5.4)`);
    }
    // The whole record is built in one buffer, so the content is copied once: the header,
    // then the TLSInnerPlaintext, which the AEAD encrypts in place, then room for the tag.
    // A new Uint8Array is all zeros, which is the padding. Every TLS 1.3 AEAD adds exactly
    // tagLength bytes, so the header (the additional data) can be written up front.
    // The buffer starts 3 bytes before the header, so that the body lies at offset 8: noble's
    // ciphers work on 4-byte-aligned memory and copy whatever is not.
    const encryptedLength = innerLength + this.aead.tagLength;
    const record = new Uint8Array(BODY_ALIGNMENT_GAP + RECORD_HEADER_LENGTH + encryptedLength).subarray(BODY_ALIGNMENT_GAP);
    writeRecordHeader(record, ContentType.application_data, LEGACY_RECORD_VERSION, encryptedLength);
    record.set(content, RECORD_HEADER_LENGTH);
    record[RECORD_HEADER_LENGTH + content.length] = contentType;

    const header = record.subarray(0, RECORD_HEADER_LENGTH);
    const inner = record.subarray(RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + innerLength);
    const encryptedRecord = record.subarray(RECORD_HEADER_LENGTH);
    const sealed = this.key.seal(this.currentNonce(), inner, header, encryptedRecord);
    if (sealed !== encryptedRecord) encryptedRecord.set(sealed); // a provider that ignores `output`
    this.seq++;
    return record;
  }

  /**
   * Opens a complete record (header and encrypted_record). Returns null when the
   * AEAD does not authenticate it; the sequence number then stays where it was, so a
   * server skipping rejected early data can try the next record (§4.2.10).
   *
   * Throws a TlsError: record_overflow when the record or its inner plaintext is
   * too long (§5.2, §5.4); unexpected_message when the inner plaintext has no
   * non-zero byte to serve as the content type (§5.4).
   */
  open(record: Uint8Array): OpenedRecord | null {
    if (record.length < RECORD_HEADER_LENGTH) fail('decode_error', 'a record is shorter than its 5-byte header');
    const length = (record[3]! << 8) | record[4]!; // the header's length field (§5.2)
    if (length !== record.length - RECORD_HEADER_LENGTH) {
      fail('decode_error', `record header says ${length} bytes, but ${record.length - RECORD_HEADER_LENGTH} follow`);
    }
    if (length > MAX_CIPHERTEXT_LENGTH) {
      fail('record_overflow', `encrypted record of ${length} bytes exceeds 2^14 + 256 (RFC 8446 §5.2)`);
    }
    const additionalData = record.subarray(0, RECORD_HEADER_LENGTH);
    const encryptedRecord = record.subarray(RECORD_HEADER_LENGTH);
    const inner = this.key.open(this.currentNonce(), encryptedRecord, additionalData);
    if (inner === null) return null;
    this.seq++;

    if (inner.length > MAX_INNER_PLAINTEXT_LENGTH) {
      fail('record_overflow', `inner plaintext of ${inner.length} bytes exceeds 2^14 + 1 (RFC 8446 §5.4)`);
    }
    // §5.4: scan back over the zero padding; the first non-zero byte is the type.
    let typeIndex = inner.length - 1;
    while (typeIndex >= 0 && inner[typeIndex] === 0) typeIndex--;
    if (typeIndex < 0) fail('unexpected_message', 'protected record has no content type (all zeros, RFC 8446 §5.4)');
    return {
      contentType: inner[typeIndex]!,
      content: inner.subarray(0, typeIndex),
      paddingLength: inner.length - typeIndex - 1,
    };
  }

  /**
   * The nonce for the current sequence number: {@link perRecordNonce}, computed on two
   * 32-bit halves of the sequence number instead of a BigInt.
   */
  private currentNonce(): Uint8Array {
    // §5.3: a sequence number must never wrap; a connection rekeys (or closes) long before.
    if (this.seq > Number.MAX_SAFE_INTEGER) fail('internal_error', 'sequence number exhausted: the key must be updated');
    const high = Math.floor(this.seq / 2 ** 32);
    const low = this.seq >>> 0;
    this.nonceTail.setUint32(0, (this.ivTail[0] ^ high) >>> 0);
    this.nonceTail.setUint32(4, (this.ivTail[1] ^ low) >>> 0);
    return this.nonce;
  }
}
