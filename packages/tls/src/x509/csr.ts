/**
 * Certificate signing requests (PKCS#10, RFC 2986): "please certify this public key for
 * these names", signed with the matching private key, which proves the requester holds
 * it. An ACME client sends one to finalize an order (RFC 8555 §7.4); `openssl req` makes
 * them for other CAs.
 *
 * ```
 * CertificationRequest ::= SEQUENCE {
 *   certificationRequestInfo CertificationRequestInfo,
 *   signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE {
 *   version INTEGER { v1(0) }, subject Name, subjectPKInfo SubjectPublicKeyInfo,
 *   attributes [0] IMPLICIT SET OF Attribute }
 * Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
 * ```
 * The names to certify travel in the extensionRequest attribute (PKCS#9, RFC 2985 §5.4.2),
 * whose one value is the list of extensions the certificate should carry: here a
 * subjectAltName. The CA decides what it actually puts in the certificate.
 * @module
 */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import { der, DerReader, Tag, contextTag } from './der.js';
import { X509Error, x509Fail } from './errors.js';
import type { X509ErrorCode } from './errors.js';
import { decodeAltNames, encodeExtension, readExtensions } from './extensions.js';
import type { Extension } from './extensions.js';
import { altName } from './issue.js';
import { encodePublicKeyInfo, publicKeyFromParts, publicKeyFromPrivateKey, readAlgorithmIdentifier } from './keys.js';
import { encodeName, readName } from './name.js';
import type { DistinguishedName, GeneralName } from './name.js';
import { OID, oidName } from './oid.js';
import { decodePem, encodePem } from './pem.js';
import { defaultSignatureAlgorithm, encodeSignatureAlgorithm, signWith, signatureAlgorithm, verifySignature } from './signature-algorithm.js';
import type { AlgorithmIdentifier } from './signature-algorithm.js';

/** One attribute of a request: its type and the DER of each of its values. */
export interface CsrAttribute {
  readonly oid: string;
  /** `"extensionRequest"`, or the dotted OID when unknown. */
  readonly name: string;
  readonly values: readonly Uint8Array[];
}

/**
 * A parsed certificate signing request.
 *
 * @example
 * ```ts
 * import { createCsr, generatePrivateKey, parseCsr, type CertificationRequest } from '@lucid-tls/tls/x509';
 * const csr: CertificationRequest = parseCsr(createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com', 'www.example.com'] }));
 * console.log(csr.subjectAltNames!.map((n) => n.value).join(' '), csr.extensions.map((e) => e.name).join()); // → example.com www.example.com subjectAltName
 * ```
 */
export interface CertificationRequest {
  /** The whole request, DER. */
  readonly der: Uint8Array;
  /** The signed part (CertificationRequestInfo), DER. */
  readonly infoDer: Uint8Array;
  /** 0, meaning v1: the only version RFC 2986 defines. */
  readonly version: 0;
  readonly subject: DistinguishedName;
  /** The SubjectPublicKeyInfo, DER. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKeyAlgorithm: AlgorithmIdentifier;
  /** The public key, unless its algorithm is not supported (then see {@link publicKeyError}). */
  readonly publicKey?: PublicKey;
  readonly publicKeyError?: { readonly code: X509ErrorCode; readonly message: string };
  /** Every attribute, in order. */
  readonly attributes: readonly CsrAttribute[];
  /** The extensions of the extensionRequest attribute (empty without one). */
  readonly extensions: readonly Extension[];
  /** The requested subjectAltName, when there is one. */
  readonly subjectAltNames?: readonly GeneralName[];
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature bytes (for ECDSA, a DER Ecdsa-Sig-Value). */
  readonly signatureValue: Uint8Array;
}

