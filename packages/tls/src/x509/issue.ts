/**
 * Issuing certificates, as mkcert does: a local CA for development, and server or
 * client certificates signed by it for the names you give (DNS names, IP addresses,
 * e-mail addresses or URIs). Install the CA's certificate in a trust store, and the
 * certificates it issues are trusted there.
 *
 * Keys are ECDSA P-256 by default; Ed25519 and RSA 2048 on request. Everything is
 * built with the DER writer and signed with the key's usual algorithm
 * (ecdsa-with-SHA256, Ed25519, sha256WithRSAEncryption).
 * @module
 */
import { p256 } from '@noble/curves/nist.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import { sha256 } from '../crypto/hash.js';
import { generateRsaKey } from '../crypto/rsa-keygen.js';
import { equalBytes } from '../wire/bytes.js';
import { parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { der } from './der.js';
import { x509Fail } from './errors.js';
import { encodeExtension } from './extensions.js';
import { parseIpAddress } from './ip.js';
import { encodePublicKeyInfo, parsePrivateKeyPem, privateKeyToPem, publicKeyFromPrivateKey } from './keys.js';
import { encodeGeneralName, encodeName } from './name.js';
import { OID } from './oid.js';
import { encodePem, pemBlocks } from './pem.js';
import { defaultSignatureAlgorithm, encodeSignatureAlgorithm, signWith } from './signature-algorithm.js';
import type { SignatureAlgorithm } from './signature-algorithm.js';

/** The key types we issue. */
export type IssuedKeyType = 'ec' | 'ed25519' | 'rsa';

/** A CA that can issue: its certificate and private key, parsed and as PEM. */
export interface CertificateAuthority {
  readonly certificate: Certificate;
  readonly privateKey: PrivateKey;
  readonly certPem: string;
  readonly keyPem: string;
}

/** An issued certificate and its new private key. */
export interface IssuedCertificate {
  readonly certificate: Certificate;
  readonly privateKey: PrivateKey;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The private key, PKCS#8 PEM. */
  readonly keyPem: string;
}

/**
 * A fresh private key of the given type, drawn from `randomBytes`.
 *
 * @example
 * ```ts
 * import { generatePrivateKey } from '@lucid-tls/tls/x509';
 * console.log(generatePrivateKey('ec').type, generatePrivateKey('ed25519').type); // → ec ed25519
 * ```
 */
export function generatePrivateKey(keyType: IssuedKeyType = 'ec', randomBytes: (n: number) => Uint8Array = nobleRandomBytes): PrivateKey {
  switch (keyType) {
    case 'ec':
      return { type: 'ec', curve: 'P-256', d: p256.utils.randomSecretKey(randomBytes(48)) };
    case 'ed25519':
      return { type: 'ed25519', seed: randomBytes(32) };
    case 'rsa':
      return generateRsaKey(2048, randomBytes);
  }
}

/** Everything a new certificate says. */
export interface CertificateSpec {
  /** 3 by default; 1 writes an old v1 certificate, which has no extensions (for tests of v1 roots). */
  version?: 1 | 3;
  /** Positive serial number bytes; random 16 bytes by default. */
  serialNumber?: Uint8Array;
  /** The issuer's Name, DER (for a self-signed certificate: the subject). */
  issuer: Uint8Array;
  /** The subject's Name, DER (see {@link encodeName}). */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKey;
  /** Encoded Extension values (see {@link encodeExtension}). */
  extensions: Uint8Array[];
  /** The issuer's private key, which signs. */
  signingKey: PrivateKey;
  /** The signature algorithm; the usual one for the signing key by default. */
  signatureAlgorithm?: SignatureAlgorithm;
  /** The random source for keys, serial numbers and signatures (default: the system's CSPRNG); fix it only in tests. */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Builds and signs a v3 certificate (RFC 5280 §4.1), returning its DER.
 *
 * @example
 * ```ts
 * import { OID, der, encodeExtension, encodeName, generatePrivateKey, parseCertificate, publicKeyFromPrivateKey, signCertificate } from '@lucid-tls/tls/x509';
 * const key = generatePrivateKey('ec');
 * const name = encodeName([[OID.commonName, 'Self-signed example']]);
 * const certDer = signCertificate({
 *   issuer: name,
 *   subject: name,
 *   notBefore: new Date('2025-01-01T00:00:00Z'),
 *   notAfter: new Date('2026-01-01T00:00:00Z'),
 *   publicKey: publicKeyFromPrivateKey(key),
 *   extensions: [encodeExtension(OID.subjectAltName, false, der.sequence(der.implicit(2, new TextEncoder().encode('self.example'))))],
 *   signingKey: key,
 * });
 * const cert = parseCertificate(certDer);
 * console.log(cert.subjectAltNames![0]!.value, cert.notAfter.toISOString()); // → self.example 2026-01-01T00:00:00.000Z
 * ```
 */
export function signCertificate(spec: CertificateSpec): Uint8Array {
  const random = spec.randomBytes ?? nobleRandomBytes;
  const algorithm = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.signingKey);
  const algorithmDer = encodeSignatureAlgorithm(algorithm);
  if (spec.version === 1 && spec.extensions.length > 0) throw new RangeError('a v1 certificate has no extensions');
  const tbs = der.sequence(
    ...(spec.version === 1 ? [] : [der.explicit(0, der.integer(2))]), // v3 (v1 is the DEFAULT, so DER omits it)
    der.unsignedInteger(spec.serialNumber ?? randomSerial(random)),
    algorithmDer,
    spec.issuer,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    spec.subject,
    encodePublicKeyInfo(spec.publicKey),
    ...(spec.extensions.length > 0 ? [der.explicit(3, der.sequence(...spec.extensions))] : []),
  );
  const signature = signWith(algorithm, spec.signingKey, tbs, random);
  return der.sequence(tbs, algorithmDer, der.bitString(signature));
}

/** 16 random bytes with the top bit clear: positive, and unguessable as CA/B Forum asks (≥ 64 bits). */
function randomSerial(randomBytes: (n: number) => Uint8Array): Uint8Array {
  const serial = randomBytes(16).slice();
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and never a leading zero byte
  return serial;
}

/**
 * A key identifier (RFC 5280 §4.2.1.2): here the leftmost 160 bits of the SHA-256 of
 * the subjectPublicKey bits, method 1 of RFC 7093 §2.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, keyIdentifier } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * console.log(keyIdentifier(ca.certificate.publicKey!).join() === ca.certificate.subjectKeyIdentifier!.join()); // → true
 * ```
 */
export function keyIdentifier(publicKey: PublicKey): Uint8Array {
  const subjectPublicKey =
    publicKey.type === 'ec' ? publicKey.point
    : publicKey.type === 'ed25519' ? publicKey.key
    : der.sequence(der.integer(publicKey.n), der.integer(publicKey.e));
  return sha256.hash(subjectPublicKey).subarray(0, 20);
}

const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
const DAY = 86_400_000;

/** Options of {@link createCertificateAuthority}. */
export interface CaOptions {
  /** The CA's CN; "Lucid TLS local CA" by default. */
  commonName?: string;
  /** The CA's O; "Lucid TLS development CA" by default. */
  organization?: string;
  keyType?: IssuedKeyType;
  /** Validity in days; ten years by default. */
  days?: number;
  /** The start of validity; now by default. */
  now?: Date;
  /** The random source for keys, serial numbers and signatures (default: the system's CSPRNG); fix it only in tests. */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Creates a local CA: a self-signed certificate with basicConstraints cA (pathLen 0:
 * it signs leaf certificates only) and keyUsage keyCertSign and cRLSign, both critical.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'My Dev CA', days: 365 });
 * console.log(ca.certificate.basicConstraints); // → { cA: true, pathLenConstraint: 0 }
 * console.log(ca.certPem.startsWith('-----BEGIN CERTIFICATE-----'), ca.keyPem.startsWith('-----BEGIN PRIVATE KEY-----')); // → true true
 * ```
 */
export function createCertificateAuthority(options: CaOptions = {}): CertificateAuthority {
  const random = options.randomBytes ?? nobleRandomBytes;
  const privateKey = generatePrivateKey(options.keyType ?? 'ec', random);
  const publicKey = publicKeyFromPrivateKey(privateKey);
  const name = encodeName([
    [OID.organizationName, options.organization ?? 'Lucid TLS development CA'],
    [OID.commonName, options.commonName ?? 'Lucid TLS local CA'],
  ]);
  const now = seconds(options.now ?? new Date());
  const ski = keyIdentifier(publicKey);
  const certDer = signCertificate({
    issuer: name,
    subject: name,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.days ?? 3650) * DAY),
    publicKey,
    extensions: [
      encodeExtension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0))),
      encodeExtension(OID.keyUsage, true, der.namedBits([5, 6])), // keyCertSign, cRLSign
      encodeExtension(OID.subjectKeyIdentifier, false, der.octetString(ski)),
    ],
    signingKey: privateKey,
    randomBytes: random,
  });
  return finish(certDer, privateKey);
}

/**
 * A CA from its certificate and key PEM (as written by `lucid-tls ca init`); the key must match.
 *
 * @example
 * ```ts
 * import { X509Error, createCertificateAuthority, loadCertificateAuthority } from '@lucid-tls/tls/x509';
 * const saved = createCertificateAuthority(); // as `lucid-tls ca init` writes ca.pem and ca-key.pem
 * const ca = loadCertificateAuthority(saved.certPem, saved.keyPem);
 * console.log(ca.certificate.serialNumberHex === saved.certificate.serialNumberHex); // → true
 * try {
 *   loadCertificateAuthority(saved.certPem, createCertificateAuthority().keyPem);
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → key_malformed
 * }
 * ```
 */
export function loadCertificateAuthority(certPem: string, keyPem: string): CertificateAuthority {
  const certDer = pemBlocks(certPem, 'CERTIFICATE')[0] ?? x509Fail('pem_malformed', 'no CERTIFICATE block in the CA file');
  const privateKey = parsePrivateKeyPem(keyPem);
  const certificate = parseCertificate(certDer);
  const fromKey = encodePublicKeyInfo(publicKeyFromPrivateKey(privateKey));
  if (!certificate.publicKey || !equalBytes(encodePublicKeyInfo(certificate.publicKey), fromKey)) {
    x509Fail('key_malformed', 'the CA private key does not match the CA certificate');
  }
  return { certificate, privateKey, certPem: encodePem('CERTIFICATE', certDer), keyPem: privateKeyToPem(privateKey) };
}

/** Options of {@link issueCertificate}. */
export interface IssueOptions {
  /** The names to certify: DNS names, IP addresses, e-mail addresses (`a@b`) or URIs (`scheme://…`). */
  names: string[];
  /** A client certificate (extendedKeyUsage clientAuth) instead of a server one (serverAuth). */
  client?: boolean;
  keyType?: IssuedKeyType;
  /** Validity in days; 825 by default, the longest the CA/B Forum allowed until 2020. */
  days?: number;
  now?: Date;
  /** The random source for keys, serial numbers and signatures (default: the system's CSPRNG); fix it only in tests. */
  randomBytes?: (n: number) => Uint8Array;
}

