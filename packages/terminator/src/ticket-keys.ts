/**
 * Session ticket keys shared between terminators (`--ticket-keys FILE`), so that a
 * client resumes its session (RFC 8446 §2.2) on whichever instance the load balancer
 * picks, and the keys the primary process of a cluster makes when there is no file.
 *
 * The file, in full:
 *
 * ```
 * # Comments and blank lines are ignored.
 * lucid-ticket-keys v1
 * 3f9c…(64 hex digits: a 32-byte AES-256-GCM key; this one seals new tickets)
 * a01b…(64 hex digits: an older key, still opening the tickets it sealed)
 * ```
 *
 * The first line that is not a comment names the format and its version; each line
 * after it is one key. The first key seals, every key opens (at most
 * {@link MAX_TICKET_KEYS}). Rotate in three steps, each applied everywhere (file, then
 * SIGHUP) before the next: add the new key second; move it first; drop the old key
 * once the tickets it sealed have expired (`tickets.lifetimeSeconds`). A key is made
 * with `openssl rand -hex 32`.
 *
 * The keys are secrets (whoever holds one can decrypt every session resumed with the
 * tickets it sealed): the file must not be readable by group or others, and no message
 * ever shows a key or a part of one; errors name the line.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { SHARED_TICKET_KEY_LENGTH } from '@lucid-tls/tls';
import { ConfigError } from './config.js';

/** The line that opens a ticket keys file: its format and version. */
export const TICKET_KEYS_VERSION_LINE = 'lucid-ticket-keys v1';

/** The most keys a file may hold: the current one and the older ones still opening tickets. */
export const MAX_TICKET_KEYS = 16;

/** A ticket keys file that cannot be used; the message says why, never what a key is. */
export class TicketKeysError extends ConfigError {
  override name = 'TicketKeysError';
}

/**
 * Reads the keys of a ticket keys file's text (see the module's description).
 *
 * @example
 * ```ts
 * const keys = parseTicketKeys(`lucid-ticket-keys v1\n${'ab'.repeat(32)}\n${'cd'.repeat(32)}\n`);
 * keys.length; // → 2 (keys[0] seals, both open)
 * ```
 */
export function parseTicketKeys(text: string, file = 'ticket keys'): Uint8Array[] {
  const lines = text.split('\n').map((line, i) => ({ number: i + 1, text: line.replace(/\r$/, '').trim() }));
  const meaningful = lines.filter((line) => line.text !== '' && !line.text.startsWith('#'));
  const [version, ...keyLines] = meaningful;
  if (version?.text !== TICKET_KEYS_VERSION_LINE) throw new TicketKeysError(`${file}: the first line must be "${TICKET_KEYS_VERSION_LINE}"`);
  if (keyLines.length === 0) throw new TicketKeysError(`${file}: no key (one per line, ${SHARED_TICKET_KEY_LENGTH * 2} hex digits)`);
  if (keyLines.length > MAX_TICKET_KEYS) throw new TicketKeysError(`${file}: ${keyLines.length} keys, at most ${MAX_TICKET_KEYS}`);
  const seen = new Set<string>();
  return keyLines.map((line) => {
    const hex = line.text.toLowerCase();
    if (!new RegExp(`^[0-9a-f]{${SHARED_TICKET_KEY_LENGTH * 2}}$`).test(hex)) {
      throw new TicketKeysError(`${file}, line ${line.number}: a key is ${SHARED_TICKET_KEY_LENGTH * 2} hex digits`);
    }
    if (seen.has(hex)) throw new TicketKeysError(`${file}, line ${line.number}: the same key twice`);
    seen.add(hex);
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  });
}

/** Writes keys in the file format (for tools and tests; the terminator never writes the file). */
export function formatTicketKeys(keys: readonly Uint8Array[]): string {
  return `${TICKET_KEYS_VERSION_LINE}\n${keys.map((key) => `${Buffer.from(key).toString('hex')}\n`).join('')}`;
}

/**
 * Reads a ticket keys file: one regular file, opened once, its mode checked and its
 * content read through the same descriptor (so a file renamed over it in between cannot
 * mix the two). Update the file by writing a new one and renaming it over the old.
 */
export function readTicketKeys(file: string): Uint8Array[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new TicketKeysError(`${file}: cannot open: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TicketKeysError(`${file}: not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw new TicketKeysError(`${file}: holds secrets but its mode is ${(stat.mode & 0o777).toString(8).padStart(4, '0')}; make it 0600 (chmod 600)`);
    }
    return parseTicketKeys(readFileSync(fd, 'utf8'), file);
  } finally {
    closeSync(fd);
  }
}

/** The encoding of keys in the messages between the cluster's processes. */
export const ticketKeysToHex = (keys: readonly Uint8Array[]): string[] => keys.map((key) => Buffer.from(key).toString('hex'));
/** The keys of a message, back. */
export const ticketKeysFromHex = (keys: readonly string[]): Uint8Array[] => keys.map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

/**
 * Keys made and rotated in memory, for a cluster without a ticket keys file: its
 * primary process holds them and gives them to every worker. As `RotatingTicketer`
 * does for one process: a new key every `rotateMs`, the previous one kept to open the
 * tickets it sealed, so a ticket lives at most two periods.
 */
export class GeneratedTicketKeys {
  private current: Uint8Array[] = [randomBytes(SHARED_TICKET_KEY_LENGTH)];
  private readonly timer: NodeJS.Timeout;

  constructor(rotateMs: number, onRotate: (keys: Uint8Array[]) => void) {
    this.timer = setInterval(() => {
      this.current = [randomBytes(SHARED_TICKET_KEY_LENGTH), this.current[0]!];
      onRotate(this.keys);
    }, rotateMs);
    this.timer.unref();
  }

  /** The keys now: the first seals, both open. */
  get keys(): Uint8Array[] {
    return [...this.current];
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
