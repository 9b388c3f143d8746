/**
 * The record layer of a connection (RFC 8446 §5): both directions, with the rules
 * that depend on the connection's state rather than on a single record.
 *
 * Receiving, it checks each record's outer type and size against the current read
 * protection, drops the compatibility change_cipher_spec (§5, §D.4), skips
 * rejected early data (§4.2.10), decrypts, and hands up the content with its real
 * type. Sending, it cuts data into records no larger than the limits allow
 * (§5.1, RFC 8449), pads them if asked (§5.4) and protects them once keys are set.
 *
 * Everything wrong with received bytes is thrown as a TlsError naming the alert
 * RFC 8446 prescribes.
 * @module
 */
import { fail } from '../alert.js';
import { ContentType, contentTypeName } from './content-type.js';
import { MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, MIN_RECORD_SIZE_LIMIT, RECORD_HEADER_LENGTH } from './limits.js';
import { LEGACY_RECORD_VERSION, type RecordHeader, writeRecordHeader } from './record-header.js';
import type { Protection } from './record-protection.js';
import { RecordReader, type TlsRecord } from './record-reader.js';

/**
 * How many bytes of a skipped early-data record are counted as data: its length
 * less the 16-byte tag of every TLS 1.3 AEAD (§B.4) and the inner type byte. The
 * max_early_data_size budget counts only application data (§4.6.1); a server
 * that cannot decrypt the records cannot tell padding from data, so it assumes
 * the least overhead.
 */
const EARLY_DATA_RECORD_OVERHEAD = 16 + 1;

/** The content types {@link RecordLayer.write} cuts into records (change_cipher_spec is handled apart). */
const SENDABLE_CONTENT_TYPES: ReadonlySet<number> = new Set([ContentType.handshake, ContentType.alert, ContentType.application_data]);

/**
 * What record_size_limit counts beyond the content (RFC 8449 §4): TLS 1.3's inner content
 * type byte; nothing in TLS 1.2, where the limit is on the plaintext alone.
 */
const innerOverhead = (protection: Protection | null): number => (protection?.innerContentType === false ? 0 : 1);

/** A record as {@link RecordLayer.read} hands it up. */
export interface ReceivedRecord {
  /** The content type: TLSInnerPlaintext.type for protected records, the header's type otherwise. */
  contentType: number;
  /** The content (the decrypted content for protected records). */
  content: Uint8Array;
  /** The record as it arrived. */
  record: TlsRecord;
  /** Whether the record was AEAD-protected. */
  protected: boolean;
  /** Zero bytes of padding the sender added (§5.4); 0 for plaintext records. */
  paddingLength: number;
  /** For protected records: the sequence number it was decrypted with (§5.3). */
  sequenceNumber?: bigint;
}

/** Options for a {@link RecordLayer}. */
export interface RecordLayerOptions {
  /**
   * Padding policy (§5.4): how many zero bytes to add to a protected record of
   * `contentType` carrying `length` bytes of content. The result is reduced if it
   * would make the record exceed the size limit. Default: no padding.
   */
  padding?: (contentType: number, length: number) => number;
}

/** How a server that rejected 0-RTT skips the client's early data (§4.2.10). */
export type EarlyDataSkipMode = 'trial-decrypt' | 'skip-application-data';

/**
 * Both directions of the record layer, with the connection-level rules.
 *
 * @example
 * ```ts
 * import { ContentType, RecordLayer, RecordProtection, aes128gcm, concat } from '@lucid-tls/tls/learn';
 * const key = new Uint8Array(16);
 * const iv = new Uint8Array(12);
 * const sender = new RecordLayer();
 * sender.setWriteProtection(new RecordProtection(aes128gcm, key, iv));
 * const records = sender.write(ContentType.application_data, new Uint8Array(20_000)); // more than 2^14: two records
 * console.log(records.map((r) => r.length).join(' ')); // → 16406 3638
 * const receiver = new RecordLayer();
 * receiver.setReadProtection(new RecordProtection(aes128gcm, key, iv));
 * receiver.reader.push(concat(...records));
 * const first = receiver.read()!;
 * console.log(first.contentType, first.content.length, first.sequenceNumber); // → 23 16384 0n
 * ```
 * @category Records
 */
