/**
 * A certificate for people: as a plain JSON object, and as text in which every field
 * is explained for someone learning what a certificate contains (`lucid-tls x509 show`);
 * and a validated path, one line per certificate (`lucid-tls x509 verify`).
 * @module
 */
import { toHex } from '../wire/bytes.js';
import { fingerprintSha256, isCA, isSelfSigned } from './certificate.js';
import type { Certificate } from './certificate.js';
import { verifyCsrSignature } from './csr.js';
import type { CertificationRequest } from './csr.js';
import type { Extension } from './extensions.js';
import { publicKeyBits } from './keys.js';
import { formatName, nameToObject } from './name.js';
import type { GeneralName } from './name.js';
import { OID, oidName } from './oid.js';
import { describeSignatureAlgorithm } from './signature-algorithm.js';
import { roleInPath } from './webpki.js';

/** The JSON form of a certificate (`lucid-tls x509 show --json`). */
export interface CertificateJson {
  version: number;
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  /** Hex of the serial number's bytes. */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  subjectAltNames: { type: string; value: string }[];
  publicKey: { algorithm: string; curve?: string; bits?: number; error?: string };
  signatureAlgorithm: string;
  isCA: boolean;
  pathLenConstraint: number | null;
  keyUsage: string[];
  /** Purpose names (serverAuth…) or OIDs. */
  extendedKeyUsage: string[];
  extensions: { oid: string; name: string; critical: boolean }[];
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
  nameConstraints?: { permitted: { type: string; value: string }[]; excluded: { type: string; value: string }[] };
  authorityInfoAccess?: { method: string; location: string }[];
  crlDistributionPoints?: string[];
  certificatePolicies?: { policyIdentifier: string; qualifiers: string[] }[];
  /** Hex of the SHA-256 of the DER. */
  fingerprintSha256: string;
}

const nameJson = (n: GeneralName) => ({ type: n.type, value: n.value });

/**
 * The JSON object for a certificate: names, dates, key, usages, extensions, fingerprint.
 *
 * @example
 * ```ts
 * import { certificateToJson, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['example.com'] });
 * const json = certificateToJson(certificate);
 * console.log(json.subjectAltNames, json.extendedKeyUsage, json.isCA); // → [ { type: 'dns', value: 'example.com' } ] [ 'serverAuth' ] false
 * ```
 */
export function certificateToJson(cert: Certificate): CertificateJson {
  const publicKey = keyJson(cert.publicKey, cert.publicKeyAlgorithm.name, cert.publicKeyError?.message);
  const out: CertificateJson = {
    version: cert.version,
    subject: nameToObject(cert.subject),
    issuer: nameToObject(cert.issuer),
    serialNumber: cert.serialNumberHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    subjectAltNames: (cert.subjectAltNames ?? []).map(nameJson),
    publicKey,
    signatureAlgorithm: describeSignatureAlgorithm(cert.signatureAlgorithm),
    isCA: cert.basicConstraints?.cA === true,
    pathLenConstraint: cert.basicConstraints?.pathLenConstraint ?? null,
    keyUsage: [...(cert.keyUsage ?? [])],
    extendedKeyUsage: (cert.extendedKeyUsage ?? []).map(oidName),
    extensions: cert.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical })),
    fingerprintSha256: fingerprintSha256(cert),
  };
  if (cert.subjectKeyIdentifier) out.subjectKeyIdentifier = toHex(cert.subjectKeyIdentifier);
  if (cert.authorityKeyIdentifier?.keyIdentifier) out.authorityKeyIdentifier = toHex(cert.authorityKeyIdentifier.keyIdentifier);
  if (cert.nameConstraints) {
    out.nameConstraints = {
      permitted: cert.nameConstraints.permitted.map((s) => nameJson(s.base)),
      excluded: cert.nameConstraints.excluded.map((s) => nameJson(s.base)),
    };
  }
  if (cert.authorityInfoAccess) out.authorityInfoAccess = cert.authorityInfoAccess.map((a) => ({ method: a.methodName, location: a.location.value }));
  if (cert.crlDistributionPoints) out.crlDistributionPoints = cert.crlDistributionPoints.flatMap((d) => (d.fullName ?? []).map((n) => n.value));
  if (cert.certificatePolicies) {
    out.certificatePolicies = cert.certificatePolicies.map((p) => ({ policyIdentifier: oidName(p.policyIdentifier), qualifiers: p.qualifiers.map((q) => q.value) }));
  }
  return out;
}

