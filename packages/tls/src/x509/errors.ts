/**
 * The one error type of the X.509 module, its codes, and the TLS alert each code
 * becomes when a handshake fails on it (RFC 8446 §6.2).
 *
 * Parsing functions throw {@link X509Error}; {@link verifyChain} returns the same code
 * and message in its result instead of throwing, so a caller can branch on `code`.
 * @module
 */
import type { AlertName } from '../alert.js';

/**
 * Every way reading or validating a certificate can fail, with the sentence a person
 * reads when it happens. The keys are the stable error codes.
 *
 * @example
 * ```ts
 * import { X509ErrorMessages } from '@lucid-tls/tls/x509';
 * console.log(X509ErrorMessages.not_a_ca.length > 0); // → true
 * ```
 */
export const X509ErrorMessages = {
  // Reading bytes.
  der_malformed: 'the bytes are not valid DER (X.690 distinguished encoding)',
  der_too_deep: 'the DER structure nests deeper than the reader allows',
  pem_malformed: 'the PEM text is malformed (RFC 7468)',
  certificate_malformed: 'the structure is not an RFC 5280 certificate',
  extension_malformed: 'an extension value does not decode as its RFC 5280 syntax',
  duplicate_extension: 'the same extension appears twice (RFC 5280 §4.2)',
  signature_algorithm_mismatch: 'the signature algorithm inside the signed part differs from the outer one (RFC 5280 §4.1.1.2)',
  key_malformed: 'the key does not decode',
  unsupported_key: 'the key type or curve is not supported',
  unsupported_signature_algorithm: 'the signature algorithm is not supported',
  // Validating a chain.
  empty_chain: 'no certificate was presented',
  unknown_issuer: 'no chain leads from this certificate to a trusted root',
  bad_signature: 'a certificate signature does not verify under its issuer’s key',
  expired: 'a certificate has expired',
  not_yet_valid: 'a certificate is not yet valid',
  not_a_ca: 'an issuing certificate is not a CA (basicConstraints cA is not set)',
  path_length_exceeded: 'a CA’s pathLenConstraint allows fewer intermediates below it',
  path_too_long: 'the chain is longer than the maximum depth allowed',
  ca_key_usage: 'an issuing certificate’s keyUsage does not include keyCertSign',
  leaf_key_usage: 'the certificate’s keyUsage does not include digitalSignature',
  extended_key_usage: 'an extendedKeyUsage does not allow this purpose (serverAuth or clientAuth)',
  unknown_critical_extension: 'a certificate carries a critical extension this validator does not understand',
  name_constraints_violation: 'a name in the certificate is outside a CA’s nameConstraints',
  unsupported_name_constraint: 'a CA’s nameConstraints has a name form this validator cannot check, and the certificate has such a name',
  hostname_mismatch: 'the host name matches no DNS name in the subjectAltName extension',
  ip_address_mismatch: 'the IP address matches no IP address in the subjectAltName extension',
  // The 'webpki' profile (see `webpki.ts`): RFC 5280 §4 and the CA/Browser Forum Baseline Requirements §7.1.
  serial_number_invalid: 'a serial number is not a positive integer of at most 20 octets (RFC 5280 §4.1.2.2)',
  issuer_name_empty: 'a certificate has an empty issuer name (RFC 5280 §4.1.2.4)',
  subject_name_empty: 'a CA certificate has an empty subject name (RFC 5280 §4.1.2.6)',
  subject_alt_name_criticality: 'a subjectAltName is critical though the subject is not empty, or the other way round (RFC 5280 §4.2.1.6)',
  authority_key_identifier_missing: 'a certificate other than the root has no authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1)',
  authority_key_identifier_critical: 'an authorityKeyIdentifier is marked critical (RFC 5280 §4.2.1.1)',
  root_authority_key_identifier: 'a root’s authorityKeyIdentifier carries more than a keyIdentifier (Baseline Requirements §7.1.2.1)',
  subject_key_identifier_missing: 'a CA certificate has no subjectKeyIdentifier (RFC 5280 §4.2.1.2)',
  basic_constraints_not_critical: 'a CA certificate’s basicConstraints is not critical (RFC 5280 §4.2.1.9)',
  trust_anchor_without_basic_constraints: 'a v3 trust anchor has no basicConstraints, so it does not say it is a CA (only v1 roots may omit it)',
  leaf_is_ca: 'the end-entity certificate says it is a CA (basicConstraints cA is set)',
  leaf_key_cert_sign: 'the end-entity certificate’s keyUsage includes keyCertSign (RFC 5280 §4.2.1.3)',
  leaf_extended_key_usage_missing: 'the end-entity certificate has no extendedKeyUsage (Baseline Requirements §7.1.2.7)',
  leaf_any_extended_key_usage: 'the end-entity certificate’s extendedKeyUsage includes anyExtendedKeyUsage (Baseline Requirements §7.1.2.7)',
  extended_key_usage_critical: 'an extendedKeyUsage is marked critical (Baseline Requirements §7.1.2)',
  root_extended_key_usage: 'a root certificate has an extendedKeyUsage (Baseline Requirements §7.1.2.1)',
  name_constraints_in_leaf: 'the end-entity certificate has nameConstraints, which only CA certificates may have (RFC 5280 §4.2.1.10)',
  leaf_key_not_allowed: 'the end-entity key is not one TLS accepts: ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048 bits',
  signature_algorithm_not_allowed: 'a certificate signature uses an algorithm TLS 1.3 does not define (RFC 8446 §4.2.3)',
} as const;

