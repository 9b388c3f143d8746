/**
 * A TLS 1.3 client connection (sans-IO).
 * @module
 */
import { configuredAlgorithms, keyShareGroups } from './negotiation.js';
import { Connection } from './connection.js';
import type { ClientConfig } from './config.js';
import { clientHelloExtensions, encodeClientHello, LEGACY_VERSION, type ClientHandshake } from '../handshake/client/client-hello.js';
import { ExpectServerHello } from '../handshake/client/expect-server-hello.js';
import type { ClientHello } from '../handshake/messages/types.js';
import { generateKeyShare } from '../handshake/key-share.js';

/**
 * The client side of a TLS 1.3 connection. Creating it queues the ClientHello (and any
 * 0-RTT data): send {@link takeOutgoing} first.
 *
 * @example
 * ```ts
 * const client = new ClientConnection({ serverName: 'example.com', verifyServerCertificate: verifier });
 * socket.write(client.takeOutgoing());
 * socket.on('data', (bytes) => { client.receive(bytes); socket.write(client.takeOutgoing()); });
 * ```
 */
export class ClientConnection extends Connection {
  constructor(config: ClientConfig) {
    if (typeof config.verifyServerCertificate !== 'function') {
      throw new TypeError('ClientConfig.verifyServerCertificate is required (trust is never skipped silently)');
    }
    super('client', config, (conn) => new ExpectServerHello(conn, (conn as ClientConnection).start(config)));
    this.flush();
  }

  /** Builds and queues the ClientHello, and early data when resuming with it (§4.1.2, §4.2.10). */
  private start(config: ClientConfig): ClientHandshake {
    const { suites, groups, schemes } = configuredAlgorithms(this.provider, config);
    const shareGroups = keyShareGroups(groups, config.keyShareGroups);
    const random = this.provider.randomBytes(32);
    this.clientRandom = random;
    // §D.4: in compatibility mode the session id is 32 random bytes, else empty.
    const legacySessionId = config.middleboxCompatibility ? this.provider.randomBytes(32) : new Uint8Array(0);
    const keyShares = new Map(shareGroups.map((g) => [g.id, generateKeyShare(this, g)] as const));

    // A session is offered only while its ticket is fresh and its suite still allowed.
    let session = config.session;
    if (session && (!suites.some((s) => s.id === session!.cipherSuite) || this.now() - session.receivedAt > session.lifetime * 1000)) {
      session = undefined;
    }
    // §4.6.1: resume only under the name the session was made for (we keep no certificate to check another against).
    if (session && session.serverName !== config.serverName) session = undefined;
    // §4.2.10: 0-RTT uses the session's ALPN protocol, so it must still be one we offer.
    const alpnKept = !session?.alpnProtocol || !!config.alpnProtocols?.includes(session.alpnProtocol);
    const earlyData = !!(session && alpnKept && config.earlyData && session.maxEarlyDataSize > 0 && config.earlyData.length <= session.maxEarlyDataSize);

    const hs: ClientHandshake = {
      config,
      suites,
      groups,
      schemes,
      // §4.2.3: without signature_algorithms_cert this list also governs certificate signatures, so
      // rsa_pkcs1_* stay in it; CertificateVerify refuses them on its own.
      offeredSchemes: config.advertise?.signatureAlgorithms ?? schemes.map((s) => s.id),
      keyShares,
      random,
      legacySessionId,
      sentEarlyData: earlyData,
      offered: new Set(),
      clientHello: undefined as unknown as ClientHello,
      retried: false,
    };
    if (session) {
      hs.offeredSession = session;
      this.secret({ name: 'psk', label: 'PSK', derivation: 'the resumption PSK of the offered ticket', secret: session.psk });
    }
    const hello: ClientHello = {
      type: 'client_hello',
      legacyVersion: LEGACY_VERSION,
      random,
      legacySessionId,
      cipherSuites: suites.map((s) => s.id),
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: clientHelloExtensions(hs, earlyData),
    };
    const { bytes, fields } = encodeClientHello(this, hs, hello, this.transcript, !!config.trace);
    hs.clientHello = hello;
    hs.offered = new Set(hello.extensions.map((e) => e.type));
    this.sendEncodedHandshake('client_hello', bytes, fields);
    // §5: a compatibility change_cipher_spec may arrive any time after the first ClientHello
    // (a server in compatibility mode sends one right after a HelloRetryRequest, §D.4).
    this.recordLayer.allowChangeCipherSpec = true;

    if (earlyData) {
      // §4.2.10: 0-RTT data is protected with client_early_traffic_secret, from Hash(ClientHello).
      const suite = suites.find((s) => s.id === session!.cipherSuite)!;
      // Hash(ClientHello) under the PSK's hash, without fixing the transcript's: the server may refuse the PSK and pick another suite.
      const hash = this.transcript.digestWith(suite.hash, new Uint8Array(0));
      const secret = hs.schedule!.clientEarlyTrafficSecret(hash);
      hs.schedule!.earlyExporterMasterSecret(hash);
      this.secret({ name: 'transcript_hash_ch', label: 'Transcript-Hash', derivation: 'Transcript-Hash(ClientHello)', secret: hash });
      if (config.middleboxCompatibility) this.sendChangeCipherSpec(); // §D.4: right after the ClientHello
      this.setWriteSecret(suite, secret, 'early');
      this.sendApplicationData(config.earlyData!);
    }
    return hs;
  }

  protected canSendApplicationData(): boolean {
    return this.handshakeComplete;
  }
}
