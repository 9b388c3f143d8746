/**
 * The server reads the client's second flight (RFC 8446 §4.5, §4.4.2–§4.4.4):
 * EndOfEarlyData after accepted 0-RTT, the client's Certificate and CertificateVerify
 * when asked for, and Finished; then it issues session tickets (§4.6.1).
 * @module
 */
import { fail, TlsError } from '../../alert.js';
import type { CipherSuite, PublicKey } from '../../crypto/provider.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { checkFinished, peerPublicKey, verifyCertificateVerify } from '../authentication.js';
import type { KeySchedule } from '../key-schedule.js';
import type { HandshakeMessage } from '../messages/types.js';
import type { ServerHandshake } from './server-handshake.js';
import { encodeTicketState } from './ticketer.js';

/** The secrets of the handshake so far. */
export interface ServerSecrets {
  suite: CipherSuite;
  handshake: { client: Uint8Array; server: Uint8Array };
  application: { client: Uint8Array; server: Uint8Array; exporter: Uint8Array };
  schedule: KeySchedule;
}

/** 0-RTT data arrives here until EndOfEarlyData (§4.5). */
export class ExpectEndOfEarlyData implements HandshakeState {
  readonly name = 'ExpectEndOfEarlyData';
  readonly acceptsApplicationData = true;
  readonly earlyData = true;
  constructor(
    private readonly conn: Connection,
    private readonly hs: ServerHandshake,
    private readonly secrets: ServerSecrets,
    private readonly requestCertificate: boolean,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs, secrets } = this;
    if (message.type !== 'end_of_early_data') fail('unexpected_message', `expected EndOfEarlyData, got ${message.type}`);
    conn.transcript.add(raw);
    conn.setReadSecret(secrets.suite, secrets.handshake.client, 'handshake');
    return this.requestCertificate ? new ExpectClientCertificate(conn, hs, secrets) : new ExpectClientFinished(conn, hs, secrets);
  }
}

export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ServerHandshake,
    private readonly secrets: ServerSecrets,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'certificate') fail('unexpected_message', `expected Certificate, got ${message.type}`);
    if (message.certificateRequestContext.length !== 0) fail('illegal_parameter', 'client Certificate context does not match the request');
    // §4.4.2: CertificateEntry extensions must answer ones we sent in the CertificateRequest (none).
    if (message.certificateList.some((e) => e.extensions.length)) fail('unsupported_extension', 'CertificateEntry extension that was not requested');
    conn.transcript.add(raw);
    if (message.certificateList.length === 0) {
      // §4.4.2.4: with no certificate the server may go on, or abort with certificate_required.
      if (hs.config.clientAuth === 'required') fail('certificate_required', 'the client sent no certificate');
      return new ExpectClientFinished(conn, hs, this.secrets);
    }
    const chain = message.certificateList.map((e) => e.certData);
    const key = peerPublicKey(chain[0]!);
    const verify = hs.config.verifyClientCertificate;
    if (!verify) fail('internal_error', 'clientAuth is set but verifyClientCertificate is not');
    try {
      verify(chain, { purpose: 'client', now: new Date(conn.now()) });
    } catch (e) {
      if (e instanceof TlsError) throw e;
      fail('bad_certificate', e instanceof Error ? e.message : String(e));
    }
    conn.info.peerCertificates = chain;
    return new ExpectClientCertificateVerify(conn, hs, this.secrets, key);
  }
}

export class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ServerHandshake,
    private readonly secrets: ServerSecrets,
    private readonly key: PublicKey,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'certificate_verify') fail('unexpected_message', `expected CertificateVerify, got ${message.type}`);
    verifyCertificateVerify(hs.schemes, hs.requestedSchemes ?? [], message.algorithm, message.signature, this.key, 'client', conn.transcript.digest());
    conn.transcript.add(raw);
    return new ExpectClientFinished(conn, hs, this.secrets);
  }
}

export class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ServerHandshake,
    private readonly secrets: ServerSecrets,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, secrets } = this;
    if (message.type !== 'finished') fail('unexpected_message', `expected Finished, got ${message.type}`);
    checkFinished(secrets.suite, secrets.handshake.client, conn.transcript.digest(), message.verifyData, 'client');
    // §5: after the peer's Finished a change_cipher_spec record is an unexpected record type.
    conn.recordLayer.allowChangeCipherSpec = false;
    conn.transcript.add(raw);
    conn.setReadSecret(secrets.suite, secrets.application.client, 'application');
    const resumptionMasterSecret = secrets.schedule.resumptionMasterSecret(conn.transcript.digest());
    this.sendTickets(resumptionMasterSecret);
    conn.completeHandshake(secrets.application.exporter);
    return new ServerConnected();
  }

  /** NewSessionTicket (§4.6.1): each with its own nonce, hence its own PSK. */
  private sendTickets(resumptionMasterSecret: Uint8Array): void {
    const { conn, hs, secrets } = this;
    const tickets = hs.config.tickets;
    const ticketer = tickets?.ticketer;
    const count = tickets?.count ?? 2;
    if (!ticketer || count <= 0) return;
    const hash = secrets.suite.hash;
    const lifetime = Math.min(tickets.lifetime ?? 7200, 604800);
    const maxEarlyDataSize = hs.config.antiReplay ? (hs.config.maxEarlyDataSize ?? 0) : 0;
    for (let i = 0; i < count; i++) {
      const ticketNonce = Uint8Array.of(i >> 8, i & 0xff);
      const r = conn.provider.randomBytes(4);
      const ticketAgeAdd = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
      const psk = resumptionPskFor(hash, resumptionMasterSecret, ticketNonce);
      conn.secret({ name: 'resumption_psk', label: 'resumption', derivation: 'HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)', secret: psk, context: ticketNonce });
      const ticket = ticketer.seal(
        encodeTicketState({
          cipherSuite: secrets.suite.id,
          psk,
          ticketAgeAdd,
          issuedAt: conn.now(),
          lifetime,
          maxEarlyDataSize,
          alpnProtocol: conn.info.alpnProtocol ?? '',
          serverName: conn.info.serverName ?? '',
          clientCertificates: conn.info.peerCertificates,
        }),
      );
      conn.sendPostHandshake({
        type: 'new_session_ticket',
        ticketLifetime: lifetime,
        ticketAgeAdd,
        ticketNonce,
        ticket,
        extensions: maxEarlyDataSize > 0 ? [{ type: 'early_data', maxEarlyDataSize }] : [],
      });
    }
  }
}

import { resumptionPsk as resumptionPskFor } from '../key-schedule.js';

/** After the handshake: application data flows; KeyUpdate is handled by the connection. */
export class ServerConnected implements HandshakeState {
  readonly name = 'Connected';
  readonly acceptsApplicationData = true;
  handle(message: HandshakeMessage): HandshakeState {
    // §4.6: a client sends no post-handshake messages but KeyUpdate (handled before this).
    return fail('unexpected_message', `unexpected ${message.type} after the handshake`);
  }
}
