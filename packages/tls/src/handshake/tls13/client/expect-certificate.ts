/**
 * The client authenticates the server (RFC 8446 §4.4.2, §4.4.3): an optional
 * CertificateRequest, then Certificate and CertificateVerify.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite, PublicKey } from '../../../crypto/provider.js';
import { peerPublicKey, verifyCertificateVerify, verifyPeerChain } from '../../authentication.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { PeerCertificateContext } from '../../config.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import { findExtension, type CertificateRequest, type HandshakeMessage } from '../../messages/types.js';
import type { KeySchedule } from '../key-schedule.js';
import { ExpectFinished } from './expect-finished.js';

export class ExpectCertificateOrRequest implements HandshakeState {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs, suite, schedule } = this;
    if (message.type === 'certificate_request') {
      // §4.3.2: the context is empty during the handshake; signature_algorithms is required.
      if (message.certificateRequestContext.length !== 0) fail('illegal_parameter', 'CertificateRequest context must be empty in the handshake');
      if (!findExtension(message.extensions, 'signature_algorithms')) fail('missing_extension', 'CertificateRequest without signature_algorithms');
      ctx.transcript.add(raw);
      return new ExpectCertificate(ctx, hs, suite, schedule, message);
    }
    return new ExpectCertificate(ctx, hs, suite, schedule, undefined).handle(message, raw);
  }
}

export class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
    private readonly request: CertificateRequest | undefined,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs } = this;
    const certificate = expectMessage(message, 'certificate');
    if (certificate.certificateRequestContext.length !== 0) fail('illegal_parameter', 'server Certificate with a non-empty context');
    // §4.4.2.4: a server must send a certificate.
    if (certificate.certificateList.length === 0) fail('decode_error', 'the server sent an empty Certificate');
    // §4.4.2: CertificateEntry extensions must answer ones from our ClientHello (we send none that allow it).
    if (certificate.certificateList.some((e) => e.extensions.length)) fail('unsupported_extension', 'CertificateEntry extension that was not requested');
    const chain = certificate.certificateList.map((e) => e.certData);
    const key = peerPublicKey(chain[0]!);
    const context: PeerCertificateContext = { purpose: 'server', now: new Date(ctx.now()) };
    if (hs.config.serverName) context.serverName = hs.config.serverName;
    verifyPeerChain(hs.config.verifyServerCertificate, chain, context);
    ctx.info.peerCertificates = chain;
    ctx.transcript.add(raw);
    return new ExpectCertificateVerify(ctx, hs, this.suite, this.schedule, this.request, key);
  }
}

export class ExpectCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly schedule: KeySchedule,
    private readonly request: CertificateRequest | undefined,
    private readonly key: PublicKey,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, hs } = this;
    const verify = expectMessage(message, 'certificate_verify');
    const scheme = verifyCertificateVerify(hs.schemes, hs.offeredSchemes, verify.algorithm, verify.signature, this.key, 'server', ctx.transcript.digest());
    ctx.info.signatureScheme = scheme.name;
    ctx.transcript.add(raw);
    return new ExpectFinished(ctx, hs, this.suite, this.schedule, this.request);
  }
}
