/**
 * The certificate (RFC 5280 §4.1): a signed statement "this public key belongs to this
 * subject, from notBefore to notAfter", made by an issuer.
 *
 * ```
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE {
 *   version [0] EXPLICIT Version DEFAULT v1, serialNumber, signature AlgorithmIdentifier,
 *   issuer Name, validity, subject Name, subjectPublicKeyInfo,
 *   issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
 *   extensions [3] EXPLICIT Extensions OPTIONAL }
 * ```
 * {@link parseCertificate} reads every field and decodes the common extensions. It
 * throws an {@link X509Error} on anything malformed, but a public key of an algorithm
 * we do not support is kept (as `publicKeyError`) so the certificate can still be shown.
 * @module
 */
import type { PublicKey } from '../crypto/provider.js';
import { sha256 } from '../crypto/hash.js';
import { toHex } from '../wire/bytes.js';
import { DerReader, Tag, contextTag, decodeBitString, decodeTime } from './der.js';
import type { BitString } from './der.js';
import { X509Error, x509Fail } from './errors.js';
import type { X509ErrorCode } from './errors.js';
import {
  decodeAltNames,
  decodeAuthorityInfoAccess,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeExtendedKeyUsage,
  decodeKeyUsage,
  decodeNameConstraints,
  decodeSctList,
  decodeSubjectKeyIdentifier,
  readExtensions,
} from './extensions.js';
import type {
  AccessDescription,
  AuthorityKeyIdentifier,
  BasicConstraints,
  DistributionPoint,
  Extension,
  KeyUsage,
  NameConstraints,
  PolicyInformation,
} from './extensions.js';
import { publicKeyFromParts, readAlgorithmIdentifier } from './keys.js';
import { namesEqual, readName } from './name.js';
import type { DistinguishedName, GeneralName } from './name.js';
import { OID, oidName } from './oid.js';
import { decodePem } from './pem.js';
import { signatureAlgorithm, verifySignature } from './signature-algorithm.js';
import type { AlgorithmIdentifier } from './signature-algorithm.js';

/**
 * A parsed certificate: every RFC 5280 field, and the common extensions decoded.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, type Certificate } from '@lucid-tls/tls/x509';
 * const cert: Certificate = issueCertificate(createCertificateAuthority(), { names: ['example.com'], days: 90 }).certificate;
 * const days = Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000);
 * console.log(days, cert.extendedKeyUsage, cert.signatureAlgorithm.name); // → 90 [ '1.3.6.1.5.5.7.3.1' ] ecdsaWithSHA256
 * ```
*/
export interface Certificate {
  /** The whole certificate, DER. */
  readonly der: Uint8Array;
  /** The signed part (TBSCertificate), DER: what the issuer's signature covers. */
  readonly tbsDer: Uint8Array;
  /** 1, 2 or 3 (extensions exist only in v3). */
  readonly version: 1 | 2 | 3;
  /** The serial number's bytes as encoded (unique per issuer, RFC 5280 §4.1.2.2). */
  readonly serialNumber: Uint8Array;
  /** The serial number as lowercase hex of those bytes. */
  readonly serialNumberHex: string;
  /** The algorithm inside the signed part (must equal {@link signatureAlgorithm}). */
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  /** Who signed it. */
  readonly issuer: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whose key it is. */
  readonly subject: DistinguishedName;
  /** The SubjectPublicKeyInfo, DER (its SHA-256 is what HPKP and DANE pin). */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKeyAlgorithm: AlgorithmIdentifier;
  /** The public key, unless its algorithm is not supported (then see {@link publicKeyError}). */
  readonly publicKey?: PublicKey;
  readonly publicKeyError?: { readonly code: X509ErrorCode; readonly message: string };
  readonly issuerUniqueId?: BitString;
  readonly subjectUniqueId?: BitString;
  /** All extensions in order, decoded or not. */
  readonly extensions: readonly Extension[];
  /** The outer signature algorithm. */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature bytes (for ECDSA, a DER Ecdsa-Sig-Value). */
  readonly signatureValue: Uint8Array;