export class RecordLayer {
  /** The deframer for received bytes: push bytes into it, then call {@link read}. */
  readonly reader = new RecordReader();

  /**
   * Whether a plaintext change_cipher_spec record of the single byte 0x01 is
   * dropped silently. RFC 8446 §5 allows it between the first ClientHello and the
   * peer's Finished (for middlebox compatibility, §D.4); the connection turns this
   * on and off. A peer sends one at most (§D.4), so dropping one turns it off. When
   * false, such a record is an unexpected_message.
   */
  allowChangeCipherSpec = false;

  /** Told about every record that is dropped rather than handed up (for traces). */
  onDropped?: (record: TlsRecord, why: string) => void;

  /**
   * Told about every record {@link write} makes (for traces): the record, its real
   * content type, the content it carries, and its sequence number when protected.
   */
  onSent?: (record: Uint8Array, contentType: number, content: Uint8Array, sequenceNumber: bigint | undefined) => void;

  private readProtection: Protection | null = null;
  /** TLS 1.2: the protection the peer's next change_cipher_spec switches reading to (RFC 5246 §7.1). */
  private pendingRead: Protection | null = null;
  private writeProtection: Protection | null = null;
  /** Largest TLSInnerPlaintext the peer accepts from us (RFC 8449); 2^14 + 1 without the extension. */
  private writeLimit = MAX_INNER_PLAINTEXT_LENGTH;
  /** Largest TLSInnerPlaintext we accept (our advertised record_size_limit). */
  private readLimit = MAX_INNER_PLAINTEXT_LENGTH;
  private readonly padding: ((contentType: number, length: number) => number) | undefined;
  private skip: { mode: EarlyDataSkipMode; bytesLeft: number } | null = null;
  private droppedCount = 0;

  constructor(options: RecordLayerOptions = {}) {
    this.padding = options.padding;
  }

  /** Sets the protection of received records; null means plaintext (before any keys). */
  setReadProtection(protection: Protection | null): void {
    this.readProtection = protection;
  }

  /**
   * TLS 1.2 (RFC 5246 §7.1): the peer's next record must be a change_cipher_spec (an alert
   * aside), and `protection` protects what follows it.
   */
  expectChangeCipherSpec(protection: Protection): void {
    this.pendingRead = protection;
  }

  /** Whether a TLS 1.2 change_cipher_spec is still awaited (a Finished before it is unexpected). */
  get awaitingChangeCipherSpec(): boolean {
    return this.pendingRead !== null;
  }

  /** Sets the protection of sent records; null means plaintext (before any keys). */
  setWriteProtection(protection: Protection | null): void {
    this.writeProtection = protection;
  }

