/**
 * TLS 1.2's AEAD record protection for one direction (RFC 5246 §6.2.3.3): the header carries
 * the real content type, the plaintext is the content alone (no inner type, no padding), and
 * the additional data is seq_num + type + version + the plaintext's length.
 *
 * The nonce depends on the AEAD:
 * - AES-GCM (RFC 5288 §3): a 4-byte salt from the key block, then an 8-byte nonce_explicit
 *   that travels at the start of each record. We use the sequence number for it, as §3
 *   allows, so a nonce never repeats under one key.
 * - ChaCha20-Poly1305 (RFC 7905 §2): the 12-byte IV from the key block XOR the sequence
 *   number, as in TLS 1.3; nothing explicit travels.
 * @module
 */
import { fail } from '../alert.js';
import type { Aead, AeadKey } from '../crypto/provider.js';
import { concat } from '../wire/bytes.js';
import { MAX_PLAINTEXT_LENGTH, MAX_SEQUENCE_NUMBER, RECORD_HEADER_LENGTH } from './limits.js';
import { LEGACY_RECORD_VERSION, decodeRecordHeader, encodeRecordHeader } from './record-header.js';
import { perRecordNonce, type OpenedRecord, type Protection } from './record-protection.js';

/** TLSCiphertext.length may not exceed 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_TLS12_CIPHERTEXT_LENGTH = 2 ** 14 + 2048;
/** RFC 5288 §3: GCM's salt, the implicit part of the nonce, from the key block. */
const GCM_SALT_LENGTH = 4;
/** RFC 5288 §3: nonce_explicit, carried in each record. */
const GCM_EXPLICIT_NONCE_LENGTH = 8;

/** Whether `aead` is AES-GCM, whose TLS 1.2 nonce is partly explicit (RFC 5288) rather than XORed (RFC 7905). */
const isGcm = (aead: Aead): boolean => aead.name === 'AES-128-GCM' || aead.name === 'AES-256-GCM';

/** The 64-bit sequence number in network byte order. */
function seqBytes(seq: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, seq);
  return out;
}

/**
 * One direction of TLS 1.2 AEAD protection: key, the key block's IV and the sequence number.
 *
 * @example
 * ```ts
 * import { ContentType, Tls12RecordProtection, aes128gcm, toHex } from '@lucid-tls/tls/learn';
 * const key = new Uint8Array(16), salt = new Uint8Array(4);
 * const writer = new Tls12RecordProtection(aes128gcm, key, salt);
 * const record = writer.seal(ContentType.application_data, new TextEncoder().encode('hi'));
 * console.log(toHex(record.subarray(0, 13))); // → 170303001a0000000000000000
 * const opened = new Tls12RecordProtection(aes128gcm, key, salt).open(record)!;
 * console.log(opened.contentType, new TextDecoder().decode(opened.content)); // → 23 hi
 * ```
 * @category Records
 */
export class Tls12RecordProtection implements Protection {
  readonly innerContentType = false;
  private readonly key: AeadKey;
  private readonly iv: Uint8Array;
  private readonly explicitNonceLength: number;
  private seq = 0n;

  /** The length of the key block's IV for `aead`: the GCM salt, or ChaCha20-Poly1305's whole IV. */
  static ivLength(aead: Aead): number {
    return isGcm(aead) ? GCM_SALT_LENGTH : aead.nonceLength;
  }

  /**
   * @param aead the cipher suite's AEAD
   * @param key client_write_key or server_write_key (RFC 5246 §6.3)
   * @param iv client_write_IV or server_write_IV: the salt (GCM) or the IV (ChaCha20-Poly1305)
   */
  constructor(
    readonly aead: Aead,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    if (iv.length !== Tls12RecordProtection.ivLength(aead)) throw new RangeError(`${aead.name} in TLS 1.2 needs a ${Tls12RecordProtection.ivLength(aead)}-byte IV, got ${iv.length}`);
    this.key = aead.importKey(key);
    this.iv = Uint8Array.from(iv);
    this.explicitNonceLength = isGcm(aead) ? GCM_EXPLICIT_NONCE_LENGTH : 0;
  }

