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
import { LEGACY_VERSION } from '../versions.js';
import type { ClientHandshake, ClientOffer } from './client-handshake.js';
import { clientHelloExtensions, encodeClientHello } from './client-hello.js';
import { ExpectServerHello } from './expect-server-hello.js';

/** Builds and queues the ClientHello (and early data), and returns the first state. */
export function startClientHandshake(ctx: HandshakeContext, config: ClientConfig): HandshakeState {
  const offer = clientOffer(ctx, config);
  const session = offer.offeredSession;
  const earlyData = !!session && mayUseEarlyData(config, session);
  if (session) ctx.secret({ name: 'psk', label: 'PSK', derivation: 'the resumption PSK of the offered ticket', secret: session.psk });
  const encoded = encodeClientHello(ctx, offer, {
    type: 'client_hello',
    legacyVersion: LEGACY_VERSION,
    random: offer.random,
    legacySessionId: offer.legacySessionId,
    cipherSuites: offer.suites.map((s) => s.id),
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
  // (a server in compatibility mode sends one right after a HelloRetryRequest, §D.4).
  ctx.records.allowChangeCipherSpec = true;
  if (earlyData) sendEarlyData(ctx, hs, session, config);
  return new ExpectServerHello(ctx, hs);
}

/** Our random, session id, key shares and the session to offer, drawn in the order RFC 8448's traces fix. */
function clientOffer(ctx: HandshakeContext, config: ClientConfig): ClientOffer {
  const { suites, groups, schemes } = configuredAlgorithms(ctx.provider, config);
  const random = ctx.provider.randomBytes(32);
  ctx.setClientRandom(random);
  // §D.4: in compatibility mode the session id is 32 random bytes, else empty.
  const legacySessionId = config.middleboxCompatibility ? ctx.provider.randomBytes(32) : new Uint8Array(0);
  const shareGroups = keyShareGroups(groups, config.keyShareGroups);
  const keyShares = new Map(shareGroups.map((g) => [g.id, generateKeyShare(ctx, g)] as const));
  const offer: ClientOffer = {
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
  };
  const session = resumableSession(ctx, config, suites);
  if (session) offer.offeredSession = session;
  return offer;
}

/** The configured session, if it may be offered: fresh, with a suite we still allow, for this name (§4.6.1). */
function resumableSession(ctx: HandshakeContext, config: ClientConfig, suites: CipherSuite[]): Session | undefined {
  const session = config.session;
  if (!session || !suites.some((s) => s.id === session.cipherSuite)) return undefined;
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