  // Decoded extensions (RFC 5280 §4.2), present when the certificate has them.
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: readonly KeyUsage[];
  /** Purpose OIDs, e.g. serverAuth `1.3.6.1.5.5.7.3.1`. */
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectAltNames?: readonly GeneralName[];
  readonly issuerAltNames?: readonly GeneralName[];
  readonly nameConstraints?: NameConstraints;
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly authorityInfoAccess?: readonly AccessDescription[];
  readonly crlDistributionPoints?: readonly DistributionPoint[];
  readonly certificatePolicies?: readonly PolicyInformation[];
  /** The RFC 6962 SignedCertificateTimestampList, opaque. */
  readonly sctList?: Uint8Array;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses a DER certificate. Throws {@link X509Error}: `der_malformed` / `der_too_deep`
 * for bad DER, `certificate_malformed` for DER that is not a certificate,
 * `extension_malformed`, `duplicate_extension` or `signature_algorithm_mismatch`.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, parseCertificate } from '@lucid-tls/tls/x509';
 * const der = issueCertificate(createCertificateAuthority(), { names: ['example.com', '192.0.2.7'] }).certificate.der;
 * const cert = parseCertificate(der);
 * console.log(cert.version, cert.subjectAltNames!.map((n) => `${n.type}:${n.value}`).join(' ')); // → 3 dns:example.com ip:192.0.2.7
 * console.log(cert.basicConstraints?.cA, cert.keyUsage?.join()); // → false digitalSignature
 * ```
 */
export function parseCertificate(bytes: Uint8Array): Certificate {
  try {
    return readCertificate(bytes);
  } catch (e) {
    if (e instanceof X509Error && e.code === 'der_malformed') x509Fail('certificate_malformed', e.reason);
    throw e;
  }
}

/**
 * Every certificate in PEM text (blocks labelled CERTIFICATE), parsed.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, parseCertificatesPem } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const chain = parseCertificatesPem(leaf.certPem + ca.certPem); // a fullchain.pem
 * console.log(chain.length); // → 2
 * ```
 */
export function parseCertificatesPem(pem: string): Certificate[] {
  return decodePem(pem)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => parseCertificate(b.der));
}

function readCertificate(bytes: Uint8Array): Certificate {
  const r = new DerReader(bytes, 'Certificate');
  const cert = r.sequence('Certificate', (c) => {
    const tbs = c.expect(Tag.SEQUENCE, 'tbsCertificate');
    const fields = c.within(tbs, 'TBSCertificate', readTbs);
    const signatureAlgorithm = algorithm(c, 'signatureAlgorithm');
    const signature = c.bitString('signatureValue');
    if (signature.unusedBits !== 0) x509Fail('certificate_malformed', 'signatureValue has unused bits');
    return { ...fields, tbsDer: tbs.der, signatureAlgorithm, signatureValue: signature.bytes };
  });
  r.end();
  // RFC 5280 §4.1.1.2: the signed copy of the algorithm stops an attacker swapping it.
  if (!algorithmsEqual(cert.tbsSignatureAlgorithm, cert.signatureAlgorithm)) x509Fail('signature_algorithm_mismatch');
  return { der: bytes, ...cert };
}

function algorithm(r: DerReader, field: string): AlgorithmIdentifier {
  const { oid, parameters } = readAlgorithmIdentifier(r, field);
  return parameters === undefined ? { oid, name: oidName(oid) } : { oid, name: oidName(oid), parameters };
}

function algorithmsEqual(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  return a.oid === b.oid && toHex(a.parameters ?? new Uint8Array(0)) === toHex(b.parameters ?? new Uint8Array(0));
}

function readTbs(t: DerReader) {
  // version [0] EXPLICIT DEFAULT v1: DER omits a default, so an explicit v1 is refused.
  const versionElement = t.optional(contextTag(0, true));
  let version: 1 | 2 | 3 = 1;
  if (versionElement) {
    const v = t.within(versionElement, 'version', (v) => v.smallInteger('version'));
    if (v !== 1 && v !== 2) x509Fail('certificate_malformed', `version ${v} (must be v2 = 1 or v3 = 2 when present)`);
    version = (v + 1) as 2 | 3;
  }
  const serial = t.expect(Tag.INTEGER, 'serialNumber');
  if (serial.contents.length === 0) x509Fail('certificate_malformed', 'empty serialNumber');
  const tbsSignatureAlgorithm = algorithm(t, 'signature');
  const issuer = readName(t, 'issuer');
  const { notBefore, notAfter } = t.sequence('validity', (v) => ({
    notBefore: decodeTime(v.read(), 'notBefore'),
    notAfter: decodeTime(v.read(), 'notAfter'),
  }));
  const subject = readName(t, 'subject');
  const spkiElement = t.expect(Tag.SEQUENCE, 'subjectPublicKeyInfo');
  const { publicKeyAlgorithm, keyBits } = t.within(spkiElement, 'subjectPublicKeyInfo', (s) => ({
    publicKeyAlgorithm: algorithm(s, 'algorithm'),
    keyBits: s.bitString('subjectPublicKey'),
  }));
  const out: Mutable<Omit<Certificate, 'der' | 'tbsDer' | 'signatureAlgorithm' | 'signatureValue'>> = {
    version,
    serialNumber: serial.contents,
    serialNumberHex: toHex(serial.contents),
    tbsSignatureAlgorithm,
    issuer,
    notBefore,
    notAfter,
    subject,
    subjectPublicKeyInfo: spkiElement.der,
    publicKeyAlgorithm,
    extensions: [],
  };
  try {
    if (keyBits.unusedBits !== 0) x509Fail('key_malformed', 'subjectPublicKey has unused bits');
    out.publicKey = publicKeyFromParts(publicKeyAlgorithm, keyBits.bytes);
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
    out.publicKeyError = { code: e.code, message: e.reason };
  }
  const issuerUid = t.optional(contextTag(1, false));
  const subjectUid = t.optional(contextTag(2, false));
  if ((issuerUid || subjectUid) && version === 1) x509Fail('certificate_malformed', 'unique identifiers in a v1 certificate');
  if (issuerUid) out.issuerUniqueId = decodeBitString(issuerUid, 'issuerUniqueID');
  if (subjectUid) out.subjectUniqueId = decodeBitString(subjectUid, 'subjectUniqueID');
  const extensionsElement = t.optional(contextTag(3, true));
  if (extensionsElement) {
    if (version !== 3) x509Fail('certificate_malformed', 'extensions in a certificate that is not v3');
    out.extensions = t.within(extensionsElement, 'extensions', readExtensions);
    decodeKnownExtensions(out);
  }
  return out;
}

