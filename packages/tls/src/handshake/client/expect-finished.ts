/**
 * The client checks the server's Finished and sends its second flight (RFC 8446 §4.4.4,
 * §4.5, §4.4.2): EndOfEarlyData if its 0-RTT data was accepted, its Certificate and
 * CertificateVerify if asked, and its Finished.
 * @module
 */
import { fail } from '../../alert.js';
import type { CipherSuite } from '../../crypto/provider.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { checkFinished, chooseSignatureScheme, signCertificateVerify } from '../authentication.js';
import { finishedKey, finishedVerifyData } from '../key-schedule.js';
import { findExtension, type CertificateRequest, type HandshakeMessage } from '../messages/types.js';
import type { ClientHandshake } from './client-hello.js';
import { ClientConnected } from './connected.js';
import type { HandshakeSecrets } from './expect-encrypted-extensions.js';

export class ExpectFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly secrets: HandshakeSecrets,
    private readonly request?: CertificateRequest,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs, suite, secrets } = this;
    if (message.type !== 'finished') fail('unexpected_message', `expected Finished, got ${message.type}`);
    const hash = suite.hash;
    conn.secret({ name: 'server_finished_key', label: 'finished', derivation: 'HKDF-Expand-Label(server_handshake_traffic_secret, "finished", "", Hash.length)', secret: finishedKey(hash, secrets.server) });
    checkFinished(suite, secrets.server, conn.transcript.digest(), message.verifyData, 'server');
    // §5: after the peer's Finished a change_cipher_spec record is an unexpected record type.
    conn.recordLayer.allowChangeCipherSpec = false;
    conn.secret({ name: 'server_finished_verify_data', label: 'finished', derivation: 'HMAC(server_finished_key, Transcript-Hash(ClientHello..CertificateVerify))', secret: message.verifyData });
    conn.transcript.add(raw);

    // The application secrets hash the transcript through the server's Finished (§7.1).
    const schedule = hs.schedule!;
    schedule.enterMasterSecret();
    const app = schedule.applicationSecrets(conn.transcript.digest());
    conn.setReadSecret(suite, app.server, 'application');

    if (conn.info.earlyData === 'accepted') {
      conn.sendHandshake({ type: 'end_of_early_data' }); // §4.5: under the early key
      conn.setWriteSecret(suite, secrets.client, 'handshake');
    }
    // §D.4: in compatibility mode, a change_cipher_spec before the second flight (if not sent yet).
    if (hs.config.middleboxCompatibility && !hs.retried && !hs.sentEarlyData) conn.sendChangeCipherSpec();

    if (this.request) this.authenticate(this.request);

    conn.secret({ name: 'client_finished_key', label: 'finished', derivation: 'HKDF-Expand-Label(client_handshake_traffic_secret, "finished", "", Hash.length)', secret: finishedKey(hash, secrets.client) });
    const verifyData = finishedVerifyData(hash, secrets.client, conn.transcript.digest());
    conn.secret({ name: 'client_finished_verify_data', label: 'finished', derivation: 'HMAC(client_finished_key, Transcript-Hash(ClientHello..server Finished[..client CertificateVerify]))', secret: verifyData });
    conn.sendHandshake({ type: 'finished', verifyData });
    conn.setWriteSecret(suite, app.client, 'application');

    const resumptionMasterSecret = schedule.resumptionMasterSecret(conn.transcript.digest());
    conn.completeHandshake(app.exporter);
    return new ClientConnected(conn, hs, suite, resumptionMasterSecret);
  }

  /** Our Certificate (empty when we have none, §4.4.2.4) and CertificateVerify. */
  private authenticate(request: CertificateRequest): void {
    const { conn, hs } = this;
    const certified = hs.config.certificate;
    const accepted = findExtension(request.extensions, 'signature_algorithms')!.schemes;
    const scheme = certified && chooseSignatureScheme(hs.schemes, accepted, certified.privateKey);
    if (!certified || !scheme) {
      conn.sendHandshake({ type: 'certificate', certificateRequestContext: request.certificateRequestContext, certificateList: [] });
      return;
    }
    conn.sendHandshake({
      type: 'certificate',
      certificateRequestContext: request.certificateRequestContext,
      certificateList: certified.chain.map((certData) => ({ certData, extensions: [] })),
    });
    const signature = signCertificateVerify(conn.provider, scheme, certified.privateKey, 'client', conn.transcript.digest());
    conn.sendHandshake({ type: 'certificate_verify', algorithm: scheme.id, signature });
  }
}
