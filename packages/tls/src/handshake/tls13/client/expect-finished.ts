/**
 * The client checks the server's Finished and sends its second flight (RFC 8446 §4.4.4,
 * §4.5, §4.4.2): EndOfEarlyData if its 0-RTT data was accepted, its Certificate and
 * CertificateVerify if asked, and its Finished.
 * @module
 */
import type { CipherSuite } from '../../../crypto/provider.js';
import { chooseSignatureScheme, signCertificateVerify } from '../../authentication.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import { findExtension, type CertificateRequest, type HandshakeMessage } from '../../messages/types.js';
import type { KeySchedule } from '../key-schedule.js';
import { ClientConnected } from './connected.js';

export class ExpectFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
    private readonly request?: CertificateRequest,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs, suite, schedule } = this;
    const finished = expectMessage(message, 'finished');
    schedule.checkFinished('server', ctx.transcript.digest(), finished.verifyData);
    // §5: after the peer's Finished a change_cipher_spec record is an unexpected record type.
    ctx.records.allowChangeCipherSpec = false;
    ctx.transcript.add(raw);

    // The application secrets hash the transcript through the server's Finished (§7.1).
    schedule.enterMasterSecret();
    schedule.applicationSecrets(ctx.transcript.digest());
    ctx.setReadSecret(schedule.trafficSecret(suite, 'server', 'application'));

    if (ctx.info.earlyData === 'accepted') {
      ctx.sendHandshake({ type: 'end_of_early_data' }); // §4.5: under the early key
      ctx.setWriteSecret(schedule.trafficSecret(suite, 'client', 'handshake'));
    }
    // §D.4: in compatibility mode, a change_cipher_spec before the second flight (if not sent yet).
    if (hs.config.middleboxCompatibility && !hs.retried && !hs.sentEarlyData) ctx.sendChangeCipherSpec();

    if (this.request) this.authenticate(this.request);
    ctx.sendHandshake({ type: 'finished', verifyData: schedule.finishedVerifyData('client', ctx.transcript.digest()) });
    ctx.setWriteSecret(schedule.trafficSecret(suite, 'client', 'application'));

    schedule.resumptionMasterSecret(ctx.transcript.digest());
    ctx.completeHandshake(schedule.exporter());
    return new ClientConnected(ctx, hs, suite, schedule);
  }

  /** Our Certificate (empty when we have none, §4.4.2.4) and CertificateVerify. */
  private authenticate(request: CertificateRequest): void {
    const { ctx, hs } = this;
    const certified = hs.config.certificate;
    const accepted = findExtension(request.extensions, 'signature_algorithms')!.schemes;
    const scheme = certified && chooseSignatureScheme(hs.schemes, accepted, certified.privateKey);
    if (!certified || !scheme) {
      ctx.sendHandshake({ type: 'certificate', certificateRequestContext: request.certificateRequestContext, certificateList: [] });
      return;
    }
    ctx.sendHandshake({
      type: 'certificate',
      certificateRequestContext: request.certificateRequestContext,
      certificateList: certified.chain.map((certData) => ({ certData, extensions: [] })),
    });
    const signature = signCertificateVerify(ctx.provider, scheme, certified.privateKey, 'client', ctx.transcript.digest());
    ctx.sendHandshake({ type: 'certificate_verify', algorithm: scheme.id, signature });
  }
}
