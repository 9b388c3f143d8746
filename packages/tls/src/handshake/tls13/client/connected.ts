/**
 * After the handshake the client accepts NewSessionTicket (RFC 8446 §4.6.1) and
 * application data; KeyUpdate is handled by the connection for both sides (§4.6.3).
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite } from '../../../crypto/provider.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { findExtension, type HandshakeMessage } from '../../messages/types.js';
import { MAX_TICKET_LIFETIME, type Session } from '../../session.js';
import type { KeySchedule } from '../key-schedule.js';

export class ClientConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    const { ctx } = this;
    // §4.6: after the handshake a server sends NewSessionTicket (KeyUpdate is handled before this).
    if (message.type !== 'new_session_ticket') fail('unexpected_message', `unexpected ${message.type} after the handshake`);
    const ticket = message;
    if (ticket.ticketLifetime > MAX_TICKET_LIFETIME) fail('illegal_parameter', 'ticket_lifetime exceeds seven days');
    if (ticket.ticketLifetime === 0) return this; // §4.6.1: a zero lifetime means do not use it
    const session: Session = {
      ticket: ticket.ticket.slice(),
      psk: this.schedule.resumptionPsk(ticket.ticketNonce),
      cipherSuite: this.suite.id,
      ticketAgeAdd: ticket.ticketAgeAdd,
      receivedAt: ctx.now(),
      lifetime: ticket.ticketLifetime,
      maxEarlyDataSize: findExtension(ticket.extensions, 'early_data')?.maxEarlyDataSize ?? 0,
    };
    if (this.hs.config.serverName) session.serverName = this.hs.config.serverName;
    if (ctx.info.alpnProtocol) session.alpnProtocol = ctx.info.alpnProtocol;
    ctx.emit({ type: 'session', session });
    return this;
  }
}
