/**
 * Validation rules not covered by the OpenSSL matrix (verify-openssl.test.ts), on
 * chains built with our own issuer so each field can be set exactly.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { der } from '../../src/x509/der.js';
import { encodeExtension } from '../../src/x509/extensions.js';
import { generatePrivateKey, keyIdentifier } from '../../src/x509/issue.js';
import { publicKeyFromPrivateKey } from '../../src/x509/keys.js';
import { encodeGeneralName, encodeName } from '../../src/x509/name.js';
import { OID } from '../../src/x509/oid.js';
import { encodePem } from '../../src/x509/pem.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { verifyChain } from '../../src/x509/verify.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { OpensslPki } from './openssl-pki.js';
import { at, caExt, leafExt, make, notAfter, notBefore, storeOf, type Made } from './chain-builder.js';

describe('verifyChain', () => {
  const root = make('Root', caExt());
  const leaf = make('leaf', leafExt(), root);

  it('an empty chain, and a malformed certificate in the chain', () => {
    expect(verifyChain([], { trustStore: storeOf(root), at })).toMatchObject({ ok: false, code: 'empty_chain' });
    const result = verifyChain([leaf.der, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])], { trustStore: storeOf(root), at });
    expect(result).toMatchObject({ ok: false, code: 'certificate_malformed' });
    expect(result.ok ? '' : result.message).toMatch(/certificate 1/);
  });

  it('validity bounds are inclusive', () => {
    const opts = { trustStore: storeOf(root), hostname: 'example.com' };
    expect(verifyChain([leaf.der], { ...opts, at: notAfter }).ok).toBe(true);
    expect(verifyChain([leaf.der], { ...opts, at: notBefore }).ok).toBe(true);
    expect(verifyChain([leaf.der], { ...opts, at: new Date(notAfter.getTime() + 1000) })).toMatchObject({ code: 'expired' });
    expect(verifyChain([leaf.der], { ...opts, at: new Date(notBefore.getTime() - 1000) })).toMatchObject({ code: 'not_yet_valid' });
  });

  it('a host name that is an IP literal is matched as an IP address', () => {
    const ipLeaf = make('ip', leafExt([encodeGeneralName({ type: 'ip', bytes: new Uint8Array([192, 0, 2, 1]) }), encodeGeneralName({ type: 'dns', value: '192.0.2.2' })]), root);
    expect(verifyChain([ipLeaf.der], { trustStore: storeOf(root), at, hostname: '192.0.2.1' }).ok).toBe(true);
    expect(verifyChain([ipLeaf.der], { trustStore: storeOf(root), at, hostname: '192.0.2.2' })).toMatchObject({ code: 'ip_address_mismatch' });
  });

  it('a trust anchor without basicConstraints is accepted when v1, and when v3 under rfc5280 only; an intermediate never', () => {
    const v1 = make('V1 root', [], undefined, { version: 1 });
    expect(parseCertificate(v1.der).version).toBe(1);
    const v1Child = make('child', leafExt(), v1);
    for (const profile of ['rfc5280', 'webpki'] as const) expect(verifyChain([v1Child.der], { trustStore: storeOf(v1), at, profile }).ok).toBe(true);
    const bare = make('Bare root', []);
    const child = make('child', leafExt(), bare);
    expect(verifyChain([child.der], { trustStore: storeOf(bare), at, profile: 'rfc5280' }).ok).toBe(true);
    expect(verifyChain([child.der], { trustStore: storeOf(bare), at, profile: 'webpki' })).toMatchObject({ code: 'trust_anchor_without_basic_constraints' });
    expect(verifyChain([child.der], { trustStore: storeOf(bare), at })).toMatchObject({ code: 'trust_anchor_without_basic_constraints' });
    const inter = make('Bare intermediate', [], root);
    const below = make('below', leafExt(), inter);
    for (const profile of ['rfc5280', 'webpki'] as const) expect(verifyChain([below.der, inter.der], { trustStore: storeOf(root), at, profile })).toMatchObject({ code: 'not_a_ca' });
  });

  it('a trusted intermediate is an anchor by itself', () => {
    const inter = make('Intermediate', caExt(), root);
    const below = make('below', leafExt(), inter);
    expect(verifyChain([below.der], { trustStore: storeOf(inter), at }).ok).toBe(true);
  });

  it('self-issued intermediates (key rollover) do not count against pathLenConstraint', () => {
    const top = make('Top', caExt(1));
    const a = make('A', caExt(), top);
    const rolled = make('A', caExt(), a); // subject = issuer = "A", a new key
    const end = make('end', leafExt(), rolled);
    expect(verifyChain([end.der, rolled.der, a.der], { trustStore: storeOf(top), at, hostname: 'example.com' }).ok).toBe(true);
    const b = make('B', caExt(), a); // not self-issued: now two intermediates under pathLen 1
    const end2 = make('end2', leafExt(), b);
    expect(verifyChain([end2.der, b.der, a.der], { trustStore: storeOf(top), at })).toMatchObject({ code: 'path_length_exceeded' });
  });

  it('self-issued intermediates do not count against maxDepth (RFC 5280 §6.1.4 (l))', () => {
    const top = make('Rollover root', caExt());
    const a = make('Rolling CA', caExt(), top);
    const rolled = make('Rolling CA', caExt(), a); // self-issued: a new key for the same name
    const end = make('end', leafExt(), rolled);
    const chain = [end.der, rolled.der, a.der];
    // Four certificates, three of which count.
    expect(verifyChain(chain, { trustStore: storeOf(top), at, maxDepth: 3 })).toMatchObject({ ok: true });
    expect(verifyChain(chain, { trustStore: storeOf(top), at, maxDepth: 2 })).toMatchObject({ ok: false, code: 'path_too_long' });
    const b = make('Other CA', caExt(), a); // not self-issued: it counts
    const end2 = make('end2', leafExt(), b);
    expect(verifyChain([end2.der, b.der, a.der], { trustStore: storeOf(top), at, maxDepth: 3 })).toMatchObject({ ok: false, code: 'path_too_long' });
    expect(verifyChain([end2.der, b.der, a.der], { trustStore: storeOf(top), at, maxDepth: 4 })).toMatchObject({ ok: true });
  });

  it('the default maximum depth is 10 certificates', () => {
    let issuer = make('Deep root', caExt());
    const anchor = issuer;
    const intermediates: Made[] = [];
    for (let i = 0; i < 9; i++) intermediates.push((issuer = make(`I${i}`, caExt(), issuer)));
    const deepLeaf = make('deep', leafExt(), issuer);
    const chain = [deepLeaf.der, ...intermediates.map((c) => c.der)];
    expect(verifyChain(chain, { trustStore: storeOf(anchor), at })).toMatchObject({ ok: false, code: 'path_too_long' });
    expect(verifyChain(chain, { trustStore: storeOf(anchor), at, maxDepth: 11 }).ok).toBe(true);
  });

  it('many same-named impostors do not make the search explode', () => {
    const inter = make('Busy', caExt(), root);
    const impostors = Array.from({ length: 40 }, () => make('Busy', caExt(), root).der);
    const below = make('below', leafExt(), inter);
    const started = Date.now();
    const result = verifyChain([below.der, ...impostors, ...impostors.slice(0, 5)], { trustStore: storeOf(root), at });
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(verifyChain([below.der, ...impostors.slice(0, 10), inter.der], { trustStore: storeOf(root), at }).ok).toBe(true);
  });

  it('a critical certificatePolicies is understood; a critical policyConstraints is not', () => {
    const policies = encodeExtension(OID.certificatePolicies, true, der.sequence(der.sequence(der.oid('2.23.140.1.2.1'))));
    expect(verifyChain([make('p', [...leafExt(), policies], root).der], { trustStore: storeOf(root), at }).ok).toBe(true);
    const constraints = encodeExtension(OID.policyConstraints, true, der.sequence(der.implicit(0, new Uint8Array([0]))));
    const inter = make('Policy CA', [...caExt(), constraints], root);
    expect(verifyChain([make('q', leafExt(), inter).der, inter.der], { trustStore: storeOf(root), at })).toMatchObject({ code: 'unknown_critical_extension' });
  });

  it('a name constraint form we cannot check fails only when a name of that form is present', () => {
    const otherName = der.implicitSequence(0, der.oid('1.3.6.1.4.1.311.20.2.3'), der.explicit(0, der.utf8String('u@example.com')));
    const nc = encodeExtension(OID.nameConstraints, true, der.sequence(der.implicitSequence(0, der.sequence(otherName))));
    const ca = make('Constrained', [...caExt(), nc], root);
    expect(verifyChain([make('plain', leafExt(), ca).der, ca.der], { trustStore: storeOf(root), at }).ok).toBe(true);
    const withOther = make('other', leafExt([encodeGeneralName({ type: 'dns', value: 'example.com' }), otherName]), ca);
    expect(verifyChain([withOther.der, ca.der], { trustStore: storeOf(root), at })).toMatchObject({ code: 'unsupported_name_constraint' });
  });

  it('directoryName constraints apply to the subject', () => {
    const permitted = der.explicit(4, encodeName([[OID.commonName, 'ok']]));
    const nc = encodeExtension(OID.nameConstraints, true, der.sequence(der.implicitSequence(0, der.sequence(permitted))));
    const ca = make('DN CA', [...caExt(), nc], root);
    expect(verifyChain([make('ok', leafExt(), ca).der, ca.der], { trustStore: storeOf(root), at }).ok).toBe(true);
    expect(verifyChain([make('nope', leafExt(), ca).der, ca.der], { trustStore: storeOf(root), at })).toMatchObject({ code: 'name_constraints_violation' });
  });

  it('an AKI that names another key rules a candidate out', () => {
    const other = generatePrivateKey('ec');
    const wrongAki = encodeExtension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(publicKeyFromPrivateKey(other)))));
    const rootWithSki = make('SKI root', [...caExt(), encodeExtension(OID.subjectKeyIdentifier, false, der.octetString(new Uint8Array(20).fill(1)))], undefined, { noKeyIdentifiers: true });
    const child = make('child', [...leafExt(), wrongAki], rootWithSki, { noKeyIdentifiers: true });
    expect(verifyChain([child.der], { trustStore: storeOf(rootWithSki), at })).toMatchObject({ code: 'unknown_issuer' });
  });

  it('SHA-1 signatures are refused', () => {
    const pki = new OpensslPki();
    try {
      // The anchor itself is never signature-checked (here a self-signed leaf trusted directly)…
      const self = pki.cert({ cn: 'SHA1 self-signed', ext: ['basicConstraints = CA:FALSE', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:example.com'], md: 'sha1' as 'sha256' });
      expect(verifyChain([self.der], { trustStore: TrustStore.fromPem(self.pem), hostname: 'example.com' }).ok).toBe(true);
      // …a child signed with SHA-1 is.
      const r = pki.cert({ cn: 'SHA1 root', ext: ['basicConstraints = critical,CA:TRUE'], md: 'sha1' as 'sha256' });
      const child = pki.cert({ cn: 'SHA1 leaf', issuer: r, ext: ['subjectAltName = DNS:example.com', 'extendedKeyUsage = serverAuth'], md: 'sha1' as 'sha256' });
      expect(verifyChain([child.der], { trustStore: TrustStore.fromPem(r.pem) })).toMatchObject({ ok: false, code: 'unsupported_signature_algorithm' });
    } finally {
      pki.cleanup();
    }
  });
});

describe('TrustStore', () => {
  const a = make('A root', caExt());
  const b = make('B root', caExt());
  it('reads a PEM bundle with text between certificates, and ignores duplicates', () => {
    const pem = `# bundle\n${encodePem('CERTIFICATE', a.der)}\nB:\n${encodePem('CERTIFICATE', b.der)}${encodePem('CERTIFICATE', a.der)}`;
    const store = TrustStore.fromPem(pem);
    expect(store.size).toBe(2);
    expect(store.contains(parseCertificate(b.der))).toBe(true);
    expect(store.issuersOf(parseCertificate(make('x', leafExt(), a).der)).map((c) => c.der)).toEqual([a.der]);
  });
  it('throws on a malformed certificate unless told to skip it', () => {
    const pem = encodePem('CERTIFICATE', a.der) + encodePem('CERTIFICATE', new Uint8Array([0x30, 0x00]));
    expect(() => TrustStore.fromPem(pem)).toThrow(/certificate_malformed/);
    expect(TrustStore.fromPem(pem, { skipInvalid: true }).size).toBe(1);
  });
  it.skipIf(!existsSync('/etc/ssl/certs/ca-certificates.crt'))('reads the system store', () => {
    const store = TrustStore.system();
    expect(store.size).toBeGreaterThan(50);
    expect(store.certificates.every((c) => c.basicConstraints?.cA !== false)).toBe(true);
  });
});
