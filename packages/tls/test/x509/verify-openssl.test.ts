/**
 * The validator against `openssl verify`: chains made by openssl at test time, each
 * good or broken in one way, must get the same verdict from both, and the failure our
 * error code names must be the failure OpenSSL reports (its X509_V_ERR number).
 *
 * Every scenario is judged twice: our 'rfc5280' profile against `openssl verify`, and
 * our 'webpki' profile against `openssl verify -x509_strict` (OpenSSL's checks of the
 * RFC 5280 certificate profile). Where we decide otherwise on purpose, `differs` (or
 * `webpki.differs`) says why; these are the table in `src/x509/README.md`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OpensslPki, EXT } from './openssl-pki.js';
import type { Issued, KeyType, OpensslVerifyResult } from './openssl-pki.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { verifyChain } from '../../src/x509/verify.js';
import type { VerifyResult } from '../../src/x509/verify.js';
import type { X509ErrorCode } from '../../src/x509/errors.js';
import { pemBlocks } from '../../src/x509/pem.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { der } from '../../src/x509/der.js';
import { keyIdentifier } from '../../src/x509/issue.js';
import { verifyCertificateSignature } from '../../src/node/crypto/certificate-signatures.js';

/** OpenSSL's X509_V_ERR numbers (include/openssl/x509_vfy.h) for the failures we make. */
const V = {
  CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  CERT_CHAIN_TOO_LONG: 22,
  KEYUSAGE_NO_CERTSIGN: 32,
  INVALID_CA: 79,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  UNHANDLED_CRITICAL_EXTENSION: 34,
  PERMITTED_VIOLATION: 47,
  EXCLUDED_VIOLATION: 48,
  HOSTNAME_MISMATCH: 62,
  IP_ADDRESS_MISMATCH: 64,
  // -x509_strict only (OpenSSL 3.0).
  KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: 82,
  MISSING_AUTHORITY_KEY_IDENTIFIER: 85,
  MISSING_SUBJECT_KEY_IDENTIFIER: 86,
  CA_BCONS_NOT_CRITICAL: 89,
} as const;

interface Scenario {
  name: string;
  build: (pki: OpensslPki, id: string) => Case;
  /** Our expected result: null for valid, else the code. */
  code: X509ErrorCode | null;
  /** The OpenSSL error expected among those it prints (absent when it says OK). */
  openssl?: number;
  /** Set for a deliberate difference from OpenSSL: why we decide otherwise. */
  differs?: string;
  /**
   * The 'webpki' profile against `openssl verify -x509_strict`, where it is not judged as
   * above: our code, the OpenSSL error, and why we differ (when we do).
   */
  webpki?: Pick<Scenario, 'code' | 'openssl' | 'differs'>;
}

/** Extension lines with the line of the same extension replaced by `line` (or `line` added). */
const withLine = (ext: string[], line: string): string[] => {
  const name = (l: string) => l.split('=')[0]!.trim();
  return [...ext.filter((l) => name(l) !== name(line)), line];
};

const STRICT_ACCEPTS = 'OpenSSL 3.0 -x509_strict does not check this.';

interface Case {
  caFile: string;
  untrusted?: Issued[];
  leaf: Issued;
  purpose?: 'server' | 'client';
  hostname?: string;
  ip?: string;
  at?: Date;
  /** Our maxDepth; OpenSSL gets maxDepth − 2 as -verify_depth (it counts intermediates only). */
  maxDepth?: number;
  /** The leaf's key type (P-256 by default). */
  leafKey?: KeyType;
}

const day = 86_400_000;
const later = (days: number) => new Date(Date.now() + days * day);

