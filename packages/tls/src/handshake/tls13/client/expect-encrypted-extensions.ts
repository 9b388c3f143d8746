/**
 * The client reads EncryptedExtensions (RFC 8446 §4.3.1): the first message under the
 * handshake keys, with the server's answers to extensions that need no certificate.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite } from '../../../crypto/provider.js';
import { checkOffered } from '../../authentication.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import { findExtension, type EncryptedExtensions, type HandshakeMessage } from '../../messages/types.js';
import type { KeySchedule } from '../key-schedule.js';
import { ExpectCertificateOrRequest } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';

export class ExpectEncryptedExtensions implements HandshakeState {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs } = this;
    const ee = expectMessage(message, 'encrypted_extensions');
    // supported_groups is informational (§4.2.7) and may come unasked.
    checkOffered(ee.extensions.filter((e) => e.type !== 'supported_groups'), hs.offered, 'EncryptedExtensions');
    this.takeAlpn(ee);
    if (findExtension(ee.extensions, 'server_name')) ctx.info.serverName = hs.config.serverName!;
    const limit = findExtension(ee.extensions, 'record_size_limit');
    // RFC 8449 §4 (the decoder has already refused values below 64).
    if (limit) ctx.records.setWriteRecordSizeLimit(limit.limit);
    const earlyAccepted = this.earlyDataAccepted(ee);
    ctx.transcript.add(raw);
    if (hs.sentEarlyData) {
      ctx.info.earlyData = earlyAccepted ? 'accepted' : 'rejected';
      ctx.emit({ type: 'early_data', status: ctx.info.earlyData });
      // Rejected: switch to the handshake key now. Accepted: EndOfEarlyData goes first (§4.5).
      if (!earlyAccepted) ctx.setWriteSecret(this.schedule.trafficSecret(this.suite, 'client', 'handshake'));
    }
    if (ctx.info.resumed) return new ExpectFinished(ctx, hs, this.suite, this.schedule);
    return new ExpectCertificateOrRequest(ctx, hs, this.suite, this.schedule);
  }

  /** RFC 7301 §3.1: exactly one protocol, one we offered. */
  private takeAlpn(ee: EncryptedExtensions): void {
    const alpn = findExtension(ee.extensions, 'application_layer_protocol_negotiation');
    if (!alpn) return;
    if (alpn.protocols.length !== 1 || !this.hs.config.alpnProtocols?.includes(alpn.protocols[0]!)) {
      fail('illegal_parameter', 'server selected an ALPN protocol we did not offer');
    }
    this.ctx.info.alpnProtocol = alpn.protocols[0]!;
  }

  /** §4.2.10: early_data may be accepted only as offered, with the selected PSK, its suite and its ALPN protocol. */
  private earlyDataAccepted(ee: EncryptedExtensions): boolean {
    const { ctx, hs } = this;
    const accepted = !!findExtension(ee.extensions, 'early_data');
    if (accepted && (!hs.sentEarlyData || !ctx.info.resumed)) fail('illegal_parameter', 'early_data accepted but not offered with the selected PSK');
    if (accepted) {
      const s = hs.offeredSession!;
      if (s.cipherSuite !== this.suite.id || (ctx.info.alpnProtocol ?? '') !== (s.alpnProtocol ?? '')) {
        fail('illegal_parameter', "0-RTT accepted with parameters other than the ticket's");
      }
    }
    return accepted;
  }
}