const colon = (bytes: Uint8Array): string => toHex(bytes).replace(/(..)(?!$)/g, '$1:');

/**
 * One line per value, with a short explanation under each heading.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, explainCertificate } from '@lucid-tls/tls/x509';
 * const text = explainCertificate(createCertificateAuthority().certificate);
 * console.log(text.split('\n')[1]!.trim()); // → Role                 root CA, self-signed
 * ```
 */
export function explainCertificate(cert: Certificate, now: Date = new Date()): string {
  const lines: string[] = [];
  const field = (name: string, value: string, why?: string) => {
    lines.push(`  ${name.padEnd(20)} ${value}`);
    if (why) lines.push(`  ${''.padEnd(20)} └ ${why}`);
  };
  lines.push(`Certificate (RFC 5280 §4.1), ${cert.der.length} bytes of DER`);
  const role = standaloneRole(cert);
  field('Role', role.name, role.why);
  field('Version', `v${cert.version}`, cert.version === 3 ? 'v3: the version that allows extensions' : 'an old version without extensions');
  field('Serial number', colon(cert.serialNumber), 'chosen by the issuer, unique among the certificates it signs');
  field('Signature algorithm', describeSignatureAlgorithm(cert.signatureAlgorithm), 'how the issuer signed the fields above its signature');
  field('Issuer', formatName(cert.issuer), 'who vouches for this certificate: the subject of the certificate that signed it');
  const daysLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / 86_400_000);
  const status =
    now < cert.notBefore ? 'not yet valid'
    : now > cert.notAfter ? `expired ${-daysLeft} day(s) ago`
    : `valid now, ${daysLeft} day(s) left`;
  field('Not before', cert.notBefore.toISOString());
  field('Not after', cert.notAfter.toISOString(), `${status}; a client refuses it outside this window`);
  field('Subject', formatName(cert.subject), 'whom the key belongs to; TLS clients match host names against the SAN, not the CN');
  const key = cert.publicKey;
  const keyText =
    key?.type === 'ec' ? `EC ${key.curve} (${publicKeyBits(key)} bits), point ${colon(key.point).slice(0, 23)}…`
    : key?.type === 'ed25519' ? `Ed25519, ${colon(key.key).slice(0, 23)}…`
    : key?.type === 'rsa' ? `RSA ${publicKeyBits(key)} bits, exponent ${key.e}`
    : `${cert.publicKeyAlgorithm.name} (${cert.publicKeyError?.message ?? 'unsupported'})`;
  field('Public key', keyText, keyPurpose(cert));
  lines.push(`  Extensions (${cert.extensions.length})`);
  for (const ext of cert.extensions) {
    lines.push(`    ${ext.name}${ext.critical ? ' [critical]' : ''}`);
    for (const line of explainExtension(cert, ext)) lines.push(`      ${line}`);
  }
  field('Signature', `${cert.signatureValue.length} bytes`, 'the issuer’s signature over the TBSCertificate; checked with the issuer’s public key');
  field('SHA-256 fingerprint', fingerprintSha256(cert).replace(/(..)(?!$)/g, '$1:'), 'a hash of the whole certificate, to recognize it');
  return lines.join('\n') + '\n';
}

