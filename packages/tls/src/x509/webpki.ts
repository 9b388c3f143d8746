/**
 * The 'webpki' profile: the rules a browser-grade validator applies on top of RFC 5280
 * path validation, taken from the certificate profile of RFC 5280 §4 (what conforming
 * CAs MUST do) and the CA/Browser Forum Baseline Requirements §7.1 (what publicly
 * trusted CAs do). A path that breaks them was not made by a careful CA: RFC 5280 §6
 * alone would accept it, a browser would not.
 *
 * Each rule looks at one certificate in its role in the path:
 * - the leaf (end-entity) is the first certificate (a leaf trusted directly, a path of
 *   one, is checked as a leaf only);
 * - the root is the trust anchor at the end, when it is self-issued (a trusted
 *   intermediate at the end is an intermediate);
 * - the CAs are every certificate after the leaf: intermediates and the root.
 *
 * The trust anchor is held only to the rules about what it is: a CA (a v3 anchor needs
 * basicConstraints; `verify.ts` checks that), a root whose authorityKeyIdentifier, if
 * any, holds just a keyIdentifier, and without extendedKeyUsage. The rules about how a
 * certificate is encoded (serial number, names, key identifiers, criticality) apply to
 * the certificates the peer sends, not to the anchor: an anchor is an input of path
 * validation, a name and a key (RFC 5280 §6.1.1 (d)), which browsers do not re-examine,
 * and 12 of the 144 roots in Debian's ca-certificates (2023) break one of those rules
 * (Go Daddy and Starfield G2 roots have serial number 0, for instance).
 *
 * `verify.ts` runs {@link checkWebPkiProfile} on a complete path once its issuers are
 * known to be CAs within their path lengths, before the purpose, names and dates.
 * @module
 */
import { isSelfIssued } from './certificate.js';
import type { Certificate } from './certificate.js';
import type { X509ErrorCode } from './errors.js';
import { publicKeyBits } from './keys.js';
import { formatName } from './name.js';
import { OID } from './oid.js';
import { signatureAlgorithm } from './signature-algorithm.js';

/**
 * How strictly {@link verifyChain} judges a path: `'rfc5280'`, path validation as
 * RFC 5280 §6 defines it; `'webpki'`, the same plus the rules of `webpki.ts` (the
 * default for TLS server authentication).
 */
export type Profile = 'rfc5280' | 'webpki';

/** A certificate's role in a path (see the module comment). */
export type PathRole = 'leaf' | 'intermediate' | 'root';

/** Why a path breaks the profile: the code, and which certificate and how. */
export interface ProfileFailure {
  readonly code: X509ErrorCode;
  readonly message: string;
}

/**
 * The most octets a serial number may have (RFC 5280 §4.1.2.2).
 *
 * @example
 * ```ts
 * import { MAX_SERIAL_NUMBER_OCTETS, createCertificateAuthority } from '@lucid-tls/tls/x509';
 * console.log(createCertificateAuthority().certificate.serialNumber.length <= MAX_SERIAL_NUMBER_OCTETS); // → true
 * ```
 */
export const MAX_SERIAL_NUMBER_OCTETS = 20;

/**
 * The smallest RSA modulus, in bits, the Baseline Requirements allow (§6.1.5).
 *
 * @example
 * ```ts
 * import { MIN_RSA_BITS } from '@lucid-tls/tls/x509';
 * console.log(MIN_RSA_BITS); // → 2048
 * ```
 */
export const MIN_RSA_BITS = 2048;

/** Where a certificate sits: its role, whether it is the trust anchor, and the certificate that issued it (none for the anchor). */
interface Position {
  readonly role: PathRole;
  readonly anchor: boolean;
  readonly issuer: Certificate | undefined;
}

/** One rule: the reason it fails for `cert`, or null when the certificate follows it. */
type Rule = readonly [X509ErrorCode, (cert: Certificate, at: Position) => string | null];

const isEmpty = (name: Certificate['subject']) => name.rdns.length === 0;
const extension = (cert: Certificate, oid: string) => cert.extensions.find((e) => e.oid === oid);

