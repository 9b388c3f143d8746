/**
 * A TLS 1.2 client whose ticket the server accepted (RFC 5077 §3.1): the abbreviated
 * handshake, with the session's master secret and no certificate.
 * @module
 */
import { fail } from '../../../alert.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { MasterSecret } from '../prf.js';
import type { Tls12ClientHandshake } from './client-handshake.js';
import { serverFinishesFirst } from './expect-finished.js';

/** The server resumed our session: same suite, extended master secret both times (RFC 7627 §5.3). */
export function resumeSession(ctx: HandshakeContext, t: Tls12ClientHandshake): HandshakeState {
  const session = t.hs.tls12Session!;
  if (t.suite.id !== session.cipherSuite) fail('illegal_parameter', 'the resumed session had another cipher suite (RFC 5246 §7.4.1.3)');
  // Our sessions all have the extended master secret (we keep no other); the resumption must too.
  if (!t.extendedMasterSecret) fail('handshake_failure', 'resumption without the extended master secret (RFC 7627 §5.3)');
  ctx.info.resumed = true;
  t.master = MasterSecret.resume(t.suite.hash, session.psk, t.randoms, (s) => ctx.secret(s));
  return serverFinishesFirst(ctx, t);
}