/** What a certificate is, judged from itself alone: its basicConstraints and whether it signed itself. */
function standaloneRole(cert: Certificate): { name: string; why: string; kind: 'root' | 'intermediate' | 'leaf' } {
  const selfSigned = isSelfSigned(cert);
  // A v1 certificate cannot say it is a CA; a self-signed one is a (v1) root.
  if (isCA(cert) || (cert.version === 1 && selfSigned)) {
    return selfSigned
      ? { kind: 'root', name: 'root CA, self-signed', why: 'a trust anchor: installed in trust stores, it vouches for the chains that end at it; its own signature proves nothing' }
      : { kind: 'intermediate', name: 'intermediate CA', why: 'signed by another CA; it links the certificates it issues to a root' };
  }
  const purpose = leafPurpose(cert);
  return {
    kind: 'leaf',
    name: `leaf (end-entity)${purpose ? `, for TLS ${purpose}s` : ''}${selfSigned ? ', self-signed' : ''}`,
    why: selfSigned
      ? 'it signed itself: trusted only where it is installed or pinned as it is, since no CA vouches for it'
      : 'the certificate a TLS peer presents first; the CAs after it in the chain vouch for it',
  };
}

/** `server`, `client`, or undefined when the extendedKeyUsage allows both or neither (or is absent). */
function leafPurpose(cert: Certificate): 'server' | 'client' | undefined {
  const eku = cert.extendedKeyUsage ?? [];
  const server = eku.includes(OID.serverAuth);
  const client = eku.includes(OID.clientAuth);
  return server && !client ? 'server' : client && !server ? 'client' : undefined;
}

/** What the private half of the certificate's key does, given its role. */
function keyPurpose(cert: Certificate): string {
  const role = standaloneRole(cert);
  if (role.kind === 'root') return 'the root’s key signs the certificates this CA issues; who trusts this root checks those signatures with it. It never signs a TLS handshake';
  if (role.kind === 'intermediate') return 'this CA’s key signs the certificates below it; clients check those signatures with it. It never signs a TLS handshake';
  const who = leafPurpose(cert) ?? 'subject';
  return `the ${who === 'subject' ? 'subject' : who} proves it holds the private half by signing the TLS handshake (CertificateVerify, RFC 8446 §4.4.3)`;
}

/**
 * The public key in a few words: `EC P-256`, `Ed25519`, `RSA 2048`, or the algorithm's
 * name and why it is not supported.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, describePublicKey } from '@lucid-tls/tls/x509';
 * console.log(describePublicKey(createCertificateAuthority().certificate), describePublicKey(createCertificateAuthority({ keyType: 'ed25519' }).certificate)); // → EC P-256 Ed25519
 * ```
 */
export function describePublicKey(cert: Certificate): string {
  const key = cert.publicKey;
  if (key?.type === 'ec') return `EC ${key.curve}`;
  if (key?.type === 'ed25519') return 'Ed25519';
  if (key?.type === 'rsa') return `RSA ${publicKeyBits(key)}`;
  return `${cert.publicKeyAlgorithm.name} (unsupported)`;
}

/**
 * A validated path, leaf first, one line per certificate: its position and role, the
 * trust anchor marked, self-signed ones marked, then subject, key type and expiry.
 *
 * @example
 * ```ts
 * import { TrustStore, createCertificateAuthority, explainPath, issueCertificate, verifyChain } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example CA', organization: 'Example', keyType: 'ed25519' });
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const result = verifyChain([leaf.certificate], { trustStore: TrustStore.fromCertificates([ca.certificate]), hostname: 'example.com' });
 * if (result.ok) console.log(explainPath(result.path).split('\n')[1]!.split(' | expires ')[0]); // → 1 root, trust anchor, self-signed: O=Example, CN=Example CA | Ed25519
 * ```
 */
export function explainPath(path: readonly Certificate[]): string {
  return path
    .map((cert, i) => {
      const marks = [roleInPath(path, i), ...(i === path.length - 1 ? ['trust anchor'] : []), ...(isSelfSigned(cert) ? ['self-signed'] : [])];
      return `${i} ${marks.join(', ')}: ${formatName(cert.subject)} | ${describePublicKey(cert)} | expires ${cert.notAfter.toISOString()}`;
    })
    .join('\n');
}

