/**
 * Certificates we issue must be accepted by OpenSSL (`openssl verify -x509_strict`) and by
 * Node's `tls` (which is OpenSSL too, but through a real handshake), and by our own validator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { OpensslPki } from './openssl-pki.js';
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority } from '../../src/x509/issue.js';
import type { CertificateAuthority, IssuedKeyType } from '../../src/x509/issue.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { verifyChain } from '../../src/x509/verify.js';
import { OID } from '../../src/x509/oid.js';
import { generateRsaKey, isProbablePrime } from '../../src/crypto/rsa-keygen.js';

let pki: OpensslPki;
beforeAll(() => {
  pki = new OpensslPki();
});
afterAll(() => pki.cleanup());

/** A TLS 1.3 handshake between Node's client and server; resolves with what each side saw. */
async function handshake(options: { serverCert: string; serverKey: string; ca: string; servername?: string; clientCert?: string; clientKey?: string }) {
  const server = tls.createServer({
    cert: options.serverCert,
    key: options.serverKey,
    minVersion: 'TLSv1.3',
    ...(options.clientCert ? { requestCert: true, rejectUnauthorized: true, ca: options.ca } : {}),
  });
  const serverSaw = new Promise<boolean>((resolve) => {
    server.on('secureConnection', (socket) => {
      resolve(socket.authorized);
      socket.end();
    });
    server.on('tlsClientError', () => resolve(false));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    const client = tls.connect({
      host: '127.0.0.1',
      port,
      ca: options.ca,
      ...(options.servername ? { servername: options.servername } : {}),
      ...(options.clientCert ? { cert: options.clientCert, key: options.clientKey } : {}),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      minVersion: 'TLSv1.3',
    });
    await once(client, 'secureConnect');
    const identity = tls.checkServerIdentity(options.servername ?? '127.0.0.1', client.getPeerCertificate());
    const result = { clientAuthorized: client.authorized, authorizationError: client.authorizationError, identityError: identity?.message, serverAuthorized: options.clientCert ? await serverSaw : undefined };
    client.destroy();
    return result;
  } finally {
    server.close();
  }
}

const caFor: Partial<Record<IssuedKeyType, CertificateAuthority>> = {};
const ca = (type: IssuedKeyType) => (caFor[type] ??= createCertificateAuthority({ keyType: type }));

describe('issued certificates', () => {
  for (const keyType of ['ec', 'ed25519', 'rsa'] as const) {
    it(`${keyType}: OpenSSL, Node's tls and our validator accept a server certificate`, async () => {
      const authority = ca(keyType);
      const server = issueCertificate(authority, { names: ['localhost', '127.0.0.1', '::1'], keyType });
      const caFile = pki.write(`ca-${keyType}.pem`, authority.certPem);
      const leafFile = pki.write(`leaf-${keyType}.pem`, server.certPem);
      for (const check of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
        expect(pki.run(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, ...check, leafFile])).toContain(': OK');
      }
      expect(pki.run(['pkey', '-in', pki.write(`key-${keyType}.pem`, server.keyPem), '-noout', '-check'])).toMatch(/valid/i);
      const ours = verifyChain([server.certificate.der], { trustStore: TrustStore.fromPem(authority.certPem), purpose: 'server', hostname: 'localhost' });
      expect(ours.ok).toBe(true);
      const seen = await handshake({ serverCert: server.certPem, serverKey: server.keyPem, ca: authority.certPem, servername: 'localhost' });
      expect(seen).toMatchObject({ clientAuthorized: true, identityError: undefined });
    });
  }

  it('a client certificate is accepted by a Node server that requires one, and is for clientAuth only', async () => {
    const authority = ca('ec');
    const server = issueCertificate(authority, { names: ['localhost'] });
    const client = issueCertificate(authority, { names: ['alice@example.com'], client: true });
    expect(client.certificate.extendedKeyUsage).toEqual([OID.clientAuth]);
    expect(client.certificate.subjectAltNames).toEqual([{ type: 'email', value: 'alice@example.com' }]);
    const trustStore = TrustStore.fromPem(authority.certPem);
    expect(verifyChain([client.certificate.der], { trustStore, purpose: 'client' }).ok).toBe(true);
    expect(verifyChain([client.certificate.der], { trustStore, purpose: 'server' })).toMatchObject({ ok: false, code: 'extended_key_usage' });
    const clientFile = pki.write('client.pem', client.certPem);
    expect(pki.run(['verify', '-x509_strict', '-purpose', 'sslclient', '-CAfile', pki.write('ca-client.pem', authority.certPem), clientFile])).toContain(': OK');
    const seen = await handshake({ serverCert: server.certPem, serverKey: server.keyPem, ca: authority.certPem, servername: 'localhost', clientCert: client.certPem, clientKey: client.keyPem });
    expect(seen).toMatchObject({ clientAuthorized: true, serverAuthorized: true });
  });

  it('the CA is a CA, and only for issuing; names become the right SAN types; days are honoured', () => {
    const authority = ca('ec');
    expect(authority.certificate.basicConstraints).toEqual({ cA: true, pathLenConstraint: 0 });
    expect(authority.certificate.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    const now = new Date('2030-06-01T12:00:00Z');
    const leaf = issueCertificate(authority, { names: ['Example.COM', '192.0.2.1', '2001:db8::1', 'https://example.com/'], days: 10, now });
    expect(leaf.certificate.subjectAltNames!.map((n) => [n.type, n.value])).toEqual([
      ['dns', 'example.com'],
      ['ip', '192.0.2.1'],
      ['ip', '2001:db8::1'],
      ['uri', 'https://example.com/'],
    ]);
    expect(leaf.certificate.notAfter.getTime() - now.getTime()).toBe(10 * 86_400_000);
    expect(leaf.certificate.basicConstraints).toEqual({ cA: false });
    expect(leaf.certificate.keyUsage).toEqual(['digitalSignature']);
    // A CA reloaded from its PEM issues the same way; a mismatched key is refused.
    const reloaded = loadCertificateAuthority(authority.certPem, authority.keyPem);
    expect(reloaded.certificate.der).toEqual(authority.certificate.der);
    expect(() => loadCertificateAuthority(authority.certPem, ca('ed25519').keyPem)).toThrow(/does not match/);
  });
});

describe('RSA key generation', () => {
  it('Miller–Rabin tells primes from composites, including Carmichael numbers', () => {
    for (const p of [2n, 3n, 65537n, 2n ** 127n - 1n, 2n ** 521n - 1n]) expect(isProbablePrime(p, 16)).toBe(true);
    for (const c of [1n, 561n, 41041n, 3215031751n, (2n ** 61n - 1n) * (2n ** 89n - 1n)]) expect(isProbablePrime(c, 16)).toBe(false);
  });
  it('a generated key is consistent: n = p·q, and d undoes e', () => {
    const key = generateRsaKey(1024);
    expect(key.n.toString(2)).toHaveLength(1024);
    expect(key.p! * key.q!).toBe(key.n);
    const m = 123456789n;
    const modPow = (b: bigint, e: bigint, n: bigint) => {
      let r = 1n;
      for (b %= n; e > 0n; e >>= 1n, b = (b * b) % n) if (e & 1n) r = (r * b) % n;
      return r;
    };
    expect(modPow(modPow(m, key.e, key.n), key.d, key.n)).toBe(m);
  });
});