/** A root, an intermediate and a leaf; `tweak` changes any of their specs. */
function chain(
  pki: OpensslPki,
  id: string,
  tweak: {
    root?: string[];
    inter?: string[];
    leaf?: string[];
    rootDays?: number;
    interDays?: number;
    leafDays?: number;
    rootKey?: KeyType;
    leafKey?: KeyType;
    md?: 'sha256' | 'sha384' | 'sha512';
    leafSerial?: string;
  } = {},
) {
  const root = pki.cert({ cn: `Root ${id}`, ext: tweak.root ?? EXT.root, days: tweak.rootDays, keyType: tweak.rootKey, md: tweak.md });
  const inter = pki.cert({ cn: `Intermediate ${id}`, issuer: root, ext: tweak.inter ?? EXT.intermediate, days: tweak.interDays, md: tweak.md });
  const leaf = pki.cert({ cn: `leaf ${id}`, issuer: inter, ext: tweak.leaf ?? EXT.server(), days: tweak.leafDays, keyType: tweak.leafKey, serial: tweak.leafSerial });
  return { root, inter, leaf };
}

const standard = (pki: OpensslPki, id: string, tweak: Parameters<typeof chain>[2] = {}, extra: Partial<Case> = {}): Case => {
  const { root, inter, leaf } = chain(pki, id, tweak);
  return { caFile: root.certPath, untrusted: [inter], leaf, hostname: 'example.com', ...extra };
};

