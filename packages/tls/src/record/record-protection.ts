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
import { concat } from '../wire/bytes.js';
import { ContentType } from './content-type.js';
import { MAX_CIPHERTEXT_LENGTH, MAX_INNER_PLAINTEXT_LENGTH, MAX_SEQUENCE_NUMBER, RECORD_HEADER_LENGTH } from './limits.js';
import { LEGACY_RECORD_VERSION, decodeRecordHeader, encodeRecordHeader } from './record-header.js';

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
  private readonly iv: Uint8Array;
  private seq = 0n;

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
    this.key = aead.importKey(key);
    this.iv = Uint8Array.from(iv);
  }

  /** The sequence number the next record will use; starts at 0 (§5.3). */
  get sequenceNumber(): bigint {
    return this.seq;
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
    // TLSInnerPlaintext; a new Uint8Array is all zeros, which is the padding.
    const inner = new Uint8Array(innerLength);
    inner.set(content);
    inner[content.length] = contentType;

    // The header goes into the additional data, so its length is computed up front:
    // every TLS 1.3 AEAD adds exactly tagLength bytes.
    const header = encodeRecordHeader(ContentType.application_data, LEGACY_RECORD_VERSION, innerLength + this.aead.tagLength);
    const encryptedRecord = this.key.seal(this.currentNonce(), inner, header);
    this.seq++;
    return concat(header, encryptedRecord);
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
    const header = decodeRecordHeader(record);
    if (header.length !== record.length - RECORD_HEADER_LENGTH) {
      fail('decode_error', `record header says ${header.length} bytes, but ${record.length - RECORD_HEADER_LENGTH} follow`);
    }
    if (header.length > MAX_CIPHERTEXT_LENGTH) {
      fail('record_overflow', `encrypted record of ${header.length} bytes exceeds 2^14 + 256 (RFC 8446 §5.2)`);
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

  /** The nonce for the current sequence number. */
  private currentNonce(): Uint8Array {
    // §5.3: a sequence number must never wrap; a connection rekeys (or closes) long before.
    if (this.seq > MAX_SEQUENCE_NUMBER) fail('internal_error', 'sequence number exhausted: the key must be updated');
    return perRecordNonce(this.iv, this.seq);
  }
}
