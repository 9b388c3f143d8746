/**
 * The client reads EncryptedExtensions (RFC 8446 §4.3.1): the first message under the
 * handshake keys, with the server's answers to extensions that need no certificate.
 * @module
 */
import { fail } from '../../alert.js';
import type { CipherSuite } from '../../crypto/provider.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { checkOffered } from '../authentication.js';
import { findExtension, type HandshakeMessage } from '../messages/types.js';
import type { ClientHandshake } from './client-hello.js';
import { ExpectCertificateOrRequest } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';

/** The client and server handshake traffic secrets. */
export interface HandshakeSecrets {
  client: Uint8Array;
  server: Uint8Array;
}

export class ExpectEncryptedExtensions implements HandshakeState {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
    private readonly suite: CipherSuite,
    private readonly secrets: HandshakeSecrets,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'encrypted_extensions') fail('unexpected_message', `expected EncryptedExtensions, got ${message.type}`);
    // supported_groups is informational (§4.2.7) and may come unasked.
    checkOffered(message.extensions.filter((e) => e.type !== 'supported_groups'), hs.offered, 'EncryptedExtensions');

    const alpn = findExtension(message.extensions, 'application_layer_protocol_negotiation');
    if (alpn) {
      // RFC 7301 §3.1: exactly one protocol, one we offered.
      if (alpn.protocols.length !== 1 || !hs.config.alpnProtocols?.includes(alpn.protocols[0]!)) {
        fail('illegal_parameter', 'server selected an ALPN protocol we did not offer');
      }
      conn.info.alpnProtocol = alpn.protocols[0]!;
    }
    if (findExtension(message.extensions, 'server_name')) conn.info.serverName = hs.config.serverName!;
    const limit = findExtension(message.extensions, 'record_size_limit');
    // RFC 8449 §4 (the decoder has already refused values below 64).
    if (limit) conn.recordLayer.setWriteRecordSizeLimit(limit.limit);

    const earlyAccepted = !!findExtension(message.extensions, 'early_data');
    if (earlyAccepted && (!hs.sentEarlyData || !conn.info.resumed)) fail('illegal_parameter', 'early_data accepted but not offered with the selected PSK');
    if (earlyAccepted) {
      // §4.2.10: 0-RTT runs with the ticket's cipher suite and ALPN protocol.
      const s = hs.offeredSession!;
      if (s.cipherSuite !== this.suite.id || (conn.info.alpnProtocol ?? '') !== (s.alpnProtocol ?? '')) {
        fail('illegal_parameter', "0-RTT accepted with parameters other than the ticket's");
      }
    }
    conn.transcript.add(raw);
    if (hs.sentEarlyData) {
      conn.info.earlyData = earlyAccepted ? 'accepted' : 'rejected';
      conn.emit({ type: 'early_data', status: conn.info.earlyData });
      // Rejected: switch to the handshake key now. Accepted: EndOfEarlyData goes first (§4.5).
      if (!earlyAccepted) conn.setWriteSecret(this.suite, this.secrets.client, 'handshake');
    }
    if (conn.info.resumed) return new ExpectFinished(conn, hs, this.suite, this.secrets);
    return new ExpectCertificateOrRequest(conn, hs, this.suite, this.secrets);
  }
}