  /** The sequence number the next record will use; starts at 0 after each change_cipher_spec (RFC 5246 §6.1). */
  get sequenceNumber(): bigint {
    return this.seq;
  }

  /** Seals `content` into a record: header, nonce_explicit (GCM), then ciphertext and tag. TLS 1.2 has no padding. */
  seal(contentType: number, content: Uint8Array, paddingLength = 0): Uint8Array {
    if (paddingLength !== 0) throw new RangeError('TLS 1.2 records have no padding');
    if (content.length > MAX_PLAINTEXT_LENGTH) throw new RangeError(`a TLS 1.2 record of ${content.length} bytes exceeds 2^14 (RFC 5246 §6.2.1)`);
    const seq = this.nextSequenceNumber();
    const explicit = this.explicitNonceLength ? seqBytes(seq) : new Uint8Array(0);
    const sealed = this.key.seal(this.nonce(seq, explicit), content, this.additionalData(seq, contentType, content.length));
    this.seq++;
    const header = encodeRecordHeader(contentType, LEGACY_RECORD_VERSION, explicit.length + sealed.length);
    return concat(header, explicit, sealed);
  }

  /**
   * Opens a complete record. Null when it does not authenticate (including one too short to
   * hold its nonce and tag): the record layer answers bad_record_mac (RFC 5246 §7.2.2).
   */
  open(record: Uint8Array): OpenedRecord | null {
    if (record.length < RECORD_HEADER_LENGTH) fail('decode_error', 'a record is shorter than its 5-byte header');
    const header = decodeRecordHeader(record);
    if (header.length !== record.length - RECORD_HEADER_LENGTH) fail('decode_error', `record header says ${header.length} bytes, but ${record.length - RECORD_HEADER_LENGTH} follow`);
    if (header.length > MAX_TLS12_CIPHERTEXT_LENGTH) fail('record_overflow', `encrypted record of ${header.length} bytes exceeds 2^14 + 2048 (RFC 5246 §6.2.3)`);
    const plaintextLength = header.length - this.explicitNonceLength - this.aead.tagLength;
    if (plaintextLength < 0) return null;
    const seq = this.nextSequenceNumber();
    const explicit = record.subarray(RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + this.explicitNonceLength);
    const ciphertext = record.subarray(RECORD_HEADER_LENGTH + this.explicitNonceLength);
    const content = this.key.open(this.nonce(seq, explicit), ciphertext, this.additionalData(seq, header.contentType, plaintextLength));
    if (content === null) return null;
    this.seq++;
    if (content.length > MAX_PLAINTEXT_LENGTH) fail('record_overflow', `record plaintext of ${content.length} bytes exceeds 2^14 (RFC 5246 §6.2.3)`);
    return { contentType: header.contentType, content, paddingLength: 0 };
  }

  /** additional_data = seq_num + TLSCompressed.type + TLSCompressed.version + TLSCompressed.length (RFC 5246 §6.2.3.3). */
  private additionalData(seq: bigint, contentType: number, length: number): Uint8Array {
    return concat(seqBytes(seq), Uint8Array.of(contentType, LEGACY_RECORD_VERSION >> 8, LEGACY_RECORD_VERSION & 0xff, length >> 8, length & 0xff));
  }

  /** GCM: salt + nonce_explicit (RFC 5288 §3). ChaCha20-Poly1305: IV XOR the sequence number (RFC 7905 §2). */
  private nonce(seq: bigint, explicit: Uint8Array): Uint8Array {
    return this.explicitNonceLength ? concat(this.iv, explicit) : perRecordNonce(this.iv, seq);
  }

  private nextSequenceNumber(): bigint {
    // RFC 5246 §6.1: a sequence number may not wrap; TLS 1.2 cannot rekey, so the connection ends first.
    if (this.seq > MAX_SEQUENCE_NUMBER) fail('internal_error', 'sequence number exhausted');
    return this.seq;
  }
}
