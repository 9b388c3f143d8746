/**
 * The client waits for ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). This is
 * where the client learns the protocol version, and where the handshake forks by version
 * (rustls' `hs.rs`): supported_versions means TLS 1.3 (§4.2.1); its absence, TLS 1.2
 * (RFC 5246 §7.4.1.3), which a client that offered TLS 1.3 accepts only without the
 * downgrade sentinel (§4.1.3).
 * @module
 */
import { fail } from '../../alert.js';
import { equalBytes } from '../../wire/bytes.js';
import type { HandshakeContext, HandshakeState } from '../context.js';
import { expectMessage } from '../messages/handshake-message.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from '../messages/server-hello.js';
import { findExtension, type HandshakeMessage, type ServerHello } from '../messages/types.js';
import { acceptTls12ServerHello } from '../tls12/client/server-hello.js';
import { acceptHelloRetryRequest, acceptServerHello } from '../tls13/client/server-hello.js';
import { TLS12, TLS13 } from '../versions.js';
import type { ClientHandshake } from './client-handshake.js';

export class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    if (message.type === 'hello_retry_request') {
      // A HelloRetryRequest exists only in TLS 1.3 (§4.1.4); we wait for the ServerHello again.
      if (!this.hs.versions.includes(TLS13)) fail('unexpected_message', 'a HelloRetryRequest, but we did not offer TLS 1.3');
      acceptHelloRetryRequest(this.ctx, this.hs, message, raw);
      return this;
    }
    const sh = expectMessage(message, 'server_hello');
    if (negotiatedVersion(this.hs, sh) === TLS12) return acceptTls12ServerHello(this.ctx, this.hs, sh, raw);
    return acceptServerHello(this.ctx, this.hs, sh, raw);
  }
}

/** The version the server chose: TLS 1.3 by supported_versions (§4.2.1), or TLS 1.2 by its absence. */
function negotiatedVersion(hs: ClientHandshake, sh: ServerHello): number {
  const version = findExtension(sh.extensions, 'supported_versions');
  if (version) {
    // §4.2.1: a version we did not offer, or one before TLS 1.3, is illegal_parameter.
    if (version.selectedVersion !== TLS13 || !hs.versions.includes(TLS13)) fail('illegal_parameter', `server selected version 0x${version.selectedVersion.toString(16)}`);
    return TLS13;
  }
  // A TLS 1.2 (or older) ServerHello. §4.1.3: after offering TLS 1.3, a downgrade sentinel means an attacker.
  if (hs.versions.includes(TLS13)) {
    const tail = sh.random.subarray(24);
    if (equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11)) {
      fail('illegal_parameter', 'ServerHello carries the TLS 1.3 downgrade sentinel');
    }
  }
  if (!hs.versions.includes(TLS12)) fail('protocol_version', 'the server does not speak TLS 1.3');
  if (sh.legacyVersion !== TLS12) fail('protocol_version', `the server chose version 0x${sh.legacyVersion.toString(16).padStart(4, '0')}, below TLS 1.2`);
  return TLS12;
}
