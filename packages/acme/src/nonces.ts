/**
 * Anti-replay nonces (RFC 8555 §6.5). Every signed request carries a nonce the server
 * issued and has not yet seen used; the server hands out a fresh one in the Replay-Nonce
 * header of every response, so a client that keeps them rarely has to ask. When it has
 * none, it asks the newNonce resource (§7.2) with a HEAD request.
 *
 * A nonce the server no longer accepts gets a `badNonce` error, whose response carries a
 * fresh nonce for the retry (§6.5): see `AcmeClient`.
 * @module
 */
import { isBase64url } from './base64url.js';

/**
 * The most unused nonces kept; more would only go stale.
 *
 * @example
 * ```ts
 * import { MAX_POOLED_NONCES } from '@lucid-tls/acme';
 * console.log(MAX_POOLED_NONCES); // → 8
 * ```
 */
export const MAX_POOLED_NONCES = 8;

/**
 * The nonces received and not yet used.
 *
 * @example
 * ```ts
 * import { NoncePool } from '@lucid-tls/acme';
 * const pool = new NoncePool(async () => 'ZnJlc2g');
 * pool.add('b2xk');
 * pool.add('not a nonce!'); // ignored: Replay-Nonce values must be base64url (§6.5.1)
 * console.log(await pool.take(), await pool.take()); // → b2xk ZnJlc2g
 * ```
 */
export class NoncePool {
  private readonly nonces: string[] = [];

  /** `fetchNonce` asks the server for a fresh nonce (the newNonce resource). */
  constructor(private readonly fetchNonce: () => Promise<string>) {}

  /** A nonce for the next request: the newest kept, or a fresh one from the server. */
  async take(): Promise<string> {
    return this.nonces.pop() ?? (await this.fetchNonce());
  }

  /** Keeps a response's Replay-Nonce; invalid values are ignored, as §6.5.1 requires. */
  add(value: string | undefined): void {
    if (value === undefined || !isBase64url(value)) return;
    this.nonces.push(value);
    if (this.nonces.length > MAX_POOLED_NONCES) this.nonces.shift();
  }
}
