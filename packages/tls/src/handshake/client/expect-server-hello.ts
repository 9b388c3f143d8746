/**
 * The client waits for ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). This is
 * where the client learns the protocol version, and where the handshake forks by version
 * (rustls' `hs.rs`): the ServerHello's supported_versions decides (§4.2.1).
 * @module
 */
import { fail } from '../../alert.js';
import { equalBytes } from '../../wire/bytes.js';
import type { HandshakeContext, HandshakeState } from '../context.js';
import { expectMessage } from '../messages/handshake-message.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from '../messages/server-hello.js';
import { findExtension, type HandshakeMessage, type ServerHello } from '../messages/types.js';
import { acceptHelloRetryRequest, acceptServerHello } from '../tls13/client/server-hello.js';
import { TLS13 } from '../versions.js';
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
      acceptHelloRetryRequest(this.ctx, this.hs, message, raw);
      return this;
    }
    const sh = expectMessage(message, 'server_hello');
    negotiatedVersion(sh);
    return acceptServerHello(this.ctx, this.hs, sh, raw);
  }
}

/** The version the server chose (§4.2.1): only TLS 1.3, which we offer alone. */
function negotiatedVersion(sh: ServerHello): number {
  const version = findExtension(sh.extensions, 'supported_versions');
  if (!version) {
    // A TLS 1.2 (or older) ServerHello. §4.1.3: a downgrade sentinel here means an attacker.
    const tail = sh.random.subarray(24);
    if (equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11)) {
      fail('illegal_parameter', 'ServerHello carries the TLS 1.3 downgrade sentinel');
    }
    fail('protocol_version', 'the server does not speak TLS 1.3');
  }
  if (version.selectedVersion !== TLS13) fail('illegal_parameter', `server selected version 0x${version.selectedVersion.toString(16)}`);
  return version.selectedVersion;
}