  /**
   * Applies the peer's record_size_limit (RFC 8449 §4). In TLS 1.3 the limit counts
   * the whole TLSInnerPlaintext (content, type byte and padding, RFC 8446 §5.4),
   * so protected records carry at most `limit - 1` bytes of content. A value above
   * 2^14 + 1 allows no more than the protocol does; below 64 it is illegal.
   * Plaintext records are not subject to it (RFC 8449 §4).
   */
  setWriteRecordSizeLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT) {
      fail('illegal_parameter', `record_size_limit ${limit} is below the minimum of 64 (RFC 8449 §4)`);
    }
    this.writeLimit = Math.min(limit, MAX_INNER_PLAINTEXT_LENGTH);
  }

  /**
   * Sets the record_size_limit we advertised (RFC 8449 §4): a protected record whose
   * TLSInnerPlaintext is longer is a record_overflow.
   */
  setReadRecordSizeLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > MAX_INNER_PLAINTEXT_LENGTH) {
      throw new RangeError(`a record_size_limit must be between 64 and 2^14 + 1, not ${limit}`);
    }
    this.readLimit = limit;
  }

  /** The current read protection (the connection checks that a key change ends a record, §5.1). */
  get currentReadProtection(): Protection | null {
    return this.readProtection;
  }

  /** The sequence number of the next protected record we send, or undefined while sending plaintext. */
  get writeSequenceNumber(): bigint | undefined {
    return this.writeProtection?.sequenceNumber;
  }

  /** The largest content the next protected record we send may carry. */
  get maxWriteFragment(): number {
    return Math.min(MAX_PLAINTEXT_LENGTH, this.writeLimit - innerOverhead(this.writeProtection));
  }

  /**
   * Skips the early data of a client whose 0-RTT this server rejected (§4.2.10),
   * up to `maxBytes` of it (max_early_data_size; each skipped record counts its
   * length less 17 bytes of minimum AEAD and type overhead).
   *
   * - `'trial-decrypt'` (after a 1-RTT ServerHello; read protection is the client's
   *   handshake key): records that fail to decrypt are dropped. The first that
   *   decrypts ends the skipping. Beyond the budget a failure is bad_record_mac.
   * - `'skip-application-data'` (after a HelloRetryRequest; no read protection):
   *   records of outer type application_data are dropped. The first record of
   *   another type (the second ClientHello) ends the skipping. Beyond the budget
   *   such a record is an unexpected_message, as without skipping.
   */
  skipEarlyData(maxBytes: number, mode: EarlyDataSkipMode): void {
    this.skip = { mode, bytesLeft: maxBytes };
  }

  /** Whether early data is still being skipped. */
  get skippingEarlyData(): boolean {
    return this.skip !== null;
  }

  /** How many records were dropped (change_cipher_spec and skipped early data). */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * The next received record, checked and decrypted; null when more bytes are
   * needed. Dropped records (change_cipher_spec, skipped early data) are not
   * returned; see {@link onDropped}. Throws a TlsError for anything invalid.
   */
  read(): ReceivedRecord | null {
    for (;;) {
      // Check the header first, so a bad record is refused before its body arrives.
      const header = this.reader.peekHeader();
      if (header === null) return null;
      this.checkHeader(header);
      const record = this.reader.next();
      if (record === null) return null;
      const received =
        this.readProtection === null ? this.acceptPlaintext(record) : this.acceptProtected(record, this.readProtection);
      if (received !== null) return received;
    }
  }

  /**
   * Cuts `data` into records of content type `contentType` and protects them when a
   * write key is set. Returns each record's bytes, in order. change_cipher_spec is
   * always sent in plaintext (§D.4). Empty data gives one record for
   * application_data and is refused for handshake and alert (§5.1, §5.4).
   *
   * @param legacyRecordVersion for plaintext records; 0x0301 is allowed for an
   *   initial ClientHello (§5.1), 0x0303 otherwise (the default).
   */
  write(contentType: number, data: Uint8Array, legacyRecordVersion = LEGACY_RECORD_VERSION): Uint8Array[] {
    const type = contentTypeName(contentType);
    if (contentType === ContentType.change_cipher_spec) {
      // §D.4: the compatibility CCS is never encrypted, even when keys are in place.
      const record = this.plaintextRecord(contentType, data, legacyRecordVersion);
      this.onSent?.(record, contentType, data, undefined);
      return [record];
    }
    if (!SENDABLE_CONTENT_TYPES.has(contentType)) fail('internal_error', `cannot send records of type ${type}`);
    if (data.length === 0 && contentType !== ContentType.application_data) {
      fail('internal_error', `zero-length ${type} records must not be sent (RFC 8446 §5.1)`);
    }
    const protection = this.writeProtection;
    if (protection === null && contentType === ContentType.application_data) {
      fail('internal_error', 'application data must not be sent unprotected (RFC 8446 §5.1)');
    }

    // Unprotected records are not subject to record_size_limit (RFC 8449 §4).
    const maxFragment = protection === null ? MAX_PLAINTEXT_LENGTH : this.maxWriteFragment;
    const records: Uint8Array[] = [];
    let offset = 0;
    do {
      const fragment = data.subarray(offset, offset + maxFragment);
      offset += fragment.length;
      // Read before sealing (which advances it), and only for a listener: it is a BigInt.
      const sequenceNumber = this.onSent !== undefined ? protection?.sequenceNumber : undefined;
      const record =
        protection === null
          ? this.plaintextRecord(contentType, fragment, legacyRecordVersion)
          : protection.seal(contentType, fragment, this.paddingFor(contentType, fragment.length));
      this.onSent?.(record, contentType, fragment, sequenceNumber);
      records.push(record);
    } while (offset < data.length);
    return records;
  }

  /** Rules that need only the header: known outer type, and a length possible for it. */
  private checkHeader(header: RecordHeader): void {
    const { contentType, length } = header;
    const type = contentTypeName(contentType);
    switch (contentType) {
      case ContentType.change_cipher_spec:
        // §5: detected before any decryption, since it may arrive while records are protected.
        if (!this.allowChangeCipherSpec && this.pendingRead === null) {
          fail('unexpected_message', 'change_cipher_spec record not allowed here (RFC 8446 §5)');
        }
        if (length !== 1) {
          fail('unexpected_message', `change_cipher_spec record of ${length} bytes; only 0x01 is allowed (RFC 8446 §5)`);
        }
        return;
      case ContentType.application_data:
        if (this.pendingRead !== null) fail('unexpected_message', 'application_data record where change_cipher_spec must come (RFC 5246 §7.1)');
        if (this.readProtection === null && this.skip?.mode !== 'skip-application-data') {
          fail('unexpected_message', 'application_data record before record protection (RFC 8446 §5.1)');
        }
        return;
      case ContentType.handshake:
      case ContentType.alert:
        if (contentType === ContentType.handshake && this.pendingRead !== null) {
          fail('unexpected_message', 'handshake record where change_cipher_spec must come (RFC 5246 §7.1)');
        }
        if (this.readProtection !== null) {
          // TLS 1.2 protects records under their real type (RFC 5246 §6.2.3); TLS 1.3 never does (§5.2).
          if (!this.readProtection.innerContentType) return;
          fail('unexpected_message', `plaintext ${type} record after record protection started (RFC 8446 §5.2)`);
        }
        if (length > MAX_PLAINTEXT_LENGTH) {
          fail('record_overflow', `plaintext record of ${length} bytes exceeds 2^14 (RFC 8446 §5.1)`);
        }
        // §5.1 forbids sending these empty; §5.4 names unexpected_message for receiving
        // them in protected records, and we treat plaintext ones the same way.
        if (length === 0) fail('unexpected_message', `zero-length ${type} record (RFC 8446 §5.1)`);
        return;
      default:
        // RFC 6176 §3: SSL 2.0 is never negotiated; its ClientHello (a 2-byte length with the top bit set, then msg_type 1) is a protocol_version.
        if (this.readProtection === null && contentType & 0x80 && (header.legacyRecordVersion & 0xff) === 1) {
          fail('protocol_version', 'an SSL 2.0 ClientHello (RFC 6176)');
        }
        fail('unexpected_message', `record of unknown content type ${contentType} (RFC 8446 §5)`);
    }
  }

  /** A record received while no read key is set (its header already checked). */
  private acceptPlaintext(record: TlsRecord): ReceivedRecord | null {
    if (record.contentType === ContentType.change_cipher_spec) return this.acceptChangeCipherSpec(record);
    if (record.contentType === ContentType.application_data) {
      // Only reachable when skipping early data after a HelloRetryRequest (§4.2.10).
      const skip = this.skip!;
      skip.bytesLeft -= Math.max(0, record.fragment.length - EARLY_DATA_RECORD_OVERHEAD);
      if (skip.bytesLeft < 0) {
        this.skip = null;
        fail('unexpected_message', 'more early data than max_early_data_size (RFC 8446 §4.2.10, §4.6.1)');
      }
      return this.drop(record, 'early data skipped after HelloRetryRequest (RFC 8446 §4.2.10)');
    }
    // Any other record ends the early data: it is the second ClientHello (or an alert).
    if (this.skip?.mode === 'skip-application-data') this.skip = null;
    return { contentType: record.contentType, content: record.fragment, record, protected: false, paddingLength: 0 };
  }

  /** A record received under read protection (its header already checked). */
  private acceptProtected(record: TlsRecord, protection: Protection): ReceivedRecord | null {
    if (record.contentType === ContentType.change_cipher_spec) return this.acceptChangeCipherSpec(record);
    const sequenceNumber = protection.sequenceNumber;
    const opened = protection.open(record.bytes);
    if (opened === null) {
      const skip = this.skip;
      if (skip?.mode === 'trial-decrypt') {
        skip.bytesLeft -= Math.max(0, record.fragment.length - EARLY_DATA_RECORD_OVERHEAD);
        if (skip.bytesLeft >= 0) return this.drop(record, 'early data that does not decrypt, skipped (RFC 8446 §4.2.10)');
        this.skip = null;
      }
      fail('bad_record_mac', 'record failed to decrypt (RFC 8446 §5.2)');
    }
    // §4.2.10: the first record that decrypts is the start of the client's second flight.
    if (this.skip?.mode === 'trial-decrypt') this.skip = null;

    const innerLength = opened.content.length + innerOverhead(protection) + opened.paddingLength;
    if (innerLength > this.readLimit) {
      fail(
        'record_overflow',
        `inner plaintext of ${innerLength} bytes exceeds our record_size_limit of ${this.readLimit} (RFC 8449 §4)`,
      );
    }
    const type = contentTypeName(opened.contentType);
    switch (opened.contentType) {
      case ContentType.handshake:
      case ContentType.alert:
        if (opened.content.length === 0) fail('unexpected_message', `zero-length ${type} record (RFC 8446 §5.4)`);
        break;
      case ContentType.application_data:
        break; // may be empty (§5.4)
      case ContentType.change_cipher_spec:
        fail('unexpected_message', 'protected change_cipher_spec record (RFC 8446 §5)');
      default:
        fail('unexpected_message', `protected record of unknown content type ${opened.contentType} (RFC 8446 §5)`);
    }
    return {
      contentType: opened.contentType,
      content: opened.content,
      record,
      protected: true,
      paddingLength: opened.paddingLength,
      sequenceNumber,
    };
  }

  /**
   * A plaintext change_cipher_spec the header check allowed, if it is exactly 0x01 (§5): in
   * TLS 1.2 it switches reading to the pending protection (RFC 5246 §7.1); in TLS 1.3 it is
   * a compatibility record, dropped.
   */
  private acceptChangeCipherSpec(record: TlsRecord): null {
    if (record.fragment[0] !== 0x01) {
      fail('unexpected_message', `change_cipher_spec value ${record.fragment[0]}; only 0x01 is allowed (RFC 8446 §5)`);
    }
    if (this.pendingRead !== null) {
      this.readProtection = this.pendingRead;
      this.pendingRead = null;
      return this.drop(record, 'change_cipher_spec: the records after it are protected with the new keys (RFC 5246 §7.1)');
    }
    // §D.4: a peer sends a single compatibility change_cipher_spec; a second one is unexpected.
    this.allowChangeCipherSpec = false;
    return this.drop(record, 'change_cipher_spec for middlebox compatibility (RFC 8446 §5, §D.4)');
  }

  private drop(record: TlsRecord, why: string): null {
    this.droppedCount++;
    this.onDropped?.(record, why);
    return null;
  }

  private plaintextRecord(contentType: number, fragment: Uint8Array, legacyRecordVersion: number): Uint8Array {
    if (fragment.length > MAX_PLAINTEXT_LENGTH) fail('internal_error', 'plaintext record longer than 2^14 bytes');
    const record = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
    writeRecordHeader(record, contentType, legacyRecordVersion, fragment.length);
    record.set(fragment, RECORD_HEADER_LENGTH);
    return record;
  }

  /** The padding for a protected record: the policy's choice, cut to what the size limit leaves. */
  private paddingFor(contentType: number, contentLength: number): number {
    if (this.padding === undefined || !this.writeProtection?.innerContentType) return 0;
    const wanted = this.padding(contentType, contentLength);
    if (!Number.isInteger(wanted) || wanted < 0) {
      throw new RangeError(`padding must be a whole number of bytes, not ${wanted}`);
    }
    const room = this.writeLimit - contentLength - 1;
    return Math.min(wanted, room);
  }
}
