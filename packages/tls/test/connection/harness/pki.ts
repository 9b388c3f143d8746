/**
 * The certificates of the connection tests, and the verifier that trusts them.
 *
 * Every certificate and key here is made by the `openssl` CLI rather than by our own
 * issuer: the engine then signs with private keys and sends certificates that a foreign
 * implementation encoded (PKCS#8, SubjectPublicKeyInfo, each key type of RFC 8446 §4.2.3),
 * as it does when deployed. Chain validation is not what these tests are about (test/x509
 * is), so a peer trusts exactly the certificates it is given ({@link pinned}).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TlsError } from '../../../src/alert.js';
import type { CertificateVerifier, CertifiedKey, PeerCertificateContext } from '../../../src/handshake/config.js';
import { equalBytes } from '../../../src/wire/bytes.js';
import { parsePrivateKeyPem } from '../../../src/x509/keys.js';
import { pemBlocks } from '../../../src/x509/pem.js';

/** The key types of the test certificates. */
export type CertKind = 'p256' | 'p384' | 'ed25519' | 'rsa';

/** A test certificate: its DER and the certified key (a one-certificate chain). */
export interface TestCert extends CertifiedKey {
  der: Uint8Array;
}

const newkey: Record<CertKind, string[]> = {
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha256'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384'],
  ed25519: ['-newkey', 'ed25519'],
  rsa: ['-newkey', 'rsa:2048', '-sha256'],
};

const made = new Map<string, TestCert>();

/**
 * A self-signed certificate for `name` (CN and subjectAltName DNS), made by openssl the
 * first time it is asked for and reused afterwards (RSA key generation is the slow part).
 * Ed25519 is the cheapest to verify, for tests that make thousands of handshakes.
 */
export function testCert(kind: CertKind, name = 'localhost'): TestCert {
  const key = `${kind}/${name}`;
  const cached = made.get(key);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lucid-conn-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', ...newkey[kind], '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const der = pemBlocks(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'CERTIFICATE')[0]!;
    const cert: TestCert = { der, chain: [der], privateKey: parsePrivateKeyPem(readFileSync(join(dir, 'key.pem'), 'utf8')) };
    made.set(key, cert);
    return cert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Trusts exactly the given certificates (as the leaf), and records what it was asked. */
export function pinned(...certs: Uint8Array[]): CertificateVerifier & { calls: PeerCertificateContext[] } {
  const calls: PeerCertificateContext[] = [];
  const verify = (chain: Uint8Array[], context: PeerCertificateContext): void => {
    calls.push(context);
    const leaf = chain[0];
    if (!leaf || !certs.some((c) => equalBytes(c, leaf))) throw new TlsError('bad_certificate', 'not the pinned certificate');
  };
  return Object.assign(verify, { calls });
}
