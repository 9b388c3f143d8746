/**
 * The server waits for a ClientHello (RFC 8446 §4.1.2). This is where the server chooses
 * the protocol version, by supported_versions alone (§4.2.1), and where the handshake
 * forks by version (rustls' `hs.rs`). After a HelloRetryRequest it waits here again for
 * the second ClientHello.
 * @module
 */
import { fail } from '../../alert.js';
import type { HandshakeContext, HandshakeState } from '../context.js';
import { expectMessage } from '../messages/handshake-message.js';
import { findExtension, type ClientHello, type HandshakeMessage } from '../messages/types.js';
import { respondToClientHello } from '../tls13/server/server-flight.js';
import { SSL3, TLS13 } from '../versions.js';
import type { ServerHandshake } from './server-handshake.js';

export class ExpectClientHello implements HandshakeState {
  get name(): string {
    return this.hs.retry ? 'ExpectClientHello2' : 'ExpectClientHello';
  }

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const ch = expectMessage(message, 'client_hello');
    this.ctx.setClientRandom(ch.random);
    chooseVersion(ch);
    return respondToClientHello(this.ctx, this.hs, ch, raw, this);
  }
}

/** §4.2.1: only supported_versions negotiates the version; without 1.3 in it, the client speaks 1.2 at most. */
function chooseVersion(ch: ClientHello): number {
  // §D.5: a ClientHello of SSL 3.0 or older is refused whatever else it offers.
  if (ch.legacyVersion <= SSL3) fail('protocol_version', `ClientHello legacy_version 0x${ch.legacyVersion.toString(16).padStart(4, '0')} is SSL 3.0 or older`);
  const versions = findExtension(ch.extensions, 'supported_versions');
  if (!versions || !versions.versions.includes(TLS13)) fail('protocol_version', 'the client does not offer TLS 1.3');
  return TLS13;
}
