/**
 * The certificate model and key formats, on certificates and keys made by openssl at
 * test time: every field we decode is compared with what openssl says about it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { OpensslPki, EXT } from './openssl-pki.js';
import type { Issued } from './openssl-pki.js';
import { fingerprintSha256, parseCertificate } from '../../src/x509/certificate.js';
import { X509Error } from '../../src/x509/errors.js';
import type { X509ErrorCode } from '../../src/x509/errors.js';
import { der } from '../../src/x509/der.js';
import { encodeExtension } from '../../src/x509/extensions.js';
import { certificateToJson, explainCertificate } from '../../src/x509/describe.js';
import { generatePrivateKey, signCertificate } from '../../src/x509/issue.js';
import {
  encodePkcs8,
  encodePublicKeyInfo,
  parsePrivateKeyDer,
  parsePrivateKeyPem,
  parsePublicKeyInfo,
  privateKeyToPem,
  publicKeyFromPrivateKey,
} from '../../src/x509/keys.js';
import { encodeName, formatName, nameToObject } from '../../src/x509/name.js';
import { OID } from '../../src/x509/oid.js';
import { pemBlocks } from '../../src/x509/pem.js';
import { toHex } from '../../src/wire/bytes.js';

function codeOf(f: () => unknown): X509ErrorCode | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof X509Error) return e.code;
    throw e;
  }
}

let pki: OpensslPki;
let rich: Issued;
let root: Issued;

beforeAll(() => {
  pki = new OpensslPki();
  root = pki.cert({ cn: 'Model Root', ext: [...EXT.root, 'nameConstraints = critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;email:.bad.example.com'] });
  rich = pki.cert({
    cn: 'rich.example.com',
    issuer: root,
    ext: [
      'basicConstraints = critical,CA:TRUE,pathlen:2',
      'keyUsage = critical,digitalSignature,keyCertSign,cRLSign',
      'extendedKeyUsage = serverAuth,clientAuth',
      'subjectAltName = DNS:rich.example.com, DNS:*.rich.example.com, IP:10.1.2.3, IP:2001:db8::7, email:admin@example.com, URI:https://example.com/x',
      'authorityInfoAccess = OCSP;URI:http://ocsp.example.com,caIssuers;URI:http://ca.example.com/root.crt',
      'crlDistributionPoints = URI:http://crl.example.com/root.crl',
      'certificatePolicies = 2.23.140.1.2.1,@cps',
      '1.3.6.1.4.1.11129.2.4.2 = DER:0406000400020102',
      '1.3.6.1.4.1.55555.7 = ASN1:UTF8String:hello',
      '[cps]',
      'policyIdentifier = 1.3.6.1.4.1.55555.1',
      'CPS.1 = "https://example.com/cps"',
    ],
  });
});
afterAll(() => pki.cleanup());

describe('parseCertificate on an openssl certificate with every common extension', () => {
  it('reads the fields openssl reports', () => {
    const cert = parseCertificate(rich.der);
    const info = pki.run(['x509', '-in', rich.certPath, '-noout', '-serial', '-fingerprint', '-sha256', '-startdate', '-enddate']);
    const serial = /serial=([0-9A-F]+)/.exec(info)![1]!;
    expect(cert.serialNumberHex.toUpperCase()).toBe(serial);
    expect(fingerprintSha256(cert)).toBe(/Fingerprint=([0-9A-F:]+)/.exec(info)![1]!.replace(/:/g, '').toLowerCase());
    expect(cert.notBefore.getTime()).toBe(new Date(/notBefore=(.*)/.exec(info)![1]!).getTime());
    expect(cert.notAfter.getTime()).toBe(new Date(/notAfter=(.*)/.exec(info)![1]!).getTime());
    expect(cert.version).toBe(3);
    expect(formatName(cert.subject)).toBe('CN=rich.example.com');
    expect(nameToObject(cert.issuer)).toEqual({ CN: 'Model Root' });
    expect(cert.signatureAlgorithm.oid).toBe(OID.ecdsaWithSHA256);
    expect(cert.publicKey?.type).toBe('ec');
  });

  it('decodes the extensions', () => {
    const cert = parseCertificate(rich.der);
    expect(cert.basicConstraints).toEqual({ cA: true, pathLenConstraint: 2 });
    expect(cert.keyUsage).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(cert.extendedKeyUsage).toEqual([OID.serverAuth, OID.clientAuth]);
    expect(cert.subjectAltNames!.map((n) => [n.type, n.value])).toEqual([
      ['dns', 'rich.example.com'],
      ['dns', '*.rich.example.com'],
      ['ip', '10.1.2.3'],
      ['ip', '2001:db8::7'],
      ['email', 'admin@example.com'],
      ['uri', 'https://example.com/x'],
    ]);
    expect(cert.authorityInfoAccess!.map((a) => [a.methodName, a.location.value])).toEqual([
      ['ocsp', 'http://ocsp.example.com'],
      ['caIssuers', 'http://ca.example.com/root.crt'],
    ]);
    expect(cert.crlDistributionPoints![0]!.fullName![0]!.value).toBe('http://crl.example.com/root.crl');
    expect(cert.certificatePolicies).toEqual([
      { policyIdentifier: '2.23.140.1.2.1', qualifiers: [] },
      { policyIdentifier: '1.3.6.1.4.1.55555.1', qualifiers: [{ id: OID.cps, value: 'https://example.com/cps' }] },
    ]);
    expect(toHex(cert.sctList!)).toBe('000400020102');
    const rootCert = parseCertificate(root.der);
    expect(toHex(cert.authorityKeyIdentifier!.keyIdentifier!)).toBe(toHex(rootCert.subjectKeyIdentifier!));
    expect(rootCert.nameConstraints!.permitted.map((s) => [s.base.type, s.base.value])).toEqual([
      ['dns', 'example.com'],
      ['ip', '10.0.0.0/8'],
    ]);
    expect(rootCert.nameConstraints!.excluded.map((s) => [s.base.type, s.base.value])).toEqual([['email', '.bad.example.com']]);
    const unknown = cert.extensions.find((e) => e.oid === '1.3.6.1.4.1.55555.7')!;
    expect(unknown).toMatchObject({ name: '1.3.6.1.4.1.55555.7', critical: false });
    expect(cert.extensions.find((e) => e.oid === OID.keyUsage)!.critical).toBe(true);
  });

  it('gives the JSON the CLI prints, and explains every field', () => {
    const cert = parseCertificate(rich.der);
    const json = certificateToJson(cert);
    expect(json).toMatchObject({
      subject: { CN: 'rich.example.com' },
      issuer: { CN: 'Model Root' },
      serialNumber: cert.serialNumberHex,
      notBefore: cert.notBefore.toISOString(),
      publicKey: { algorithm: 'EC', curve: 'P-256', bits: 256 },
      signatureAlgorithm: 'ecdsa-with-SHA256',
      isCA: true,
      pathLenConstraint: 2,
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      fingerprintSha256: fingerprintSha256(cert),
    });
    expect(json.subjectAltNames).toContainEqual({ type: 'ip', value: '2001:db8::7' });
    expect(json.extensions).toContainEqual({ oid: OID.subjectAltName, name: 'subjectAltName', critical: false });
    const text = explainCertificate(cert);
    for (const word of ['Serial number', 'Issuer', 'Not after', 'subjectAltName', 'nameConstraints', 'SHA-256 fingerprint', 'certificatePolicies', 'signedCertificateTimestampList']) {
      if (word === 'nameConstraints') expect(explainCertificate(parseCertificate(root.der))).toContain(word);
      else expect(text).toContain(word);
    }
  });
});

describe('parseCertificate refuses what RFC 5280 forbids', () => {
  const key = generatePrivateKey('ec');
  const name = encodeName([[OID.commonName, 'x']]);
  const build = (extensions: Uint8Array[]) =>
    signCertificate({ issuer: name, subject: name, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2034-01-01T00:00:00Z'), publicKey: publicKeyFromPrivateKey(key), extensions, signingKey: key });

  it('a duplicate extension', () => {
    const bc = encodeExtension(OID.basicConstraints, true, der.sequence());
    expect(codeOf(() => parseCertificate(build([bc])))).toBeUndefined();
    expect(codeOf(() => parseCertificate(build([bc, bc])))).toBe('duplicate_extension');
  });
  it('an extension value that does not decode', () => {
    expect(codeOf(() => parseCertificate(build([encodeExtension(OID.keyUsage, true, der.integer(5))])))).toBe('extension_malformed');
    expect(codeOf(() => parseCertificate(build([encodeExtension(OID.subjectAltName, false, der.sequence(der.implicit(7, new Uint8Array(5))))])))).toBe('extension_malformed');
    expect(codeOf(() => parseCertificate(build([encodeExtension(OID.basicConstraints, true, der.sequence(der.integer(1)))])))).toBe('extension_malformed');
  });
  it('different signature algorithms inside and outside', () => {
    const good = build([]);
    // Replace the outer AlgorithmIdentifier (ecdsa-with-SHA256) with ecdsa-with-SHA384.
    const outer = der.sequence(der.oid(OID.ecdsaWithSHA256));
    const swapped = der.sequence(der.oid(OID.ecdsaWithSHA384));
    const hex = toHex(good);
    const at = hex.lastIndexOf(toHex(outer));
    const bytes = Buffer.from(hex.slice(0, at) + toHex(swapped) + hex.slice(at + toHex(outer).length), 'hex');
    expect(codeOf(() => parseCertificate(new Uint8Array(bytes)))).toBe('signature_algorithm_mismatch');
  });
  it('trailing bytes, truncation and a non-certificate', () => {
    const good = build([]);
    expect(codeOf(() => parseCertificate(new Uint8Array([...good, 0])))).toBe('certificate_malformed');
    expect(codeOf(() => parseCertificate(good.subarray(0, good.length - 1)))).toBe('certificate_malformed');
    expect(codeOf(() => parseCertificate(der.sequence(der.integer(1))))).toBe('certificate_malformed');
  });
  it('keeps a certificate whose key type is unsupported, noting why', () => {
    const p521 = pki.cert({ cn: 'p521', ext: EXT.root, keyPath: (() => { const f = pki.path('p521.key'); pki.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', f]); return f; })() });
    const cert = parseCertificate(p521.der);
    expect(cert.publicKey).toBeUndefined();
    expect(cert.publicKeyError?.code).toBe('unsupported_key');
  });
});

describe('mutated real certificates (property)', () => {
  it('only X509Error escapes parseCertificate', () => {
    const original = rich.der;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'delete', 'insert', 'truncate')), { minLength: 1, maxLength: 3 }),
        (edits) => {
          let bytes = Array.from(original);
          for (const [pos, value, kind] of edits) {
            const i = pos % Math.max(bytes.length, 1);
            if (kind === 'set') bytes[i] = value;
            else if (kind === 'delete') bytes.splice(i, 1);
            else if (kind === 'insert') bytes.splice(i, 0, value);
            else bytes = bytes.slice(0, i);
          }
          try {
            parseCertificate(new Uint8Array(bytes));
          } catch (e) {
            if (!(e instanceof X509Error)) throw e;
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('keys', () => {
  const types = ['ec', 'p384', 'ed25519', 'rsa'] as const;
  for (const type of types) {
    it(`${type}: PKCS#8 from openssl parses, and its public key matches openssl's SPKI`, () => {
      const keyPath = pki.key(type);
      const key = parsePrivateKeyPem(readFileSync(keyPath, 'utf8'));
      const spkiPem = pki.run(['pkey', '-in', keyPath, '-pubout']);
      const spki = pemBlocks(spkiPem, 'PUBLIC KEY')[0]!;
      expect(toHex(encodePublicKeyInfo(publicKeyFromPrivateKey(key)))).toBe(toHex(spki));
      expect(parsePublicKeyInfo(spki)).toEqual(publicKeyFromPrivateKey(key));
      // Our PKCS#8 is read back by openssl, to the same key.
      const ours = pki.write(`ours-${type}.pem`, privateKeyToPem(key));
      expect(pki.run(['pkey', '-in', ours, '-pubout'])).toBe(spkiPem);
      expect(parsePrivateKeyDer(encodePkcs8(key))).toEqual(key);
      // SEC1 and PKCS#1, the "traditional" forms.
      if (type === 'ec' || type === 'p384') {
        const sec1 = pki.run(['ec', '-in', keyPath]);
        expect(sec1).toContain('BEGIN EC PRIVATE KEY');
        expect(parsePrivateKeyPem(sec1)).toEqual(key);
      }
      if (type === 'rsa') {
        const pkcs1 = pki.run(['rsa', '-in', keyPath, '-traditional']);
        expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
        expect(parsePrivateKeyPem(pkcs1)).toEqual(key);
      }
    });
  }

  it('refuses bad keys with typed errors', () => {
    expect(codeOf(() => parsePrivateKeyPem('nothing here'))).toBe('key_malformed');
    expect(codeOf(() => parsePrivateKeyPem('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'))).toBe('unsupported_key');
    const ec = publicKeyFromPrivateKey(generatePrivateKey('ec'));
    const spki = encodePublicKeyInfo(ec);
    const offCurve = spki.slice();
    offCurve[offCurve.length - 1]! ^= 1;
    expect(codeOf(() => parsePublicKeyInfo(offCurve))).toBe('key_malformed');
    expect(codeOf(() => parsePublicKeyInfo(spki.subarray(0, 20)))).toBe('key_malformed');
    const x25519Spki = der.sequence(der.sequence(der.oid('1.3.101.110')), der.bitString(new Uint8Array(32)));
    expect(codeOf(() => parsePublicKeyInfo(x25519Spki))).toBe('unsupported_key');
  });
});
