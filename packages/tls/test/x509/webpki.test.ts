/**
 * The 'webpki' profile rule by rule, on chains built with our own signer so that one
 * field at a time can be wrong. Each broken chain is accepted by the 'rfc5280' profile
 * (path validation alone) and refused by 'webpki' with the rule's own code. The OpenSSL
 * matrix (verify-openssl.test.ts) covers the rules again with certificates openssl makes.
 */
import { describe, expect, it } from 'vitest';
import { der } from '../../src/x509/der.js';
import { alertForX509Error, X509ErrorMessages } from '../../src/x509/errors.js';
import type { X509ErrorCode } from '../../src/x509/errors.js';
import { encodeExtension } from '../../src/x509/extensions.js';
import { createCertificateAuthority, issueCertificate, keyIdentifier } from '../../src/x509/issue.js';
import { publicKeyFromPrivateKey } from '../../src/x509/keys.js';
import { encodeGeneralName } from '../../src/x509/name.js';
import { OID } from '../../src/x509/oid.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { defaultProfile, verifyChain } from '../../src/x509/verify.js';
import type { VerifyOptions } from '../../src/x509/verify.js';
import { checkWebPkiProfile, roleInPath } from '../../src/x509/webpki.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { p384 as nistP384 } from '@noble/curves/nist.js';
import { sha256 } from '../../src/crypto/hash.js';
import { generateRsaKey } from '../../src/crypto/rsa-keygen.js';
import { at, caExt, leafExt, make, storeOf, type Made, type MakeOptions } from './chain-builder.js';
import { TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { verifyWithTrustStore } from '../../src/connection/verifiers.js';
import { pump } from '../connection/harness/pair.js';

const root = make('WebPKI Root', caExt());
const inter = make('WebPKI Intermediate', caExt(), root);
const san = (value = 'example.com') => encodeGeneralName({ type: 'dns', value });
const ext = (oid: string, critical: boolean, value: Uint8Array) => encodeExtension(oid, critical, value);
const emptyName = der.sequence();

/** Verifies leaf → [intermediates] → anchor under one profile. */
function check(leaf: Made, intermediates: Made[], anchor: Made, options: Partial<VerifyOptions> = {}) {
  return verifyChain([leaf.der, ...intermediates.map((c) => c.der)], { trustStore: storeOf(anchor), at, hostname: 'example.com', ...options });
}

/** The chain passes 'rfc5280' and fails 'webpki' (the default for servers) with `code`. */
function expectOnlyWebPkiRefuses(code: X509ErrorCode, leaf: Made, intermediates: Made[] = [inter], anchor: Made = root, options: Partial<VerifyOptions> = {}) {
  const rfc = check(leaf, intermediates, anchor, { ...options, profile: 'rfc5280' });
  expect(rfc.ok, rfc.ok ? '' : rfc.message).toBe(true);
  const web = check(leaf, intermediates, anchor, options);
  expect(web).toMatchObject({ ok: false, code });
  expect(web.ok ? '' : web.message).toContain(X509ErrorMessages[code]);
}

const leafUnder = (issuer: Made, extensions: Uint8Array[] = leafExt(), options: MakeOptions = {}) => make('leaf.example', extensions, issuer, options);

describe("the 'webpki' profile", () => {
  it('accepts a proper chain, and what issueCertificate and createCertificateAuthority make', () => {
    expect(check(leafUnder(inter), [inter], root)).toMatchObject({ ok: true, profile: 'webpki' });
    for (const keyType of ['ec', 'ed25519', 'rsa'] as const) {
      const ca = createCertificateAuthority({ keyType });
      const server = issueCertificate(ca, { names: ['example.com'], keyType });
      const result = verifyChain([server.certificate.der], { trustStore: TrustStore.fromCertificates([ca.certificate]), hostname: 'example.com' });
      expect(result).toMatchObject({ ok: true, profile: 'webpki' });
      const client = issueCertificate(ca, { names: ['alice@example.com'], client: true, keyType });
      expect(verifyChain([client.certificate.der], { trustStore: TrustStore.fromCertificates([ca.certificate]), purpose: 'client', profile: 'webpki' }).ok).toBe(true);
    }
  });

  it('serial numbers: non-zero, at most 20 octets (RFC 5280 §4.1.2.2; negative ones are in the OpenSSL matrix)', () => {
    expectOnlyWebPkiRefuses('serial_number_invalid', leafUnder(inter, leafExt(), { serialNumber: Uint8Array.of(0) }));
    expectOnlyWebPkiRefuses('serial_number_invalid', leafUnder(inter, leafExt(), { serialNumber: new Uint8Array(21).fill(0x11) }));
    // 20 octets is the limit, not past it.
    expect(check(leafUnder(inter, leafExt(), { serialNumber: new Uint8Array(20).fill(0x11) }), [inter], root).ok).toBe(true);
    // An intermediate's serial number is checked too.
    const badInter = make('Zero CA', caExt(), root, { serialNumber: Uint8Array.of(0) });
    expectOnlyWebPkiRefuses('serial_number_invalid', leafUnder(badInter), [badInter]);
  });

  it('an empty issuer anywhere; an empty subject in a CA (§4.1.2.4, §4.1.2.6)', () => {
    const nameless = make('', caExt(), root, { subject: emptyName });
    expectOnlyWebPkiRefuses('subject_name_empty', leafUnder(nameless), [nameless]);
    // A self-signed leaf with an empty name, trusted directly: the issuer is empty.
    const anonymous = make('', leafExt([san()]).map((e, i) => (i === 2 ? ext(OID.subjectAltName, true, der.sequence(san())) : e)), undefined, { subject: emptyName });
    expectOnlyWebPkiRefuses('issuer_name_empty', anonymous, [], anonymous);
  });

  it('subjectAltName critical only when the subject is empty (§4.2.1.6)', () => {
    const criticalSan = [...leafExt().slice(0, 2), ext(OID.subjectAltName, true, der.sequence(san()))];
    expectOnlyWebPkiRefuses('subject_alt_name_criticality', leafUnder(inter, criticalSan));
    // An empty subject needs the SAN, critical.
    expectOnlyWebPkiRefuses('subject_alt_name_criticality', leafUnder(inter, leafExt(), { subject: emptyName }));
    expect(check(leafUnder(inter, criticalSan, { subject: emptyName }), [inter], root).ok).toBe(true);
  });

  it('authorityKeyIdentifier: present below the root, never critical; a root’s holds only a keyIdentifier (§4.2.1.1)', () => {
    expectOnlyWebPkiRefuses('authority_key_identifier_missing', leafUnder(inter, leafExt(), { noKeyIdentifiers: true }));
    const criticalAki = ext(OID.authorityKeyIdentifier, true, der.sequence(der.implicit(0, keyIdentifier(publicKeyFromPrivateKey(inter.key)))));
    expectOnlyWebPkiRefuses('authority_key_identifier_critical', leafUnder(inter, [...leafExt(), criticalAki], { noKeyIdentifiers: true }));
    // A root whose AKI also names an issuer and serial number.
    const issuerAndSerial = ext(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, new Uint8Array(20).fill(7)), der.implicit(2, Uint8Array.of(1))));
    const oddRoot = make('Odd AKI root', [...caExt(), issuerAndSerial]);
    const below = make('Below odd root', caExt(), oddRoot);
    expectOnlyWebPkiRefuses('root_authority_key_identifier', leafUnder(below), [below], oddRoot);
  });

  it('subjectKeyIdentifier in CA certificates (§4.2.1.2)', () => {
    const noSki = make('No SKI CA', [...caExt(), ext(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(publicKeyFromPrivateKey(root.key)))))], root, { noKeyIdentifiers: true });
    expectOnlyWebPkiRefuses('subject_key_identifier_missing', leafUnder(noSki), [noSki]);
  });

  it('basicConstraints critical in CAs, absent or cA=false in the leaf; no keyCertSign in a leaf (§4.2.1.9, §4.2.1.3)', () => {
    const lax = make('Lax CA', [ext(OID.basicConstraints, false, der.sequence(der.boolean(true))), ext(OID.keyUsage, true, der.namedBits([5]))], root);
    expectOnlyWebPkiRefuses('basic_constraints_not_critical', leafUnder(lax), [lax]);
    const caLeaf = [ext(OID.basicConstraints, true, der.sequence(der.boolean(true))), ...leafExt()];
    expectOnlyWebPkiRefuses('leaf_is_ca', leafUnder(inter, caLeaf));
    const signingLeaf = [ext(OID.keyUsage, true, der.namedBits([0, 5])), ...leafExt().slice(1)];
    expectOnlyWebPkiRefuses('leaf_key_cert_sign', leafUnder(inter, signingLeaf));
    // cA=false, said explicitly, is fine.
    expect(check(leafUnder(inter, [ext(OID.basicConstraints, true, der.sequence()), ...leafExt()]), [inter], root).ok).toBe(true);
  });

  it('a v3 trust anchor needs basicConstraints; a v1 one cannot have it and is accepted', () => {
    const bare = make('Bare v3 root', [ext(OID.keyUsage, true, der.namedBits([5]))]);
    expectOnlyWebPkiRefuses('trust_anchor_without_basic_constraints', leafUnder(bare), [], bare);
    const v1 = make('V1 root', [], undefined, { version: 1 });
    expect(check(leafUnder(v1), [], v1).ok).toBe(true);
  });

  it('extendedKeyUsage: in the leaf, never anyExtendedKeyUsage there, never critical, absent from roots', () => {
    expectOnlyWebPkiRefuses('leaf_extended_key_usage_missing', leafUnder(inter, [leafExt()[0]!, leafExt()[2]!]));
    const any = [leafExt()[0]!, ext(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth), der.oid(OID.anyExtendedKeyUsage))), leafExt()[2]!];
    expectOnlyWebPkiRefuses('leaf_any_extended_key_usage', leafUnder(inter, any));
    const critical = [leafExt()[0]!, ext(OID.extKeyUsage, true, der.sequence(der.oid(OID.serverAuth))), leafExt()[2]!];
    expectOnlyWebPkiRefuses('extended_key_usage_critical', leafUnder(inter, critical));
    const ekuRoot = make('EKU root', [...caExt(), ext(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth)))]);
    const below = make('Below EKU root', caExt(), ekuRoot);
    expectOnlyWebPkiRefuses('root_extended_key_usage', leafUnder(below), [below], ekuRoot);
    // An intermediate may restrict its purposes (the Baseline Requirements even ask it to).
    const restricted = make('Server CA', [...caExt(), ext(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth)))], root);
    expect(check(leafUnder(restricted), [restricted], root).ok).toBe(true);
  });

  it('nameConstraints only in CA certificates (§4.2.1.10)', () => {
    const nc = ext(OID.nameConstraints, true, der.sequence(der.implicitSequence(0, der.sequence(der.implicit(2, new TextEncoder().encode('example.com'))))));
    expectOnlyWebPkiRefuses('name_constraints_in_leaf', leafUnder(inter, [...leafExt(), nc]));
  });

  it('TLS signature algorithms: ECDSA hash tied to the curve (RFC 8446 §4.2.3)', () => {
    const p384 = make('P-384 root', caExt(), undefined, { key: { type: 'ec', curve: 'P-384', d: nistP384.utils.randomSecretKey() } });
    // Our signer uses SHA-384 for P-384: allowed.
    expect(check(leafUnder(p384), [], p384).ok).toBe(true);
    const mismatched = leafUnder(p384, leafExt(), { signatureAlgorithm: { kind: 'ecdsa', hash: sha256 } });
    expectOnlyWebPkiRefuses('signature_algorithm_not_allowed', mismatched, [], p384);
    const refused = check(mismatched, [], p384);
    expect(refused.ok ? '' : refused.message).toMatch(/ECDSA P-384 with SHA-256 \(TLS pairs P-384 with SHA-384\)$/);
  });

  it('leaf keys: RSA of at least 2048 bits (P-192 and DSA are in the OpenSSL matrix)', () => {
    expectOnlyWebPkiRefuses('leaf_key_not_allowed', leafUnder(inter, leafExt(), { key: generateRsaKey(1024) }));
    const message = check(leafUnder(inter, leafExt(), { key: generateRsaKey(1024) }), [inter], root);
    expect(message.ok ? '' : message.message).toMatch(/RSA of 1024 bits$/);
  });

  it('the trust anchor is not held to the encoding rules: a serial number of 0, no SKI, a non-critical basicConstraints', () => {
    // As Go Daddy and Starfield G2 roots (serial 0) and a few others in the system bundle.
    const oldRoot = make('Old root', [ext(OID.basicConstraints, false, der.sequence(der.boolean(true)))], undefined, { serialNumber: Uint8Array.of(0), noKeyIdentifiers: true });
    const child = leafUnder(oldRoot, leafExt(), { noKeyIdentifiers: true });
    // The leaf below still needs its AKI.
    expect(check(child, [], oldRoot)).toMatchObject({ ok: false, code: 'authority_key_identifier_missing' });
    const aki = ext(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(publicKeyFromPrivateKey(oldRoot.key)))));
    expect(check(leafUnder(oldRoot, [...leafExt(), aki], { noKeyIdentifiers: true }), [], oldRoot).ok).toBe(true);
    // A trusted intermediate is an anchor with the intermediate's role: its extendedKeyUsage is allowed.
    const restricted = make('Trusted server CA', [...caExt(), ext(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth)))], root);
    expect(check(leafUnder(restricted), [], restricted).ok).toBe(true);
  });

  it('a leaf trusted directly is checked as a leaf: no AKI needed, but an extendedKeyUsage is', () => {
    const self = make('example.com', leafExt(), undefined, { noKeyIdentifiers: true });
    expect(check(self, [], self).ok).toBe(true);
    const bare = make('example.com', [leafExt()[0]!, leafExt()[2]!]);
    expectOnlyWebPkiRefuses('leaf_extended_key_usage_missing', bare, [], bare);
  });
});

