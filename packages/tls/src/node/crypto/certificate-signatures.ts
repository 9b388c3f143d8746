/**
 * The signatures of a certificate chain (RFC 5280 §6.1.3 (a)(1)), checked by OpenSSL. The
 * X.509 module checks them in JavaScript by default (it runs anywhere, and has no provider);
 * the Node adapters hand it this function when they compute natively, because a P-256
 * verification in JavaScript costs the client milliseconds per certificate.
 * @module
 */
import { constants, verify } from 'node:crypto';
import type { CryptoProvider, PublicKey } from '../../crypto/provider.js';
import type { SignatureAlgorithm } from '../../x509/signature-algorithm.js';
import { modulusLength } from '../../crypto/rsa.js';
import { publicKeyObject } from './keys.js';
import { nodeCryptoProvider } from './index.js';

const DIGEST = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

/**
 * Whether `key` signed `message` with `algorithm`, as the X.509 module's own check says,
 * computed by OpenSSL. Unlike a TLS signature scheme, a certificate's algorithm does not
 * fix the curve: a P-256 key may sign with SHA-384.
 *
 * @example
 * ```ts
 * import { verifyCertificateSignature } from '@lucid-tls/tls/node';
 * import { TrustStore, createCertificateAuthority, issueCertificate, verifyChain } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const result = verifyChain([leaf.certificate.der], { trustStore: TrustStore.fromPem(ca.certPem), hostname: 'example.com', verifySignature: verifyCertificateSignature });
 * console.log(result.ok); // → true
 * ```
 * @category Crypto providers
 */
export function verifyCertificateSignature(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const object = publicKeyObject(key);
  if (object === null) return false;
  // RFC 8017 §8.1.2, §8.2.2: a signature of another length than the modulus is invalid
  // (OpenSSL would left-pad a short RSA-PSS one).
  if (key.type === 'rsa' && signature.length !== modulusLength(key.n)) return false;
  try {
    switch (algorithm.kind) {
      case 'ecdsa':
        return key.type === 'ec' && verify(DIGEST[algorithm.hash.name], message, { key: object, dsaEncoding: 'der' }, signature);
      case 'ed25519':
        return key.type === 'ed25519' && verify(null, message, object, signature);
      case 'rsa-pkcs1':
        return key.type === 'rsa' && verify(DIGEST[algorithm.hash.name], message, { key: object, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        return (
          key.type === 'rsa' &&
          verify(DIGEST[algorithm.hash.name], message, { key: object, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }, signature)
        );
    }
  } catch {
    return false; // OpenSSL could not even parse it
  }
}

/** The adapters' chain-signature option: OpenSSL's check when they compute with OpenSSL. */
export function chainSignatures(provider: CryptoProvider | undefined): { verifySignature?: typeof verifyCertificateSignature } {
  return provider === nodeCryptoProvider ? { verifySignature: verifyCertificateSignature } : {};
}
