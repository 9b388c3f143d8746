/**
 * The native provider's random source: OpenSSL's generator (through `randomFillSync`),
 * drawn a few kilobytes at a time. Each call into `node:crypto` costs microseconds whatever
 * its size, and a handshake asks for a dozen small values (randoms, key shares, salts,
 * ticket nonces); a pool turns those into copies. The pool lives in this process only
 * (Node does not fork a running process), and every byte handed out is wiped from it.
 * @module
 */
import { randomFillSync } from 'node:crypto';

/** The pool's size, and the largest request served from it (bigger ones go to OpenSSL directly). */
const POOL_SIZE = 4096;
const MAX_POOLED = 256;

let pool = new Uint8Array(0);
let used = 0;

/** `n` cryptographically secure random bytes. */
export function randomBytes(n: number): Uint8Array {
  if (n > MAX_POOLED) return randomFillSync(new Uint8Array(n));
  if (used + n > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_SIZE));
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