function explainExtension(cert: Certificate, ext: Extension): string[] {
  const names = (list: readonly GeneralName[] | undefined) => (list ?? []).map((n) => `${n.type}: ${n.value}`);
  switch (ext.name) {
    case 'basicConstraints': {
      const bc = cert.basicConstraints!;
      return [
        bc.cA ? `CA: yes${bc.pathLenConstraint !== undefined ? `, at most ${bc.pathLenConstraint} intermediate CA(s) below` : ''}` : 'CA: no',
        bc.cA ? '└ this key may sign other certificates' : '└ an end-entity certificate: its key may not sign certificates',
      ];
    }
    case 'keyUsage':
      return [cert.keyUsage!.join(', '), '└ the operations the key may be used for'];
    case 'extKeyUsage':
      return [cert.extendedKeyUsage!.map(oidName).join(', '), '└ the purposes: serverAuth for TLS servers, clientAuth for TLS clients'];
    case 'subjectAltName':
      return [...names(cert.subjectAltNames), '└ the names this certificate is valid for; the only ones a TLS client checks'];
    case 'issuerAltName':
      return names(cert.issuerAltNames);
    case 'nameConstraints': {
      const nc = cert.nameConstraints!;
      return [
        ...nc.permitted.map((s) => `permitted ${s.base.type}: ${s.base.value}`),
        ...nc.excluded.map((s) => `excluded ${s.base.type}: ${s.base.value}`),
        '└ the names certificates below this CA may (or may not) carry',
      ];
    }
    case 'subjectKeyIdentifier':
      return [colon(cert.subjectKeyIdentifier!), '└ an identifier of this key, matched by the authorityKeyIdentifier of certificates it signs'];
    case 'authorityKeyIdentifier':
      return [
        cert.authorityKeyIdentifier!.keyIdentifier ? colon(cert.authorityKeyIdentifier!.keyIdentifier) : '(no key identifier)',
        '└ which issuer key signed this: helps find the issuer’s certificate',
      ];
    case 'authorityInfoAccess':
      return [...cert.authorityInfoAccess!.map((a) => `${a.methodName}: ${a.location.value}`), '└ where to ask about revocation (OCSP) and fetch the issuer (caIssuers)'];
    case 'cRLDistributionPoints':
      return [...cert.crlDistributionPoints!.flatMap((d) => names(d.fullName)), '└ where the issuer publishes its list of revoked certificates'];
    case 'certificatePolicies':
      return [
        ...cert.certificatePolicies!.map((p) => `${oidName(p.policyIdentifier)}${p.qualifiers.length ? ` (${p.qualifiers.map((q) => q.value).join(', ')})` : ''}`),
        '└ the rules under which the CA issued it (e.g. 2.23.140.1.2.1: domain validated)',
      ];
    case 'signedCertificateTimestampList':
      return [`${cert.sctList!.length} bytes`, '└ promises from Certificate Transparency logs that this certificate is publicly logged'];
    case 'acmeIdentifier':
      return [
        ext.value.length === 34 ? colon(ext.value.subarray(2)) : `${ext.value.length} bytes`,
        '└ the SHA-256 of an ACME key authorization: a tls-alpn-01 challenge certificate (RFC 8737 §3), for validation only',
      ];
    default:
      return [`${ext.value.length} bytes`, ext.critical ? '└ unknown and critical: validation fails' : '└ not decoded here; non-critical, so it may be ignored'];
  }
}

/** The JSON form of a certificate signing request (`lucid-tls x509 show --json` on a CSR). */
export interface CsrJson {
  /** Always `"certificate signing request"`, to tell it from a certificate. */
  kind: 'certificate signing request';
  subject: Record<string, string | string[]>;
  subjectAltNames: { type: string; value: string }[];
  publicKey: CertificateJson['publicKey'];
  signatureAlgorithm: string;
  /** Whether the signature verifies under the request's own key (null: algorithm not supported). */
  signatureValid: boolean | null;
  attributes: string[];
  extensions: { oid: string; name: string; critical: boolean }[];
}

