/**
 * Certificate verifiers for the connection configs: RFC 5280 path validation against a
 * trust store (the default way), and the explicit way to skip it.
 * @module
 */
import { TlsError } from '../alert.js';
import { isIP } from '../wire/ip.js';
import { alertForX509Error } from '../x509/errors.js';
import type { Profile } from '../x509/webpki.js';
import type { TrustStore } from '../x509/trust-store.js';
import { verifyChain, type CertificateSignatureVerifier } from '../x509/verify.js';
import type { CertificateVerifier } from '../handshake/config.js';

/**
 * Validates the peer's chain against `trustStore` (RFC 5280 §6), for the purpose the
 * connection gives, at the connection's clock, and (for servers) against the server
 * name: a DNS name or an IP address, matched against the subjectAltNames only
 * (RFC 6125). A failure becomes the TLS alert RFC 8446 §6.2 names for it.
 *
 * The profile is `'webpki'` for server certificates (the rules browsers apply: key
 * identifiers, critical basicConstraints in CAs, extendedKeyUsage in the leaf, TLS
 * signature algorithms…) and `'rfc5280'` for client certificates, unless `profile` says
 * otherwise (see `defaultProfile` in `@lucid-tls/tls/x509`).
 *
 * @example
 * ```ts
 * import { ClientConnection, verifyWithTrustStore } from '@lucid-tls/tls';
 * import { TrustStore, createCertificateAuthority } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority(); // or the CA of your choice, e.g. TrustStore.fromPem(readFileSync('ca.pem', 'utf8'))
 * const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: verifyWithTrustStore(TrustStore.fromPem(ca.certPem)) });
 * console.log(client.takeOutgoing()[0]); // → 22
 * ```
 * @category Configuration
 */
export function verifyWithTrustStore(
  trustStore: TrustStore,
  options: { hostname?: string; maxDepth?: number; profile?: Profile; verifySignature?: CertificateSignatureVerifier } = {},
): CertificateVerifier {
  return (chain, context) => {
    const name = options.hostname ?? context.serverName;
    // A server certificate proves nothing without a name to check it against: fail closed.
    if (context.purpose === 'server' && !name) throw new TlsError('certificate_unknown', 'no server name to check the certificate against');
    const result = verifyChain(chain, {
      trustStore,
      purpose: context.purpose,
      at: context.now,
      ...(name === undefined ? {} : isIP(name) ? { ip: name } : { hostname: name }),
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.verifySignature === undefined ? {} : { verifySignature: options.verifySignature }),
    });
    if (!result.ok) throw new TlsError(alertForX509Error(result.code), `${result.code}: ${result.message}`);
  };
}

/**
 * Accepts any certificate chain. The CertificateVerify signature is still checked, so the
 * peer holds the key of the certificate it sent, but nothing says who that is: use it only
 * for tests and for the command line's `--insecure`.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify } from '@lucid-tls/tls';
 * // Only for tests and tools: any certificate is accepted (its key must still sign the handshake).
 * const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: insecureSkipVerify });
 * console.log(client.stateName); // → ExpectServerHello
 * ```
 * @category Configuration
 */
export const insecureSkipVerify: CertificateVerifier = () => {};
