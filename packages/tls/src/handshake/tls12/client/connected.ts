/**
 * A TLS 1.2 client after the handshake: application data flows, and a HelloRequest (the
 * server asking to renegotiate, RFC 5246 §7.4.1.1) gets a no_renegotiation warning, after
 * which the connection carries on (RFC 5746 §4.2: we never renegotiate).
 * @module
 */
import { fail } from '../../../alert.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { refuseRenegotiation } from '../renegotiation.js';

export class ClientConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  private refused = 0;
  constructor(private readonly ctx: HandshakeContext) {}

  handle(message: HandshakeMessage): HandshakeState {
    if (message.type !== 'hello_request') fail('unexpected_message', `unexpected ${message.type} after the handshake`);
    this.refused = refuseRenegotiation(this.ctx, this.refused);
    return this;
  }
}
