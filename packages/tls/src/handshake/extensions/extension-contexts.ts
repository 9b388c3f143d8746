/**
 * Where each extension may appear: the table of RFC 8446 §4.2, plus record_size_limit
 * from RFC 8449 §4. "If an implementation receives an extension which it recognizes and
 * which is not specified for the message in which it appears, it MUST abort the
 * handshake with an illegal_parameter alert" (§4.2).
 *
 * Extensions not in the table (TLS 1.2 ones such as renegotiation_info, code points we
 * do not know, GREASE) are not restricted here.
 * @module
 */
import { ExtensionType } from './extension-type.js';

/**
 * The messages that carry extensions, abbreviated as in the §4.2 table: ClientHello,
 * ServerHello, HelloRetryRequest, EncryptedExtensions, CertificateRequest, Certificate
 * (its CertificateEntry) and NewSessionTicket; and SH12, a TLS 1.2 ServerHello, which the
 * table does not govern (RFC 5246 §7.4.1.4: it may answer any extension of the ClientHello).
 */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CR' | 'CT' | 'NST' | 'SH12';

/** The RFC structure name of each context, for annotations and error messages. */
export const contextStructName: Readonly<Record<ExtensionContext, string>> = {
  CH: 'ClientHello',
  SH: 'ServerHello',
  HRR: 'HelloRetryRequest',
  EE: 'EncryptedExtensions',
  CR: 'CertificateRequest',
  CT: 'CertificateEntry',
  NST: 'NewSessionTicket',
  SH12: 'ServerHello',
};

const T = ExtensionType;
const table = new Map<number, readonly ExtensionContext[]>([
  [T.server_name, ['CH', 'EE']],
  [T.max_fragment_length, ['CH', 'EE']],
  [T.status_request, ['CH', 'CR', 'CT']],
  [T.supported_groups, ['CH', 'EE']],
  [T.signature_algorithms, ['CH', 'CR']],
  [T.use_srtp, ['CH', 'EE']],
  [T.heartbeat, ['CH', 'EE']],
  [T.application_layer_protocol_negotiation, ['CH', 'EE']],
  [T.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [T.client_certificate_type, ['CH', 'EE']],
  [T.server_certificate_type, ['CH', 'EE']],
  [T.padding, ['CH']],
  [T.record_size_limit, ['CH', 'EE']], // RFC 8449 §4
  [T.key_share, ['CH', 'SH', 'HRR']],
  [T.pre_shared_key, ['CH', 'SH']],
  [T.psk_key_exchange_modes, ['CH']],
  [T.early_data, ['CH', 'EE', 'NST']],
  [T.cookie, ['CH', 'HRR']],
  [T.supported_versions, ['CH', 'SH', 'HRR']],
  [T.certificate_authorities, ['CH', 'CR']],
  [T.oid_filters, ['CR']],
  [T.post_handshake_auth, ['CH']],
  [T.signature_algorithms_cert, ['CH', 'CR']],
]);

/** Whether an extension with code `code` may appear in `context` (true for codes outside the table). */
export function isAllowedIn(code: number, context: ExtensionContext): boolean {
  if (context === 'SH12') return true;
  const allowed = table.get(code);
  return allowed === undefined || allowed.includes(context);
}
