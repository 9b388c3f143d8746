/** ExtensionType code points (RFC 8446 §4.2 and the RFCs that define the others). @module */
export const ExtensionType = {
  server_name: 0, // RFC 6066 §3
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10, // RFC 8446 §4.2.7
  ec_point_formats: 11,
  signature_algorithms: 13, // §4.2.3
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16, // RFC 7301
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21, // RFC 7685
  extended_master_secret: 23,
  record_size_limit: 28, // RFC 8449
  session_ticket: 35, // RFC 5077 (TLS 1.2)
  pre_shared_key: 41, // §4.2.11
  early_data: 42, // §4.2.10
  supported_versions: 43, // §4.2.1
  cookie: 44, // §4.2.2
  psk_key_exchange_modes: 45, // §4.2.9
  certificate_authorities: 47, // §4.2.4
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50, // §4.2.3
  key_share: 51, // §4.2.8
  renegotiation_info: 0xff01, // RFC 5746
} as const;
export type ExtensionTypeName = keyof typeof ExtensionType;

const names = new Map<number, ExtensionTypeName>(
  Object.entries(ExtensionType).map(([k, v]) => [v, k as ExtensionTypeName]),
);
/** The RFC name of an extension code, or `undefined` (unknown or GREASE). */
export const extensionTypeName = (code: number): ExtensionTypeName | undefined => names.get(code);
