/**
 * The server reads the client's second flight (RFC 8446 §4.5, §4.4.2–§4.4.4):
 * EndOfEarlyData after accepted 0-RTT, the client's Certificate and CertificateVerify
 * when asked for, and Finished; then it issues session tickets (§4.6.1).
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite, PublicKey } from '../../../crypto/provider.js';
import { peerPublicKey, verifyCertificateVerify, verifyPeerChain } from '../../authentication.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import type { HandshakeMessage } from '../../messages/types.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import type { KeySchedule } from '../key-schedule.js';
import { sendNewSessionTickets } from './new-session-ticket.js';

/** 0-RTT data arrives here until EndOfEarlyData (§4.5). */
export class ExpectEndOfEarlyData implements HandshakeState {
  readonly name = 'ExpectEndOfEarlyData';
  readonly acceptsApplicationData = true;
  readonly earlyData = true;
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
    private readonly requestCertificate: boolean,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs, suite, schedule } = this;
    expectMessage(message, 'end_of_early_data');
    ctx.transcript.add(raw);
    ctx.setReadSecret(schedule.trafficSecret(suite, 'client', 'handshake'));
    return this.requestCertificate ? new ExpectClientCertificate(ctx, hs, suite, schedule) : new ExpectClientFinished(ctx, hs, suite, schedule);
  }
}

export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs, suite, schedule } = this;
    const certificate = expectMessage(message, 'certificate');
    if (certificate.certificateRequestContext.length !== 0) fail('illegal_parameter', 'client Certificate context does not match the request');
    // §4.4.2: CertificateEntry extensions must answer ones we sent in the CertificateRequest (none).
    if (certificate.certificateList.some((e) => e.extensions.length)) fail('unsupported_extension', 'CertificateEntry extension that was not requested');
    ctx.transcript.add(raw);
    if (certificate.certificateList.length === 0) {
      // §4.4.2.4: with no certificate the server may go on, or abort with certificate_required.
      if (hs.config.clientAuth === 'required') fail('certificate_required', 'the client sent no certificate');
      return new ExpectClientFinished(ctx, hs, suite, schedule);
    }
    const chain = certificate.certificateList.map((e) => e.certData);
    const key = peerPublicKey(chain[0]!);
    const verify = hs.config.verifyClientCertificate;
    if (!verify) fail('internal_error', 'clientAuth is set but verifyClientCertificate is not');
    verifyPeerChain(verify, chain, { purpose: 'client', now: new Date(ctx.now()) });
    ctx.info.peerCertificates = chain;
    return new ExpectClientCertificateVerify(ctx, hs, suite, schedule, key);
  }
}

export class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
    private readonly key: PublicKey,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs } = this;
    const verify = expectMessage(message, 'certificate_verify');
    verifyCertificateVerify(hs.schemes, hs.requestedSchemes ?? [], verify.algorithm, verify.signature, this.key, 'client', ctx.transcript.digest());
    ctx.transcript.add(raw);
    return new ExpectClientFinished(ctx, hs, this.suite, this.schedule);
  }
}

export class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs, suite, schedule } = this;
    const finished = expectMessage(message, 'finished');
    schedule.checkFinished('client', ctx.transcript.digest(), finished.verifyData);
    // §5: after the peer's Finished a change_cipher_spec record is an unexpected record type.
    ctx.records.allowChangeCipherSpec = false;
    ctx.transcript.add(raw);
    ctx.setReadSecret(schedule.trafficSecret(suite, 'client', 'application'));
    schedule.resumptionMasterSecret(ctx.transcript.digest());
    sendNewSessionTickets(ctx, hs, suite, schedule);
    ctx.completeHandshake(schedule.exporter());
    return new ServerConnected();
  }
}

/** After the handshake: application data flows; KeyUpdate is handled by the connection. */
export class ServerConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  handle(message: HandshakeMessage): HandshakeState {
    // §4.6: a client sends no post-handshake messages but KeyUpdate (handled before this).
    return fail('unexpected_message', `unexpected ${message.type} after the handshake`);
  }
}
