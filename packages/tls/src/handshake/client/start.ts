/**
 * The client's first flight (RFC 8446 §4.1.2, §4.2.10): the ClientHello, and 0-RTT data
 * when resuming with it. Where a client connection starts.
 * @module
 */
import type { CipherSuite } from '../../crypto/provider.js';
import type { ClientConfig } from '../config.js';
import type { HandshakeContext, HandshakeState } from '../context.js';
import { generateKeyShare } from '../key-share.js';
import type { ClientHello } from '../messages/types.js';
import { configuredAlgorithms, keyShareGroups } from '../negotiation.js';
import type { Session } from '../session.js';
import type { ProtocolName } from '../versions.js';
import { LEGACY_VERSION, TLS12, TLS13 } from '../versions.js';
import type { ClientHandshake, ClientOffer } from './client-handshake.js';
import { clientHelloExtensions, encodeClientHello } from './client-hello.js';
import { ExpectServerHello } from './expect-server-hello.js';

/** Builds and queues the ClientHello (and early data), and returns the first state. */
export function startClientHandshake(ctx: HandshakeContext, config: ClientConfig): HandshakeState {
  const offer = clientOffer(ctx, config);
  const session = offer.offeredSession;
  const earlyData = !!session && mayUseEarlyData(config, session);
  // 0-RTT data is a TLS 1.3 promise (§4.2.10): a client that sends it offers TLS 1.3 alone.
  if (earlyData) narrowToTls13(offer);
  if (session) ctx.secret({ name: 'psk', label: 'PSK', derivation: 'the resumption PSK of the offered ticket', secret: session.psk });
  const encoded = encodeClientHello(ctx, offer, {
    type: 'client_hello',
    legacyVersion: LEGACY_VERSION,
    random: offer.random,
    legacySessionId: offer.legacySessionId,
    cipherSuites: [...offer.suites, ...offer.tls12Suites].map((s) => s.id),
    legacyCompressionMethods: Uint8Array.of(0),
    extensions: clientHelloExtensions(offer, earlyData),
  });
  const hs: ClientHandshake = {
    ...offer,
    clientHello: encoded.hello,
    offered: new Set(encoded.hello.extensions.map((e) => e.type)),
    sentEarlyData: earlyData,
    retried: false,
  };
  if (encoded.schedule) hs.schedule = encoded.schedule;
  ctx.sendEncodedHandshake('client_hello', encoded.bytes, encoded.fields);
  // §5: a compatibility change_cipher_spec may arrive any time after the first ClientHello
  // (a server in compatibility mode sends one right after a HelloRetryRequest, §D.4). Not to
  // a TLS 1.2-only client, for which change_cipher_spec is a real message (RFC 5246 §7.1).
  ctx.records.allowChangeCipherSpec = offer.versions.includes(TLS13);
  if (earlyData) sendEarlyData(ctx, hs, session, config);
  return new ExpectServerHello(ctx, hs);
}

/** Our random, session id, key shares and the session to offer, drawn in the order RFC 8448's traces fix. */
function clientOffer(ctx: HandshakeContext, config: ClientConfig): ClientOffer {
  const { suites, tls12Suites, groups, schemes, versions } = configuredAlgorithms(ctx.provider, config);
  const random = ctx.provider.randomBytes(32);
  ctx.setClientRandom(random);
  const tls12Session = resumableSession(ctx, config, 'TLSv1.2', tls12Suites);
  // §D.4: in compatibility mode the session id is 32 random bytes, as it is when resuming a
  // TLS 1.2 session by ticket (RFC 5077 §3.4: its echo says the server resumed); else empty.
  const legacySessionId = config.middleboxCompatibility || tls12Session ? ctx.provider.randomBytes(32) : new Uint8Array(0);
  const shareGroups = versions.includes(TLS13) ? keyShareGroups(groups, config.keyShareGroups) : [];
  const keyShares = new Map(shareGroups.map((g) => [g.id, generateKeyShare(ctx, g)] as const));
  const offer: ClientOffer = {
    config,
    versions,
    suites,
    tls12Suites,
    groups,
    schemes,
    // §4.2.3: without signature_algorithms_cert this list also governs certificate signatures, so
    // rsa_pkcs1_* stay in it; CertificateVerify refuses them on its own.
    offeredSchemes: config.advertise?.signatureAlgorithms ?? schemes.map((s) => s.id),
    keyShares,
    random,
    legacySessionId,
  };
  const session = resumableSession(ctx, config, 'TLSv1.3', suites);
  if (session) offer.offeredSession = session;
  if (tls12Session) offer.tls12Session = tls12Session;
  return offer;
}

/** Offering TLS 1.3 alone: the TLS 1.2 suites go, and with them a TLS 1.2 session. */
function narrowToTls13(offer: ClientOffer): void {
  offer.versions = offer.versions.filter((v) => v !== TLS12);
  offer.tls12Suites = [];
}

/**
 * The configured session, if it is of `protocol` and may be offered: fresh, with a suite we
 * still allow, for this name (§4.6.1).
 */
function resumableSession(ctx: HandshakeContext, config: ClientConfig, protocol: ProtocolName, suites: readonly CipherSuite[]): Session | undefined {
  const session = config.session;
  if (!session || (session.protocol ?? 'TLSv1.3') !== protocol || !suites.some((s) => s.id === session.cipherSuite)) return undefined;
  if (ctx.now() - session.receivedAt > session.lifetime * 1000) return undefined;
  // §4.6.1: resume only under the name the session was made for (we keep no certificate to check another against).
  if (session.serverName !== config.serverName) return undefined;
  return session;
}

/** §4.2.10: 0-RTT only within the ticket's limit, and with the session's ALPN protocol still offered. */
function mayUseEarlyData(config: ClientConfig, session: Session): boolean {
  const alpnKept = !session.alpnProtocol || !!config.alpnProtocols?.includes(session.alpnProtocol);
  return alpnKept && !!config.earlyData && session.maxEarlyDataSize > 0 && config.earlyData.length <= session.maxEarlyDataSize;
}

/** §4.2.10: 0-RTT data is protected with client_early_traffic_secret, from Hash(ClientHello). */
function sendEarlyData(ctx: HandshakeContext, hs: ClientHandshake, session: Session, config: ClientConfig): void {
  const suite = hs.suites.find((s) => s.id === session.cipherSuite)!;
  // Hash(ClientHello) under the PSK's hash, without fixing the transcript's: the server may refuse the PSK and pick another suite.
  const hash = ctx.transcript.digestWith(suite.hash, new Uint8Array(0));
  const schedule = hs.schedule!;
  schedule.clientEarlyTrafficSecret(hash);
  schedule.earlyExporterMasterSecret(hash);
  ctx.secret({ name: 'transcript_hash_ch', label: 'Transcript-Hash', derivation: 'Transcript-Hash(ClientHello)', secret: hash });
  if (config.middleboxCompatibility) ctx.sendChangeCipherSpec(); // §D.4: right after the ClientHello
  ctx.setWriteSecret(schedule.trafficSecret(suite, 'client', 'early'));
  ctx.sendEarlyData(config.earlyData!);
}
