/**
 * Stateless session tickets (RFC 8446 §4.6.1, in the manner of RFC 5077 §4): the server
 * keeps nothing per session; the ticket itself carries the resumption state, sealed
 * with an AEAD key that only the server knows and that it rotates.
 * @module
 */
import type { Aead, AeadKey, CryptoProvider } from '../../crypto/provider.js';
import { aes256gcm } from '../../crypto/aead.js';
import { sha256 } from '../../crypto/hash.js';
import { concat, equalBytes } from '../../wire/bytes.js';
import { Reader, Writer } from '../../wire/codec.js';
import { fail } from '../../alert.js';

/**
 * Seals resumption state into a ticket and opens it again.
 *
 * @example
 * ```ts
 * import { nobleProvider, type Ticketer } from '@lucid-tls/tls';
 * import { aes256gcm, concat } from '@lucid-tls/tls/learn';
 * // A ticketer whose key comes from a shared secret store, the same on every node.
 * function sharedTicketer(key: Uint8Array): Ticketer {
 *   const aead = aes256gcm.importKey(key);
 *   return {
 *     seal: (state) => {
 *       const nonce = nobleProvider.randomBytes(12);
 *       return concat(nonce, aead.seal(nonce, state, new Uint8Array(0)));
 *     },
 *     open: (ticket) => (ticket.length < 28 ? null : aead.open(ticket.subarray(0, 12), ticket.subarray(12), new Uint8Array(0))),
 *   };
 * }
 * const a = sharedTicketer(new Uint8Array(32).fill(1));
 * const b = sharedTicketer(new Uint8Array(32).fill(1));
 * console.log(b.open(a.seal(Uint8Array.of(42)))); // → Uint8Array(1) [ 42 ]
 * ```
 * @category Configuration
 */
export interface Ticketer {
  /** Seals resumption state into an opaque ticket only this ticketer (or one sharing its keys) can open. */
  seal(state: Uint8Array): Uint8Array;
  /** The state, or null when the ticket is not one of ours (or its key has been retired). */
  open(ticket: Uint8Array): Uint8Array | null;
}

/** Tickets sent after each full TLS 1.3 handshake unless configured otherwise (TLS 1.2 sends one). */
export const DEFAULT_TICKET_COUNT = 2;
/** ticket_lifetime in seconds unless configured otherwise (two hours). */
export const DEFAULT_TICKET_LIFETIME = 7200;

/** What a ticket remembers of the connection that issued it. */
export interface TicketState {
  cipherSuite: number;
  /** The resumption PSK (§4.6.1). */
  psk: Uint8Array;
  ticketAgeAdd: number;
  /** When the ticket was issued, in ms since the epoch. */
  issuedAt: number;
  lifetime: number;
  maxEarlyDataSize: number;
  alpnProtocol: string;
  serverName: string;
  /** The client's certificate chain (DER, leaf first) when it authenticated; empty otherwise. */
  clientCertificates: Uint8Array[];
}

/** Encodes a {@link TicketState} (the plaintext a {@link Ticketer} seals). */
export function encodeTicketState(s: TicketState): Uint8Array {
  const w = new Writer();
  w.u16(s.cipherSuite, 'cipher_suite');
  w.opaque(1, s.psk, 'psk');
  w.u32(s.ticketAgeAdd, 'ticket_age_add');
  w.u32(Math.floor(s.issuedAt / 2 ** 32), 'issued_at_high');
  w.u32(s.issuedAt % 2 ** 32, 'issued_at_low');
  w.u32(s.lifetime, 'lifetime');
  w.u32(s.maxEarlyDataSize, 'max_early_data_size');
  w.opaque(1, new TextEncoder().encode(s.alpnProtocol), 'alpn');
  w.opaque(1, new TextEncoder().encode(s.serverName), 'server_name');
  w.vector(3, 'client_certificates', () => {
    for (const der of s.clientCertificates) w.opaque(3, der, 'cert_data');
  });
  return w.finish();
}

/**
 * The first two bytes of a TLS 1.2 ticket's state (`tls12/server/ticket-state.ts`): TLS 1.3
 * states begin with their cipher suite, 0x13xx, so one ticketer's tickets tell the two apart.
 */
