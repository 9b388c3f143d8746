/**
 * The validator against `openssl verify`: chains made by openssl at test time, each
 * good or broken in one way, must get the same verdict from both, and the failure our
 * error code names must be the failure OpenSSL reports (its X509_V_ERR number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OpensslPki, EXT } from './openssl-pki.js';
import type { Issued, KeyType } from './openssl-pki.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { verifyChain } from '../../src/x509/verify.js';
import type { X509ErrorCode } from '../../src/x509/errors.js';
import { pemBlocks } from '../../src/x509/pem.js';

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
}

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
}

const day = 86_400_000;
const later = (days: number) => new Date(Date.now() + days * day);

/** A root, an intermediate and a leaf; `tweak` changes any of their specs. */
function chain(
  pki: OpensslPki,
  id: string,
  tweak: { root?: string[]; inter?: string[]; leaf?: string[]; rootDays?: number; interDays?: number; leafDays?: number; rootKey?: KeyType; md?: 'sha256' | 'sha384' | 'sha512' } = {},
) {
  const root = pki.cert({ cn: `Root ${id}`, ext: tweak.root ?? EXT.root, days: tweak.rootDays, keyType: tweak.rootKey, md: tweak.md });
  const inter = pki.cert({ cn: `Intermediate ${id}`, issuer: root, ext: tweak.inter ?? EXT.intermediate, days: tweak.interDays, md: tweak.md });
  const leaf = pki.cert({ cn: `leaf ${id}`, issuer: inter, ext: tweak.leaf ?? EXT.server(), days: tweak.leafDays });
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
  { name: 'a P-384 root with SHA-256', code: null, build: (p, id) => standard(p, id, { rootKey: 'p384' }) },
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
      const leaf = p.cert({ cn: `leaf ${id}`, issuer: right, ext: [...EXT.server(), 'authorityKeyIdentifier = none'] });
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
];

describe('verifyChain agrees with openssl verify', () => {
  let pki: OpensslPki;
  beforeAll(() => {
    pki = new OpensslPki();
  });
  afterAll(() => pki.cleanup());

  scenarios.forEach((scenario, index) => {
    it(`${scenario.name} → ${scenario.code ?? 'OK'}${scenario.differs ? ' (differs from OpenSSL by design)' : ''}`, () => {
      const c = scenario.build(pki, `s${index}`);
      const untrustedFile = c.untrusted && c.untrusted.length > 0 ? pki.bundle(`untrusted-${index}.pem`, c.untrusted) : undefined;
      const openssl = pki.verify({
        caFile: c.caFile,
        untrusted: untrustedFile,
        leaf: c.leaf.certPath,
        purpose: c.purpose,
        hostname: c.hostname,
        ip: c.ip,
        at: c.at,
        verifyDepth: c.maxDepth === undefined ? undefined : c.maxDepth - 2,
      });
      const ours = verifyChain([c.leaf.der, ...(c.untrusted ?? []).map((u) => u.der)], {
        trustStore: TrustStore.fromPem(readFileSync(c.caFile, 'utf8')),
        purpose: c.purpose ?? 'server',
        hostname: c.hostname,
        ip: c.ip,
        at: c.at,
        maxDepth: c.maxDepth,
      });
      if (scenario.differs) {
        // A documented difference: OpenSSL decides the other way.
        expect({ openssl: openssl.ok, ours: ours.ok }, openssl.output).toEqual({ openssl: scenario.code !== null, ours: scenario.code === null });
        if (scenario.openssl !== undefined) expect(openssl.errors, openssl.output).toContain(scenario.openssl);
        if (!ours.ok) expect(ours.code).toBe(scenario.code);
        return;
      }
      // Both agree on the verdict…
      expect({ openssl: openssl.ok, ours: ours.ok }, openssl.output).toEqual({ openssl: scenario.code === null, ours: scenario.code === null });
      // …and on the reason.
      if (scenario.code !== null) {
        expect(ours.ok ? null : ours.code, ours.ok ? '' : ours.message).toBe(scenario.code);
        expect(openssl.errors, openssl.output).toContain(scenario.openssl);
      } else if (ours.ok) {
        expect(ours.path[0]!.der).toEqual(c.leaf.der);
        expect(pemBlocks(readFileSync(c.caFile, 'utf8'), 'CERTIFICATE').some((d) => Buffer.compare(Buffer.from(d), Buffer.from(ours.path.at(-1)!.der)) === 0)).toBe(true);
      }
    });
  });
});
