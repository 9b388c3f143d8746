/**
 * Deframing: cutting a received byte stream into records (RFC 8446 §5.1).
 *
 * TCP delivers bytes in arbitrary pieces: half a header, or ten records at once.
 * The reader keeps the pieces it was given in a queue, without copying them, and
 * hands out one complete record at a time. A record that lies within one piece is
 * returned as a view of it; only a record split across pieces is copied together.
 *
 * The header's length is checked as soon as the 5 header bytes are in, so an
 * oversized record is refused before its body arrives. The reader therefore never
 * holds more than one incomplete record (at most 5 + 2^14 + 256 bytes) besides
 * the complete records it has not handed out yet.
 * @module
 */
import { fail } from '../alert.js';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';
import { type RecordHeader, decodeRecordHeader } from './record-header.js';

/** A record as received: the header's fields and the bytes. */
export interface TlsRecord {
  /** The (outer) ContentType from the header. */
  contentType: number;
  /** From the header; deprecated and ignored (RFC 8446 §5.1), kept for traces. */
  legacyRecordVersion: number;
  /** TLSPlaintext.fragment or TLSCiphertext.encrypted_record: the bytes after the header. */
  fragment: Uint8Array;
  /** The whole record, header included (for protected records, the input to decryption). */
  bytes: Uint8Array;
}

/** Reassembles records from a stream of received bytes. */
export class RecordReader {
  /** Received pieces; those before `head` are fully consumed. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** How much of `chunks[head]` is already consumed. */
  private offset = 0;
  private total = 0;

  /**
   * Appends received bytes. They are not copied: the caller must not modify them
   * afterwards (records may be views of them).
   */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  /** Bytes received but not yet handed out as records. */
  get buffered(): number {
    return this.total;
  }

  /**
   * The header of the next record once its 5 bytes are in (null before). Throws a
   * TlsError record_overflow when the length exceeds 2^14 + 256 (RFC 8446 §5.2):
   * no valid record, protected or not, is longer.
   */
  peekHeader(): RecordHeader | null {
    if (this.total < RECORD_HEADER_LENGTH) return null;
    const header = decodeRecordHeader(this.read(RECORD_HEADER_LENGTH, false));
    if (header.length > MAX_CIPHERTEXT_LENGTH) {
      fail('record_overflow', `record length ${header.length} exceeds 2^14 + 256 (RFC 8446 §5.2)`);
    }
    return header;
  }

  /** The next complete record, or null when more bytes are needed. Throws as {@link peekHeader}. */
  next(): TlsRecord | null {
    const header = this.peekHeader();
    if (header === null || this.total < RECORD_HEADER_LENGTH + header.length) return null;
    const bytes = this.read(RECORD_HEADER_LENGTH + header.length, true);
    return {
      contentType: header.contentType,
      legacyRecordVersion: header.legacyRecordVersion,
      fragment: bytes.subarray(RECORD_HEADER_LENGTH),
      bytes,
    };
  }

  /** The first `n` buffered bytes (n ≤ buffered), consumed or not: a view when possible, else a copy. */
  private read(n: number, consume: boolean): Uint8Array {
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      if (consume) this.advance(n);
      return view;
    }
    // The bytes span several pieces: copy them together.
    const out = new Uint8Array(n);
    let filled = 0;
    let index = this.head;
    let offset = this.offset;
    while (filled < n) {
      const chunk = this.chunks[index]!;
      const take = Math.min(chunk.length - offset, n - filled);
      out.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      index++;
      offset = 0;
    }
    if (consume) this.advance(n);
    return out;
  }

  /** Drops `n` bytes from the front of the queue. */
  private advance(n: number): void {
    this.total -= n;
    while (n > 0) {
      const left = this.chunks[this.head]!.length - this.offset;
      if (n < left) {
        this.offset += n;
        return;
      }
      n -= left;
      this.head++;
      this.offset = 0;
    }
    // Release consumed pieces now and then, so the queue does not grow forever
    // (doing it on every record would make many tiny pieces cost quadratic time).
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