describe('profiles by purpose', () => {
  it('servers default to webpki, clients to rfc5280; a client chain can ask for webpki, with clientAuth', () => {
    expect([defaultProfile('server'), defaultProfile('client')]).toEqual(['webpki', 'rfc5280']);
    const noEku = leafUnder(inter, [leafExt()[0]!, leafExt()[2]!]);
    expect(check(noEku, [inter], root, { purpose: 'client', hostname: undefined })).toMatchObject({ ok: true, profile: 'rfc5280' });
    expect(check(noEku, [inter], root, { purpose: 'client', hostname: undefined, profile: 'webpki' })).toMatchObject({ ok: false, code: 'leaf_extended_key_usage_missing' });
    const clientLeaf = leafUnder(inter, leafExt([encodeGeneralName({ type: 'email', value: 'alice@example.com' })], OID.clientAuth));
    expect(check(clientLeaf, [inter], root, { purpose: 'client', hostname: undefined, profile: 'webpki' })).toMatchObject({ ok: true, profile: 'webpki' });
    expect(check(clientLeaf, [inter], root, { purpose: 'server', hostname: undefined })).toMatchObject({ ok: false, code: 'extended_key_usage' });
  });
});

describe('roles and alerts', () => {
  it('roleInPath: leaf, intermediates, and the root only when self-issued', () => {
    const path = [leafUnder(inter), inter, root].map((c) => parseCertificate(c.der));
    expect(path.map((_, i) => roleInPath(path, i))).toEqual(['leaf', 'intermediate', 'root']);
    expect(roleInPath(path.slice(0, 2), 1)).toBe('intermediate');
    expect(checkWebPkiProfile(path)).toBeNull();
  });

  it('every profile code has an alert: bad_certificate for encoding, unsupported_certificate for what TLS cannot use', () => {
    const unsupported = ['leaf_extended_key_usage_missing', 'leaf_any_extended_key_usage', 'leaf_key_not_allowed', 'signature_algorithm_not_allowed'] as const;
    const bad = [
      'serial_number_invalid', 'issuer_name_empty', 'subject_name_empty', 'subject_alt_name_criticality', 'authority_key_identifier_missing',
      'authority_key_identifier_critical', 'root_authority_key_identifier', 'subject_key_identifier_missing', 'basic_constraints_not_critical',
      'trust_anchor_without_basic_constraints', 'leaf_is_ca', 'leaf_key_cert_sign', 'extended_key_usage_critical', 'root_extended_key_usage', 'name_constraints_in_leaf',
    ] as const;
    for (const code of unsupported) expect(alertForX509Error(code)).toBe('unsupported_certificate');
    for (const code of bad) expect(alertForX509Error(code)).toBe('bad_certificate');
  });
});

