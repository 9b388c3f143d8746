/**
 * Certificate signing requests (RFC 2986) against OpenSSL: `openssl req -verify` must accept
 * what we write and read the names we put in it; we must read what `openssl req -new` writes
 * and check its signature; malformed requests fail with an X509Error, never another error.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OpensslPki, type KeyType } from './openssl-pki.js';
import { x509Command } from '../../src/cli/x509-command.js';
import { createCsr, csrToPem, parseCsr, parseCsrsPem, verifyCsrSignature } from '../../src/x509/csr.js';
import { der } from '../../src/x509/der.js';
import { csrToJson, explainCsr } from '../../src/x509/describe.js';
import { X509Error } from '../../src/x509/errors.js';
import { encodeExtension } from '../../src/x509/extensions.js';
import { generatePrivateKey } from '../../src/x509/issue.js';
import type { IssuedKeyType } from '../../src/x509/issue.js';
import { encodePublicKeyInfo, parsePrivateKeyPem, publicKeyFromPrivateKey } from '../../src/x509/keys.js';
import { encodeName, formatName } from '../../src/x509/name.js';
import { OID } from '../../src/x509/oid.js';
import { pemBlocks } from '../../src/x509/pem.js';

let pki: OpensslPki;
beforeAll(() => {
  pki = new OpensslPki();
});
afterAll(() => pki.cleanup());

describe('createCsr', () => {
  for (const keyType of ['ec', 'ed25519', 'rsa'] as IssuedKeyType[]) {
    it(`writes a ${keyType} request that openssl req -verify accepts, with its names`, () => {
      const privateKey = generatePrivateKey(keyType);
      const file = pki.write(`ours-${keyType}.csr`, csrToPem(createCsr({ privateKey, names: ['example.com', 'www.example.com', '192.0.2.7'] })));
      const result = spawnSync('openssl', ['req', '-in', file, '-noout', '-verify', '-text'], { encoding: 'utf8' });
      expect(result.stderr).toContain('verify OK'); // OpenSSL 3.0 exits 0 either way: read what it says
      const text = result.stdout;
      expect(text).toContain('Subject: CN = example.com');
      expect(text).toMatch(/Requested Extensions:\s+X509v3 Subject Alternative Name:\s+DNS:example.com, DNS:www.example.com, IP Address:192.0.2.7/);
      // The key in the request is ours.
      const pubkey = pki.run(['req', '-in', file, '-noout', '-pubkey']);
      expect(pemBlocks(pubkey, 'PUBLIC KEY')[0]).toEqual(encodePublicKeyInfo(publicKeyFromPrivateKey(privateKey)));
    });
  }

  it('verifies, and stops verifying when a signed byte changes', () => {
    const csrDer = createCsr({ privateKey: generatePrivateKey('ec'), names: ['example.com'] });
    expect(verifyCsrSignature(parseCsr(csrDer))).toBe(true);
    // The subject's CN text is inside the signed part: change one letter.
    const at = Buffer.from(csrDer).indexOf('example.com');
    const tampered = csrDer.slice();
    tampered[at] = 'E'.charCodeAt(0);
    const parsed = parseCsr(tampered);
    expect(formatName(parsed.subject)).toBe('CN=Example.com');
    expect(verifyCsrSignature(parsed)).toBe(false);
    // OpenSSL 3.0 agrees (it says so on stderr, and still exits 0).
    const file = pki.write('tampered.csr', csrToPem(tampered));
    const result = spawnSync('openssl', ['req', '-in', file, '-noout', '-verify'], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toContain('verify failure');
  });

  it('leaves the subject empty when the first name is longer than a CN may be (RFC 5280: 64)', () => {
    const long = `${'a'.repeat(60)}.example.com`;
    const csr = parseCsr(createCsr({ privateKey: generatePrivateKey('ec'), names: [long] }));
    expect(csr.subject.rdns).toEqual([]);
    expect(csr.subjectAltNames).toEqual([{ type: 'dns', value: long }]);
  });
});

describe('parseCsr on what openssl writes', () => {
  for (const keyType of ['ec', 'p384', 'ed25519', 'rsa'] as KeyType[]) {
    it(`reads an openssl ${keyType} request and checks its signature`, () => {
      const key = pki.key(keyType);
      const file = pki.path(`theirs-${keyType}.csr`);
      pki.run([
        'req', '-new', '-key', key, '-out', file, '-subj', '/O=Example/CN=shop.example',
        '-addext', 'subjectAltName=DNS:shop.example,DNS:*.shop.example',
        '-addext', 'keyUsage=critical,digitalSignature',
      ]);
      const [csr] = parseCsrsPem(readFileSync(file, 'utf8'));
      expect(formatName(csr!.subject)).toBe('O=Example, CN=shop.example');
      expect(csr!.subjectAltNames?.map((n) => n.value)).toEqual(['shop.example', '*.shop.example']);
      expect(csr!.extensions.map((e) => `${e.name}${e.critical ? '!' : ''}`)).toEqual(['subjectAltName', 'keyUsage!']);
      expect(encodePublicKeyInfo(csr!.publicKey!)).toEqual(encodePublicKeyInfo(publicKeyFromPrivateKey(parsePrivateKeyPem(readFileSync(key, 'utf8')))));
      expect(verifyCsrSignature(csr!)).toBe(true);
      expect(csrToJson(csr!).signatureValid).toBe(true);
      expect(explainCsr(csr!)).toContain('Requested names      dns: shop.example, dns: *.shop.example');
    });
  }

  it('reads a request without extensions, with a challengePassword attribute', () => {
    const key = pki.key('ec');
    const config = pki.write('req.cnf', '[req]\ndistinguished_name = dn\nattributes = attrs\nprompt = no\n[dn]\nCN = old.example\n[attrs]\nchallengePassword = not-a-secret-really\n');
    const file = pki.path('attrs.csr');
    pki.run(['req', '-new', '-key', key, '-config', config, '-out', file]);
    const [csr] = parseCsrsPem(readFileSync(file, 'utf8'));
    expect(csr!.attributes.map((a) => a.name)).toEqual(['challengePassword']);
    expect(csr!.extensions).toEqual([]);
    expect(csr!.subjectAltNames).toBeUndefined();
    expect(verifyCsrSignature(csr!)).toBe(true);
  });
});

describe('malformed requests', () => {
  const privateKey = generatePrivateKey('ec');
  const spki = encodePublicKeyInfo(publicKeyFromPrivateKey(privateKey));
  const algorithm = der.sequence(der.oid(OID.ecdsaWithSHA256));
  const signature = der.bitString(new Uint8Array(8));
  const request = (info: Uint8Array[], outer: Uint8Array[] = [algorithm, signature]) => der.sequence(der.sequence(...info), ...outer);
  const name = encodeName([[OID.commonName, 'x.example']]);
  const noAttributes = der.implicitSequence(0);
  const extensionRequest = (value: Uint8Array[]) => der.implicitSequence(0, der.sequence(der.oid(OID.extensionRequest), der.set(...value)));

  const cases: [string, Uint8Array, string][] = [
    ['version 1', request([der.integer(1), name, spki, noAttributes]), 'der_malformed'],
    ['no attributes field', request([der.integer(0), name, spki]), 'der_malformed'],
    ['an attribute without values', request([der.integer(0), name, spki, der.implicitSequence(0, der.sequence(der.oid(OID.challengePassword), der.set()))]), 'der_malformed'],
    ['an extensionRequest with two values', request([der.integer(0), name, spki, extensionRequest([der.sequence(encodeExtension(OID.keyUsage, true, der.namedBits([0]))), der.sequence(encodeExtension(OID.basicConstraints, false, der.sequence()))])]), 'der_malformed'],
    ['a subjectAltName that does not decode', request([der.integer(0), name, spki, extensionRequest([der.sequence(encodeExtension(OID.subjectAltName, false, der.integer(5)))])]), 'extension_malformed'],
    ['a signature with unused bits', request([der.integer(0), name, spki, noAttributes], [algorithm, der.bitString(new Uint8Array(8), 3)]), 'der_malformed'],
    ['trailing bytes', new Uint8Array([...request([der.integer(0), name, spki, noAttributes]), 0]), 'der_malformed'],
    ['a truncated request', request([der.integer(0), name, spki, noAttributes]).subarray(0, 40), 'der_malformed'],
    ['no signature', request([der.integer(0), name, spki, noAttributes], [algorithm]), 'der_malformed'],
  ];
  for (const [what, bytes, code] of cases) {
    it(`refuses ${what} with ${code}`, () => {
      let error: unknown;
      try {
        parseCsr(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(X509Error);
      expect((error as X509Error).code).toBe(code);
    });
  }

  it('keeps a request whose key is unsupported, and says so', () => {
    const odd = der.sequence(der.sequence(der.oid('1.2.3.4')), der.bitString(new Uint8Array(4)));
    const csr = parseCsr(request([der.integer(0), name, odd, noAttributes]));
    expect(csr.publicKey).toBeUndefined();
    expect(csr.publicKeyError?.code).toBe('unsupported_key');
    expect(verifyCsrSignature(csr)).toBe(false);
  });
});

describe('lucid-tls x509 show on a request', () => {
  it('explains a PEM request and prints a DER one as JSON', async () => {
    const key = pki.key('ec');
    const pemFile = pki.path('show.csr');
    pki.run(['req', '-new', '-key', key, '-out', pemFile, '-subj', '/CN=show.example', '-addext', 'subjectAltName=DNS:show.example']);
    const derFile = pki.path('show.der');
    pki.run(['req', '-in', pemFile, '-outform', 'DER', '-out', derFile]);
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    try {
      expect(await x509Command(['show', pemFile])).toBe(0);
      expect(stdout).toContain('Certificate signing request (PKCS#10, RFC 2986)');
      expect(stdout).toContain('Signature            ecdsa-with-SHA256, valid');
      stdout = '';
      expect(await x509Command(['show', '--json', derFile])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ kind: 'certificate signing request', subject: { CN: 'show.example' }, subjectAltNames: [{ type: 'dns', value: 'show.example' }], signatureValid: true });
  });
});
