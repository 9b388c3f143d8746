/**
 * base64url (RFC 4648 §5) without padding, the encoding of every binary value in JWS and
 * ACME (RFC 7515 §2, RFC 8555 §6.1): `+/` become `-_` and the trailing `=` are dropped.
 * RFC 8555 §6.1 says values with `=` "MUST be rejected as improperly encoded", so the
 * decoder is strict.
 * @module
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * The base64url text of `bytes`, without padding.
 *
 * @example
 * ```ts
 * import { base64url } from '@lucid-tls/acme';
 * console.log(base64url(Uint8Array.of(0xfb, 0xff)), base64url('{}')); // → -_8 e30
 * ```
 */
export function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64url');
}

/**
 * The bytes of base64url text; throws a RangeError on padding or any character outside the alphabet.
 *
 * @example
 * ```ts
 * import { fromBase64url } from '@lucid-tls/acme';
 * console.log(fromBase64url('-_8')); // → Uint8Array(2) [ 251, 255 ]
 * try {
 *   fromBase64url('-_8=');
 * } catch (e) {
 *   console.log((e as Error).message); // → not base64url: "-_8="
 * }
 * ```
 */
export function fromBase64url(text: string): Uint8Array {
  // A length of 4k+1 characters cannot come from whole bytes.
  if (!ALPHABET.test(text) || text.length % 4 === 1) throw new RangeError(`not base64url: ${JSON.stringify(text.slice(0, 40))}`);
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/**
 * Whether `text` is one or more base64url characters: the syntax of a Replay-Nonce
 * (`Replay-Nonce = 1*base64url`, RFC 8555 §6.5.1) and of a challenge token (§8.3).
 *
 * @example
 * ```ts
 * import { isBase64url } from '@lucid-tls/acme';
 * console.log(isBase64url('oFvnlFP1wIhRlYS2jTaXbA'), isBase64url('a/b'), isBase64url('')); // → true false false
 * ```
 */
export function isBase64url(text: string): boolean {
  return text.length > 0 && ALPHABET.test(text);
}
