/** HandshakeType code points (RFC 8446 §4; RFC 5246 §7.4 for TLS 1.2's own). @module */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  key_update: 24,
  /** The synthetic message that replaces ClientHello1 in the transcript after a HelloRetryRequest (§4.4.1). */
  message_hash: 254,
} as const;
export type HandshakeTypeName = keyof typeof HandshakeType;

const names = new Map<number, HandshakeTypeName>(
  Object.entries(HandshakeType).map(([k, v]) => [v, k as HandshakeTypeName]),
);
/** The RFC name of a handshake type code, or `undefined`. */
export const handshakeTypeName = (code: number): HandshakeTypeName | undefined => names.get(code);
