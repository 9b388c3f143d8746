/**
 * The server's NewSessionTickets (RFC 8446 §4.6.1), sent after the client's Finished:
 * each with its own nonce, hence its own PSK, sealed by the ticketer into the ticket.
 * @module
 */
import type { CipherSuite } from '../../../crypto/provider.js';
import type { HandshakeContext } from '../../context.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { DEFAULT_TICKET_COUNT, DEFAULT_TICKET_LIFETIME, encodeTicketState } from '../../server/ticketer.js';
import { MAX_TICKET_LIFETIME } from '../../session.js';
import type { KeySchedule } from '../key-schedule.js';


/** Sends the configured number of tickets (none without a ticketer). */
export function sendNewSessionTickets(ctx: HandshakeContext, hs: ServerHandshake, suite: CipherSuite, schedule: KeySchedule): void {
  const tickets = hs.config.tickets;
  const ticketer = tickets?.ticketer;
  const count = tickets?.count ?? DEFAULT_TICKET_COUNT;
  if (!ticketer || count <= 0) return;
  const lifetime = Math.min(tickets.lifetime ?? DEFAULT_TICKET_LIFETIME, MAX_TICKET_LIFETIME);
  const maxEarlyDataSize = hs.config.antiReplay ? (hs.config.maxEarlyDataSize ?? 0) : 0;
  for (let i = 0; i < count; i++) {
    const ticketNonce = Uint8Array.of(i >> 8, i & 0xff);
    const r = ctx.provider.randomBytes(4);
    const ticketAgeAdd = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
    const ticket = ticketer.seal(
      encodeTicketState({
        cipherSuite: suite.id,
        psk: schedule.resumptionPsk(ticketNonce),
        ticketAgeAdd,
        issuedAt: ctx.now(),
        lifetime,
        maxEarlyDataSize,
        alpnProtocol: ctx.info.alpnProtocol ?? '',
        serverName: ctx.info.serverName ?? '',
        clientCertificates: ctx.info.peerCertificates,
      }),
    );
    ctx.sendPostHandshake({
      type: 'new_session_ticket',
      ticketLifetime: lifetime,
      ticketAgeAdd,
      ticketNonce,
      ticket,
      extensions: maxEarlyDataSize > 0 ? [{ type: 'early_data', maxEarlyDataSize }] : [],
    });
  }
}
