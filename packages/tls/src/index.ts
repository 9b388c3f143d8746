/**
 * `@lucid-tls/tls`: TLS 1.3 (RFC 8446) as a sans-IO engine. A connection takes the bytes
 * received from the network and gives back the bytes to send; it never touches a socket.
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
export { TlsError, AlertDescription, alertName } from './alert.js';
export type { AlertName } from './alert.js';

export { ClientConnection } from './connection/client-connection.js';
export { ServerConnection } from './connection/server-connection.js';
export { Connection, MAX_HANDSHAKE_MESSAGE_LENGTH, MAX_KEY_UPDATES_WITHOUT_DATA } from './connection/connection.js';
export type { ConnectionEvent, ConnectionInfo } from './connection/connection.js';
export type {
  CertificateVerifier,
  CertifiedKey,
  ClientAuthPolicy,
  ClientConfig,
  CommonConfig,
  PeerCertificateContext,
  ServerConfig,
} from './connection/config.js';
export { insecureSkipVerify, verifyWithTrustStore } from './connection/verifiers.js';

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

export { decodeSession, encodeSession } from './handshake/session.js';
export type { Session } from './handshake/session.js';
export { RotatingTicketer } from './handshake/server/ticketer.js';
export type { Ticketer } from './handshake/server/ticketer.js';
export { SingleUseTickets } from './handshake/server/anti-replay.js';
export type { AntiReplay } from './handshake/server/anti-replay.js';
export { decodeHandshakeMessage, encodeHandshakeMessage } from './handshake/messages/handshake-message.js';
export type * from './handshake/messages/types.js';
export { findExtension } from './handshake/messages/types.js';

export { renderTrace, createTerminalRenderer } from './trace/render-terminal.js';
export type { TerminalRenderOptions } from './trace/render-terminal.js';
export { renderHtml, createHtmlRenderer, escapeHtml, rfcSectionUrl, TRACE_HTML_STYLE } from './trace/render-html.js';
export type { HtmlRenderOptions } from './trace/render-html.js';
export { keyLogLine } from './trace/keylog.js';
export type { KeyLogWriter } from './trace/keylog.js';
export type { AlertEvent, MessageEvent, RecordEvent, SecretEvent, Side, StateEvent, TraceEvent, TraceField, TraceObserver } from './trace/events.js';
export { unwrapMessage } from './trace/events.js';
export type { Field } from './wire/codec.js';

export { runScenario, SCENARIOS } from './rfc8448/replay.js';
export type { ScenarioName, ScenarioOptions, ScenarioRun } from './rfc8448/replay.js';

// The building blocks, for tutorials and for reading the protocol piece by piece.
export {
  KeySchedule,
  deriveSecret,
  emptyHash,
  exportKeyingMaterial,
  finishedKey,
  finishedVerifyData,
  hkdfExpand,
  hkdfExpandLabel,
  hkdfExtract,
  nextTrafficSecret,
  resumptionPsk,
  trafficKey,
} from './handshake/key-schedule.js';
export type { DerivedSecret, SecretName } from './handshake/key-schedule.js';
export { Transcript, messageHash } from './handshake/transcript.js';
export { truncatedClientHello } from './handshake/messages/psk-binders.js';
export { RecordProtection, perRecordNonce } from './record/record-protection.js';
export { RecordLayer } from './record/record-layer.js';
export { ContentType, contentTypeName } from './record/content-type.js';
export { MAX_CIPHERTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from './record/limits.js';
export { sha256, sha384, sha512 } from './crypto/hash.js';
export { aes128gcm, aes256gcm, chacha20poly1305 } from './crypto/aead.js';
export { Reader, Writer } from './wire/codec.js';
export type { FieldInfo } from './wire/codec.js';
export { concat, fromHex, toHex } from './wire/bytes.js';