const scenarios: Scenario[] = [
  { name: 'a good chain', code: null, build: (p, id) => standard(p, id) },
  {
    name: 'intermediates out of order, plus an unrelated extra one',
    code: null,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root });
      const i1 = p.cert({ cn: `I1 ${id}`, issuer: root, ext: EXT.intermediate });
      const i2 = p.cert({ cn: `I2 ${id}`, issuer: i1, ext: EXT.intermediate });
      const stray = p.cert({ cn: `Stray ${id}`, ext: EXT.root });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: i2, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [stray, i1, i2], leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a missing intermediate',
    code: 'unknown_issuer',
    openssl: V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    build: (p, id) => ({ ...standard(p, id), untrusted: [] }),
  },
  {
    name: 'a root that is not trusted',
    code: 'unknown_issuer',
    openssl: V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    build: (p, id) => ({ ...standard(p, id), caFile: p.cert({ cn: `Other root ${id}`, ext: EXT.root }).certPath }),
  },
  {
    name: 'a self-signed leaf not in the trust store',
    code: 'unknown_issuer',
    openssl: V.DEPTH_ZERO_SELF_SIGNED_CERT,
    build: (p, id) => {
      const leaf = p.cert({ cn: `self ${id}`, ext: EXT.server() });
      return { caFile: p.cert({ cn: `Root ${id}`, ext: EXT.root }).certPath, leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a self-signed leaf that is trusted directly',
    code: null,
    build: (p, id) => {
      const leaf = p.cert({ cn: `self ${id}`, ext: EXT.server() });
      return { caFile: leaf.certPath, leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a corrupted leaf signature',
    code: 'bad_signature',
    openssl: V.CERT_SIGNATURE_FAILURE,
    build: (p, id) => {
      const c = standard(p, id);
      return { ...c, leaf: p.corruptSignature(c.leaf) };
    },
  },
  {
    name: 'a corrupted intermediate signature',
    code: 'bad_signature',
    openssl: V.CERT_SIGNATURE_FAILURE,
    build: (p, id) => {
      const c = standard(p, id);
      return { ...c, untrusted: [p.corruptSignature(c.untrusted![0]!)] };
    },
  },
  { name: 'an expired leaf', code: 'expired', openssl: V.CERT_HAS_EXPIRED, build: (p, id) => standard(p, id, { leafDays: 1 }, { at: later(3) }) },
  { name: 'an expired intermediate', code: 'expired', openssl: V.CERT_HAS_EXPIRED, build: (p, id) => standard(p, id, { interDays: 1 }, { at: later(3) }) },
  { name: 'an expired root', code: 'expired', openssl: V.CERT_HAS_EXPIRED, build: (p, id) => standard(p, id, { rootDays: 1 }, { at: later(3) }) },
  { name: 'a chain used within its validity', code: null, build: (p, id) => standard(p, id, { leafDays: 5 }, { at: later(3) }) },
  { name: 'a chain not yet valid', code: 'not_yet_valid', openssl: V.CERT_NOT_YET_VALID, build: (p, id) => standard(p, id, {}, { at: later(-3) }) },
  {
    name: 'an intermediate with cA false',
    code: 'not_a_ca',
    openssl: V.INVALID_CA,
    build: (p, id) => standard(p, id, { inter: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,keyCertSign'] }),
  },
  {
    name: 'an intermediate without basicConstraints',
    code: 'not_a_ca',
    openssl: V.INVALID_CA,
    build: (p, id) => standard(p, id, { inter: ['keyUsage = critical,keyCertSign'] }),
  },
  {
    name: 'an intermediate whose keyUsage lacks keyCertSign',
    code: 'ca_key_usage',
    openssl: V.KEYUSAGE_NO_CERTSIGN,
    build: (p, id) => standard(p, id, { inter: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,digitalSignature,cRLSign'] }),
  },
  {
    name: 'a root with pathlen:0 above an intermediate',
    code: 'path_length_exceeded',
    openssl: V.PATH_LENGTH_EXCEEDED,
    build: (p, id) => standard(p, id, { root: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign'] }),
  },
  {
    name: 'an intermediate with pathlen:0 directly above the leaf',
    code: null,
    build: (p, id) => standard(p, id, { inter: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign'] }),
  },
  {
    name: 'an intermediate with pathlen:0 above another intermediate',
    code: 'path_length_exceeded',
    openssl: V.PATH_LENGTH_EXCEEDED,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root });
      const i1 = p.cert({ cn: `I1 ${id}`, issuer: root, ext: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign'] });
      const i2 = p.cert({ cn: `I2 ${id}`, issuer: i1, ext: EXT.intermediate });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: i2, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [i1, i2], leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a leaf for clientAuth used by a server',
    code: 'extended_key_usage',
    openssl: V.INVALID_PURPOSE,
    build: (p, id) => standard(p, id, { leaf: ['keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth', 'subjectAltName = DNS:example.com'] }),
  },
  {
    name: 'a leaf for clientAuth used by a client',
    code: null,
    build: (p, id) => ({
      ...standard(p, id, { leaf: ['keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth', 'subjectAltName = email:alice@example.com'] }),
      purpose: 'client',
      hostname: undefined,
    }),
  },
  {
    name: 'a server leaf used by a client',
    code: 'extended_key_usage',
    openssl: V.INVALID_PURPOSE,
    build: (p, id) => ({ ...standard(p, id), purpose: 'client', hostname: undefined }),
  },
  {
    name: 'an intermediate restricted to clientAuth, for a server',
    code: 'extended_key_usage',
    openssl: V.INVALID_PURPOSE,
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, 'extendedKeyUsage = clientAuth'] }),
  },
  {
    name: 'an intermediate restricted to serverAuth, for a server',
    code: null,
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, 'extendedKeyUsage = serverAuth'] }),
  },
  {
    name: 'a leaf whose keyUsage lacks digitalSignature',
    code: 'leaf_key_usage',
    openssl: V.INVALID_PURPOSE,
    build: (p, id) => standard(p, id, { leaf: ['keyUsage = critical,cRLSign', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:example.com'] }),
  },
  { name: 'a host name not in the SAN', code: 'hostname_mismatch', openssl: V.HOSTNAME_MISMATCH, build: (p, id) => ({ ...standard(p, id), hostname: 'example.org' }) },
  { name: 'a host name in another case', code: null, build: (p, id) => ({ ...standard(p, id), hostname: 'EXAMPLE.Com' }) },
  { name: 'a wildcard over one label', code: null, build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('DNS:*.example.com') }), hostname: 'www.example.com' }) },
  {
    name: 'a wildcard over two labels',
    code: 'hostname_mismatch',
    openssl: V.HOSTNAME_MISMATCH,
    build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('DNS:*.example.com') }), hostname: 'a.b.example.com' }),
  },
  {
    name: 'a wildcard against the bare domain',
    code: 'hostname_mismatch',
    openssl: V.HOSTNAME_MISMATCH,
    build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('DNS:*.example.com') }), hostname: 'example.com' }),
  },
  {
    name: 'a wildcard on a public suffix',
    code: 'hostname_mismatch',
    openssl: V.HOSTNAME_MISMATCH,
    build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('DNS:*.com') }), hostname: 'example.com' }),
  },
  { name: 'an IP address in the SAN', code: null, build: (p, id) => ({ ...standard(p, id), hostname: undefined, ip: '127.0.0.1' }) },
  { name: 'an IPv6 address in the SAN', code: null, build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('IP:2001:db8::1') }), hostname: undefined, ip: '2001:db8:0:0::1' }) },
  {
    name: 'an IP address not in the SAN',
    code: 'ip_address_mismatch',
    openssl: V.IP_ADDRESS_MISMATCH,
    build: (p, id) => ({ ...standard(p, id), hostname: undefined, ip: '127.0.0.2' }),
  },
  {
    name: 'an IP address present only as a DNS name',
    code: 'ip_address_mismatch',
    openssl: V.IP_ADDRESS_MISMATCH,
    build: (p, id) => ({ ...standard(p, id, { leaf: EXT.server('DNS:127.0.0.1') }), hostname: undefined, ip: '127.0.0.1' }),
  },
  {
    name: 'an unknown critical extension in the leaf',
    code: 'unknown_critical_extension',
    openssl: V.UNHANDLED_CRITICAL_EXTENSION,
    build: (p, id) => standard(p, id, { leaf: [...EXT.server(), '1.3.6.1.4.1.55555.1 = critical,ASN1:NULL'] }),
  },
  {
    name: 'an unknown critical extension in the intermediate',
    code: 'unknown_critical_extension',
    openssl: V.UNHANDLED_CRITICAL_EXTENSION,
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, '1.3.6.1.4.1.55555.1 = critical,ASN1:NULL'] }),
  },
  { name: 'an unknown non-critical extension', code: null, build: (p, id) => standard(p, id, { leaf: [...EXT.server(), '1.3.6.1.4.1.55555.1 = ASN1:NULL'] }) },
  {
    name: 'a DNS name inside a permitted subtree',
    code: null,
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, 'nameConstraints = critical,permitted;DNS:example.com,permitted;IP:127.0.0.0/255.0.0.0'] }),
  },
  {
    name: 'a DNS name outside the permitted subtrees',
    code: 'name_constraints_violation',
    openssl: V.PERMITTED_VIOLATION,
    build: (p, id) => ({
      ...standard(p, id, { inter: [...EXT.intermediate, 'nameConstraints = critical,permitted;DNS:example.com'], leaf: EXT.server('DNS:example.com, DNS:badexample.com') }),
    }),
  },
  {
    name: 'a DNS name in an excluded subtree',
    code: 'name_constraints_violation',
    openssl: V.EXCLUDED_VIOLATION,
    build: (p, id) => standard(p, id, { root: [...EXT.root, 'nameConstraints = critical,excluded;DNS:example.com'] }),
  },
  {
    name: 'an IP address outside the permitted range',
    code: 'name_constraints_violation',
    openssl: V.PERMITTED_VIOLATION,
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, 'nameConstraints = critical,permitted;IP:10.0.0.0/255.0.0.0'] }),
  },
  { name: 'an RSA root (PKCS#1 v1.5, SHA-256)', code: null, build: (p, id) => standard(p, id, { rootKey: 'rsa' }) },
  { name: 'an RSA root (PKCS#1 v1.5, SHA-512)', code: null, build: (p, id) => standard(p, id, { rootKey: 'rsa', md: 'sha512' }) },
  {
    name: 'an RSA root signing with RSASSA-PSS, SHA-384',
    code: null,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root, keyType: 'rsa' });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: root, ext: EXT.server(), md: 'sha384', sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest'] });
      return { caFile: root.certPath, leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'an RSASSA-PSS signature, corrupted',
    code: 'bad_signature',
    openssl: V.CERT_SIGNATURE_FAILURE,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root, keyType: 'rsa' });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: root, ext: EXT.server(), sigopts: ['rsa_padding_mode:pss'] });
      return { caFile: root.certPath, leaf: p.corruptSignature(leaf), hostname: 'example.com' };
    },
  },
  { name: 'an Ed25519 root', code: null, build: (p, id) => standard(p, id, { rootKey: 'ed25519' }) },
  ...(['ed25519', 'rsa', 'p384'] as const).map((rootKey): Scenario => ({
    name: `a corrupted signature by a ${rootKey} root`,
    code: 'bad_signature',
    openssl: V.CERT_SIGNATURE_FAILURE,
    build: (p, id) => {
      const c = standard(p, id, { rootKey });
      return { ...c, untrusted: [p.corruptSignature(c.untrusted![0]!)] };
    },
  })),
  { name: 'a P-384 root with SHA-384', code: null, build: (p, id) => standard(p, id, { rootKey: 'p384', md: 'sha384' }) },
  {
    name: 'a P-384 root with SHA-256',
    code: null,
    webpki: {
      code: 'signature_algorithm_not_allowed',
      differs: 'TLS 1.3 pairs P-384 with SHA-384 (ecdsa_secp384r1_sha384, RFC 8446 §4.2.3), as the Baseline Requirements §7.1.3.2 do; OpenSSL takes any hash.',
    },
    build: (p, id) => standard(p, id, { rootKey: 'p384' }),
  },
  {
    name: 'two intermediates for one key, the first expired: the other path is taken',
    code: null,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root });
      const old = p.cert({ cn: `Intermediate ${id}`, issuer: root, ext: EXT.intermediate, days: 1 });
      const renewed = p.cert({ cn: `Intermediate ${id}`, file: `Renewed ${id}`, issuer: root, ext: EXT.intermediate, keyPath: old.keyPath });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: old, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [old, renewed], leaf, hostname: 'example.com', at: later(3) };
    },
  },
  {
    name: 'a chain longer than the maximum depth',
    code: 'path_too_long',
    openssl: V.CERT_CHAIN_TOO_LONG,
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root });
      const i1 = p.cert({ cn: `I1 ${id}`, issuer: root, ext: EXT.intermediate });
      const i2 = p.cert({ cn: `I2 ${id}`, issuer: i1, ext: EXT.intermediate });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: i2, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [i1, i2], leaf, hostname: 'example.com', maxDepth: 3 };
    },
  },
  {
    name: 'a chain exactly at the maximum depth',
    code: null,
    build: (p, id) => ({ ...standard(p, id), maxDepth: 3 }),
  },
  {
    name: 'a leaf with anyExtendedKeyUsage only',
    code: 'extended_key_usage',
    openssl: V.INVALID_PURPOSE,
    webpki: { code: 'leaf_any_extended_key_usage', openssl: V.INVALID_PURPOSE },
    build: (p, id) => standard(p, id, { leaf: ['keyUsage = critical,digitalSignature', 'extendedKeyUsage = anyExtendedKeyUsage', 'subjectAltName = DNS:example.com'] }),
  },
  {
    name: 'an intermediate with the right name but another key, before the right one',
    code: null,
    openssl: V.CERT_SIGNATURE_FAILURE,
    differs: 'OpenSSL does not try another issuer after a signature fails; we do (alternative paths).',
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root });
      const right = p.cert({ cn: `Intermediate ${id}`, issuer: root, ext: EXT.intermediate });
      const impostor = p.cert({ cn: `Intermediate ${id}`, file: `Impostor ${id}`, issuer: root, ext: ['basicConstraints = critical,CA:TRUE', 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'] });
      // The leaf names its issuer's key, but the impostor has no subjectKeyIdentifier to contradict it.
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: right, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [impostor, right], leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a host name with a trailing dot',
    code: null,
    openssl: V.HOSTNAME_MISMATCH,
    differs: 'an absolute name "example.com." is the same host as "example.com" (RFC 6125 §6.4.1 compares without it); OpenSSL does not strip it.',
    build: (p, id) => ({ ...standard(p, id), hostname: 'example.com.' }),
  },
  {
    name: 'a leaf with its host name only in the CN',
    code: 'hostname_mismatch',
    differs: 'we never match the subject CN (RFC 9525, CA/B Baseline Requirements); OpenSSL falls back to it when there is no DNS SAN.',
    build: (p, id) => {
      const { root, inter } = chain(p, id);
      const leaf = p.cert({ cn: 'example.com', file: `cn-only ${id}`, issuer: inter, ext: ['keyUsage = critical,digitalSignature', 'extendedKeyUsage = serverAuth'] });
      return { caFile: root.certPath, untrusted: [inter], leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a leaf whose keyUsage is keyEncipherment only',
    code: 'leaf_key_usage',
    differs: 'TLS 1.3 servers sign, so RFC 8446 §4.4.2.2 requires digitalSignature; OpenSSL accepts keyEncipherment (TLS 1.2 RSA key exchange).',
    build: (p, id) => standard(p, id, { leaf: ['keyUsage = critical,keyEncipherment', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:example.com'] }),
  },
  // The 'webpki' profile's rules, one broken at a time: 'rfc5280' and plain OpenSSL accept each chain.
  {
    name: 'a leaf serial number of zero',
    code: null,
    webpki: { code: 'serial_number_invalid', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leafSerial: '0' }),
  },
  {
    name: 'a negative leaf serial number',
    code: null,
    webpki: { code: 'serial_number_invalid', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leafSerial: '-1' }),
  },
  {
    name: 'a leaf serial number of 21 octets',
    code: null,
    webpki: { code: 'serial_number_invalid', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leafSerial: '0x0102030405060708090a0b0c0d0e0f101112131415' }),
  },
  {
    name: 'a leaf without authorityKeyIdentifier',
    code: null,
    webpki: { code: 'authority_key_identifier_missing', openssl: V.MISSING_AUTHORITY_KEY_IDENTIFIER },
    build: (p, id) => standard(p, id, { leaf: [...EXT.server(), 'authorityKeyIdentifier = none'] }),
  },
  {
    name: 'a critical authorityKeyIdentifier in the leaf',
    code: null,
    openssl: V.UNHANDLED_CRITICAL_EXTENSION,
    differs: 'RFC 5280 §4.2.1.1 tells CAs not to mark it critical, and we understand it, so \'rfc5280\' accepts it; OpenSSL does not process a critical authorityKeyIdentifier.',
    // OpenSSL stops at the critical extension it does not process before its strict check (AUTHORITY_KEY_IDENTIFIER_CRITICAL) is reached.
    webpki: { code: 'authority_key_identifier_critical', openssl: V.UNHANDLED_CRITICAL_EXTENSION },
    build: (p, id) => standard(p, id, { leaf: [...EXT.server(), 'authorityKeyIdentifier = critical,keyid'] }),
  },
  {
    name: 'a root whose authorityKeyIdentifier also names issuer and serial',
    code: null,
    webpki: { code: 'root_authority_key_identifier', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { root: [...EXT.root, 'authorityKeyIdentifier = keyid:always,issuer:always'] }),
  },
  {
    name: 'an intermediate without subjectKeyIdentifier',
    code: null,
    webpki: { code: 'subject_key_identifier_missing', openssl: V.MISSING_SUBJECT_KEY_IDENTIFIER },
    build: (p, id) => standard(p, id, { inter: [...EXT.intermediate, 'subjectKeyIdentifier = none'] }),
  },
  {
    name: 'an intermediate whose basicConstraints is not critical',
    code: null,
    webpki: { code: 'basic_constraints_not_critical', openssl: V.CA_BCONS_NOT_CRITICAL },
    build: (p, id) => standard(p, id, { inter: withLine(EXT.intermediate, 'basicConstraints = CA:TRUE') }),
  },
  {
    name: 'a leaf that says it is a CA',
    code: null,
    webpki: { code: 'leaf_is_ca', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leaf: withLine(EXT.server(), 'basicConstraints = critical,CA:TRUE') }),
  },
  {
    name: 'a leaf whose keyUsage includes keyCertSign',
    code: null,
    webpki: { code: 'leaf_key_cert_sign', openssl: V.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA },
    build: (p, id) => standard(p, id, { leaf: withLine(EXT.server(), 'keyUsage = critical,digitalSignature,keyCertSign') }),
  },
  {
    name: 'a leaf with a critical subjectAltName and a subject',
    code: null,
    webpki: { code: 'subject_alt_name_criticality', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leaf: withLine(EXT.server(), 'subjectAltName = critical,DNS:example.com') }),
  },
  {
    name: 'a leaf without extendedKeyUsage',
    code: null,
    webpki: { code: 'leaf_extended_key_usage_missing', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leaf: EXT.server().filter((l) => !l.startsWith('extendedKeyUsage')) }),
  },
  {
    name: 'a leaf with a critical extendedKeyUsage',
    code: null,
    webpki: { code: 'extended_key_usage_critical', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leaf: withLine(EXT.server(), 'extendedKeyUsage = critical,serverAuth') }),
  },
  {
    name: 'a root with an extendedKeyUsage',
    code: null,
    webpki: { code: 'root_extended_key_usage', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { root: [...EXT.root, 'extendedKeyUsage = serverAuth'] }),
  },
  {
    name: 'a leaf with nameConstraints',
    code: null,
    webpki: { code: 'name_constraints_in_leaf', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leaf: [...EXT.server(), 'nameConstraints = critical,permitted;DNS:example.com'] }),
  },
  ...(['rsa1024', 'p192', 'dsa'] as const).map((leafKey): Scenario => ({
    name: `a ${leafKey} leaf key`,
    code: null,
    webpki: { code: 'leaf_key_not_allowed', differs: STRICT_ACCEPTS },
    build: (p, id) => standard(p, id, { leafKey }),
  })),
  {
    name: 'an RSASSA-PSS signature with a salt longer than the hash',
    code: null,
    webpki: { code: 'signature_algorithm_not_allowed', differs: 'rsa_pss_rsae_sha256 fixes the salt at the hash length (RFC 8446 §4.2.3); OpenSSL takes any salt length.' },
    build: (p, id) => {
      const root = p.cert({ cn: `Root ${id}`, ext: EXT.root, keyType: 'rsa' });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: root, ext: EXT.server(), sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:max'] });
      return { caFile: root.certPath, leaf, hostname: 'example.com' };
    },
  },
  {
    name: 'a v3 root without basicConstraints',
    code: null,
    webpki: { code: 'trust_anchor_without_basic_constraints', openssl: V.INVALID_CA },
    build: (p, id) => standard(p, id, { root: ['keyUsage = critical,keyCertSign'] }),
  },
  {
    name: 'a v1 root',
    code: null,
    webpki: { code: null, openssl: V.INVALID_CA, differs: 'v1 roots cannot carry basicConstraints and are still accepted as trust anchors (RFC 5280 §6.1.1 (d)); -x509_strict refuses them.' },
    build: (p, id) => {
      const root = p.v1Root(`V1 root ${id}`);
      // A v1 root has no subjectKeyIdentifier to copy: the intermediate's AKI is the SHA-256 key identifier, as DER.
      const aki = der.sequence(der.implicit(0, keyIdentifier(parseCertificate(root.der).publicKey!)));
      const inter = p.cert({ cn: `Intermediate ${id}`, issuer: root, ext: [...EXT.intermediate, `authorityKeyIdentifier = DER:${Buffer.from(aki).toString('hex')}`] });
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: inter, ext: EXT.server() });
      return { caFile: root.certPath, untrusted: [inter], leaf, hostname: 'example.com' };
    },
  },
];

