/**
 * A resumable session, as a client keeps it from a NewSessionTicket (RFC 8446 §4.6.1, or
 * RFC 5077 §3.3 in TLS 1.2), and its portable encoding (for `--sess-out` / `--sess-in`).
 * @module
 */
import { fail } from '../alert.js';
import { Reader, Writer } from '../wire/codec.js';
import type { ProtocolName } from './versions.js';

/**
 * What a client needs to resume: the ticket, the PSK derived for it, and its limits.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, type Session } from '@lucid-tls/tls';
 * function resume(session: Session | undefined): ClientConnection {
 *   // A session is offered only while its ticket is fresh (receivedAt + lifetime).
 *   return new ClientConnection({ serverName: 'example.com', verifyServerCertificate: insecureSkipVerify, ...(session ? { session } : {}) });
 * }
 * console.log(resume(undefined).stateName); // → ExpectServerHello
 * ```
 * @category Configuration
 */
export interface Session {
  /** The protocol version it resumes (default `'TLSv1.3'`). */
  protocol?: ProtocolName;
  /** The opaque ticket: the PSK identity to send (§4.2.11), or in TLS 1.2 the session_ticket (RFC 5077 §3.4). */
  ticket: Uint8Array;
  /**
   * TLS 1.3: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length).
   * TLS 1.2: the (extended) master secret itself (RFC 5246 §7.3). A secret either way.
   */
  psk: Uint8Array;
  /** The cipher suite of the connection that made it; a resumption must use one with the same hash. */
  cipherSuite: number;
  /** ticket_age_add, to obfuscate the ticket age (§4.2.11.1). */
  ticketAgeAdd: number;
  /** When the ticket was received, in milliseconds since the epoch. */
  receivedAt: number;
  /** ticket_lifetime in seconds. */
  lifetime: number;
  /** max_early_data_size from the ticket's early_data extension (0: no 0-RTT). */
  maxEarlyDataSize: number;
  /** The server_name of the original connection. */
  serverName?: string;
  /** The ALPN protocol of the original connection (0-RTT must use the same one, §4.2.10). */
  alpnProtocol?: string;
}

/** ticket_lifetime may not exceed seven days (RFC 8446 §4.6.1). */
export const MAX_TICKET_LIFETIME = 604800;

/** The encoding's first byte: which version's session follows (the fields are the same). */
const SESSION_FORMAT = { 'TLSv1.3': 1, 'TLSv1.2': 2 } as const;

/**
 * Serializes a session (it contains the PSK: store it like a key).
 *
 * @example
 * ```ts
 * import { decodeSession, encodeSession, type Session } from '@lucid-tls/tls';
 * const session: Session = { ticket: new Uint8Array(98), psk: new Uint8Array(32), cipherSuite: 0x1301, ticketAgeAdd: 1, receivedAt: Date.now(), lifetime: 7200, maxEarlyDataSize: 0, serverName: 'example.com' };
 * const stored = encodeSession(session); // keep it like a key: it holds the PSK
 * console.log(decodeSession(stored).serverName); // → example.com
 * ```
 * @category Configuration
 */
export function encodeSession(s: Session): Uint8Array {
  const w = new Writer();
  w.u8(SESSION_FORMAT[s.protocol ?? 'TLSv1.3'], 'format');
  w.opaque(2, s.ticket, 'ticket');
  w.opaque(1, s.psk, 'psk');
  w.u16(s.cipherSuite, 'cipher_suite');
  w.u32(s.ticketAgeAdd, 'ticket_age_add');
  w.u32(Math.floor(s.receivedAt / 2 ** 32), 'received_at_high');
  w.u32(s.receivedAt % 2 ** 32, 'received_at_low');
  w.u32(s.lifetime, 'lifetime');
  w.u32(s.maxEarlyDataSize, 'max_early_data_size');
  w.opaque(1, new TextEncoder().encode(s.serverName ?? ''), 'server_name');
  w.opaque(1, new TextEncoder().encode(s.alpnProtocol ?? ''), 'alpn');
  return w.finish();
}

/**
 * Reads a session written by {@link encodeSession}; throws a TlsError (decode_error) when malformed.
 *
 * @example
 * ```ts
 * import { TlsError, decodeSession } from '@lucid-tls/tls';
 * try {
 *   decodeSession(Uint8Array.of(9));
 * } catch (e) {
 *   if (e instanceof TlsError) console.log(e.alert); // → decode_error
 * }
 * ```
 * @category Configuration
 */
export function decodeSession(bytes: Uint8Array): Session {
  const r = new Reader(bytes, 'Session');
  const format = r.u8('format');
  if (format !== SESSION_FORMAT['TLSv1.3'] && format !== SESSION_FORMAT['TLSv1.2']) fail('decode_error', 'Session: unknown format');
  const ticket = r.opaque(2, 'ticket').slice();
  const psk = r.opaque(1, 'psk').slice();
  const cipherSuite = r.u16('cipher_suite');
  const ticketAgeAdd = r.u32('ticket_age_add');
  const receivedAt = r.u32('received_at_high') * 2 ** 32 + r.u32('received_at_low');
  const lifetime = r.u32('lifetime');
  const maxEarlyDataSize = r.u32('max_early_data_size');
  const serverName = new TextDecoder().decode(r.opaque(1, 'server_name'));
  const alpn = new TextDecoder().decode(r.opaque(1, 'alpn'));
  r.expectEnd();
  const s: Session = { ticket, psk, cipherSuite, ticketAgeAdd, receivedAt, lifetime, maxEarlyDataSize };
  if (format === SESSION_FORMAT['TLSv1.2']) s.protocol = 'TLSv1.2';
  if (serverName) s.serverName = serverName;
  if (alpn) s.alpnProtocol = alpn;
  return s;
}
