/**
 * A TLS 1.2 server resumes a session from its ticket (RFC 5077 §3.1): ServerHello echoing
 * the client's session id, ChangeCipherSpec and Finished at once; the client finishes after.
 * A ticket that is not ours, too old, for another name or suite, or without the extended
 * master secret, gets a full handshake instead.
 * @module
 */
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { findExtension, type ClientHello } from '../../messages/types.js';
import { clientAuthStillValid } from '../../server/choices.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { MasterSecret } from '../prf.js';
import { expectClientFinished, sendChangeCipherSpecAndFinished } from './expect-client-flight.js';
import { sendServerHello } from './server-hello.js';
import type { Tls12ServerHandshake } from './server-handshake.js';
import { openTls12Ticket, type Tls12TicketState } from './ticket-state.js';

/** The state of the client's ticket, if it is one of ours and may be resumed now. */
export function resumableTicket(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello): Tls12TicketState | undefined {
  const ticket = findExtension(ch.extensions, 'session_ticket')?.ticket;
  const ticketer = hs.config.tickets?.ticketer;
  if (!ticket?.length || !ticketer) return undefined;
  const state = openTls12Ticket(ticketer, ticket);
  return state && usable(ctx, hs, ch, state) ? state : undefined;
}

/** Whether a ticket may be resumed: same suite (still ours and offered), alive, same name, EMS, client authentication still good. */
function usable(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, state: Tls12TicketState): boolean {
  if (!hs.tls12Suites.some((s) => s.id === state.cipherSuite) || !ch.cipherSuites.includes(state.cipherSuite)) return false;
  if (ctx.now() - state.issuedAt > state.lifetime * 1000) return false;
  if (state.serverName !== (findExtension(ch.extensions, 'server_name')?.hostName ?? '')) return false;
  // RFC 7627 §5.3: resume only an extended master secret, and only with a ClientHello that keeps it.
  if (!state.extendedMasterSecret || !findExtension(ch.extensions, 'extended_master_secret')) return false;
  return clientAuthStillValid(ctx, hs.config, state.clientCertificates);
}

/** The abbreviated handshake (RFC 5246 §7.3): our hello, ChangeCipherSpec and Finished, then the client's. */
export function resumeTls12Session(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, raw: Uint8Array, serverRandom: Uint8Array, state: Tls12TicketState): HandshakeState {
  const suite = hs.tls12Suites.find((s) => s.id === state.cipherSuite)!;
  const t: Tls12ServerHandshake = { hs, ch, suite, randoms: { client: ch.random, server: serverRandom }, extendedMasterSecret: true, issueTicket: false };
  ctx.info.cipherSuite = suite;
  ctx.info.resumed = true;
  if ((hs.config.clientAuth ?? 'none') !== 'none') ctx.info.peerCertificates = state.clientCertificates;
  ctx.transcript.useHash(suite.hash);
  ctx.transcript.add(raw);
  sendServerHello(ctx, t, true, false);
  t.master = MasterSecret.resume(suite.hash, state.masterSecret, t.randoms, (s) => ctx.secret(s));
  sendChangeCipherSpecAndFinished(ctx, t);
  return expectClientFinished(ctx, t);
}
