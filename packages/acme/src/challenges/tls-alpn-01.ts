/**
 * tls-alpn-01 (RFC 8737): proof by TLS handshake. The ACME server connects to port 443
 * of the domain offering one ALPN protocol, `acme-tls/1`, with the domain as SNI (§3).
 * A client that controls the domain answers that handshake, and only that one, with a
 * self-signed certificate whose subjectAltName is the domain alone and whose critical
 * acmeIdentifier extension (id-pe 31) holds the SHA-256 of the key authorization. No
 * application data follows: the handshake is the whole protocol (§4).
 *
 * Here the answering server is lucid-tls's own: the engine asks the certificate chooser
 * for a certificate knowing the ALPN protocol it has chosen, and {@link withTlsAlpn01}
 * makes a chooser return the challenge certificate exactly when that protocol is
 * `acme-tls/1`. A running server keeps its ordinary certificates for every other handshake.
 * @module
 */
import { createServer as createNetServer } from 'node:net';
import type { CertifiedKey, ServerConfig, TraceObserver } from '@lucid-tls/tls';
import { TLSSocket } from '@lucid-tls/tls/node';
import { OID, der, encodeExtension, encodeGeneralName, encodeName, generatePrivateKey, publicKeyFromPrivateKey, signCertificate } from '@lucid-tls/tls/x509';
import { listenOn, type ChallengeListener, type ListenAddress } from './listener.js';
import { keyAuthorizationDigest } from './responder.js';

/**
 * The ALPN protocol of tls-alpn-01 validation handshakes (RFC 8737 §4, §6.2).
 *
 * @example
 * ```ts
 * import { ACME_TLS_ALPN_PROTOCOL } from '@lucid-tls/acme';
 * console.log(ACME_TLS_ALPN_PROTOCOL); // → acme-tls/1
 * ```
 */
export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';

/** How long a challenge certificate is valid: it is used for minutes, and never trusted anyway. */
const CHALLENGE_CERTIFICATE_DAYS = 7;

/**
 * The challenge certificate for `domain` (RFC 8737 §3): self-signed, a fresh P-256 key,
 * one dNSName, and the critical acmeIdentifier extension whose value is the DER
 * `OCTET STRING (SIZE (32))` of the key authorization's SHA-256.
 *
 * @example
 * ```ts
 * import { tlsAlpn01Certificate } from '@lucid-tls/acme';
 * import { parseCertificate } from '@lucid-tls/tls/x509';
 * const { chain } = tlsAlpn01Certificate('example.com', 'token.thumbprint');
 * const cert = parseCertificate(chain[0]!);
 * console.log(cert.subjectAltNames, cert.extensions.map((e) => `${e.name}${e.critical ? ' (critical)' : ''}`).join(', ')); // → [ { type: 'dns', value: 'example.com' } ] subjectAltName, acmeIdentifier (critical)
 * ```
 */
export function tlsAlpn01Certificate(domain: string, keyAuthorization: string, now: Date = new Date()): CertifiedKey {
  const privateKey = generatePrivateKey('ec');
  const name = encodeName([[OID.commonName, 'ACME tls-alpn-01 challenge']]);
  const certificate = signCertificate({
    issuer: name,
    subject: name,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CHALLENGE_CERTIFICATE_DAYS * 86_400_000),
    publicKey: publicKeyFromPrivateKey(privateKey),
    extensions: [
      encodeExtension(OID.subjectAltName, false, der.sequence(encodeGeneralName({ type: 'dns', value: domain }))),
      encodeExtension(OID.acmeIdentifier, true, der.octetString(keyAuthorizationDigest(keyAuthorization))),
    ],
    signingKey: privateKey,
  });
  return { chain: [certificate], privateKey };
}

/** What answers tls-alpn-01 handshakes: the challenge certificate for a server name, when there is one. */
export interface TlsAlpn01Source {
  /** The challenge certificate and its key for a validation handshake's SNI name, or undefined. */
  tlsAlpn01Certificate(serverName: string): CertifiedKey | undefined;
}

/**
 * A certificate chooser for a server that also answers tls-alpn-01: when the engine has
 * chosen ALPN `acme-tls/1`, the challenge certificate for the SNI name (or none, which
 * fails that handshake: the ordinary certificate must never answer it); otherwise `ordinary`.
 * The server's `alpnProtocols` must include `acme-tls/1`.
 *
 * @example
 * ```ts
 * import { ChallengeResponses, withTlsAlpn01 } from '@lucid-tls/acme';
 * import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const site = issueCertificate(createCertificateAuthority(), { names: ['example.com'] });
 * const responses = new ChallengeResponses();
 * responses.provision({ type: 'tls-alpn-01', domain: 'example.com', token: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', keyAuthorization: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.thumbprint' });
 * const choose = withTlsAlpn01(responses, { chain: [site.certificate.der], privateKey: site.privateKey });
 * console.log(choose('example.com', { alpnProtocol: 'acme-tls/1' }) !== undefined, choose('example.com', { alpnProtocol: 'h2' })!.chain[0] === site.certificate.der); // → true true
 * ```
 */
export function withTlsAlpn01(source: TlsAlpn01Source, ordinary: ServerConfig['certificate']): (serverName: string | undefined, hello: { alpnProtocol?: string }) => CertifiedKey | undefined {
  return (serverName, hello) => {
    if (hello.alpnProtocol === ACME_TLS_ALPN_PROTOCOL) return serverName === undefined ? undefined : source.tlsAlpn01Certificate(serverName);
    return typeof ordinary === 'function' ? ordinary(serverName, hello) : ordinary;
  };
}

/** How long a validation handshake may take before its connection is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A standalone tls-alpn-01 responder (the CLI's `--tls-listen`): a TLS server that speaks
 * only `acme-tls/1`, answers each validation handshake with the challenge certificate for
 * its SNI name, and closes the connection once the handshake is done (RFC 8737 §4).
 * `trace` gives each validation connection an observer of its own for the engine's trace
 * (a CA may validate from several places at once, so the handshakes can overlap).
 *
 * @example
 * ```ts
 * import { serveTlsAlpn01, type ChallengeResponses } from '@lucid-tls/acme';
 * declare const responses: ChallengeResponses;
 * const listener = await serveTlsAlpn01(responses, { port: 443 });
 * // … obtainCertificate(client, { domains, challenge: 'tls-alpn-01', responder: responses }) …
 * await listener.close();
 * ```
 */
export async function serveTlsAlpn01(source: TlsAlpn01Source, listen: ListenAddress, options: { trace?: () => TraceObserver } = {}): Promise<ChallengeListener> {
  const config: ServerConfig = {
    certificate: withTlsAlpn01(source, () => undefined),
    alpnProtocols: [ACME_TLS_ALPN_PROTOCOL],
  };
  const server = createNetServer({ allowHalfOpen: true }, (transport) => {
    const traced = options.trace ? { ...config, trace: options.trace() } : config;
    const socket = new TLSSocket(transport, { isServer: true, config: traced, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    socket.on('error', () => socket.destroy()); // a failed handshake concerns only its own connection
    socket.once('close', () => clearTimeout(timer));
    socket.once('secure', () => socket.end()); // acme-tls/1 carries no data
    socket.resume();
  });
  return listenOn(server, listen);
}
