/**
 * The server waits for a ClientHello (RFC 8446 §4.1.2). This is where the server chooses
 * the protocol version — by supported_versions when the client sends it (§4.2.1), else by
 * legacy_version (RFC 5246 §7.4.1.2) — and where the handshake forks by version (rustls'
 * `hs.rs`). After a HelloRetryRequest it waits here again for the second ClientHello.
 * @module
 */
import { fail } from '../../alert.js';
import type { HandshakeContext, HandshakeState } from '../context.js';
import { expectMessage } from '../messages/handshake-message.js';
import { isGrease } from '../messages/field-values.js';
import { findExtension, type ClientHello, type HandshakeMessage } from '../messages/types.js';
import { respondToTls12ClientHello } from '../tls12/server/client-hello.js';
import { respondToClientHello } from '../tls13/server/server-flight.js';
import { SSL3, TLS12, TLS13 } from '../versions.js';
import type { ServerHandshake } from './server-handshake.js';

/** TLS_FALLBACK_SCSV (RFC 7507 §2): a client retrying with a lower version than it supports says so. */
export const TLS_FALLBACK_SCSV = 0x5600;

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
    // After a HelloRetryRequest the version is settled: TLS 1.3 checks ClientHello2 against ClientHello1.
    const version = this.hs.retry ? TLS13 : chooseVersion(this.hs, ch);
    if (version === TLS12) return respondToTls12ClientHello(this.ctx, this.hs, ch, raw);
    return respondToClientHello(this.ctx, this.hs, ch, raw, this);
  }
}

/** The highest version of ours the client offers: by supported_versions alone when present (§4.2.1). */
function chooseVersion(hs: ServerHandshake, ch: ClientHello): number {
  const supported = findExtension(ch.extensions, 'supported_versions')?.versions.filter((v) => !isGrease(v));
  // RFC 7507 §3: a fallback below our best is an attacker's doing, refused before anything else is judged.
  const clientMax = supported ? Math.max(...supported, 0) : ch.legacyVersion;
  if (ch.cipherSuites.includes(TLS_FALLBACK_SCSV) && clientMax < hs.versions[0]!) {
    fail('inappropriate_fallback', 'TLS_FALLBACK_SCSV from a client whose best version is below ours (RFC 7507)');
  }
  // §D.5: a ClientHello of SSL 3.0 or older is refused whatever else it offers.
  if (ch.legacyVersion <= SSL3) fail('protocol_version', `ClientHello legacy_version 0x${ch.legacyVersion.toString(16).padStart(4, '0')} is SSL 3.0 or older`);
  // Without supported_versions the client speaks TLS 1.2 at most (§4.2.1, RFC 5246 §7.4.1.2).
  const offered = supported ?? (ch.legacyVersion >= TLS12 ? [TLS12] : []);
  const version = hs.versions.find((v) => offered.includes(v));
  if (version === undefined) fail('protocol_version', `the client offers none of our versions (${hs.versions.map((v) => (v === TLS13 ? 'TLS 1.3' : 'TLS 1.2')).join(', ')})`);
  return version;
}
