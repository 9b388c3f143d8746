/**
 * The server's side of 0-RTT (RFC 8446 §4.2.10, §8): when it accepts early data, and how
 * much rejected early data it skips.
 * @module
 */
import type { CipherSuite } from '../../../crypto/provider.js';
import type { ServerConfig } from '../../config.js';
import type { HandshakeContext } from '../../context.js';
import { MAX_TICKET_AGE_SKEW_MS } from '../../server/anti-replay.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import type { TicketState } from '../../server/ticketer.js';

/** Early data a server skips after rejecting it (§4.2.10), when no larger limit is configured. */
export const MAX_SKIPPED_EARLY_DATA = 2 ** 14;

/** How much rejected early data we skip: our own limit, or at least {@link MAX_SKIPPED_EARLY_DATA}. */
export function maxSkippedEarlyData(config: ServerConfig): number {
  return Math.max(config.maxEarlyDataSize ?? 0, MAX_SKIPPED_EARLY_DATA);
}

/** A PSK the server accepted: the ticket's state and the client's view of its age. */
export interface AcceptedPsk {
  state: TicketState;
  obfuscatedAge: number;
}

/** §4.2.10 and §8: 0-RTT only on the first PSK, same suite and ALPN, fresh, and never seen before. */
export function acceptEarlyData(ctx: HandshakeContext, hs: ServerHandshake, psk: AcceptedPsk, suite: CipherSuite, alpn: string | undefined): boolean {
  const { state } = psk;
  const config = hs.config;
  if (hs.retry || !config.antiReplay || !(config.maxEarlyDataSize && state.maxEarlyDataSize)) return false;
  // We count early data against today's limit: a ticket that promised more is not honoured for 0-RTT.
  if (state.maxEarlyDataSize > config.maxEarlyDataSize) return false;
  if (state.cipherSuite !== suite.id || state.alpnProtocol !== (alpn ?? '')) return false;
  // §8.3: the client's view of the ticket age must match ours within a window.
  const clientAge = (psk.obfuscatedAge - state.ticketAgeAdd + 2 ** 32) % 2 ** 32;
  const serverAge = ctx.now() - state.issuedAt;
  if (Math.abs(serverAge - clientAge) > MAX_TICKET_AGE_SKEW_MS) return false;
  return config.antiReplay.firstUse(state.psk, state.issuedAt + state.lifetime * 1000, ctx.now());
}
