/**
 * The end of the server's first flight (RFC 5246 §7.4.4, §7.4.5): an optional
 * CertificateRequest, then ServerHelloDone, and the client's answer: [Certificate],
 * ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished.
 * @module
 */
import type { PrivateKey, SignatureScheme } from '../../../crypto/provider.js';
import type { Protection } from '../../../record/record-protection.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { expectMessage } from '../../messages/handshake-message.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { authenticationOf } from '../cipher-suites.js';
import { ClientCertificateType } from '../messages/certificate-request.js';
import type { Tls12CertificateRequest } from '../messages/types.js';
import { MasterSecret } from '../prf.js';
import { chooseTls12Scheme, signTls12 } from '../signatures.js';
import type { Tls12ClientHandshake } from './client-handshake.js';
import { recordKeys } from '../record-keys.js';
import { afterOurFinished } from './expect-finished.js';

/** Our ClientKeyExchange's public key, and the pre-master secret it gives. */
export interface KeyExchange {
  keyExchange: Uint8Array;
  sharedSecret: Uint8Array;
}

export class ExpectCertificateRequestOrDone implements HandshakeState {
  readonly name = 'ExpectCertificateRequestOrServerHelloDone';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
    private readonly exchange: KeyExchange,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    if (message.type === 'certificate_request_tls12') {
      this.ctx.transcript.add(raw);
      return new ExpectServerHelloDone(this.ctx, this.t, this.exchange, message);
    }
    return new ExpectServerHelloDone(this.ctx, this.t, this.exchange, undefined).handle(message, raw);
  }
}

export class ExpectServerHelloDone implements HandshakeState {
  readonly name = 'ExpectServerHelloDone';
  constructor(
    private readonly ctx: HandshakeContext,
    private readonly t: Tls12ClientHandshake,
    private readonly exchange: KeyExchange,
    private readonly request: Tls12CertificateRequest | undefined,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { ctx, t } = this;
    expectMessage(message, 'server_hello_done');
    ctx.transcript.add(raw);
    const signer = this.request && this.sendCertificate(this.request);
    ctx.sendHandshake({ type: 'client_key_exchange', publicKey: this.exchange.keyExchange });
    // RFC 7627 §4: session_hash covers the handshake through ClientKeyExchange.
    const sessionHash = t.extendedMasterSecret ? ctx.transcript.digest() : undefined;
    t.master = MasterSecret.derive(t.suite.hash, this.exchange.sharedSecret, t.randoms, sessionHash, (s) => ctx.secret(s));
    if (signer) {
      const signature = signTls12(ctx.provider, signer.scheme, signer.key, ctx.transcript.handshakeMessages());
      ctx.sendHandshake({ type: 'certificate_verify', algorithm: signer.scheme.id, signature });
    }
    return afterOurFinished(ctx, t, sendChangeCipherSpecAndFinished(ctx, t));
  }

  /**
   * Our Certificate (RFC 5246 §7.4.6): ours if its key is of a type the server asked for and a
   * scheme it accepts can sign with it; otherwise an empty one, and the server decides.
   */
  private sendCertificate(request: Tls12CertificateRequest): { scheme: SignatureScheme; key: PrivateKey } | undefined {
    const { ctx, t } = this;
    const certified = t.hs.config.certificate;
    const type = certified && (authenticationOf(certified.privateKey) === 'RSA' ? ClientCertificateType.rsa_sign : ClientCertificateType.ecdsa_sign);
    const scheme = certified && request.certificateTypes.includes(type!) ? chooseTls12Scheme(t.hs.schemes, request.signatureAlgorithms, certified.privateKey) : undefined;
    ctx.sendHandshake({ type: 'certificate_tls12', certificateList: scheme ? certified!.chain : [] });
    return scheme && { scheme, key: certified!.privateKey };
  }
}

/**
 * ChangeCipherSpec, then Finished under the new keys (RFC 5246 §7.1, §7.4.9). Returns the
 * server's protection, which its own ChangeCipherSpec will switch to.
 */
export function sendChangeCipherSpecAndFinished(ctx: HandshakeContext, t: Tls12ClientHandshake): Protection {
  const keys = recordKeys(t);
  ctx.sendChangeCipherSpec();
  ctx.setWriteProtection(keys.client);
  ctx.sendHandshake({ type: 'finished', verifyData: t.master!.verifyData('client', ctx.transcript.digest()) });
  return keys.server;
}