describe('verifyChain agrees with openssl verify', () => {
  let pki: OpensslPki;
  beforeAll(() => {
    pki = new OpensslPki();
  });
  afterAll(() => pki.cleanup());

  scenarios.forEach((scenario, index) => {
    const webpki = scenario.webpki ?? { code: scenario.code, openssl: scenario.openssl, differs: scenario.differs };
    const label = (j: Pick<Scenario, 'code' | 'differs'>) => `${j.code ?? 'OK'}${j.differs ? ' (differs by design)' : ''}`;
    it(`${scenario.name} → rfc5280: ${label(scenario)}; webpki: ${label(webpki)}`, () => {
      const c = scenario.build(pki, `s${index}`);
      const untrustedFile = c.untrusted && c.untrusted.length > 0 ? pki.bundle(`untrusted-${index}.pem`, c.untrusted) : undefined;
      const trustStore = TrustStore.fromPem(readFileSync(c.caFile, 'utf8'));
      for (const [profile, expected] of [['rfc5280', scenario], ['webpki', webpki]] as const) {
        const openssl = pki.verify({
          caFile: c.caFile,
          untrusted: untrustedFile,
          leaf: c.leaf.certPath,
          purpose: c.purpose,
          hostname: c.hostname,
          ip: c.ip,
          at: c.at,
          verifyDepth: c.maxDepth === undefined ? undefined : c.maxDepth - 2,
          strict: profile === 'webpki',
        });
        const chain = [c.leaf.der, ...(c.untrusted ?? []).map((u) => u.der)];
        const options = { trustStore, purpose: c.purpose ?? 'server', profile, hostname: c.hostname, ip: c.ip, at: c.at, maxDepth: c.maxDepth } as const;
        const ours = verifyChain(chain, options);
        judge(profile, expected, openssl, ours, c);
        // The signatures checked by OpenSSL (as the Node adapters do natively): the same verdict.
        const native = verifyChain(chain, { ...options, verifySignature: verifyCertificateSignature });
        expect(native.ok ? 'ok' : native.code).toBe(ours.ok ? 'ok' : ours.code);
      }
    });
  });
});