/** A stable error code, e.g. `"expired"`. */
export type X509ErrorCode = keyof typeof X509ErrorMessages;

/**
 * The error thrown when certificate, key or DER input is malformed or unsupported.
 *
 * @example
 * ```ts
 * import { X509Error, parseCertificate } from '@lucid-tls/tls/x509';
 * try {
 *   parseCertificate(Uint8Array.of(0x30, 0x80)); // indefinite length: BER, not DER
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → certificate_malformed
 * }
 * ```
 */
export class X509Error extends Error {
  override readonly name = 'X509Error';
  constructor(
    /** What went wrong, as a stable code. */
    readonly code: X509ErrorCode,
    /** Details for a human: the general message for the code, plus where and why. */
    readonly reason: string = X509ErrorMessages[code],
  ) {
    super(`${code}: ${reason}`);
  }
}

/** Throws an {@link X509Error}: the general message of `code`, then `detail`. */
export function x509Fail(code: X509ErrorCode, detail?: string): never {
  throw new X509Error(code, detail === undefined ? X509ErrorMessages[code] : `${X509ErrorMessages[code]}: ${detail}`);
}

/**
 * The alert a TLS endpoint sends when the peer's certificate fails with `code`
 * (RFC 8446 §6.2). Undecodable or wrongly signed certificates are `bad_certificate`;
 * a certificate not usable for the purpose or carrying something we do not support is
 * `unsupported_certificate`; a time problem is `certificate_expired` ("has expired or
 * is not currently valid"); no path to a trusted root is `unknown_ca`. A certificate
 * that breaks the 'webpki' profile's encoding rules is `bad_certificate`; one whose key,
 * signature algorithm or purpose TLS cannot use is `unsupported_certificate`.
 *
 * @example
 * ```ts
 * import { alertForX509Error } from '@lucid-tls/tls/x509';
 * console.log(alertForX509Error('expired'), alertForX509Error('unknown_issuer')); // → certificate_expired unknown_ca
 * ```
 */
export function alertForX509Error(code: X509ErrorCode): AlertName {
  switch (code) {
    case 'expired':
    case 'not_yet_valid':
      return 'certificate_expired';
    case 'unknown_issuer':
    case 'path_too_long':
      return 'unknown_ca';
    case 'unsupported_key':
    case 'unsupported_signature_algorithm':
    case 'unknown_critical_extension':
    case 'unsupported_name_constraint':
    case 'leaf_key_usage':
    case 'extended_key_usage':
    case 'leaf_extended_key_usage_missing':
    case 'leaf_any_extended_key_usage':
    case 'leaf_key_not_allowed':
    case 'signature_algorithm_not_allowed':
      return 'unsupported_certificate';
    case 'empty_chain':
      return 'decode_error';
    case 'hostname_mismatch':
    case 'ip_address_mismatch':
      return 'certificate_unknown';
    case 'der_malformed':
    case 'der_too_deep':
    case 'pem_malformed':
    case 'certificate_malformed':
    case 'extension_malformed':
    case 'duplicate_extension':
    case 'signature_algorithm_mismatch':
    case 'key_malformed':
    case 'bad_signature':
    case 'not_a_ca':
    case 'path_length_exceeded':
    case 'ca_key_usage':
    case 'name_constraints_violation':
    case 'serial_number_invalid':
    case 'issuer_name_empty':
    case 'subject_name_empty':
    case 'subject_alt_name_criticality':
    case 'authority_key_identifier_missing':
    case 'authority_key_identifier_critical':
    case 'root_authority_key_identifier':
    case 'subject_key_identifier_missing':
    case 'basic_constraints_not_critical':
    case 'trust_anchor_without_basic_constraints':
    case 'leaf_is_ca':
    case 'leaf_key_cert_sign':
    case 'extended_key_usage_critical':
    case 'root_extended_key_usage':
    case 'name_constraints_in_leaf':
      return 'bad_certificate';
  }
}
