/** Small byte helpers shared by every layer. @module */

/**
 * Lowercase hex of `bytes`.
 *
 * @example
 * ```ts
 * import { toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(Uint8Array.of(0x16, 0x03, 0x01))); // → 160301
 * ```
 * @category Bytes and codec
 */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Bytes of a hex string (whitespace and `:` are ignored).
 *
 * @example
 * ```ts
 * import { fromHex } from '@lucid-tls/tls/learn';
 * console.log(fromHex('16 03 01 00 c4')); // → Uint8Array(5) [ 22, 3, 1, 0, 196 ]
 * ```
 * @category Bytes and codec
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('invalid hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The concatenation of `parts`.
 *
 * @example
 * ```ts
 * import { concat, toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(concat(Uint8Array.of(1, 2), Uint8Array.of(3)))); // → 010203
 * ```
 * @category Bytes and codec
 */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte-wise equality. Not constant-time: use {@link equalSecret} for MACs. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compares two secrets without an early exit, so the time does not depend on where
 * they first differ. (JavaScript gives no hard constant-time guarantee; see FEATURES.md.)
 */
export function equalSecret(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** UTF-8 encoding of `s`. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