/** Asserts one comparison: the same verdict and reason as OpenSSL, or the documented difference. */
function judge(profile: string, expected: Pick<Scenario, 'code' | 'openssl' | 'differs'>, openssl: OpensslVerifyResult, ours: VerifyResult, c: Case): void {
  const context = `${profile}: ${ours.ok ? 'OK' : ours.message}\n${openssl.output}`;
  if (expected.differs) {
    // A documented difference: OpenSSL decides the other way.
    expect({ openssl: openssl.ok, ours: ours.ok }, context).toEqual({ openssl: expected.code !== null, ours: expected.code === null });
    if (expected.openssl !== undefined) expect(openssl.errors, context).toContain(expected.openssl);
    if (!ours.ok) expect(ours.code, context).toBe(expected.code);
    return;
  }
  // Both agree on the verdict…
  expect({ openssl: openssl.ok, ours: ours.ok }, context).toEqual({ openssl: expected.code === null, ours: expected.code === null });
  // …and on the reason.
  if (expected.code !== null) {
    expect(ours.ok ? null : ours.code, context).toBe(expected.code);
    expect(openssl.errors, context).toContain(expected.openssl);
  } else if (ours.ok) {
    expect(ours.path[0]!.der).toEqual(c.leaf.der);
    expect(pemBlocks(readFileSync(c.caFile, 'utf8'), 'CERTIFICATE').some((d) => Buffer.compare(Buffer.from(d), Buffer.from(ours.path.at(-1)!.der)) === 0)).toBe(true);
  }
}
