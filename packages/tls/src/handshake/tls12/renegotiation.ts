/**
 * Renegotiation, refused (RFC 5746 §4.2, §4.4; RFC 5246 §7.4.1.1, §7.4.1.2): a server's
 * HelloRequest or a client's ClientHello after the handshake gets a no_renegotiation
 * warning and the connection carries on. The RFCs allow a fatal handshake_failure instead;
 * we send it to a peer that will not stop asking.
 * @module
 */
import { fail } from '../../alert.js';
import type { HandshakeContext } from '../context.js';

/** Renegotiations refused with a warning on one connection before the next is refused with handshake_failure. */
export const MAX_REFUSED_RENEGOTIATIONS = 8;

/** Refuses one more renegotiation; returns how many have been refused. */
export function refuseRenegotiation(ctx: HandshakeContext, refusedBefore: number): number {
  if (refusedBefore >= MAX_REFUSED_RENEGOTIATIONS) fail('handshake_failure', `renegotiation asked for ${refusedBefore + 1} times: we never renegotiate (RFC 5746)`);
  ctx.sendWarning('no_renegotiation');
  return refusedBefore + 1;
}
