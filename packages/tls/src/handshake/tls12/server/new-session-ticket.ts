/**
 * A TLS 1.2 server's NewSessionTicket (RFC 5077 §3.3): the session sealed by the ticketer,
 * sent after the client's Finished and before our ChangeCipherSpec.
 * @module
 */
import type { HandshakeContext } from '../../context.js';
import { DEFAULT_TICKET_LIFETIME } from '../../server/ticketer.js';
import { MAX_TICKET_LIFETIME } from '../../session.js';
import type { Tls12ServerHandshake } from './server-handshake.js';
import { encodeTls12TicketState } from './ticket-state.js';

/** Seals the session into a ticket and sends it, its lifetime as the hint. */
export function sendTls12Ticket(ctx: HandshakeContext, t: Tls12ServerHandshake): void {
  const tickets = t.hs.config.tickets!;
  const lifetime = Math.min(tickets.lifetime ?? DEFAULT_TICKET_LIFETIME, MAX_TICKET_LIFETIME);
  const ticket = tickets.ticketer!.seal(
    encodeTls12TicketState({
      cipherSuite: t.suite.id,
      masterSecret: t.master!.secret,
      extendedMasterSecret: t.master!.extended,
      issuedAt: ctx.now(),
      lifetime,
      alpnProtocol: ctx.info.alpnProtocol ?? '',
      serverName: ctx.info.serverName ?? '',
      clientCertificates: ctx.info.peerCertificates,
    }),
  );
  ctx.sendHandshake({ type: 'new_session_ticket_tls12', ticketLifetimeHint: lifetime, ticket });
}
