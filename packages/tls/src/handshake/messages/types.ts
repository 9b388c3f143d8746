/**
 * The handshake messages (RFC 8446 §4) and their extensions (§4.2) as plain data.
 *
 * Each message keeps its extensions as an ordered list, so encoding what was decoded
 * gives the same bytes, and each message has its own extension union, because the
 * same extension has a different shape in different messages (key_share in a
 * ClientHello is a list of shares, in a ServerHello one share, in a
 * HelloRetryRequest a group).
 * @module
 */

import type { Tls12Message } from '../tls12/messages/types.js';

export type * from '../tls12/messages/types.js';

/**
 * KeyShareEntry (§4.2.8).
 * @category Handshake messages
 */
export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

/**
 * PskIdentity (§4.2.11).
 * @category Handshake messages
 */
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

/**
 * An extension this library does not interpret: kept as bytes (GREASE-safe, §4.2 / RFC 8701).
 * @category Handshake messages
 */
export interface UnknownExtension {
  type: 'unknown';
  code: number;
  data: Uint8Array;
}

/**
 * Extensions found in more than one message with the same shape.
 * @category Handshake messages
 */
export type SupportedGroupsExtension = { type: 'supported_groups'; groups: number[] };
/**
 * signature_algorithms (§4.2.3): the schemes accepted in CertificateVerify.
 * @category Handshake messages
 */
export type SignatureAlgorithmsExtension = { type: 'signature_algorithms'; schemes: number[] };
/**
 * signature_algorithms_cert (§4.2.3): the schemes accepted in certificates, when they differ.
 * @category Handshake messages
 */
export type SignatureAlgorithmsCertExtension = { type: 'signature_algorithms_cert'; schemes: number[] };
/**
 * ALPN (RFC 7301 §3.1): in a ClientHello the offered list, in EncryptedExtensions exactly one.
 * @category Handshake messages
 */
export type AlpnExtension = { type: 'application_layer_protocol_negotiation'; protocols: string[] };
/**
 * record_size_limit (RFC 8449 §4): the largest protected record the sender is willing to receive, 64..2^14+1.
 * @category Handshake messages
 */
export type RecordSizeLimitExtension = { type: 'record_size_limit'; limit: number };
/**
 * cookie (§4.2.2): sent in a HelloRetryRequest, echoed in the second ClientHello.
 * @category Handshake messages
 */
export type CookieExtension = { type: 'cookie'; cookie: Uint8Array };
/**
 * TLS 1.2-era extensions sent by many clients (and in RFC 8448's traces); empty bodies are meaningful only to TLS 1.2.
 * @category Handshake messages
 */
export type RenegotiationInfoExtension = { type: 'renegotiation_info'; renegotiatedConnection: Uint8Array };
/**
 * session_ticket (RFC 5077): TLS 1.2's ticket extension, sent empty to imitate other clients.
 * @category Handshake messages
 */
export type SessionTicketExtension = { type: 'session_ticket'; ticket: Uint8Array };
/**
 * padding (RFC 7685): zero bytes that bring the ClientHello to a size middleboxes handle.
 * @category Handshake messages
 */
export type PaddingExtension = { type: 'padding'; length: number };
/**
 * extended_master_secret (RFC 7627 §5.1): empty; both hellos carry it when the master secret
 * hashes the whole handshake (TLS 1.2).
 * @category Handshake messages
 */
export type ExtendedMasterSecretExtension = { type: 'extended_master_secret' };
/**
 * ec_point_formats (RFC 8422 §5.1.2): in TLS 1.2, the point formats the sender parses; only
 * uncompressed (0) is left.
 * @category Handshake messages
 */
export type EcPointFormatsExtension = { type: 'ec_point_formats'; formats: number[] };

/**
 * The extensions a ClientHello may carry (§4.2, the "CH" column of its table).
 * @category Handshake messages
 */
export type ClientHelloExtension =
  | { type: 'server_name'; hostName: string } // RFC 6066 §3: one host_name entry
  | SupportedGroupsExtension
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | AlpnExtension
  | RecordSizeLimitExtension
  | CookieExtension
  | RenegotiationInfoExtension
  | SessionTicketExtension
  | PaddingExtension
  | ExtendedMasterSecretExtension
  | EcPointFormatsExtension
  | { type: 'key_share'; clientShares: KeyShareEntry[] } // §4.2.8 KeyShareClientHello
  | { type: 'supported_versions'; versions: number[] } // §4.2.1
  | { type: 'psk_key_exchange_modes'; modes: number[] } // §4.2.9
  | { type: 'early_data' } // §4.2.10
  | { type: 'pre_shared_key'; identities: PskIdentity[]; binders: Uint8Array[] } // §4.2.11 OfferedPsks; must be last
  | UnknownExtension;

/**
 * The extensions a ServerHello may carry: in TLS 1.3 (§4.2, "SH") the first three; in TLS 1.2
 * (RFC 5246 §7.4.1.4) the answers to the ClientHello's, which the rest are.
 * @category Handshake messages
 */
