/**
 * NewSessionTicket of RFC 5077 §3.3: in TLS 1.2 the server sends it inside the handshake,
 * after the client's Finished and before its own ChangeCipherSpec; the client resumes by
 * sending it back in the session_ticket extension.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import type { Tls12NewSessionTicket } from './types.js';

const HINT_NOTE = 'How long the client may keep the ticket, in seconds (0: unspecified).';
const TICKET_NOTE = 'Opaque to the client: the server’s sealed record of the session (its master secret among it).';

/** Reads a TLS 1.2 NewSessionTicket body. */
export function readTls12NewSessionTicket(r: Reader): Tls12NewSessionTicket {
  const ticketLifetimeHint = r.u32('ticket_lifetime_hint');
  r.describe({ value: `${ticketLifetimeHint} seconds`, note: HINT_NOTE });
  const ticket = r.opaque(2, 'ticket', undefined, TICKET_NOTE);
  return { type: 'new_session_ticket_tls12', ticketLifetimeHint, ticket };
}

/** Writes a TLS 1.2 NewSessionTicket body. */
export function writeTls12NewSessionTicket(w: Writer, msg: Tls12NewSessionTicket): void {
  w.u32(msg.ticketLifetimeHint, 'ticket_lifetime_hint', { value: `${msg.ticketLifetimeHint} seconds`, note: HINT_NOTE });
  w.opaque(2, msg.ticket, 'ticket', TICKET_NOTE);
}
