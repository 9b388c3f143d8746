/**
 * A TLS 1.3 server considers the client's PSK (RFC 8446 §4.2.11): one of our tickets,
 * alive, for the same name and hash, whose binder verifies.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite } from '../../../crypto/provider.js';
import { equalSecret } from '../../../wire/bytes.js';
import type { HandshakeContext } from '../../context.js';
import { truncatedClientHello } from '../../messages/psk-binders.js';
import { findExtension, type ClientHello } from '../../messages/types.js';
import { clientAuthStillValid } from '../../server/choices.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { openTicket, type TicketState } from '../../server/ticketer.js';
import { KeySchedule } from '../key-schedule.js';
import type { AcceptedPsk } from './early-data.js';

/** A resumption the server accepted, with the key schedule its PSK began. */
export interface Resumption extends AcceptedPsk {
  schedule: KeySchedule;
  /** psk_dhe_ke, or psk_ke: the PSK alone, without a key exchange (§4.2.9). */
  mode: 'psk_dhe_ke' | 'psk_ke';
}

/**
 * The client's first PSK (§4.2.11), if it is ours and usable with `suite`; its binder must
 * verify (§4.2.11.2). `mode` is the PSK key exchange mode we both allow (§4.2.9), if any.
 */
export function checkForResumption(
  ctx: HandshakeContext,
  hs: ServerHandshake,
  ch: ClientHello,
  raw: Uint8Array,
  suite: CipherSuite,
  mode: 'psk_dhe_ke' | 'psk_ke' | undefined,
): Resumption | undefined {
  const offered = findExtension(ch.extensions, 'pre_shared_key');
  if (!offered || !mode) return undefined;
  const ticketer = hs.config.tickets?.ticketer;
  const identity = offered.identities[0];
  if (!ticketer || !identity) return undefined;
  const state = openTicket(ticketer, identity.identity);
  if (!state || !usable(ctx, hs, ch, state, suite)) return undefined;

  // §4.2.11.2: the binder covers the transcript so far and the ClientHello up to the binders.
  const schedule = new KeySchedule(suite.hash, state.psk, (s) => ctx.secret(s));
  schedule.binderKey(true);
  const expected = schedule.binder(ctx.transcript.digestWith(suite.hash, truncatedClientHello(raw)));
  if (!equalSecret(expected, offered.binders[0]!)) fail('decrypt_error', 'PSK binder does not verify');
  return { state, schedule, obfuscatedAge: identity.obfuscatedTicketAge, mode };
}

/** Whether a ticket may be resumed now: same hash, alive, same name, and client authentication still good. */
function usable(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, state: TicketState, suite: CipherSuite): boolean {
  const ticketSuite = hs.suites.find((s) => s.id === state.cipherSuite);
  if (!ticketSuite || ticketSuite.hash !== suite.hash) return false;
  if (ctx.now() - state.issuedAt > state.lifetime * 1000) return false;
  // §4.6.1: a session belongs to the name it was made for (the certificate may differ by name).
  if (state.serverName !== (findExtension(ch.extensions, 'server_name')?.hostName ?? '')) return false;
  // The PSK carries the original client authentication (§2.2): it must satisfy this configuration.
  return clientAuthStillValid(ctx, hs.config, state.clientCertificates);
}
