/**
 * The native crypto provider: the engine's {@link CryptoProvider} implemented on
 * `node:crypto`, that is on the OpenSSL inside Node. It has the same shape and the same
 * cipher suites, groups and signature schemes as `nobleProvider`, in the same order, and it
 * only uses Node's synchronous APIs, because the sans-IO engine calls its provider
 * synchronously. The one thing Node 20's OpenSSL lacks is ML-KEM: the post-quantum groups
 * take it from the noble provider, their elliptic-curve half from OpenSSL.
 *
 * Why a second provider: OpenSSL's primitives are constant-time where JavaScript's cannot
 * promise to be (AES with AES-NI, RSA with blinding, the curves in fixed-window ladders),
 * and they are several times faster. The noble provider stays the default of the engine
 * itself and of the browser, where `node:crypto` does not exist; this one is the default of
 * everything Node-only (`connect`, `createServer`, the CLI, the terminator).
 * @module
 */
import { CipherSuiteId, type CipherSuite, type CryptoProvider } from '../../crypto/provider.js';
import { aes128gcm, aes256gcm, chacha20poly1305 } from './aead.js';
import { groups } from './groups.js';
import { sha256, sha384 } from './hash.js';
import { randomBytes } from './random.js';
import { signatureSchemes } from './signature-schemes.js';

/** The three TLS 1.3 cipher suites (RFC 8446 §B.4) over OpenSSL's AEADs and hashes. */
const cipherSuites: readonly CipherSuite[] = [
  { id: CipherSuiteId.TLS_AES_128_GCM_SHA256, name: 'TLS_AES_128_GCM_SHA256', aead: aes128gcm, hash: sha256 },
  { id: CipherSuiteId.TLS_AES_256_GCM_SHA384, name: 'TLS_AES_256_GCM_SHA384', aead: aes256gcm, hash: sha384 },
  { id: CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256, name: 'TLS_CHACHA20_POLY1305_SHA256', aead: chacha20poly1305, hash: sha256 },
];

/**
 * The crypto provider on `node:crypto` (OpenSSL): the three cipher suites; the groups of
 * the noble provider in its order (the hybrids with their ML-KEM half from noble, the
 * curves and finite fields on OpenSSL); the ECDSA, Ed25519 and RSA signature schemes; and
 * OpenSSL's random generator. It is the default of `connect`, `createServer`, `lucid-tls`
 * and the terminator; pass it as `provider` to use it with the sans-IO engine directly.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify } from '@lucid-tls/tls';
 * import { nodeCryptoProvider } from '@lucid-tls/tls/node';
 * console.log(nodeCryptoProvider.groups.map((g) => g.name).slice(3, 8).join(' ')); // → x25519 secp256r1 secp384r1 secp521r1 x448
 * const client = new ClientConnection({ provider: nodeCryptoProvider, groups: ['x25519'], verifyServerCertificate: insecureSkipVerify });
 * console.log(client.takeOutgoing()[0]); // → 22
 * ```
 */
export const nodeCryptoProvider: CryptoProvider = {
  cipherSuites,
  groups,
  signatureSchemes,
  randomBytes,
};