describe('the host-name mismatch names the subjectAltName entries it compared', () => {
  it('DNS names and IP addresses, never the CN', () => {
    const leaf = leafUnder(inter, leafExt([san('a.example'), san('b.example'), encodeGeneralName({ type: 'ip', bytes: Uint8Array.of(192, 0, 2, 1) })]));
    const wrong = check(leaf, [inter], root, { hostname: 'leaf.example' });
    expect(wrong).toMatchObject({ ok: false, code: 'hostname_mismatch' });
    expect(wrong.ok ? '' : wrong.message).toMatch(/leaf\.example is not among the subjectAltName DNS names of "CN=leaf\.example": a\.example, b\.example$/);
    const ip = check(leaf, [inter], root, { hostname: undefined, ip: '192.0.2.9' });
    expect(ip.ok ? '' : ip.message).toMatch(/192\.0\.2\.9 is not among the subjectAltName IP addresses of "CN=leaf\.example": 192\.0\.2\.1$/);
    const none = check(leafUnder(inter, leafExt([encodeGeneralName({ type: 'email', value: 'x@example.com' })])), [inter], root);
    expect(none.ok ? '' : none.message).toMatch(/its subjectAltName has no DNS names$/);
  });
});

describe('verifyWithTrustStore in a handshake', () => {
  // Certificates valid now (the chain builder's are dated for `at`).
  const now = { notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000) };
  const ca = make('Handshake root', caExt(), undefined, now);
  const withoutEku = (name: Uint8Array) => make('no-eku', [leafExt([name])[0]!, leafExt([name])[2]!], ca, now);
  const serverLeaf = withoutEku(san('example.test'));
  const clientLeaf = withoutEku(encodeGeneralName({ type: 'email', value: 'alice@example.test' }));

  function handshake(serverProfile?: 'rfc5280' | 'webpki', clientProfile?: 'rfc5280' | 'webpki'): { alert: string | null; side: 'client' | 'server' | null } {
    const client = new ClientConnection({
      serverName: 'example.test',
      verifyServerCertificate: verifyWithTrustStore(storeOf(ca), serverProfile ? { profile: serverProfile } : {}),
      certificate: { chain: [clientLeaf.der], privateKey: clientLeaf.key },
    });
    const server = new ServerConnection({
      certificate: { chain: [serverLeaf.der], privateKey: serverLeaf.key },
      clientAuth: 'required',
      verifyClientCertificate: verifyWithTrustStore(storeOf(ca), clientProfile ? { profile: clientProfile } : {}),
    });
    try {
      pump(client, server);
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      expect(e.reason).toMatch(/^leaf_extended_key_usage_missing: /);
      return { alert: e.alert, side: client.handshakeComplete ? 'server' : 'client' };
    }
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    return { alert: null, side: null };
  }

  it("a client holds server certificates to 'webpki' by default; a server takes client certificates under 'rfc5280'", () => {
    expect(handshake()).toEqual({ alert: 'unsupported_certificate', side: 'client' });
    expect(handshake('rfc5280')).toEqual({ alert: null, side: null });
    expect(handshake('rfc5280', 'webpki')).toEqual({ alert: 'unsupported_certificate', side: 'server' });
  });
});
