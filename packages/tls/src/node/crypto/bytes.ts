/**
 * Between `node:crypto`'s Buffers and the engine's Uint8Arrays.
 * @module
 */

/**
 * A `Buffer` from `node:crypto` as a plain `Uint8Array` over the same memory. The engine
 * expects Uint8Array semantics: a Buffer's `slice` shares memory where a Uint8Array's copies.
 */
export function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The bytes as base64url, the encoding of JWK members (RFC 7517, RFC 7518 §2). */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
