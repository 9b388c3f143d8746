/**
 * `@lucid-tls/tls`: TLS 1.3 (RFC 8446) as a sans-IO engine. A connection takes the bytes
 * received from the network and gives back the bytes to send; it never touches a socket.
 *
 * Where to start: {@link ClientConnection} and {@link ServerConnection} (the engine), their
 * configuration ({@link ClientConfig}, {@link ServerConfig}), and the trace. Certificates are
 * in `@lucid-tls/tls/x509`, sockets in `@lucid-tls/tls/node`, and the building blocks the
 * tutorials take apart (key schedule, records, codec) in `@lucid-tls/tls/learn`.
 *
 * @example
 * ```ts
 * import { ClientConnection, ServerConnection, verifyWithTrustStore } from '@lucid-tls/tls';
 * import { TrustStore, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 *
 * const ca = createCertificateAuthority();
 * const { certificate, privateKey } = issueCertificate(ca, { names: ['localhost'] });
 * const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: verifyWithTrustStore(TrustStore.fromCertificates([ca.certificate])) });
 * const server = new ServerConnection({ certificate: { chain: [certificate.der], privateKey } });
 * server.receive(client.takeOutgoing()); // ClientHello
 * client.receive(server.takeOutgoing()); // ServerHello … Finished
 * server.receive(client.takeOutgoing()); // client Finished
 * client.write(new TextEncoder().encode('hello'));
 * server.receive(client.takeOutgoing());
 * console.log(new TextDecoder().decode(server.read())); // → hello
 * ```
 * @module \@lucid-tls/tls
 */

// ---- Engine: the sans-IO connections, what they report, how they fail ----------------
export { ClientConnection } from './connection/client-connection.js';
export { ServerConnection } from './connection/server-connection.js';
export { Connection, MAX_KEY_UPDATES_WITHOUT_DATA, MAX_WARNING_ALERTS_WITHOUT_DATA } from './connection/connection.js';
export type { ConnectionEvent, ConnectionInfo } from './connection/connection.js';
export type { ProtocolName } from './handshake/versions.js';
export { MAX_HANDSHAKE_MESSAGE_LENGTH } from './handshake/deframer.js';
export { TlsError, AlertDescription, alertName } from './alert.js';
export type { AlertName } from './alert.js';

// ---- Configuration: certificates to present and to trust, sessions, tickets ------------
export type {
  CertificateVerifier,
  CertifiedKey,
  ClientAuthPolicy,
  ClientConfig,
  CommonConfig,
  PeerCertificateContext,
  PskKeyExchangeModeName,
  ServerConfig,
} from './handshake/config.js';
export { insecureSkipVerify, verifyWithTrustStore } from './connection/verifiers.js';
export { decodeSession, encodeSession } from './handshake/session.js';
export type { Session } from './handshake/session.js';
export { RotatingTicketer, SHARED_TICKET_KEY_LENGTH, SharedTicketer } from './handshake/server/ticketer.js';
export type { Ticketer } from './handshake/server/ticketer.js';
export { SingleUseTickets } from './handshake/server/anti-replay.js';
export type { AntiReplay } from './handshake/server/anti-replay.js';

// ---- Crypto providers: the primitives a connection uses, as plain data -----------------
export { nobleProvider } from './crypto/noble.js';
export { withFixedInputs } from './crypto/fixed-inputs.js';
export type { FixedInputs } from './crypto/fixed-inputs.js';
export { CipherSuiteId, NamedGroupId, SignatureSchemeId, cipherSuiteName, groupName, signatureSchemeName } from './crypto/provider.js';
export type {
  Aead,
  AeadKey,
  CipherSuite,
  CipherSuiteName,
  CryptoProvider,
  Encapsulation,
  HashFunction,
  KeyExchangeGroup,
  KeyPair,
  NamedGroupName,
  PrivateKey,
  PublicKey,
  RunningHash,
  SignatureScheme,
  SignatureSchemeName,
} from './crypto/provider.js';

// ---- Trace: every record, message, field and secret, rendered or as data ----------------
export { renderTrace, createTerminalRenderer } from './trace/render-terminal.js';
export type { TerminalRenderOptions } from './trace/render-terminal.js';
export { renderHtml, createHtmlRenderer, escapeHtml, rfcSectionUrl, TRACE_HTML_STYLE } from './trace/render-html.js';
export type { HtmlRenderOptions } from './trace/render-html.js';
export { keyLogLine } from './trace/keylog.js';
export type { KeyLogWriter } from './trace/keylog.js';
export type { AlertEvent, MessageEvent, RecordAead, RecordEvent, SecretEvent, Side, StateEvent, TraceEvent, TraceField, TraceObserver } from './trace/events.js';
export { createCheckCommands } from './trace/check-commands.js';
export { flightsOf, handshakeTimeline, splitFlights } from './trace/timeline.js';
export type { Flight, TimedFlight, Timeline } from './trace/timeline.js';
export { describeRtt, formatMs, renderTimelineHtml, TIMELINE_RTTS, TIMELINE_SCRIPT, TIMELINE_STYLE } from './trace/render-timeline.js';
export type { TimelineHtmlOptions } from './trace/render-timeline.js';
export type { CheckCommand } from './trace/check-commands.js';
export { unwrapMessage } from './trace/events.js';
export type { Field } from './wire/codec.js';