/** The rules, in the order they are checked; each certificate of the path goes through a rule before the next rule. */
const RULES: readonly Rule[] = [
  // RFC 5280 §4.1.2.2: "a positive integer", "MUST NOT use serialNumber values longer than 20 octets".
  ['serial_number_invalid', (cert, at) => {
    if (at.anchor) return null;
    const serial = cert.serialNumber;
    if (serial[0]! >= 0x80) return 'it is negative';
    if (serial.every((b) => b === 0)) return 'it is zero';
    return serial.length > MAX_SERIAL_NUMBER_OCTETS ? `it has ${serial.length} octets` : null;
  }],
  // §4.1.2.6: a CA's subject names it to the certificates it issues (checked first: it empties their issuer).
  ['subject_name_empty', (cert, at) => (at.role === 'intermediate' && !at.anchor && isEmpty(cert.subject) ? 'empty subject' : null)],
  // §4.1.2.4: "The issuer field MUST contain a non-empty distinguished name."
  ['issuer_name_empty', (cert, at) => (!at.anchor && isEmpty(cert.issuer) ? 'empty issuer' : null)],
  // §4.2.1.6: an empty subject needs a critical subjectAltName; otherwise it SHOULD NOT be critical.
  ['subject_alt_name_criticality', (cert, at) => {
    if (at.anchor) return null;
    const san = extension(cert, OID.subjectAltName);
    if (!isEmpty(cert.subject)) return san?.critical ? 'the subjectAltName is critical though the subject is not empty' : null;
    if (!san) return 'the subject is empty and there is no subjectAltName';
    return san.critical ? null : 'the subject is empty and the subjectAltName is not critical';
  }],
  // §4.2.1.2: "this extension MUST appear in all conforming CA certificates"; without it, no AKI below can name this key.
  ['subject_key_identifier_missing', (cert, at) => (at.role === 'intermediate' && !at.anchor && !cert.subjectKeyIdentifier ? 'no subjectKeyIdentifier' : null)],
  // §4.2.1.1: "Conforming CAs MUST mark this extension as non-critical."
  ['authority_key_identifier_critical', (cert, at) => (!at.anchor && extension(cert, OID.authorityKeyIdentifier)?.critical ? 'critical' : null)],
  // §4.2.1.1: keyIdentifier "MUST be included in all certificates generated by conforming CAs" (self-signed ones aside).
  ['authority_key_identifier_missing', (cert, at) => (!at.anchor && at.issuer && !cert.authorityKeyIdentifier?.keyIdentifier ? 'no keyIdentifier' : null)],
  // Baseline Requirements §7.1.2.1.3: a root's AKI, if any, has the keyIdentifier only.
  ['root_authority_key_identifier', (cert, at) => {
    const aki = cert.authorityKeyIdentifier;
    return at.role === 'root' && aki && (aki.authorityCertIssuer || aki.authorityCertSerialNumber || !aki.keyIdentifier) ? 'not just a keyIdentifier' : null;
  }],
  // §4.2.1.9: CAs "MUST mark the extension as critical" (its absence in a CA is `not_a_ca`).
  ['basic_constraints_not_critical', (cert, at) => (at.role === 'intermediate' && !at.anchor && extension(cert, OID.basicConstraints)?.critical === false ? 'not critical' : null)],
  // §4.2.1.9 and Baseline Requirements §7.1.2.7.8: a subscriber certificate is not a CA.
  ['leaf_is_ca', (cert, at) => (at.role === 'leaf' && cert.basicConstraints?.cA ? 'cA is set' : null)],
  // §4.2.1.3: "If the keyCertSign bit is asserted, then the cA bit … MUST also be asserted."
  ['leaf_key_cert_sign', (cert, at) => (at.role === 'leaf' && cert.keyUsage?.includes('keyCertSign') ? 'keyCertSign' : null)],
  // §4.2.1.10: "MUST be used only in a CA certificate."
  ['name_constraints_in_leaf', (cert, at) => (at.role === 'leaf' && cert.nameConstraints ? 'nameConstraints' : null)],
  // Baseline Requirements §7.1.2.7.10: a subscriber certificate names its purposes, never "any purpose".
  ['leaf_extended_key_usage_missing', (cert, at) => (at.role === 'leaf' && !cert.extendedKeyUsage ? 'no extendedKeyUsage' : null)],
  ['leaf_any_extended_key_usage', (cert, at) => (at.role === 'leaf' && cert.extendedKeyUsage?.includes(OID.anyExtendedKeyUsage) ? 'anyExtendedKeyUsage' : null)],
  // Baseline Requirements §7.1.2: extKeyUsage is never critical.
  ['extended_key_usage_critical', (cert, at) => (!at.anchor && extension(cert, OID.extKeyUsage)?.critical ? 'critical' : null)],
  // Baseline Requirements §7.1.2.1: a root certificate has no extKeyUsage.
  ['root_extended_key_usage', (cert, at) => (at.role === 'root' && cert.extendedKeyUsage ? 'extendedKeyUsage present' : null)],
  ['leaf_key_not_allowed', (cert, at) => (at.role === 'leaf' ? leafKeyProblem(cert) : null)],
  ['signature_algorithm_not_allowed', (cert, at) => (at.issuer ? signatureProblem(cert, at.issuer) : null)],
];

