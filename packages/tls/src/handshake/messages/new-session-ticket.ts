/**
 * NewSessionTicket (RFC 8446 §4.6.1): sent by the server after the handshake; the
 * client can resume later with the ticket as a PSK identity.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { maxEarlyDataSize } from '../extensions/early-data.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import type { NewSessionTicket, NewSessionTicketExtension } from './types.js';

/** The extensions a NewSessionTicket interprets. */
const extensionCodecs: ExtensionCodecs<NewSessionTicketExtension> = { early_data: maxEarlyDataSize };

const LIFETIME_NOTE = 'How long the ticket may be used, at most 604800 (7 days).';
const AGE_ADD_NOTE =
  'A random value added to the ticket age the client reports, so the age does not identify the client.';
const NONCE_NOTE = 'Unique per ticket on this connection; makes each ticket’s PSK different (§4.6.1).';
const TICKET_NOTE = 'Opaque to the client: the server’s (usually encrypted) record of the session.';

/** Reads a NewSessionTicket body. */
export function readNewSessionTicket(r: Reader): NewSessionTicket {
  const ticketLifetime = r.u32('ticket_lifetime');
  r.describe({ value: `${ticketLifetime} seconds`, note: LIFETIME_NOTE });
  const ticketAgeAdd = r.u32('ticket_age_add', AGE_ADD_NOTE);
  const ticketNonce = r.opaque(1, 'ticket_nonce', undefined, NONCE_NOTE);
  const ticket = r.opaque(2, 'ticket', { min: 1 }, TICKET_NOTE);
  const extensions = readExtensions(r, 'NST', extensionCodecs, { bounds: { max: 2 ** 16 - 2 } });
  return { type: 'new_session_ticket', ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions };
}

/** Writes a NewSessionTicket body. */
export function writeNewSessionTicket(w: Writer, msg: NewSessionTicket): void {
  w.u32(msg.ticketLifetime, 'ticket_lifetime', { value: `${msg.ticketLifetime} seconds`, note: LIFETIME_NOTE });
  w.u32(msg.ticketAgeAdd, 'ticket_age_add', AGE_ADD_NOTE);
  w.opaque(1, msg.ticketNonce, 'ticket_nonce', NONCE_NOTE);
  w.opaque(2, msg.ticket, 'ticket', TICKET_NOTE);
  writeExtensions(w, msg.extensions, extensionCodecs);
}
