/**
 * `@lucid-tls/tls/x509`: certificates — read them, issue them, validate them (RFC 5280).
 *
 * - {@link parseCertificate} reads a DER certificate into a {@link Certificate} with every
 *   field and the common extensions decoded; `der.ts` is the strict DER reader and writer
 *   underneath, `pem.ts` the PEM codec, `keys.ts` the key formats (SPKI, PKCS#8, SEC1, PKCS#1).
 * - {@link verifyChain} builds and validates a path from a leaf to a {@link TrustStore}
 *   anchor, for a purpose (server or client) and a host name or IP address, under a
 *   profile: `'rfc5280'` (path validation, RFC 5280 §6) or `'webpki'` (plus the rules
 *   of RFC 5280 §4 and the CA/Browser Forum Baseline Requirements; see `webpki.ts`).
 * - {@link createCertificateAuthority} and {@link issueCertificate} make a local CA and
 *   the certificates it signs, as mkcert does.
 * - {@link createCsr} and {@link parseCsr} write and read certificate signing requests
 *   (PKCS#10, RFC 2986), what an ACME client sends another CA.
 *
 * ## Host names and the CN
 * Names are matched against the subjectAltName only (RFC 6125 §6, RFC 9525). The
 * subject's common name (CN) is never used, not even when there is no subjectAltName:
 * RFC 6125 §6.4.4 allowed that only as a legacy fallback, RFC 9525 removed it, and the
 * CA/Browser Forum Baseline Requirements put every name in the SAN. A wildcard matches
 * only as the whole left-most label, exactly one label, with at least two labels after
 * it; an IP address matches only an iPAddress SAN. See `hostname.ts`.
 *
 * ## Error codes
 * Every failure has a stable {@link X509ErrorCode}; parsing throws an {@link X509Error}
 * carrying it, {@link verifyChain} returns it. {@link alertForX509Error} gives the TLS
 * alert to send (RFC 8446 §6.2).
 *
 * | code | meaning | alert |
 * | --- | --- | --- |
 * | `der_malformed` | the bytes are not valid DER (indefinite or non-minimal length, trailing bytes, bad INTEGER/BOOLEAN/OID/time…) | bad_certificate |
 * | `der_too_deep` | the DER nests deeper than 32 levels | bad_certificate |
 * | `pem_malformed` | PEM without END line, mismatched labels, bad base64, encrypted headers | bad_certificate |
 * | `certificate_malformed` | valid DER that is not an RFC 5280 certificate | bad_certificate |
 * | `extension_malformed` | an extension value does not decode as its syntax | bad_certificate |
 * | `duplicate_extension` | an extension appears twice | bad_certificate |
 * | `signature_algorithm_mismatch` | the signed and outer signature algorithms differ | bad_certificate |
 * | `key_malformed` | a key does not decode, or an EC point is not on its curve | bad_certificate |
 * | `unsupported_key` | a key type or curve we do not support (e.g. P-521) | unsupported_certificate |
 * | `unsupported_signature_algorithm` | e.g. SHA-1, or PSS with unusual parameters | unsupported_certificate |
 * | `empty_chain` | no certificate at all | decode_error |
 * | `unknown_issuer` | no path from the leaf to a trust anchor | unknown_ca |
 * | `bad_signature` | a signature does not verify under the issuer's key | bad_certificate |
 * | `expired` | now is after a certificate's notAfter | certificate_expired |
 * | `not_yet_valid` | now is before a certificate's notBefore | certificate_expired |
 * | `not_a_ca` | an issuer lacks basicConstraints cA | bad_certificate |
 * | `path_length_exceeded` | more intermediates below a CA than its pathLenConstraint | bad_certificate |
 * | `path_too_long` | no path within the maximum depth | unknown_ca |
 * | `ca_key_usage` | an issuer's keyUsage lacks keyCertSign | bad_certificate |
 * | `leaf_key_usage` | the leaf's keyUsage lacks digitalSignature | unsupported_certificate |
 * | `extended_key_usage` | an extendedKeyUsage in the path lacks serverAuth/clientAuth | unsupported_certificate |
 * | `unknown_critical_extension` | a critical extension we do not understand | unsupported_certificate |
 * | `name_constraints_violation` | a name outside a CA's permitted subtrees, or in an excluded one | bad_certificate |
 * | `unsupported_name_constraint` | a constraint form we cannot check applies to a name | unsupported_certificate |
 * | `hostname_mismatch` | the host name is not in the DNS SANs | certificate_unknown |
 * | `ip_address_mismatch` | the IP address is not in the IP SANs | certificate_unknown |
 * | `serial_number_invalid` | webpki: a serial number that is negative, zero or longer than 20 octets | bad_certificate |
 * | `issuer_name_empty` | webpki: an empty issuer name | bad_certificate |
 * | `subject_name_empty` | webpki: a CA with an empty subject name | bad_certificate |
 * | `subject_alt_name_criticality` | webpki: a critical SAN with a subject, or a non-critical (or no) SAN without one | bad_certificate |
 * | `authority_key_identifier_missing` | webpki: a certificate below the root without an AKI keyIdentifier | bad_certificate |
 * | `authority_key_identifier_critical` | webpki: a critical AKI | bad_certificate |
 * | `root_authority_key_identifier` | webpki: a root's AKI with more than a keyIdentifier | bad_certificate |
 * | `subject_key_identifier_missing` | webpki: a v3 CA without a subjectKeyIdentifier | bad_certificate |
 * | `basic_constraints_not_critical` | webpki: a CA's basicConstraints not critical | bad_certificate |
 * | `trust_anchor_without_basic_constraints` | webpki: a v3 trust anchor without basicConstraints (v1 roots are accepted) | bad_certificate |
 * | `leaf_is_ca` | webpki: a leaf with basicConstraints cA | bad_certificate |
 * | `leaf_key_cert_sign` | webpki: a leaf whose keyUsage has keyCertSign | bad_certificate |
 * | `leaf_extended_key_usage_missing` | webpki: a leaf without extendedKeyUsage | unsupported_certificate |
 * | `leaf_any_extended_key_usage` | webpki: a leaf with anyExtendedKeyUsage | unsupported_certificate |
 * | `extended_key_usage_critical` | webpki: a critical extendedKeyUsage | bad_certificate |
 * | `root_extended_key_usage` | webpki: a root with an extendedKeyUsage | bad_certificate |
 * | `name_constraints_in_leaf` | webpki: nameConstraints in a leaf | bad_certificate |
 * | `leaf_key_not_allowed` | webpki: a leaf key TLS does not take (P-192, DSA…) or RSA under 2048 bits | unsupported_certificate |
 * | `signature_algorithm_not_allowed` | webpki: a signature no TLS 1.3 SignatureScheme names (e.g. P-384 with SHA-256) | unsupported_certificate |
 *
 * @example
 * ```ts
 * import { TrustStore, alertForX509Error, createCertificateAuthority, issueCertificate, verifyChain } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const result = verifyChain([leaf.certificate.der], { trustStore: TrustStore.fromCertificates([ca.certificate]), purpose: 'server', hostname: 'www.example.com' });
 * if (!result.ok) console.log(result.code, alertForX509Error(result.code)); // → hostname_mismatch certificate_unknown
 * ```
 * @module \@lucid-tls/tls/x509
 */