/** The key as {@link CertificateJson} shows it. */
function keyJson(key: Certificate['publicKey'], algorithmName: string, error: string | undefined): CertificateJson['publicKey'] {
  return key?.type === 'ec' ? { algorithm: 'EC', curve: key.curve, bits: publicKeyBits(key) }
    : key?.type === 'ed25519' ? { algorithm: 'Ed25519', curve: 'Ed25519', bits: 255 }
    : key?.type === 'rsa' ? { algorithm: 'RSA', bits: publicKeyBits(key) }
    : { algorithm: algorithmName, error: error ?? 'unsupported' };
}

function csrSignatureValid(csr: CertificationRequest): boolean | null {
  try {
    return verifyCsrSignature(csr);
  } catch {
    return null;
  }
}

/**
 * The JSON object for a certificate signing request.
 *
 * @example
 * ```ts
 * import { createCsr, csrToJson, generatePrivateKey, parseCsr } from '@lucid-tls/tls/x509';
 * const json = csrToJson(parseCsr(createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] })));
 * console.log(json.subjectAltNames, json.signatureValid); // → [ { type: 'dns', value: 'example.com' } ] true
 * ```
 */
export function csrToJson(csr: CertificationRequest): CsrJson {
  return {
    kind: 'certificate signing request',
    subject: nameToObject(csr.subject),
    subjectAltNames: (csr.subjectAltNames ?? []).map(nameJson),
    publicKey: keyJson(csr.publicKey, csr.publicKeyAlgorithm.name, csr.publicKeyError?.message),
    signatureAlgorithm: describeSignatureAlgorithm(csr.signatureAlgorithm),
    signatureValid: csrSignatureValid(csr),
    attributes: csr.attributes.map((a) => a.name),
    extensions: csr.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical })),
  };
}

/**
 * A certificate signing request explained line by line, as {@link explainCertificate} does.
 *
 * @example
 * ```ts
 * import { createCsr, explainCsr, generatePrivateKey, parseCsr } from '@lucid-tls/tls/x509';
 * const text = explainCsr(parseCsr(createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] })));
 * console.log(text.split('\n')[0]!.startsWith('Certificate signing request (PKCS#10, RFC 2986)')); // → true
 * ```
 */
export function explainCsr(csr: CertificationRequest): string {
  const lines: string[] = [];
  const field = (name: string, value: string, why?: string) => {
    lines.push(`  ${name.padEnd(20)} ${value}`);
    if (why) lines.push(`  ${''.padEnd(20)} └ ${why}`);
  };
  lines.push(`Certificate signing request (PKCS#10, RFC 2986), ${csr.der.length} bytes of DER`);
  field('Subject', formatName(csr.subject) || '(empty)', 'the name asked for; CAs take the names from the requested subjectAltName');
  const key = keyJson(csr.publicKey, csr.publicKeyAlgorithm.name, csr.publicKeyError?.message);
  field('Public key', `${key.algorithm}${key.curve && key.algorithm !== 'Ed25519' ? ` ${key.curve}` : ''}${key.bits ? ` (${key.bits} bits)` : ''}${key.error ? ` (${key.error})` : ''}`, 'the key to be certified');
  const names = (csr.subjectAltNames ?? []).map((n) => `${n.type}: ${n.value}`);
  field('Requested names', names.length > 0 ? names.join(', ') : '(none)', 'the subjectAltName of the extensionRequest attribute (RFC 2985 §5.4.2)');
  for (const ext of csr.extensions.filter((e) => e.oid !== OID.subjectAltName)) field('Requested extension', `${ext.name}${ext.critical ? ' [critical]' : ''}`);
  for (const a of csr.attributes.filter((a) => a.oid !== OID.extensionRequest)) field('Attribute', a.name);
  const valid = csrSignatureValid(csr);
  field(
    'Signature',
    `${describeSignatureAlgorithm(csr.signatureAlgorithm)}, ${valid === null ? 'algorithm not supported' : valid ? 'valid' : 'DOES NOT VERIFY'}`,
    'made with the private key itself: proves the requester holds it',
  );
  return lines.join('\n') + '\n';
}
