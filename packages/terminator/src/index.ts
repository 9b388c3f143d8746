/**
 * `@lucid-tls/terminator`: an HTTPS terminator, the TLS front of a load balancer, on
 * lucid-tls. Clients speak TLS 1.3 to it; it speaks plain HTTP/1.1 to the application
 * server behind it, adding `X-Forwarded-Proto: https`, `X-Forwarded-For`,
 * `X-Forwarded-Host`, `Forwarded` (RFC 7239) and, with mTLS, `X-Forwarded-Client-Cert`.
 * With `acme`, it gets and renews its own certificates from an ACME server (RFC 8555).
 *
 * @example
 * ```ts
 * import { startTerminator } from '@lucid-tls/terminator';
 * const terminator = await startTerminator({
 *   listen: '127.0.0.1:8443',
 *   upstream: 'http://127.0.0.1:8080',
 *   certificates: [{ cert: 'localhost.pem', key: 'localhost-key.pem' }],
 * });
 * // … later, on SIGTERM:
 * await terminator.close();
 * ```
 * @module
 */
export { startTerminator } from './terminator.js';
export type { ReloadResult, Terminator, TerminatorOptions } from './terminator.js';
export { ConfigError, DEFAULT_ACME_DIR, USAGE, parseCommandLine, parseHostPort, resolveConfig } from './config.js';
export type {
  AcmeChallengeType,
  AcmeSettings,
  CertificateFiles,
  ClientCertMode,
  CommandLine,
  CryptoChoice,
  HostPort,
  ResolvedAcme,
  ResolvedConfig,
  TerminatorConfig,
  TimeoutSettings,
} from './config.js';
export { AcmeManager, MAX_RETRY_DELAY_MS, retryDelay } from './acme-manager.js';
export type { AcmeHooks, AcmeOrderEntry, AcmeStartResult } from './acme-manager.js';
export { AcmeStore } from './acme-store.js';
export type { ManagedCertificate, StoredCertificate } from './acme-store.js';
export { CertificateStore, certificateFromPem, loadCertificate, loadTrustStore } from './certificates.js';
export type { LoadedCertificate } from './certificates.js';
export {
  FORWARDING_HEADERS,
  TrustedProxies,
  clientCertElement,
  escapeRfc4514Value,
  forwardedElement,
  forwardedNode,
  forwardedValue,
  normalizeAddress,
  quotedString,
  rfc4514Name,
  upstreamRequestHeaders,
} from './forwarded-headers.js';
export type { ClientIdentity, ForwardingContext } from './forwarded-headers.js';
export { EarlyDataTracker, isIdempotent } from './early-data.js';
export { createRedirectServer, httpsLocation } from './redirect.js';
export { HANDSHAKE_BUCKETS, Metrics, createMetricsServer } from './metrics.js';
export type { HistogramSnapshot, MetricsSnapshot } from './metrics.js';
export {
  PROXY_HEADER_TIMEOUT_MS,
  PROXY_V1_MAX_LENGTH,
  PROXY_V2_MAX_PAYLOAD,
  ProxyProtocolError,
  crc32c,
  parseProxyHeader,
  readProxyHeader,
} from './proxy-protocol.js';
export type { ProxyEndpoint, ProxyHeader, ProxyProtocolFailure, ProxyTlv } from './proxy-protocol.js';
export { MAX_TICKET_KEYS, TICKET_KEYS_VERSION_LINE, TicketKeysError, formatTicketKeys, parseTicketKeys, readTicketKeys } from './ticket-keys.js';
export { jsonLinesSink, openAccessLog, roundMs } from './access-log.js';
export type { AccessLog, AccessLogEntry, AccessLogSink } from './access-log.js';
export { CLIENT_CLOSED } from './proxy.js';