/**
 * The first rule of the 'webpki' profile that `path` (leaf first, trust anchor last)
 * breaks, or null. The path must already be signed all along and its issuers CAs.
 *
 * @example
 * ```ts
 * import { checkWebPkiProfile, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * console.log(checkWebPkiProfile([leaf.certificate, ca.certificate])); // → null
 * // The CA's certificate presented as a leaf:
 * console.log(checkWebPkiProfile([ca.certificate])?.code); // → leaf_is_ca
 * ```
 */
export function checkWebPkiProfile(path: readonly Certificate[]): ProfileFailure | null {
  const positions = path.map((_, i) => ({ role: roleInPath(path, i), anchor: i > 0 && i === path.length - 1, issuer: path[i + 1] }));
  for (const [code, rule] of RULES) {
    for (let i = 0; i < path.length; i++) {
      const problem = rule(path[i]!, positions[i]!);
      if (problem) return { code, message: `"${formatName(path[i]!.subject)}" (${positions[i]!.role}): ${problem}` };
    }
  }
  return null;
}

/**
 * The role of `path[index]` in a path from leaf to trust anchor: the first certificate
 * is the leaf; the last of a longer path is the root when it is self-issued; the others
 * are intermediates (a trusted intermediate at the end included).
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, roleInPath } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const path = [issueCertificate(ca, { names: ['example.com'] }).certificate, ca.certificate];
 * console.log(roleInPath(path, 0), roleInPath(path, 1), roleInPath([path[0]!], 0)); // → leaf root leaf
 * ```
 */
export function roleInPath(path: readonly Certificate[], index: number): PathRole {
  if (index === 0) return 'leaf';
  return index === path.length - 1 && isSelfIssued(path[index]!) ? 'root' : 'intermediate';
}

/** TLS can use the leaf's key for CertificateVerify (RFC 8446 §4.2.3), and it is not weak (Baseline Requirements §6.1.5). */
function leafKeyProblem(cert: Certificate): string | null {
  const key = cert.publicKey;
  if (!key) return `${cert.publicKeyAlgorithm.name}: ${cert.publicKeyError?.message ?? 'unsupported'}`;
  if (key.type === 'rsa' && publicKeyBits(key) < MIN_RSA_BITS) return `RSA of ${publicKeyBits(key)} bits`;
  return null;
}

/**
 * The signature on `cert` must be one a TLS 1.3 SignatureScheme names (RFC 8446 §4.2.3),
 * as the Baseline Requirements §7.1.3.2 also require: ECDSA ties the hash to the curve
 * (P-256 with SHA-256, P-384 with SHA-384), RSASSA-PSS uses a salt as long as the hash.
 */
function signatureProblem(cert: Certificate, issuer: Certificate): string | null {
  const algorithm = signatureAlgorithm(cert.signatureAlgorithm);
  const key = issuer.publicKey;
  if (algorithm.kind === 'ecdsa' && key?.type === 'ec') {
    const expected = key.curve === 'P-256' ? 'SHA-256' : 'SHA-384';
    return algorithm.hash.name === expected ? null : `ECDSA ${key.curve} with ${algorithm.hash.name} (TLS pairs ${key.curve} with ${expected})`;
  }
  if (algorithm.kind === 'rsa-pss' && algorithm.saltLength !== algorithm.hash.outputLength) {
    return `RSASSA-PSS with a ${algorithm.saltLength}-byte salt (TLS uses ${algorithm.hash.outputLength}, the ${algorithm.hash.name} length)`;
  }
  return null;
}
