/**
 * TLS 1.2's handshake messages where they differ from TLS 1.3's (RFC 5246 §7.4, RFC 8422 §5,
 * RFC 5077 §3.3) as plain data. The messages both versions share (ClientHello, ServerHello,
 * CertificateVerify, Finished) keep their TLS 1.3 types; the ones with another body under
 * the same msg_type (Certificate, CertificateRequest, NewSessionTicket) are named `…_tls12`.
 * @module
 */

/**
 * HelloRequest (RFC 5246 §7.4.1.1): a server asking the client to renegotiate. Empty.
 * @category Handshake messages
 */
export interface HelloRequest {
  type: 'hello_request';
}

/**
 * Certificate in TLS 1.2 (RFC 5246 §7.4.2): the chain alone, leaf first; empty from a client without one.
 * @category Handshake messages
 */
export interface Tls12Certificate {
  type: 'certificate_tls12';
  certificateList: Uint8Array[];
}

/**
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4): the server's ephemeral public key on a named
 * curve, signed with the certificate's key together with both randoms.
 * @category Handshake messages
 */
export interface ServerKeyExchange {
  type: 'server_key_exchange';
  /** The NamedCurve (a NamedGroup code, RFC 8422 §5.1.1). */
  namedCurve: number;
  /** ECPoint public: an uncompressed point, or the 32 bytes of X25519 (RFC 8422 §5.4). */
  publicKey: Uint8Array;
  /** SignatureAndHashAlgorithm, a SignatureScheme code (RFC 5246 §7.4.1.4.1). */
  algorithm: number;
  signature: Uint8Array;
}

/**
 * CertificateRequest in TLS 1.2 (RFC 5246 §7.4.4): the certificate types, signature
 * algorithms and CAs the server accepts.
 * @category Handshake messages
 */
export interface Tls12CertificateRequest {
  type: 'certificate_request_tls12';
  /** ClientCertificateType codes: rsa_sign(1), ecdsa_sign(64) (RFC 8422 §5.5). */
  certificateTypes: number[];
  signatureAlgorithms: number[];
  /** DER DistinguishedNames. */
  certificateAuthorities: Uint8Array[];
}

/**
 * ServerHelloDone (RFC 5246 §7.4.5): the end of the server's first flight. Empty.
 * @category Handshake messages
 */
export interface ServerHelloDone {
  type: 'server_hello_done';
}

/**
 * ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public key.
 * @category Handshake messages
 */
export interface ClientKeyExchange {
  type: 'client_key_exchange';
  publicKey: Uint8Array;
}

/**
 * NewSessionTicket of RFC 5077 §3.3: sent in the handshake, before the server's ChangeCipherSpec.
 * @category Handshake messages
 */
export interface Tls12NewSessionTicket {
  type: 'new_session_ticket_tls12';
  /** Seconds the ticket may be kept; 0 means unspecified. */
  ticketLifetimeHint: number;
  ticket: Uint8Array;
}

/**
 * The messages only TLS 1.2 has, or has in another form.
 * @category Handshake messages
 */
export type Tls12Message =
  | HelloRequest
  | Tls12Certificate
  | ServerKeyExchange
  | Tls12CertificateRequest
  | ServerHelloDone
  | ClientKeyExchange
  | Tls12NewSessionTicket;
