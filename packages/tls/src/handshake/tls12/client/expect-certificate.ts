/**
 * The TLS 1.2 client authenticates the server (RFC 5246 §7.4.2, RFC 8422 §5.4): its
 * Certificate, then the ServerKeyExchange it signs with the certificate's key.
 * @module
 */
import { fail } from '../../../alert.js';
import { groupName } from '../../../crypto/provider.js';
import { peerPublicKey, verifyPeerChain } from '../../authentication.js';
import type { PeerCertificateContext } from '../../config.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { encapsulateKeyShare } from '../../key-share.js';
import { expectMessage } from '../../messages/handshake-message.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { authenticationOf, ecdheGroups } from '../cipher-suites.js';
import { serverKeyExchangeContent, verifyTls12 } from '../signatures.js';
import type { Tls12ClientHandshake } from './client-handshake.js';
import { ExpectCertificateRequestOrDone, type KeyExchange } from './expect-server-hello-done.js';

export class ExpectServerCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const certificate = expectMessage(message, 'certificate_tls12');
    // RFC 5246 §7.4.2: the server always sends one with our suites.
    if (certificate.certificateList.length === 0) fail('decode_error', 'the server sent an empty Certificate');
    const chain = certificate.certificateList;
    const key = peerPublicKey(chain[0]!);
    const context: PeerCertificateContext = { purpose: 'server', now: new Date(ctx.now()) };
    if (t.hs.config.serverName) context.serverName = t.hs.config.serverName;
    verifyPeerChain(t.hs.config.verifyServerCertificate, chain, context);
    // RFC 8422 §5.3: the key must fit the suite (ECDSA or EdDSA for ECDHE_ECDSA, RSA for ECDHE_RSA).
    if (authenticationOf(key) !== t.suite.authentication) fail('unsupported_certificate', `a ${key.type} certificate for ${t.suite.name}`);
    ctx.info.peerCertificates = chain;
    t.serverKey = key;
    ctx.transcript.add(raw);
    return new ExpectServerKeyExchange(ctx, t);
  }
}

export class ExpectServerKeyExchange implements HandshakeState {
  readonly name = 'ExpectServerKeyExchange';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    const ske = expectMessage(message, 'server_key_exchange');
    // RFC 8422 §5.4: a curve we listed in supported_groups.
    const group = ecdheGroups(t.hs.groups).find((g) => g.id === ske.namedCurve);
    if (!group) fail('illegal_parameter', `ServerKeyExchange on ${groupName(ske.namedCurve)}, which we did not offer`);
    const content = serverKeyExchangeContent(t.randoms.client, t.randoms.server, ske.namedCurve, ske.publicKey);
    const scheme = verifyTls12(t.hs.schemes, t.hs.offeredSchemes, ske.algorithm, t.serverKey!, content, ske.signature, 'ServerKeyExchange');
    ctx.info.signatureScheme = scheme.name;
    ctx.info.group = group.name;
    // Our ephemeral key answers the server's: the pre-master secret is their ECDH (RFC 8422 §5.10).
    const exchange: KeyExchange = encapsulateKeyShare(ctx, group, ske.publicKey);
    ctx.transcript.add(raw);
    return new ExpectCertificateRequestOrDone(ctx, t, exchange);
  }
}
