/**
 * The client authenticates the server (RFC 8446 §4.4.2, §4.4.3): an optional
 * CertificateRequest, then Certificate and CertificateVerify.
 * @module
 */
import { fail, TlsError } from '../../alert.js';
import type { CipherSuite, PublicKey } from '../../crypto/provider.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { peerPublicKey, verifyCertificateVerify } from '../authentication.js';
import { findExtension, type CertificateRequest, type HandshakeMessage } from '../messages/types.js';
import type { ClientHandshake } from './client-hello.js';
import type { HandshakeSecrets } from './expect-encrypted-extensions.js';
import { ExpectFinished } from './expect-finished.js';

export class ExpectCertificateOrRequest implements HandshakeState {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly secrets: HandshakeSecrets,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs, suite, secrets } = this;
    if (message.type === 'certificate_request') {
      // §4.3.2: the context is empty during the handshake; signature_algorithms is required.
      if (message.certificateRequestContext.length !== 0) fail('illegal_parameter', 'CertificateRequest context must be empty in the handshake');
      if (!findExtension(message.extensions, 'signature_algorithms')) fail('missing_extension', 'CertificateRequest without signature_algorithms');
      conn.transcript.add(raw);
      return new ExpectCertificate(conn, hs, suite, secrets, message);
    }
    return new ExpectCertificate(conn, hs, suite, secrets, undefined).handle(message, raw);
  }
}

export class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly secrets: HandshakeSecrets,
    private readonly request: CertificateRequest | undefined,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'certificate') fail('unexpected_message', `expected Certificate, got ${message.type}`);
    if (message.certificateRequestContext.length !== 0) fail('illegal_parameter', 'server Certificate with a non-empty context');
    // §4.4.2.4: a server must send a certificate.
    if (message.certificateList.length === 0) fail('decode_error', 'the server sent an empty Certificate');
    // §4.4.2: CertificateEntry extensions must answer ones from our ClientHello (we send none that allow it).
    if (message.certificateList.some((e) => e.extensions.length)) fail('unsupported_extension', 'CertificateEntry extension that was not requested');
    const chain = message.certificateList.map((e) => e.certData);
    const key = peerPublicKey(chain[0]!);
    const context: Parameters<typeof hs.config.verifyServerCertificate>[1] = { purpose: 'server', now: new Date(conn.now()) };
    if (hs.config.serverName) context.serverName = hs.config.serverName;
    try {
      hs.config.verifyServerCertificate(chain, context);
    } catch (e) {
      if (e instanceof TlsError) throw e;
      fail('bad_certificate', e instanceof Error ? e.message : String(e));
    }
    conn.info.peerCertificates = chain;
    conn.transcript.add(raw);
    return new ExpectCertificateVerify(conn, hs, this.suite, this.secrets, this.request, key);
  }
}

export class ExpectCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly secrets: HandshakeSecrets,
    private readonly request: CertificateRequest | undefined,
    private readonly key: PublicKey,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'certificate_verify') fail('unexpected_message', `expected CertificateVerify, got ${message.type}`);
    const scheme = verifyCertificateVerify(
      hs.schemes,
      hs.offeredSchemes,
      message.algorithm,
      message.signature,
      this.key,
      'server',
      conn.transcript.digest(),
    );
    conn.info.signatureScheme = scheme.name;
    conn.transcript.add(raw);
    return new ExpectFinished(conn, hs, this.suite, this.secrets, this.request);
  }
}
