/**
 * The peer's certificate in the shape `node:tls`'s `getPeerCertificate()` returns, so code
 * written for Node keeps working: subject and issuer as objects, `subjectaltname` as
 * OpenSSL prints it, dates in OpenSSL's format, colon-separated fingerprints, the DER
 * as `raw`. Built from our own X.509 parser.
 * @module
 */
import { createHash } from 'node:crypto';
import { isSelfIssued, parseCertificate, type Certificate } from '../x509/certificate.js';
import { formatIpAddress } from '../x509/ip.js';
import { publicKeyBits } from '../x509/keys.js';
import { nameToObject, type GeneralName } from '../x509/name.js';

/** A certificate as `node:tls` describes it (the fields we can fill in). */
export interface PeerCertificate {
  /** The subject's attributes by short name (`CN`, `O`, …). */
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  /** The subjectAltNames as OpenSSL prints them: `"DNS:example.com, IP Address:127.0.0.1"`. */
  subjectaltname?: string;
  /** Whether it is a CA certificate (basicConstraints cA). */
  ca: boolean;
  /** The key size in bits. */
  bits?: number;
  /** For EC keys: the curve's ASN.1 name (`prime256v1`), its NIST name, and the public point. */
  asn1Curve?: string;
  nistCurve?: string;
  /** The public key: the EC point, or the Ed25519 key. */
  pubkey?: Buffer;
  /** For RSA keys: the modulus (hex) and the exponent (`0x10001`). */
  modulus?: string;
  exponent?: string;
  /** Validity in OpenSSL's format, e.g. `"Mar  1 12:00:00 2025 GMT"`. */
  valid_from: string;
  valid_to: string;
  /** The serial number in upper-case hex, without leading zero bytes. */
  serialNumber: string;
  /** SHA-1, SHA-256 and SHA-512 of the DER, as upper-case hex pairs joined by colons. */
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  /** extendedKeyUsage purposes, as OIDs. */
  ext_key_usage?: string[];
  /** The certificate, DER. */
  raw: Buffer;
}

/** With `detailed`, each certificate links to the next one of the chain, as in Node. */
export interface DetailedPeerCertificate extends PeerCertificate {
  /** The issuer's certificate from the chain the peer sent (a self-signed root links to itself). */
  issuerCertificate?: DetailedPeerCertificate;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date as OpenSSL's ASN1_TIME_print writes it (the day padded with a space).
 *
 * @example
 * ```ts
 * import { openSslDate } from '@lucid-tls/tls/node';
 * console.log(openSslDate(new Date(Date.UTC(2025, 2, 1, 12, 0, 0)))); // → Mar  1 12:00:00 2025 GMT
 * ```
 */
export function openSslDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} ${date.getUTCFullYear()} GMT`;
}

function fingerprint(algorithm: 'sha1' | 'sha256' | 'sha512', der: Uint8Array): string {
  const hex = createHash(algorithm).update(der).digest('hex').toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** One subjectAltName in OpenSSL's words (`DNS:`, `IP Address:`, `email:`, `URI:`). */
function altNameText(name: GeneralName): string {
  switch (name.type) {
    case 'dns':
      return `DNS:${name.value}`;
    case 'ip':
      return `IP Address:${name.bytes ? formatIpAddress(name.bytes) : name.value}`;
    case 'email':
      return `email:${name.value}`;
    case 'uri':
      return `URI:${name.value}`;
    case 'directoryName':
      return `DirName:${name.value}`;
    default:
      return `othername:${name.value}`;
  }
}

const curveNames = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;

/**
 * One certificate in Node's shape.
 *
 * @example
 * ```ts
 * import { describeForNode } from '@lucid-tls/tls/node';
 * import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['example.com', '127.0.0.1'] });
 * const described = describeForNode(certificate);
 * console.log(described.subjectaltname, described.asn1Curve, described.ca); // → DNS:example.com, IP Address:127.0.0.1 prime256v1 false
 * ```
 */
export function describeForNode(cert: Certificate): PeerCertificate {
  const out: PeerCertificate = {
    subject: nameToObject(cert.subject),
    issuer: nameToObject(cert.issuer),
    ca: cert.basicConstraints?.cA === true,
    valid_from: openSslDate(cert.notBefore),
    valid_to: openSslDate(cert.notAfter),
    serialNumber: cert.serialNumberHex.replace(/^(00)+(?=..)/, '').toUpperCase(),
    fingerprint: fingerprint('sha1', cert.der),
    fingerprint256: fingerprint('sha256', cert.der),
    fingerprint512: fingerprint('sha512', cert.der),
    raw: Buffer.from(cert.der),
  };
  if (cert.subjectAltNames) out.subjectaltname = cert.subjectAltNames.map(altNameText).join(', ');
  if (cert.extendedKeyUsage) out.ext_key_usage = [...cert.extendedKeyUsage];
  const key = cert.publicKey;
  if (key) out.bits = publicKeyBits(key);
  if (key?.type === 'ec') {
    out.asn1Curve = curveNames[key.curve];
    out.nistCurve = key.curve;
    out.pubkey = Buffer.from(key.point);
  } else if (key?.type === 'ed25519') {
    out.pubkey = Buffer.from(key.key);
  } else if (key?.type === 'rsa') {
    out.modulus = key.n.toString(16).toUpperCase();
    out.exponent = `0x${key.e.toString(16)}`;
  }
  return out;
}

/**
 * The leaf of `chain` (DER, leaf first) in Node's shape, or an empty object when the
 * peer sent no certificate (as Node returns). With `detailed`, `issuerCertificate`
 * links each certificate to the next; the last one links to itself when self-issued.
 *
 * @example
 * ```ts
 * import { peerCertificate } from '@lucid-tls/tls/node';
 * import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example CA' });
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const chain = [leaf.certificate.der, ca.certificate.der];
 * console.log(peerCertificate(chain).subject); // → { O: 'Lucid TLS development certificate', CN: 'example.com' }
 * console.log(peerCertificate([])); // → {}
 * ```
 */
export function peerCertificate(chain: readonly Uint8Array[], detailed = false): PeerCertificate | DetailedPeerCertificate | Record<string, never> {
  if (chain.length === 0) return {};
  if (!detailed) return describeForNode(parseCertificate(chain[0]!));
  const certificates = chain.map(parseCertificate);
  const described: DetailedPeerCertificate[] = certificates.map(describeForNode);
  described.forEach((cert, i) => {
    const next = described[i + 1];
    if (next) cert.issuerCertificate = next;
    else if (isSelfIssued(certificates[i]!)) cert.issuerCertificate = cert;
  });
  return described[0]!;
}
