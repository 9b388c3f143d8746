/**
 * What a TLS 1.2 session ticket carries (RFC 5077 §4's recommended contents): the master
 * secret and what it was negotiated with, sealed by the same {@link Ticketer} as TLS 1.3's
 * tickets. Its plaintext begins with the tag 0x0303, which no TLS 1.3 ticket state does.
 * @module
 */
import { Reader, Writer } from '../../../wire/codec.js';
import { TLS12_TICKET_TAG, type Ticketer } from '../../server/ticketer.js';

/** A TLS 1.2 session, as the server gets it back from a ticket. */
export interface Tls12TicketState {
  cipherSuite: number;
  /** The master secret (RFC 5246 §8.1), the whole of the session's keys. */
  masterSecret: Uint8Array;
  /** Whether it is the extended master secret (RFC 7627 §5.3 governs resuming either). */
  extendedMasterSecret: boolean;
  /** When the ticket was issued, in ms since the epoch. */
  issuedAt: number;
  /** Seconds. */
  lifetime: number;
  alpnProtocol: string;
  serverName: string;
  /** The client's certificate chain when it authenticated; empty otherwise. */
  clientCertificates: Uint8Array[];
}

/** Encodes the state a ticketer seals. */
export function encodeTls12TicketState(s: Tls12TicketState): Uint8Array {
  const w = new Writer();
  w.u16(TLS12_TICKET_TAG, 'version');
  w.u16(s.cipherSuite, 'cipher_suite');
  w.opaque(1, s.masterSecret, 'master_secret');
  w.u8(s.extendedMasterSecret ? 1 : 0, 'extended_master_secret');
  w.u32(Math.floor(s.issuedAt / 2 ** 32), 'issued_at_high');
  w.u32(s.issuedAt % 2 ** 32, 'issued_at_low');
  w.u32(s.lifetime, 'lifetime');
  w.opaque(1, new TextEncoder().encode(s.alpnProtocol), 'alpn');
  w.opaque(1, new TextEncoder().encode(s.serverName), 'server_name');
  w.vector(3, 'client_certificates', () => {
    for (const der of s.clientCertificates) w.opaque(3, der, 'cert_data');
  });
  return w.finish();
}

/** Decodes a TLS 1.2 ticket state; throws decode_error when malformed. */
function decodeTls12TicketState(bytes: Uint8Array): Tls12TicketState | null {
  const r = new Reader(bytes, 'ticket');
  if (r.u16('version') !== TLS12_TICKET_TAG) return null; // a TLS 1.3 ticket
  const state: Tls12TicketState = {
    cipherSuite: r.u16('cipher_suite'),
    masterSecret: r.opaque(1, 'master_secret').slice(),
    extendedMasterSecret: r.u8('extended_master_secret') === 1,
    issuedAt: r.u32('issued_at_high') * 2 ** 32 + r.u32('issued_at_low'),
    lifetime: r.u32('lifetime'),
    alpnProtocol: new TextDecoder().decode(r.opaque(1, 'alpn')),
    serverName: new TextDecoder().decode(r.opaque(1, 'server_name')),
    clientCertificates: r.vector(3, 'client_certificates', () => r.list(() => r.opaque(3, 'cert_data').slice())),
  };
  r.expectEnd();
  return state;
}

/** Opens a ticket into a TLS 1.2 state, or null when it is not ours, not TLS 1.2's, or malformed. */
export function openTls12Ticket(ticketer: Ticketer, ticket: Uint8Array): Tls12TicketState | null {
  const plain = ticketer.open(ticket);
  if (!plain) return null;
  try {
    return decodeTls12TicketState(plain);
  } catch {
    return null;
  }
}