export { X509Error, X509ErrorMessages, alertForX509Error } from './errors.js';
export type { X509ErrorCode } from './errors.js';
export { DerReader, MAX_DER_DEPTH, Tag, bitIsSet, contextTag, der, decodeBitString, decodeBoolean, decodeInteger, decodeNull, decodeOid, decodeString, decodeTime, encodeTlv, parseDerTree, readDer, tagName } from './der.js';
export type { BitString, DerElement, DerNode } from './der.js';
export { decodePem, encodePem, pemBlocks } from './pem.js';
export type { PemBlock } from './pem.js';
export { OID, oidName } from './oid.js';
export { formatIpAddress, parseIpAddress } from './ip.js';
export { encodeGeneralName, encodeName, formatName, nameAttribute, nameToObject, namesEqual } from './name.js';
export type { AttributeTypeAndValue, DistinguishedName, GeneralName, GeneralNameType } from './name.js';
export { KEY_USAGE_BITS, UNDERSTOOD_EXTENSIONS, encodeExtension } from './extensions.js';
export type {
  AccessDescription,
  AuthorityKeyIdentifier,
  BasicConstraints,
  DistributionPoint,
  Extension,
  GeneralSubtree,
  KeyUsage,
  NameConstraints,
  PolicyInformation,
} from './extensions.js';
export {
  encodePkcs8,
  encodePublicKeyInfo,
  parsePrivateKeyDer,
  parsePrivateKeyPem,
  parsePublicKeyInfo,
  privateKeyToPem,
  publicKeyBits,
  publicKeyFromPrivateKey,
} from './keys.js';
export type { PrivateKeyFormat } from './keys.js';
export { describeSignatureAlgorithm, signatureAlgorithm, verifySignature } from './signature-algorithm.js';
export type { AlgorithmIdentifier, SignatureAlgorithm } from './signature-algorithm.js';
export { fingerprintSha256, isCA, isSelfIssued, isSelfSigned, parseCertificate, parseCertificatesPem } from './certificate.js';
export type { Certificate } from './certificate.js';
export { certificatePublicKey } from './public-key-of.js';
export { dnsNameMatches, matchesHostname, matchesIpAddress } from './hostname.js';
export { checkNameConstraints } from './name-constraints.js';
export { TrustStore } from './trust-store.js';
export { SYSTEM_CA_BUNDLE_PATHS, readSystemBundle } from './system-store.js';
export { DEFAULT_MAX_DEPTH, defaultProfile, verifyChain } from './verify.js';
export { MAX_SERIAL_NUMBER_OCTETS, MIN_RSA_BITS, checkWebPkiProfile, roleInPath } from './webpki.js';
export type { PathRole, Profile, ProfileFailure } from './webpki.js';
export type { CertificateSignatureVerifier, Purpose, VerifyOptions, VerifyResult } from './verify.js';
export {
  createCertificateAuthority,
  generatePrivateKey,
  issueCertificate,
  keyIdentifier,
  loadCertificateAuthority,
  signCertificate,
} from './issue.js';
export type { CaOptions, CertificateAuthority, CertificateSpec, IssueOptions, IssuedCertificate, IssuedKeyType } from './issue.js';
export { createCsr, csrToPem, parseCsr, parseCsrsPem, verifyCsrSignature } from './csr.js';
export type { CertificationRequest, CsrAttribute, CsrOptions } from './csr.js';
export { certificateToJson, csrToJson, describePublicKey, explainCertificate, explainCsr, explainPath } from './describe.js';
export type { CertificateJson, CsrJson } from './describe.js';
export { certificateFields } from './certificate-fields.js';
export type { CertificateView } from './certificate-fields.js';
