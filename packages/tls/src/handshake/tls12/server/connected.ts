/**
 * A TLS 1.2 server after the handshake: application data flows, and a ClientHello (the
 * client asking to renegotiate) gets a no_renegotiation warning, after which the connection
 * carries on (RFC 5246 §7.4.1.2, RFC 5746 §4.4: we never renegotiate).
 * @module
 */
import { fail } from '../../../alert.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { refuseRenegotiation } from '../renegotiation.js';

export class ServerConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  private refused = 0;
  constructor(private readonly ctx: HandshakeContext) {}

  handle(message: HandshakeMessage): HandshakeState {
    if (message.type !== 'client_hello') fail('unexpected_message', `unexpected ${message.type} after the handshake`);
    this.refused = refuseRenegotiation(this.ctx, this.refused);
    return this;
  }
}