/** The subjectAltName entry for one name: an IP address when it parses as one (also used by `csr.ts`). */
export function altName(name: string): Uint8Array {
  const ip = parseIpAddress(name);
  if (ip) return encodeGeneralName({ type: 'ip', bytes: ip });
  if (name.includes('://')) return encodeGeneralName({ type: 'uri', value: name });
  if (name.includes('@')) return encodeGeneralName({ type: 'email', value: name });
  return encodeGeneralName({ type: 'dns', value: name.toLowerCase() });
}

/**
 * Issues a certificate for `options.names`, signed by `ca`, with a new key. The names
 * go in subjectAltName (the first also in the CN, for people reading it; validators
 * ignore the CN). keyUsage is digitalSignature (plus keyEncipherment for RSA, for TLS 1.2
 * peers), extendedKeyUsage serverAuth or clientAuth.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const server = issueCertificate(ca, { names: ['localhost', '127.0.0.1', '::1'] });
 * const client = issueCertificate(ca, { names: ['alice@example.com'], client: true, keyType: 'ed25519' });
 * console.log(server.certificate.subjectAltNames!.map((n) => n.type).join()); // → dns,ip,ip
 * console.log(client.certificate.extendedKeyUsage, client.certificate.publicKey!.type); // → [ '1.3.6.1.5.5.7.3.2' ] ed25519
 * ```
 */
