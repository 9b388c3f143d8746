/**
 * The 5-byte record header shared by TLSPlaintext and TLSCiphertext (RFC 8446 §5.1,
 * §5.2): content type, legacy_record_version, length. For protected records the
 * header is also the AEAD's additional data (§5.2).
 * @module
 */
import { RECORD_HEADER_LENGTH } from './limits.js';

/**
 * The legacy_record_version of every record we send, except that an initial
 * ClientHello may use {@link LEGACY_RECORD_VERSION_TLS10} (RFC 8446 §5.1).
 * Receivers ignore the field.
 */
export const LEGACY_RECORD_VERSION = 0x0303;

/** 0x0301 (TLS 1.0): what RFC 8446 §5.1 recommends for the record of an initial ClientHello. */
export const LEGACY_RECORD_VERSION_TLS10 = 0x0301;

/** The fields of a record header. */
export interface RecordHeader {
  /** ContentType (the outer one, for protected records). */
  contentType: number;
  /** Deprecated and ignored on receipt (RFC 8446 §5.1). */
  legacyRecordVersion: number;
  /** Length of the fragment (or encrypted_record) that follows. */
  length: number;
}

/** The 5 header bytes for a record. */
export function encodeRecordHeader(contentType: number, legacyRecordVersion: number, length: number): Uint8Array {
  const header = new Uint8Array(RECORD_HEADER_LENGTH);
  writeRecordHeader(header, contentType, legacyRecordVersion, length);
  return header;
}

/**
 * Writes the 5 header bytes at the start of `record`: the record layer builds each record
 * in one buffer, header first, rather than joining a header and a body.
 */
export function writeRecordHeader(record: Uint8Array, contentType: number, legacyRecordVersion: number, length: number): void {
  if (length < 0 || length > 0xffff) throw new RangeError(`record length ${length} does not fit in 16 bits`);
  record[0] = contentType;
  record[1] = legacyRecordVersion >> 8;
  record[2] = legacyRecordVersion & 0xff;
  record[3] = length >> 8;
  record[4] = length & 0xff;
}

/** Reads the header at the start of `bytes` (which must hold at least 5 bytes). */
export function decodeRecordHeader(bytes: Uint8Array): RecordHeader {
  if (bytes.length < RECORD_HEADER_LENGTH) throw new RangeError('a record header needs 5 bytes');
  return {
    contentType: bytes[0]!,
    legacyRecordVersion: (bytes[1]! << 8) | bytes[2]!,
    length: (bytes[3]! << 8) | bytes[4]!,
  };
}
