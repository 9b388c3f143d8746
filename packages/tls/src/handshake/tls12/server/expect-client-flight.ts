/**
 * A TLS 1.2 server reads the client's flight (RFC 5246 §7.4.6–§7.4.9): [Certificate],
 * ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished; then answers with
 * [NewSessionTicket], ChangeCipherSpec and its Finished (in a resumption, its Finished came first).
 * @module
 */
import { fail } from '../../../alert.js';
import type { PublicKey } from '../../../crypto/provider.js';
import { peerPublicKey, verifyPeerChain } from '../../authentication.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { decapsulateKeyShare } from '../../key-share.js';
import { expectMessage } from '../../messages/handshake-message.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { MasterSecret } from '../prf.js';
import { recordKeys } from '../record-keys.js';
import { verifyTls12 } from '../signatures.js';
import { ServerConnected } from './connected.js';
import { sendTls12Ticket } from './new-session-ticket.js';
import type { Tls12ServerHandshake } from './server-handshake.js';

export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ServerHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const chain = expectMessage(message, 'certificate_tls12').certificateList;
    ctx.transcript.add(raw);
    if (chain.length === 0) {
      // RFC 5246 §7.4.6: without a certificate the server goes on or answers handshake_failure.
      if (t.hs.config.clientAuth === 'required') fail('handshake_failure', 'the client sent no certificate');
      return new ExpectClientKeyExchange(ctx, t, undefined);
    }
    const key = peerPublicKey(chain[0]!);
    const verify = t.hs.config.verifyClientCertificate;
    if (!verify) fail('internal_error', 'clientAuth is set but verifyClientCertificate is not');
    verifyPeerChain(verify, chain, { purpose: 'client', now: new Date(ctx.now()) });
    ctx.info.peerCertificates = chain;
    return new ExpectClientKeyExchange(ctx, t, key);
  }
}

export class ExpectClientKeyExchange implements HandshakeState {
  readonly name = 'ExpectClientKeyExchange';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ServerHandshake,
    /** The client certificate's key, when it sent one: a CertificateVerify follows. */
    private readonly clientKey: PublicKey | undefined,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const cke = expectMessage(message, 'client_key_exchange');
    const { group, pair } = t.keyExchange!;
    const preMasterSecret = decapsulateKeyShare(ctx, group, pair, cke.publicKey);
    ctx.transcript.add(raw);
    // RFC 7627 §4: session_hash covers the handshake through ClientKeyExchange.
    const sessionHash = t.extendedMasterSecret ? ctx.transcript.digest() : undefined;
    t.master = MasterSecret.derive(t.suite.hash, preMasterSecret, t.randoms, sessionHash, (s) => ctx.secret(s));
    if (this.clientKey) return new ExpectClientCertificateVerify(ctx, t, this.clientKey);
    return expectClientFinished(ctx, t);
  }
}

export class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ServerHandshake,
    private readonly clientKey: PublicKey,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const verify = expectMessage(message, 'certificate_verify');
    // RFC 5246 §7.4.8: a signature over every handshake message before this one.
    verifyTls12(t.hs.schemes, t.hs.requestedSchemes ?? [], verify.algorithm, this.clientKey, ctx.transcript.handshakeMessages(), verify.signature, 'client CertificateVerify');
    ctx.transcript.add(raw);
    return expectClientFinished(ctx, t);
  }
}

/** The client's ChangeCipherSpec switches to its keys; its Finished comes under them. */
export function expectClientFinished(ctx: HandshakeContext, t: Tls12ServerHandshake): HandshakeState {
  ctx.records.expectChangeCipherSpec(recordKeys(t).client);
  return new ExpectClientFinished(ctx, t);
}

export class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ServerHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const finished = expectMessage(message, 'finished');
    if (ctx.records.awaitingChangeCipherSpec) fail('unexpected_message', 'Finished before ChangeCipherSpec (RFC 5246 §7.4.9)');
    t.master!.checkVerifyData('client', ctx.transcript.digest(), finished.verifyData);
    ctx.transcript.add(raw);
    if (!ctx.info.resumed) {
      if (t.issueTicket) sendTls12Ticket(ctx, t);
      sendChangeCipherSpecAndFinished(ctx, t);
    }
    ctx.completeHandshake(t.master!.exporter());
    return new ServerConnected(ctx);
  }
}

/** Our ChangeCipherSpec and Finished (RFC 5246 §7.1, §7.4.9). */
export function sendChangeCipherSpecAndFinished(ctx: HandshakeContext, t: Tls12ServerHandshake): void {
  const keys = recordKeys(t);
  ctx.sendChangeCipherSpec();
  ctx.setWriteProtection(keys.server);
  ctx.sendHandshake({ type: 'finished', verifyData: t.master!.verifyData('server', ctx.transcript.digest()) });
}
