/**
 * The server's last flight to a TLS 1.2 client (RFC 5246 §7.4.9, RFC 5077 §3.3): a
 * NewSessionTicket when it promised one, then ChangeCipherSpec and Finished. In a full
 * handshake they answer our Finished; in a resumption they come first, and ours answers them.
 * @module
 */
import { fail } from '../../../alert.js';
import type { Protection } from '../../../record/record-protection.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { MAX_TICKET_LIFETIME, type Session } from '../../session.js';
import type { Tls12ClientHandshake } from './client-handshake.js';
import { recordKeys } from '../record-keys.js';
import { ClientConnected } from './connected.js';
import { sendChangeCipherSpecAndFinished } from './expect-server-hello-done.js';

/** A ticket whose lifetime hint is 0 ("unspecified", RFC 5077 §3.3) is kept this long, in seconds. */
export const DEFAULT_TLS12_TICKET_LIFETIME = 7200;

/** What comes next from the server: the ticket if promised, then its ChangeCipherSpec and Finished. */
export function afterOurFinished(ctx: HandshakeContext, t: Tls12ClientHandshake, serverProtection: Protection): HandshakeState {
  if (t.ticketExpected) return new ExpectNewSessionTicket(ctx, t, serverProtection);
  ctx.records.expectChangeCipherSpec(serverProtection);
  return new ExpectServerFinished(ctx, t);
}

/** After the ServerHello of a resumption: the server's ticket, ChangeCipherSpec and Finished come first (RFC 5246 §7.3). */
export function serverFinishesFirst(ctx: HandshakeContext, t: Tls12ClientHandshake): HandshakeState {
  return afterOurFinished(ctx, t, recordKeys(t).server);
}

export class ExpectNewSessionTicket implements HandshakeState {
  readonly name = 'ExpectNewSessionTicket';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
    private readonly serverProtection: Protection,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    this.t.ticket = expectMessage(message, 'new_session_ticket_tls12');
    this.ctx.transcript.add(raw);
    this.ctx.records.expectChangeCipherSpec(this.serverProtection);
    return new ExpectServerFinished(this.ctx, this.t);
  }
}

export class ExpectServerFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const finished = expectMessage(message, 'finished');
    // The record layer lets no handshake record through before the ChangeCipherSpec; this catches one in the same record as the last message.
    if (ctx.records.awaitingChangeCipherSpec) fail('unexpected_message', 'Finished before ChangeCipherSpec (RFC 5246 §7.4.9)');
    t.master!.checkVerifyData('server', ctx.transcript.digest(), finished.verifyData);
    ctx.transcript.add(raw);
    // In a resumption the server finished first; now we do (RFC 5246 §7.3).
    if (ctx.info.resumed) sendChangeCipherSpecAndFinished(ctx, t);
    ctx.completeHandshake(t.master!.exporter());
    const session = this.session();
    if (session) ctx.emit({ type: 'session', session });
    return new ClientConnected(ctx);
  }

  /**
   * The session to keep from the server's ticket: only with the extended master secret
   * (RFC 7627 §5.3 advises against resuming without it), and not for an empty ticket, which
   * means "no ticket after all" (RFC 5077 §3.3).
   */
  private session(): Session | undefined {
    const { ctx, t } = this;
    if (!t.ticket || t.ticket.ticket.length === 0 || !t.master!.extended) return undefined;
    const session: Session = {
      protocol: 'TLSv1.2',
      ticket: t.ticket.ticket.slice(),
      psk: t.master!.secret,
      cipherSuite: t.suite.id,
      ticketAgeAdd: 0,
      receivedAt: ctx.now(),
      lifetime: Math.min(t.ticket.ticketLifetimeHint || DEFAULT_TLS12_TICKET_LIFETIME, MAX_TICKET_LIFETIME),
      maxEarlyDataSize: 0,
    };
    if (t.hs.config.serverName) session.serverName = t.hs.config.serverName;
    if (ctx.info.alpnProtocol) session.alpnProtocol = ctx.info.alpnProtocol;
    return session;
  }
}
