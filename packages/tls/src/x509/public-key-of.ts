/**
 * The one thing the handshake needs from a peer's certificate before validation: its
 * public key, to check CertificateVerify (RFC 8446 §4.4.3).
 * @module
 */
import type { PublicKey } from '../crypto/provider.js';
import { parseCertificate } from './certificate.js';
import { X509Error } from './errors.js';

/**
 * The subject public key of a DER certificate. Throws {@link X509Error} when the
 * certificate is malformed or its key type is not supported.
 *
 * @example
 * ```ts
 * import { certificatePublicKey, createCertificateAuthority } from '@lucid-tls/tls/x509';
 * console.log(certificatePublicKey(createCertificateAuthority({ keyType: 'ed25519' }).certificate.der).type); // → ed25519
 * ```
 */
export function certificatePublicKey(certificateDer: Uint8Array): PublicKey {
  const cert = parseCertificate(certificateDer);
  if (!cert.publicKey) throw new X509Error(cert.publicKeyError?.code ?? 'unsupported_key', cert.publicKeyError?.message);
  return cert.publicKey;
}
