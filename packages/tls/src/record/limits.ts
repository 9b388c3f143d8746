/**
 * The size limits of the record layer, each with the rule it comes from.
 * @module
 */

/**
 * TLSPlaintext.length MUST NOT exceed 2^14 bytes (RFC 8446 §5.1).
 *
 * @example
 * ```ts
 * import { MAX_PLAINTEXT_LENGTH } from '@lucid-tls/tls/learn';
 * console.log(Math.ceil(40_000 / MAX_PLAINTEXT_LENGTH)); // → 3
 * ```
 * @category Records
 */
export const MAX_PLAINTEXT_LENGTH = 2 ** 14;

/**
 * The full TLSInnerPlaintext (content, type byte and padding) MUST NOT exceed
 * 2^14 + 1 bytes (RFC 8446 §5.4). This is also the largest record_size_limit a
 * TLS 1.3 endpoint may advertise (RFC 8449 §4).
 */
export const MAX_INNER_PLAINTEXT_LENGTH = 2 ** 14 + 1;

/**
 * TLSCiphertext.length MUST NOT exceed 2^14 + 256 bytes: the largest inner plaintext
 * plus at most 255 bytes of AEAD expansion (RFC 8446 §5.2).
 *
 * @example
 * ```ts
 * import { MAX_CIPHERTEXT_LENGTH } from '@lucid-tls/tls/learn';
 * console.log(MAX_CIPHERTEXT_LENGTH); // → 16640
 * ```
 * @category Records
 */
export const MAX_CIPHERTEXT_LENGTH = 2 ** 14 + 256;

/** A record header is type (1), legacy_record_version (2) and length (2) (RFC 8446 §5.1). */
export const RECORD_HEADER_LENGTH = 5;

/** The smallest record_size_limit an endpoint may advertise (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT = 64;

/**
 * The largest sequence number: it is a 64-bit counter that must never wrap
 * (RFC 8446 §5.3); a connection has to rekey or close before passing it.
 */
export const MAX_SEQUENCE_NUMBER = 2n ** 64n - 1n;

/**
 * How many full-size records one AES-GCM key may protect with a safety margin of
 * about 2^-57: 2^24.5 (RFC 8446 §5.5). A sender should send KeyUpdate before this.
 * ChaCha20-Poly1305 has no practical limit (its sequence number wraps first).
 */
export const AES_GCM_MAX_RECORDS = Math.floor(2 ** 24.5);