/** What {@link createCsr} puts in a request. */
export interface CsrOptions {
  /** The key to certify; it also signs the request. */
  privateKey: PrivateKey;
  /** DNS names or IP addresses, for the subjectAltName (at least one). */
  names: string[];
  /**
   * The subject Name, DER. By default the first name as the CN when it fits (64 characters,
   * RFC 5280's upper bound), otherwise an empty Name: CAs read the subjectAltName.
   */
  subject?: Uint8Array;
  /** The random source of the signature (RSA-PSS only; ECDSA and Ed25519 are deterministic). */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * A signed PKCS#10 request for `names`, DER (what ACME's finalize sends, base64url-encoded).
 * `openssl req -verify` accepts it.
 *
 * @example
 * ```ts
 * import { createCsr, encodePem, generatePrivateKey } from '@lucid-tls/tls/x509';
 * const der = createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] });
 * console.log(encodePem('CERTIFICATE REQUEST', der).split('\n')[0]); // → -----BEGIN CERTIFICATE REQUEST-----
 * ```
 */
export function createCsr(options: CsrOptions): Uint8Array {
  if (options.names.length === 0) throw new RangeError('createCsr needs at least one name');
  const first = options.names[0]!;
  const subject = options.subject ?? (first.length <= 64 ? encodeName([[OID.commonName, first]]) : der.sequence());
  const requested = der.sequence(encodeExtension(OID.subjectAltName, false, der.sequence(...options.names.map(altName))));
  const info = der.sequence(
    der.integer(0), // v1
    subject,
    encodePublicKeyInfo(publicKeyFromPrivateKey(options.privateKey)),
    // attributes [0] IMPLICIT SET OF Attribute: one, the extensionRequest.
    der.implicitSequence(0, der.sequence(der.oid(OID.extensionRequest), der.set(requested))),
  );
  const algorithm = defaultSignatureAlgorithm(options.privateKey);
  const signature = signWith(algorithm, options.privateKey, info, options.randomBytes ?? nobleRandomBytes);
  return der.sequence(info, encodeSignatureAlgorithm(algorithm), der.bitString(signature));
}

/**
 * Reads a DER certificate signing request. Throws {@link X509Error}: `der_malformed` for
 * anything that is not an RFC 2986 request, `extension_malformed` for a requested
 * extension that does not decode. The signature is not checked here: see
 * {@link verifyCsrSignature}.
 *
 * @example
 * ```ts
 * import { X509Error, createCsr, generatePrivateKey, parseCsr } from '@lucid-tls/tls/x509';
 * const csr = parseCsr(createCsr({ privateKey: generatePrivateKey('ed25519'), names: ['example.com'] }));
 * console.log(csr.publicKey!.type, csr.signatureAlgorithm.name); // → ed25519 Ed25519
 * try {
 *   parseCsr(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00));
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → der_malformed
 * }
 * ```
 */
export function parseCsr(bytes: Uint8Array): CertificationRequest {
  const r = new DerReader(bytes, 'CertificationRequest');
  const csr = r.sequence('CertificationRequest', (c) => {
    const info = c.expect(Tag.SEQUENCE, 'certificationRequestInfo');
    const fields = c.within(info, 'CertificationRequestInfo', readInfo);
    const { oid, parameters } = readAlgorithmIdentifier(c, 'signatureAlgorithm');
    const signature = c.bitString('signature');
    if (signature.unusedBits !== 0) x509Fail('der_malformed', 'CertificationRequest: the signature has unused bits');
    const signatureAlgorithm = parameters === undefined ? { oid, name: oidName(oid) } : { oid, name: oidName(oid), parameters };
    return { ...fields, infoDer: info.der, signatureAlgorithm, signatureValue: signature.bytes };
  });
  r.end();
  return { der: bytes, ...csr };
}

function readInfo(t: DerReader) {
  if (t.smallInteger('version') !== 0) x509Fail('der_malformed', 'CertificationRequestInfo: version is not v1 (0)');
  const subject = readName(t, 'subject');
  const spki = t.expect(Tag.SEQUENCE, 'subjectPKInfo');
  const { algorithm, keyBits } = t.within(spki, 'subjectPKInfo', (s) => ({
    algorithm: readAlgorithmIdentifier(s, 'algorithm'),
    keyBits: s.bitString('subjectPublicKey'),
  }));
  const publicKeyAlgorithm: AlgorithmIdentifier = { oid: algorithm.oid, name: oidName(algorithm.oid), ...(algorithm.parameters ? { parameters: algorithm.parameters } : {}) };
  const attributes = t.within(t.expect(contextTag(0, true), 'attributes'), 'attributes', (set) => set.list(readAttribute));
  const requested = attributes.find((a) => a.oid === OID.extensionRequest);
  const extensions = requested ? readExtensionRequest(requested) : [];
  const san = extensions.find((e) => e.oid === OID.subjectAltName);
  const out: Omit<CertificationRequest, 'der' | 'infoDer' | 'signatureAlgorithm' | 'signatureValue'> & {
    publicKey?: PublicKey;
    publicKeyError?: CertificationRequest['publicKeyError'];
    subjectAltNames?: GeneralName[];
  } = { version: 0, subject, subjectPublicKeyInfo: spki.der, publicKeyAlgorithm, attributes, extensions };
  try {
    if (keyBits.unusedBits !== 0) x509Fail('key_malformed', 'subjectPublicKey has unused bits');
    out.publicKey = publicKeyFromParts(algorithm, keyBits.bytes);
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
    out.publicKeyError = { code: e.code, message: e.reason };
  }
  if (san) out.subjectAltNames = decodeAltNames(san);
  return out;
}

function readAttribute(r: DerReader): CsrAttribute {
  return r.sequence('Attribute', (a) => {
    const oid = a.oid('type');
    const values = a.within(a.expect(Tag.SET, 'values'), 'values', (set) => set.list((v) => v.read().der));
    if (values.length === 0) x509Fail('der_malformed', `Attribute ${oidName(oid)}: no value (SET SIZE(1..MAX))`);
    return { oid, name: oidName(oid), values };
  });
}

/** extensionRequest (RFC 2985 §5.4.2): exactly one value, an Extensions SEQUENCE. */
function readExtensionRequest(attribute: CsrAttribute): Extension[] {
  if (attribute.values.length !== 1) x509Fail('der_malformed', 'extensionRequest must have exactly one value');
  const r = new DerReader(attribute.values[0]!, 'extensionRequest', 4);
  const extensions = readExtensions(r);
  r.end();
  return extensions;
}

/**
 * Whether the request's signature verifies under its own public key: the proof that the
 * requester holds the private key. Throws `unsupported_signature_algorithm` for an
 * algorithm we do not implement.
 *
 * @example
 * ```ts
 * import { createCsr, generatePrivateKey, parseCsr, verifyCsrSignature } from '@lucid-tls/tls/x509';
 * const der = createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] });
 * console.log(verifyCsrSignature(parseCsr(der))); // → true
 * der[der.length - 1]! ^= 1; // one bit of the signature
 * console.log(verifyCsrSignature(parseCsr(der))); // → false
 * ```
 */
export function verifyCsrSignature(csr: CertificationRequest): boolean {
  const algorithm = signatureAlgorithm(csr.signatureAlgorithm);
  return csr.publicKey !== undefined && verifySignature(algorithm, csr.publicKey, csr.infoDer, csr.signatureValue);
}

/**
 * Every certificate signing request in PEM text (blocks labelled `CERTIFICATE REQUEST`, or
 * the `NEW CERTIFICATE REQUEST` some older tools write), parsed.
 *
 * @example
 * ```ts
 * import { createCsr, encodePem, generatePrivateKey, parseCsrsPem } from '@lucid-tls/tls/x509';
 * const pem = encodePem('CERTIFICATE REQUEST', createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] }));
 * console.log(parseCsrsPem(pem).length); // → 1
 * ```
 */
export function parseCsrsPem(pem: string): CertificationRequest[] {
  return decodePem(pem)
    .filter((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST')
    .map((b) => parseCsr(b.der));
}

/**
 * PEM text of a request (`-----BEGIN CERTIFICATE REQUEST-----`, RFC 7468 §7).
 *
 * @example
 * ```ts
 * import { createCsr, csrToPem, generatePrivateKey } from '@lucid-tls/tls/x509';
 * console.log(csrToPem(createCsr({ privateKey: generatePrivateKey('ec'), names: ['a.example'] })).startsWith('-----BEGIN CERTIFICATE REQUEST-----')); // → true
 * ```
 */
export function csrToPem(der: Uint8Array): string {
  return encodePem('CERTIFICATE REQUEST', der);
}
