/**
 * Object identifiers used in certificates, with their short names. An OID names every
 * algorithm, attribute, extension and purpose in X.509; the registry is global, so
 * these numbers are the same in every certificate in the world.
 * @module
 */

/**
 * The OIDs this module reads or writes, by the names RFCs give them.
 *
 * @example
 * ```ts
 * import { OID } from '@lucid-tls/tls/x509';
 * console.log(OID.subjectAltName, OID.serverAuth); // → 2.5.29.17 1.3.6.1.5.5.7.3.1
 * ```
 */
export const OID = {
  // Name attributes (RFC 5280 §4.1.2.4, X.520).
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  postalCode: '2.5.4.17',
  givenName: '2.5.4.42',
  businessCategory: '2.5.4.15',
  jurisdictionCountryName: '1.3.6.1.4.1.311.60.2.1.3',
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
  emailAddress: '1.2.840.113549.1.9.1',

  // PKCS#9 attributes of a certificate signing request (RFC 2985 §5.4).
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',

  // Public key algorithms (RFC 3279, RFC 5480, RFC 8410, RFC 4055).
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  Ed25519: '1.3.101.112',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',

  // Signature algorithms (RFC 5758, RFC 4055, RFC 8410).
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  RSASSA_PSS: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // Certificate extensions (RFC 5280 §4.2, RFC 6962).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  signedCertificateTimestampList: '1.3.6.1.4.1.11129.2.4.2',
  ctPrecertificatePoison: '1.3.6.1.4.1.11129.2.4.3',
  /** id-pe-acmeIdentifier: the tls-alpn-01 challenge certificate's proof (RFC 8737 §3). */
  acmeIdentifier: '1.3.6.1.5.5.7.1.31',

  // Extended key usage purposes (RFC 5280 §4.2.1.12).
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',

  // Access methods (RFC 5280 §4.2.2.1) and policy qualifiers (§4.2.1.4).
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  cps: '1.3.6.1.5.5.7.2.1',
  unotice: '1.3.6.1.5.5.7.2.2',
  anyPolicy: '2.5.29.32.0',
} as const;

/** Short attribute names used when a distinguished name is printed (RFC 4514 §3). */
export const attributeShortNames: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.serialNumber]: 'serialNumber',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.streetAddress]: 'street',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.title]: 'title',
  [OID.postalCode]: 'postalCode',
  [OID.givenName]: 'GN',
  [OID.businessCategory]: 'businessCategory',
  [OID.jurisdictionCountryName]: 'jurisdictionC',
  [OID.domainComponent]: 'DC',
  [OID.userId]: 'UID',
  [OID.emailAddress]: 'emailAddress',
};

const namesByOid = new Map<string, string>(Object.entries(OID).map(([name, oid]) => [oid, name]));

/**
 * The name of a known OID (e.g. `"subjectAltName"`), or the dotted OID itself.
 *
 * @example
 * ```ts
 * import { oidName } from '@lucid-tls/tls/x509';
 * console.log(oidName('2.5.29.19'), oidName('1.2.3.4')); // → basicConstraints 1.2.3.4
 * ```
 */
export function oidName(oid: string): string {
  return namesByOid.get(oid) ?? oid;
}