export function issueCertificate(ca: CertificateAuthority, options: IssueOptions): IssuedCertificate {
  if (options.names.length === 0) throw new RangeError('issueCertificate needs at least one name');
  const random = options.randomBytes ?? nobleRandomBytes;
  const keyType = options.keyType ?? 'ec';
  const privateKey = generatePrivateKey(keyType, random);
  const publicKey = publicKeyFromPrivateKey(privateKey);
  const now = seconds(options.now ?? new Date());
  const caKeyId = ca.certificate.subjectKeyIdentifier ?? keyIdentifier(ca.certificate.publicKey!);
  const keyUsageBits = keyType === 'rsa' ? [0, 2] : [0];
  const certDer = signCertificate({
    issuer: ca.certificate.subject.der,
    subject: encodeName([
      [OID.organizationName, options.client ? 'Lucid TLS development client certificate' : 'Lucid TLS development certificate'],
      [OID.commonName, options.names[0]!.slice(0, 64)],
    ]),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.days ?? 825) * DAY),
    publicKey,
    extensions: [
      encodeExtension(OID.basicConstraints, true, der.sequence()),
      encodeExtension(OID.keyUsage, true, der.namedBits(keyUsageBits)),
      encodeExtension(OID.extKeyUsage, false, der.sequence(der.oid(options.client ? OID.clientAuth : OID.serverAuth))),
      encodeExtension(OID.subjectAltName, false, der.sequence(...options.names.map(altName))),
      encodeExtension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, caKeyId))),
      encodeExtension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(publicKey))),
    ],
    signingKey: ca.privateKey,
    randomBytes: random,
  });
  return finish(certDer, privateKey);
}

function finish(certDer: Uint8Array, privateKey: PrivateKey): IssuedCertificate {
  return {
    certificate: parseCertificate(certDer),
    privateKey,
    certPem: encodePem('CERTIFICATE', certDer),
    keyPem: privateKeyToPem(privateKey),
  };
}
