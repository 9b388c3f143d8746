/**
 * After the handshake the client accepts NewSessionTicket (RFC 8446 §4.6.1) and
 * application data; KeyUpdate is handled by the connection for both sides (§4.6.3).
 * @module
 */
import { fail } from '../../alert.js';
import type { CipherSuite } from '../../crypto/provider.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { resumptionPsk } from '../key-schedule.js';
import { findExtension, type HandshakeMessage } from '../messages/types.js';
import type { Session } from '../session.js';
import type { ClientHandshake } from './client-hello.js';

/** ticket_lifetime may not exceed seven days (§4.6.1). */
export const MAX_TICKET_LIFETIME = 604800;

export class ClientConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly resumptionMasterSecret: Uint8Array,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    const { conn } = this;
    if (message.type !== 'new_session_ticket') fail('unexpected_message', `unexpected ${message.type} after the handshake`);
    if (message.ticketLifetime > MAX_TICKET_LIFETIME) fail('illegal_parameter', 'ticket_lifetime exceeds seven days');
    if (message.ticketLifetime === 0) return this; // §4.6.1: a zero lifetime means do not use it
    const psk = resumptionPsk(this.suite.hash, this.resumptionMasterSecret, message.ticketNonce);
    conn.secret({ name: 'resumption_psk', label: 'resumption', derivation: 'HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)', secret: psk, context: message.ticketNonce });
    const session: Session = {
      ticket: message.ticket.slice(),
      psk,
      cipherSuite: this.suite.id,
      ticketAgeAdd: message.ticketAgeAdd,
      receivedAt: conn.now(),
      lifetime: message.ticketLifetime,
      maxEarlyDataSize: findExtension(message.extensions, 'early_data')?.maxEarlyDataSize ?? 0,
    };
    if (this.hs.config.serverName) session.serverName = this.hs.config.serverName;
    if (conn.info.alpnProtocol) session.alpnProtocol = conn.info.alpnProtocol;
    conn.emit({ type: 'session', session });
    return this;
  }
}