export const TLS12_TICKET_TAG = 0x0303;

/** Decodes a {@link TicketState}; throws decode_error when malformed, or when it is a TLS 1.2 ticket's. */
export function decodeTicketState(bytes: Uint8Array): TicketState {
  const r = new Reader(bytes, 'ticket');
  const cipherSuite = r.u16('cipher_suite');
  if (cipherSuite === TLS12_TICKET_TAG) fail('decode_error', 'a TLS 1.2 ticket');
  const state: TicketState = {
    cipherSuite,
    psk: r.opaque(1, 'psk').slice(),
    ticketAgeAdd: r.u32('ticket_age_add'),
    issuedAt: r.u32('issued_at_high') * 2 ** 32 + r.u32('issued_at_low'),
    lifetime: r.u32('lifetime'),
    maxEarlyDataSize: r.u32('max_early_data_size'),
    alpnProtocol: new TextDecoder().decode(r.opaque(1, 'alpn')),
    serverName: new TextDecoder().decode(r.opaque(1, 'server_name')),
    clientCertificates: r.vector(3, 'client_certificates', () => r.list(() => r.opaque(3, 'cert_data').slice())),
  };
  r.expectEnd();
  return state;
}

const KEY_ID_LENGTH = 4;
const NONCE_LENGTH = 12;

/**
 * The default ticketer: AES-256-GCM under a random key that is replaced every
 * `rotateAfterMs`; tickets sealed under the previous key still open until it too is
 * replaced, so a ticket lives at most two periods. Ticket = key_id || nonce || sealed state.
 *
 * @example
 * ```ts
 * import { RotatingTicketer, nobleProvider } from '@lucid-tls/tls';
 * let now = Date.UTC(2025, 0, 1);
 * const ticketer = new RotatingTicketer(nobleProvider, { rotateAfterMs: 3600_000, now: () => now });
 * const ticket = ticketer.seal(new TextEncoder().encode('state'));
 * console.log(new TextDecoder().decode(ticketer.open(ticket)!)); // → state
 * now += 3 * 3600_000;
 * ticketer.seal(new Uint8Array(1)); // a new key…
 * now += 3 * 3600_000;
 * ticketer.seal(new Uint8Array(1)); // …and another: the first key is gone
 * console.log(ticketer.open(ticket)); // → null
 * ```
 * @category Configuration
 */
export class RotatingTicketer implements Ticketer {
  private keys: { id: Uint8Array; key: AeadKey; createdAt: number }[] = [];
  private get aead(): Aead { return this.provider.cipherSuites.find((s) => s.aead.name === 'AES-256-GCM')?.aead ?? aes256gcm; }

  constructor(
    private readonly provider: CryptoProvider,
    private readonly options: { rotateAfterMs?: number; now?: () => number } = {},
  ) {}

  seal(state: Uint8Array): Uint8Array {
    const current = this.currentKey();
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    return concat(current.id, nonce, current.key.seal(nonce, state, current.id));
  }

  open(ticket: Uint8Array): Uint8Array | null {
    this.currentKey();
    if (ticket.length < KEY_ID_LENGTH + NONCE_LENGTH + this.aead.tagLength) return null;
    const id = ticket.subarray(0, KEY_ID_LENGTH);
    const entry = this.keys.find((k) => k.id.every((b, i) => b === id[i]));
    if (!entry) return null;
    return entry.key.open(ticket.subarray(KEY_ID_LENGTH, KEY_ID_LENGTH + NONCE_LENGTH), ticket.subarray(KEY_ID_LENGTH + NONCE_LENGTH), id);
  }

  private currentKey() {
    const now = (this.options.now ?? Date.now)();
    const period = this.options.rotateAfterMs ?? 12 * 3600 * 1000;
    // A key seals for one period and opens for two: drop keys older than that, even after idling.
    this.keys = this.keys.filter((k) => now - k.createdAt < 2 * period);
    const newest = this.keys[0];
    if (!newest || now - newest.createdAt >= period) {
      const fresh = { id: this.provider.randomBytes(KEY_ID_LENGTH), key: this.aead.importKey(this.provider.randomBytes(this.aead.keyLength)), createdAt: now };
      this.keys = [fresh, ...this.keys].slice(0, 2);
    }
    return this.keys[0]!;
  }

}