export type ServerHelloExtension =
  | { type: 'key_share'; serverShare: KeyShareEntry }
  | { type: 'supported_versions'; selectedVersion: number }
  | { type: 'pre_shared_key'; selectedIdentity: number }
  | { type: 'server_name' } // TLS 1.2: empty, the server used the name (RFC 6066 §3)
  | RenegotiationInfoExtension
  | ExtendedMasterSecretExtension
  | EcPointFormatsExtension
  | SessionTicketExtension
  | AlpnExtension
  | RecordSizeLimitExtension
  | UnknownExtension;

/**
 * The extensions a HelloRetryRequest may carry (§4.2, "HRR").
 * @category Handshake messages
 */
export type HelloRetryRequestExtension =
  | { type: 'key_share'; selectedGroup: number }
  | { type: 'supported_versions'; selectedVersion: number }
  | CookieExtension
  | UnknownExtension;

/**
 * The extensions EncryptedExtensions may carry (§4.2, "EE").
 * @category Handshake messages
 */
export type EncryptedExtension =
  | { type: 'server_name' } // empty: the server used the name (RFC 6066 §3)
  | SupportedGroupsExtension
  | AlpnExtension
  | RecordSizeLimitExtension
  | { type: 'early_data' }
  | UnknownExtension;

/**
 * The extensions a CertificateRequest may carry (§4.2, "CR").
 * @category Handshake messages
 */
export type CertificateRequestExtension =
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | { type: 'certificate_authorities'; authorities: Uint8Array[] } // DER DistinguishedNames
  | UnknownExtension;

/**
 * The extensions a NewSessionTicket may carry (§4.2, "NST"): early_data with max_early_data_size.
 * @category Handshake messages
 */
export type NewSessionTicketExtension = { type: 'early_data'; maxEarlyDataSize: number } | UnknownExtension;

/**
 * Extensions of a CertificateEntry (status_request, SCTs): kept opaque.
 * @category Handshake messages
 */
export type CertificateEntryExtension = UnknownExtension;

/**
 * ClientHello (§4.1.2).
 * @category Handshake messages
 */
export interface ClientHello {
  type: 'client_hello';
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: Uint8Array;
  extensions: ClientHelloExtension[];
}

/**
 * ServerHello (§4.1.3).
 * @category Handshake messages
 */
export interface ServerHello {
  type: 'server_hello';
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: ServerHelloExtension[];
}

/**
 * HelloRetryRequest: a ServerHello whose random is the special value of §4.1.3.
 * @category Handshake messages
 */
export interface HelloRetryRequest {
  type: 'hello_retry_request';
  legacyVersion: number;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: HelloRetryRequestExtension[];
}

/**
 * EncryptedExtensions (§4.3.1).
 * @category Handshake messages
 */
export interface EncryptedExtensions {
  type: 'encrypted_extensions';
  extensions: EncryptedExtension[];
}

/**
 * CertificateRequest (§4.3.2).
 * @category Handshake messages
 */
export interface CertificateRequest {
  type: 'certificate_request';
  certificateRequestContext: Uint8Array;
  extensions: CertificateRequestExtension[];
}

/**
 * CertificateEntry (§4.4.2), X.509 only.
 * @category Handshake messages
 */
export interface CertificateEntry {
  certData: Uint8Array;
  extensions: CertificateEntryExtension[];
}

/**
 * Certificate (§4.4.2).
 * @category Handshake messages
 */
export interface Certificate {
  type: 'certificate';
  certificateRequestContext: Uint8Array;
  certificateList: CertificateEntry[];
}

/**
 * CertificateVerify (§4.4.3).
 * @category Handshake messages
 */
export interface CertificateVerify {
  type: 'certificate_verify';
  algorithm: number;
  signature: Uint8Array;
}

/**
 * Finished (§4.4.4).
 * @category Handshake messages
 */
export interface Finished {
  type: 'finished';
  verifyData: Uint8Array;
}

/**
 * NewSessionTicket (§4.6.1).
 * @category Handshake messages
 */
export interface NewSessionTicket {
  type: 'new_session_ticket';
  ticketLifetime: number;
  ticketAgeAdd: number;
  ticketNonce: Uint8Array;
  ticket: Uint8Array;
  extensions: NewSessionTicketExtension[];
}

/**
 * EndOfEarlyData (§4.5).
 * @category Handshake messages
 */
export interface EndOfEarlyData {
  type: 'end_of_early_data';
}

/**
 * KeyUpdate (§4.6.3).
 * @category Handshake messages
 */
export interface KeyUpdate {
  type: 'key_update';
  requestUpdate: 'update_not_requested' | 'update_requested';
}

/**
 * Any handshake message, told apart by `type`.
 * @category Handshake messages
 */
export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate
  | Tls12Message;

/**
 * The extension of type `type` in `list`, if present.
 * @category Handshake messages
 */
export function findExtension<E extends { type: string }, T extends E['type']>(
  list: readonly E[],
  type: T,
): Extract<E, { type: T }> | undefined {
  return list.find((e) => e.type === type) as Extract<E, { type: T }> | undefined;
}
