/**
 * `@lucid-tls/acme`: an ACME client (RFC 8555) on lucid-tls. ACME is how certificates are
 * issued and renewed without a person: the client proves to a CA such as Let's Encrypt
 * that it controls a domain, by a file on its web server (http-01), a certificate on its
 * TLS server (tls-alpn-01, RFC 8737) or a TXT record in its DNS (dns-01), and the CA
 * signs a certificate for it.
 *
 * - {@link AcmeClient} talks to one server under one account key: the directory, nonces,
 *   JWS-signed requests, the `badNonce` retry, problem documents as {@link AcmeError}s,
 *   polling that honours Retry-After. Its HTTPS is lucid-tls's own TLS client.
 * - {@link newAccount}, {@link changeAccountKey}; {@link newOrder}, {@link fetchAuthorization},
 *   {@link respondToChallenge}, {@link finalizeOrder}; {@link downloadCertificate},
 *   {@link revokeCertificate}: the protocol's operations, one file each.
 * - {@link obtainCertificate} does an issuance from order to chain, with a
 *   {@link ChallengeResponder}: {@link ChallengeResponses} (http-01 and tls-alpn-01, served
 *   by {@link serveHttp01} / {@link serveTlsAlpn01} or by a running server through
 *   {@link answerHttp01} and {@link withTlsAlpn01}) or {@link DnsHookResponder} (dns-01).
 * - {@link renewalTime} says when to renew: two thirds into the lifetime, with jitter.
 * - Every request and response can be traced ({@link AcmeTraceEvent}, {@link renderAcmeEvent}).
 *
 * From the command line: `lucid-tls acme issue|renew|revoke` (see `lucid-tls acme --help`).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { AcmeClient, ChallengeResponses, generateAccountKey, newAccount, obtainCertificate, renewalTime, serveHttp01 } from '@lucid-tls/acme';
 * const client = new AcmeClient({ directoryUrl: 'https://localhost:14000/dir', accountKey: generateAccountKey(), ca: readFileSync('pebble-ca.pem') });
 * await newAccount(client, { contact: ['mailto:admin@example.com'], termsOfServiceAgreed: true });
 * const responses = new ChallengeResponses();
 * const listener = await serveHttp01(responses, { port: 80 });
 * const obtained = await obtainCertificate(client, { domains: ['example.com'], challenge: 'http-01', responder: responses });
 * await listener.close();
 * console.log(obtained.certificatePem, 'renew after', renewalTime(obtained.certificate));
 * ```
 * @module \@lucid-tls/acme
 */
export { base64url, fromBase64url, isBase64url } from './base64url.js';
export { asAccountKey, generateAccountKey, jwkThumbprint, jwsAlgorithm, publicJwk, signJws } from './jws.js';
export type { AccountKey, FlattenedJws, Jwk, JwsAlgorithm, ProtectedHeader } from './jws.js';
export { ACME_ERROR, AcmeError, ClientErrorType, clientError, parseProblem, shortType } from './problem.js';
export type { Problem } from './problem.js';
export { MAX_DOMAIN_LENGTH, dnsIdentifier } from './identifier.js';
export type { Identifier } from './identifier.js';
export { MAX_RESPONSE_BYTES, REQUEST_TIMEOUT_MS, httpsTransport } from './transport.js';
export type { HttpRequest, HttpResponse, HttpTransport, HttpsTransportOptions } from './transport.js';
export { MAX_LINKS, linksWithRel, parseLinks, parseRetryAfter } from './headers.js';
export type { Link } from './headers.js';
export { MAX_POOLED_NONCES, NoncePool } from './nonces.js';
export { TRACED_HEADERS, renderAcmeEvent } from './trace.js';
export type { AcmeRequestEvent, AcmeResponseEvent, AcmeStepEvent, AcmeTraceEvent, AcmeTraceObserver } from './trace.js';
export { parseDirectory } from './directory.js';
export type { Directory } from './directory.js';
export { AcmeClient, DEFAULT_POLL_INTERVAL_MS, DEFAULT_POLL_TIMEOUT_MS, MAX_BAD_NONCE_RETRIES } from './client.js';
export type { AcmeClientOptions, AcmeResponse, Signer } from './client.js';
export { changeAccountKey, findAccount, newAccount } from './account.js';
export type { Account, AccountStatus, NewAccountOptions } from './account.js';
export { fetchOrder, finalizeOrder, newOrder, waitForOrder } from './order.js';
export type { Order, OrderStatus } from './order.js';
export { fetchAuthorization, respondToChallenge, waitForAuthorization } from './authorization.js';
export type { Authorization, AuthorizationStatus, Challenge, ChallengeStatus } from './authorization.js';
export { MAX_CHAIN_LENGTH, downloadCertificate, revokeCertificate } from './certificate.js';
export type { CertificateChain, RevokeOptions } from './certificate.js';
export { CHALLENGE_TYPES, keyAuthorization, keyAuthorizationDigest } from './challenges/responder.js';
export type { ChallengeResponder, ChallengeTask, ChallengeType } from './challenges/responder.js';
export type { ChallengeListener, ListenAddress } from './challenges/listener.js';
export { HTTP01_PATH_PREFIX, answerHttp01, serveHttp01 } from './challenges/http-01.js';
export type { Http01Source } from './challenges/http-01.js';
export { ACME_TLS_ALPN_PROTOCOL, serveTlsAlpn01, tlsAlpn01Certificate, withTlsAlpn01 } from './challenges/tls-alpn-01.js';
export type { TlsAlpn01Source } from './challenges/tls-alpn-01.js';
export { DNS_HOOK_TIMEOUT_MS, DnsHookResponder, dns01RecordName, dns01TxtValue } from './challenges/dns-01.js';
export { ChallengeResponses } from './challenges/responses.js';
export { obtainCertificate } from './issuance.js';
export type { ObtainOptions, ObtainedCertificate } from './issuance.js';
export { RENEWAL_JITTER, RENEWAL_POINT, isDueForRenewal, renewalTime } from './renewal.js';
export { writeFileAtomic } from './files.js';
