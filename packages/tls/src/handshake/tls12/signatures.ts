/**
 * Signatures in TLS 1.2 (RFC 5246 §7.4.1.4.1, §7.4.3, §7.4.8; RFC 8422 §5.4): what the
 * ServerKeyExchange and the client's CertificateVerify sign, and which schemes may sign.
 *
 * TLS 1.2 signs the handshake's own bytes where TLS 1.3 signs a transcript hash with a
 * context string, and it still needs RSA PKCS#1 v1.5 (TLS 1.3 allows it only in
 * certificates, RFC 8446 §4.2.3) — with SHA-256, SHA-384 or SHA-512, never SHA-1 or MD5,
 * which no provider scheme offers.
 * @module
 */
import { fail } from '../../alert.js';
import type { CryptoProvider, PrivateKey, PublicKey, SignatureScheme } from '../../crypto/provider.js';
import { signatureSchemeName } from '../../crypto/provider.js';
import { concat } from '../../wire/bytes.js';
import { serverEcdhParams } from './messages/server-key-exchange.js';

/** Whether `scheme` may sign with `key` in TLS 1.2: as in TLS 1.3, and rsa_pkcs1_* with an RSA key. */
export function canSignTls12(scheme: SignatureScheme, key: PrivateKey): boolean {
  return scheme.canSign(key) || (scheme.name.startsWith('rsa_pkcs1_') && key.type === 'rsa');
}

/** Our schemes, in our order, that the peer accepts and that can sign with `key`. */
export function chooseTls12Scheme(schemes: readonly SignatureScheme[], peerAccepts: readonly number[], key: PrivateKey): SignatureScheme | undefined {
  return schemes.find((s) => peerAccepts.includes(s.id) && canSignTls12(s, key));
}

/**
 * What a ServerKeyExchange signs (RFC 8422 §5.4): ClientHello.random, ServerHello.random and
 * ServerECDHParams. The randoms make the signature good for this handshake only.
 */
export function serverKeyExchangeContent(clientRandom: Uint8Array, serverRandom: Uint8Array, namedCurve: number, publicKey: Uint8Array): Uint8Array {
  return concat(clientRandom, serverRandom, serverEcdhParams(namedCurve, publicKey));
}

/** Signs `content` (randomness for an RSA-PSS salt from the provider). */
export function signTls12(provider: CryptoProvider, scheme: SignatureScheme, key: PrivateKey, content: Uint8Array): Uint8Array {
  return scheme.sign(key, content, (n) => provider.randomBytes(n));
}

/**
 * Checks a peer's signature: a scheme we offered (`illegal_parameter` otherwise), fit for the
 * certificate's key, and valid (`decrypt_error` otherwise, RFC 5246 §7.2.2).
 */
export function verifyTls12(
  schemes: readonly SignatureScheme[],
  offered: readonly number[],
  algorithm: number,
  key: PublicKey,
  content: Uint8Array,
  signature: Uint8Array,
  what: string,
): SignatureScheme {
  const scheme = schemes.find((s) => s.id === algorithm);
  if (!scheme || !offered.includes(algorithm)) fail('illegal_parameter', `${what} uses ${signatureSchemeName(algorithm)}, which was not offered`);
  if (!scheme.canVerify(key)) fail('illegal_parameter', `${scheme.name} does not fit the certificate's key`);
  if (!scheme.verify(key, content, signature)) fail('decrypt_error', `the ${what} signature does not verify`);
  return scheme;
}
