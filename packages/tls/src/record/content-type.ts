/**
 * ContentType: the first byte of every record, naming the protocol it carries
 * (RFC 8446 §5.1). In protected records the outer type is always application_data
 * and the real type travels inside the encryption (§5.2).
 * @module
 */

/**
 * ContentType code points (RFC 8446 §5.1, §B.1).
 *
 * @example
 * ```ts
 * import { ContentType } from '@lucid-tls/tls/learn';
 * console.log(ContentType.handshake, ContentType.application_data); // → 22 23
 * ```
 * @category Records
 */
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

/** The RFC name of a content type, e.g. `"handshake"`. */
export type ContentTypeName = keyof typeof ContentType;

const namesByCode = new Map<number, ContentTypeName>(
  Object.entries(ContentType).map(([name, code]) => [code, name as ContentTypeName]),
);

/**
 * `"handshake"` for 22; `"unknown(<code>)"` for a code TLS 1.3 does not define.
 *
 * @example
 * ```ts
 * import { contentTypeName } from '@lucid-tls/tls/learn';
 * console.log(contentTypeName(21), contentTypeName(24)); // → alert unknown(24)
 * ```
 * @category Records
 */
export function contentTypeName(code: number): string {
  return namesByCode.get(code) ?? `unknown(${code})`;
}