function decodeKnownExtensions(out: Mutable<Partial<Certificate>>): void {
  for (const ext of out.extensions ?? []) {
    switch (ext.oid) {
      case OID.basicConstraints:
        out.basicConstraints = decodeBasicConstraints(ext);
        break;
      case OID.keyUsage:
        out.keyUsage = decodeKeyUsage(ext);
        break;
      case OID.extKeyUsage:
        out.extendedKeyUsage = decodeExtendedKeyUsage(ext);
        break;
      case OID.subjectAltName:
        out.subjectAltNames = decodeAltNames(ext);
        break;
      case OID.issuerAltName:
        out.issuerAltNames = decodeAltNames(ext);
        break;
      case OID.nameConstraints:
        out.nameConstraints = decodeNameConstraints(ext);
        break;
      case OID.subjectKeyIdentifier:
        out.subjectKeyIdentifier = decodeSubjectKeyIdentifier(ext);
        break;
      case OID.authorityKeyIdentifier:
        out.authorityKeyIdentifier = decodeAuthorityKeyIdentifier(ext);
        break;
      case OID.authorityInfoAccess:
        out.authorityInfoAccess = decodeAuthorityInfoAccess(ext);
        break;
      case OID.cRLDistributionPoints:
        out.crlDistributionPoints = decodeCrlDistributionPoints(ext);
        break;
      case OID.certificatePolicies:
        out.certificatePolicies = decodeCertificatePolicies(ext);
        break;
      case OID.signedCertificateTimestampList:
        out.sctList = decodeSctList(ext);
        break;
    }
  }
}

/**
 * The SHA-256 of the certificate's DER, as lowercase hex (what browsers show as the fingerprint).
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, fingerprintSha256 } from '@lucid-tls/tls/x509';
 * console.log(fingerprintSha256(createCertificateAuthority().certificate).length); // → 64
 * ```
 */
export function fingerprintSha256(cert: Certificate): string {
  return toHex(sha256.hash(cert.der));
}

/**
 * Whether the certificate is self-issued: subject and issuer are the same name (RFC 5280 §3.3).
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, isSelfIssued, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * console.log(isSelfIssued(ca.certificate), isSelfIssued(issueCertificate(ca, { names: ['a.example'] }).certificate)); // → true false
 * ```
 */
export function isSelfIssued(cert: Certificate): boolean {
  return namesEqual(cert.subject, cert.issuer);
}

/**
 * Whether the certificate is self-signed: self-issued, and its signature verifies under
 * its own key (RFC 5280 §3.3). A root CA is; so is a leaf made with `openssl req -x509`.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, isSelfSigned, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * console.log(isSelfSigned(ca.certificate), isSelfSigned(issueCertificate(ca, { names: ['a.example'] }).certificate)); // → true false
 * ```
 */
export function isSelfSigned(cert: Certificate): boolean {
  if (!isSelfIssued(cert) || !cert.publicKey) return false;
  try {
    return verifySignature(signatureAlgorithm(cert.signatureAlgorithm), cert.publicKey, cert.tbsDer, cert.signatureValue);
  } catch (e) {
    if (e instanceof X509Error) return false;
    throw e;
  }
}

/**
 * Whether the certificate says it is a CA (basicConstraints cA).
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, isCA, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * console.log(isCA(ca.certificate), isCA(issueCertificate(ca, { names: ['a.example'] }).certificate)); // → true false
 * ```
 */
export function isCA(cert: Certificate): boolean {
  return cert.basicConstraints?.cA === true;
}
