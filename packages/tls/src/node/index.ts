/**
 * `@lucid-tls/tls/node`: the engine on Node's streams, shaped like `node:tls`.
 * `connect()` and `createServer()` return {@link TLSSocket}s, `Duplex` streams with the
 * events and methods Node code expects, so they plug into `http.request({ createConnection })`
 * and `http.Server`. Certificates are verified by default; errors are {@link TlsError}s.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { connect } from '@lucid-tls/tls/node';
 * http.get({ host: 'example.com', path: '/', createConnection: () => connect({ host: 'example.com', port: 443, ALPNProtocols: ['http/1.1'] }) },
 *   (res) => res.pipe(process.stdout));
 * ```
 * @module \@lucid-tls/tls/node
 */
export { connect } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { createServer, Server, DEFAULT_HANDSHAKE_TIMEOUT } from './create-server.js';
export type { ServerOptions } from './create-server.js';
export { TLSSocket } from './tls-socket.js';
export { nodeCryptoProvider } from './crypto/index.js';
export { verifyCertificateSignature } from './crypto/certificate-signatures.js';
export type { CipherNameAndProtocol, ClientSocketSetup, ServerSocketSetup, TLSSocketSetup } from './tls-socket.js';
export { peerCertificate, describeForNode, openSslDate } from './peer-certificate.js';
export type { DetailedPeerCertificate, PeerCertificate } from './peer-certificate.js';
export type { PemInput } from './options.js';
export { startLatencyProxy } from './latency-proxy.js';
export type { LatencyProxy, LatencyProxyOptions } from './latency-proxy.js';
export { TlsError } from '../alert.js';
export type { AlertName } from '../alert.js';