/** The length of a {@link SharedTicketer} key: an AES-256-GCM key. */
export const SHARED_TICKET_KEY_LENGTH = 32;

/**
 * A ticketer whose keys are given rather than generated: the same keys on several
 * processes or machines make each one resume the others' sessions. The first key seals;
 * every key opens, so keys are rotated by adding the next one behind the current one
 * everywhere, then moving it to the front, then removing the old one once its tickets
 * have expired. Tickets have the {@link RotatingTicketer}'s layout (key_id || nonce ||
 * AES-256-GCM(state)); a key's id is the first four bytes of SHA-256 over a label and
 * the key, so every holder of a key agrees on its id without sharing anything else
 * (RFC 5077 §4 names this field key_name). The keys are secrets: whoever has one can
 * read every session sealed with it, including its resumption secret.
 *
 * @example
 * ```ts
 * import { SharedTicketer, nobleProvider } from '@lucid-tls/tls';
 * const oldKey = new Uint8Array(32).fill(1);
 * const newKey = new Uint8Array(32).fill(2);
 * const before = new SharedTicketer(nobleProvider, [oldKey]);
 * const ticket = before.seal(Uint8Array.of(42));
 * // Rotated: the new key seals, the old one still opens.
 * const after = new SharedTicketer(nobleProvider, [newKey, oldKey]);
 * console.log(after.open(ticket)); // → Uint8Array(1) [ 42 ]
 * console.log(new SharedTicketer(nobleProvider, [newKey]).open(ticket)); // → null
 * ```
 * @category Configuration
 */
export class SharedTicketer implements Ticketer {
  private readonly keys: { id: Uint8Array; key: AeadKey }[];
  private readonly aead: Aead;

  /** `keys`: at least one, each {@link SHARED_TICKET_KEY_LENGTH} bytes; the first seals. */
  constructor(
    private readonly provider: CryptoProvider,
    keys: readonly Uint8Array[],
  ) {
    if (keys.length === 0) throw new RangeError('SharedTicketer: at least one key');
    // The provider's own AES-256-GCM when it has one: the same tickets, its speed.
    this.aead = provider.cipherSuites.find((suite) => suite.aead.name === 'AES-256-GCM')?.aead ?? aes256gcm;
    // The message names the position only: a key never appears in an error.
    keys.forEach((key, i) => {
      if (key.length !== SHARED_TICKET_KEY_LENGTH) throw new RangeError(`SharedTicketer: key ${i + 1} is not ${SHARED_TICKET_KEY_LENGTH} bytes`);
    });
    this.keys = keys.map((key) => ({ id: sharedKeyId(key), key: this.aead.importKey(key) }));
  }

  seal(state: Uint8Array): Uint8Array {
    const current = this.keys[0]!;
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    return concat(current.id, nonce, current.key.seal(nonce, state, current.id));
  }

  open(ticket: Uint8Array): Uint8Array | null {
    if (ticket.length < KEY_ID_LENGTH + NONCE_LENGTH + this.aead.tagLength) return null;
    const id = ticket.subarray(0, KEY_ID_LENGTH);
    const entry = this.keys.find((k) => equalBytes(k.id, id));
    if (!entry) return null;
    return entry.key.open(ticket.subarray(KEY_ID_LENGTH, KEY_ID_LENGTH + NONCE_LENGTH), ticket.subarray(KEY_ID_LENGTH + NONCE_LENGTH), id);
  }
}

/** A shared key's id: a hash of the key under a label of its own, so it says nothing about the key. */
function sharedKeyId(key: Uint8Array): Uint8Array {
  return sha256.hash(concat(new TextEncoder().encode('lucid-tls ticket key id'), key)).slice(0, KEY_ID_LENGTH);
}

/** Opens a ticket into its state, or null when it is not ours or is malformed. */
export function openTicket(ticketer: Ticketer, ticket: Uint8Array): TicketState | null {
  const plain = ticketer.open(ticket);
  if (!plain) return null;
  try {
    return decodeTicketState(plain);
  } catch {
    return null;
  }
}

