/**
 * Anti-replay for 0-RTT (RFC 8446 §8): early data can be replayed by anyone who saw it,
 * so a server accepts it only for a ticket it has not seen used before (§8.1, single-use
 * tickets) and only when the ticket's age is plausible (§8.3, freshness).
 * @module
 */
import { toHex } from '../../wire/bytes.js';

/**
 * Remembers which tickets have been used for early data.
 *
 * @example
 * ```ts
 * import type { AntiReplay } from '@lucid-tls/tls';
 * // The store every node of a cluster must share, sketched over a key-value store with "set if absent".
 * interface KeyValueStore {
 *   setIfAbsent(key: string, expiresAt: number): boolean;
 * }
 * function sharedAntiReplay(store: KeyValueStore): AntiReplay {
 *   return { firstUse: (identity, expiresAt) => store.setIfAbsent(Buffer.from(identity).toString('hex'), expiresAt) };
 * }
 * const seen = new Set<string>();
 * const antiReplay = sharedAntiReplay({ setIfAbsent: (k) => !seen.has(k) && !!seen.add(k) });
 * console.log(antiReplay.firstUse(Uint8Array.of(1), 0, 0), antiReplay.firstUse(Uint8Array.of(1), 0, 0)); // → true false
 * ```
 * @category Configuration
 */
export interface AntiReplay {
  /** True the first time `identity` is presented before `expiresAt` (ms); false ever after. */
  firstUse(identity: Uint8Array, expiresAt: number, now: number): boolean;
}

/**
 * An in-memory single-use store. It forgets entries once their ticket has expired, and
 * when full it refuses (rejecting 0-RTT is always safe: the client resends as 1-RTT).
 *
 * @example
 * ```ts
 * import { SingleUseTickets } from '@lucid-tls/tls';
 * const store = new SingleUseTickets();
 * const psk = Uint8Array.of(1, 2, 3);
 * const now = Date.now();
 * console.log(store.firstUse(psk, now + 7200_000, now)); // → true
 * console.log(store.firstUse(psk, now + 7200_000, now + 5)); // → false
 * ```
 * @category Configuration
 */
export class SingleUseTickets implements AntiReplay {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  firstUse(identity: Uint8Array, expiresAt: number, now: number): boolean {
    // Entries are mostly in expiry order (insertion order), so stop at the first live one.
    for (const [key, expiry] of this.seen) {
      if (expiry > now) break;
      this.seen.delete(key);
    }
    const key = toHex(identity);
    if (this.seen.has(key) || this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, expiresAt);
    return true;
  }
}

/** How far the client's idea of the ticket age may be from ours before 0-RTT is refused (§8.3). */
export const MAX_TICKET_AGE_SKEW_MS = 10_000;
