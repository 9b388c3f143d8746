/**
 * Authentication messages shared by client and server (RFC 8446 §4.4): the content a
 * CertificateVerify signs, choosing and checking signature schemes, and Finished.
 * @module
 */
import { fail, TlsError } from '../alert.js';
import type { CipherSuite, CryptoProvider, PrivateKey, PublicKey, SignatureScheme } from '../crypto/provider.js';
import { signatureSchemeName } from '../crypto/provider.js';
import { concat, equalSecret, utf8 } from '../wire/bytes.js';
import { certificatePublicKey } from '../x509/public-key-of.js';
import type { CertificateVerifier, PeerCertificateContext } from './config.js';

/**
 * The content covered by a CertificateVerify signature (§4.4.3): 64 spaces, the
 * context string, a zero byte, and the transcript hash. The padding defeats attacks
 * that would reuse a TLS 1.2 signature, whose signed data starts with a random.
 */
export function certificateVerifyContent(side: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concat(new Uint8Array(64).fill(0x20), utf8(`TLS 1.3, ${side} CertificateVerify`), Uint8Array.of(0), transcriptHash);
}

/** Our signature schemes, in our order, that the peer accepts and that fit `key` (§4.4.3). */
export function chooseSignatureScheme(schemes: readonly SignatureScheme[], peerAccepts: readonly number[], key: PrivateKey): SignatureScheme | undefined {
  return schemes.find((s) => peerAccepts.includes(s.id) && s.canSign(key));
}

/** Signs a CertificateVerify. Randomness (an RSA-PSS salt) comes from the provider. */
export function signCertificateVerify(
  provider: CryptoProvider,
  scheme: SignatureScheme,
  key: PrivateKey,
  side: 'server' | 'client',
  transcriptHash: Uint8Array,
): Uint8Array {
  return scheme.sign(key, certificateVerifyContent(side, transcriptHash), (n) => provider.randomBytes(n));
}

/** The public key of a certificate, or `bad_certificate` when it cannot be read. */
export function peerPublicKey(certificateDer: Uint8Array): PublicKey {
  try {
    return certificatePublicKey(certificateDer);
  } catch (e) {
    return fail('bad_certificate', `cannot read the certificate's public key: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Checks a peer's CertificateVerify (§4.4.3): a scheme we offered, fit for the key,
 * and a valid signature (else `decrypt_error`).
 */
export function verifyCertificateVerify(
  schemes: readonly SignatureScheme[],
  offered: readonly number[],
  algorithm: number,
  signature: Uint8Array,
  key: PublicKey,
  side: 'server' | 'client',
  transcriptHash: Uint8Array,
): SignatureScheme {
  const scheme = schemes.find((s) => s.id === algorithm);
  if (!scheme || !offered.includes(algorithm)) fail('illegal_parameter', `CertificateVerify uses ${signatureSchemeName(algorithm)}, which was not offered`);
  // rsa_pkcs1_* may sign certificates but never a TLS 1.3 handshake (§4.2.3).
  if (scheme.name.startsWith('rsa_pkcs1')) fail('illegal_parameter', `${scheme.name} is not allowed in CertificateVerify`);
  if (!scheme.canVerify(key)) fail('illegal_parameter', `${scheme.name} does not fit the certificate's key`);
  if (!scheme.verify(key, certificateVerifyContent(side, transcriptHash), signature)) {
    fail('decrypt_error', `the ${side} CertificateVerify signature does not verify`);
  }
  return scheme;
}

/**
 * Runs the application's verifier on the peer's chain (leaf first). A verifier that
 * throws anything but a {@link TlsError} has refused the certificate: bad_certificate (§6.2).
 */
export function verifyPeerChain(verify: CertificateVerifier, chain: Uint8Array[], context: PeerCertificateContext): void {
  try {
    verify(chain, context);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    fail('bad_certificate', e instanceof Error ? e.message : String(e));
  }
}

/** Extensions in a server message that the client did not offer are `unsupported_extension` (§4.2). */
export function checkOffered(extensions: readonly { type: string; code?: number }[], offered: ReadonlySet<string>, where: string): void {
  for (const e of extensions) {
    if (e.type === 'unknown' || !offered.has(e.type)) {
      fail('unsupported_extension', `${where} has ${e.type === 'unknown' ? `extension ${e.code}` : e.type}, which the client did not offer`);
    }
  }
}
