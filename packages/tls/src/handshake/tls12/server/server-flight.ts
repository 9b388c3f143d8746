/**
 * A TLS 1.2 server's first flight in a full handshake (RFC 5246 §7.3, RFC 8422 §5):
 * ServerHello, Certificate, ServerKeyExchange (the ephemeral ECDHE key, signed),
 * [CertificateRequest], ServerHelloDone. The certificate comes first: its key decides which
 * suites (ECDSA or RSA) and signature schemes are possible.
 * @module
 */
import { fail } from '../../../alert.js';
import { NamedGroupId, type KeyExchangeGroup, type PrivateKey, type SignatureScheme } from '../../../crypto/provider.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { generateKeyShare } from '../../key-share.js';
import { findExtension, type ClientHello } from '../../messages/types.js';
import { certificateFor } from '../../server/choices.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { DEFAULT_TICKET_COUNT } from '../../server/ticketer.js';
import { authenticationOf, ecdheGroups, type Tls12CipherSuite } from '../cipher-suites.js';
import { ClientCertificateType } from '../messages/certificate-request.js';
import { chooseTls12Scheme, serverKeyExchangeContent, signTls12 } from '../signatures.js';
import { ExpectClientCertificate, ExpectClientKeyExchange } from './expect-client-flight.js';
import { sendServerHello } from './server-hello.js';
import type { Tls12ServerHandshake } from './server-handshake.js';

/** Sends the first flight of a full handshake and returns the state that reads the client's answer. */
export function sendTls12ServerFlight(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, raw: Uint8Array, serverRandom: Uint8Array, alpn: string | undefined): HandshakeState {
  const serverName = findExtension(ch.extensions, 'server_name')?.hostName;
  const certified = certificateFor(hs.config, serverName, alpn);
  const suite = pickSuite(hs, ch, certified.privateKey);
  const scheme = pickScheme(hs, ch, certified.privateKey);
  const group = pickGroup(hs, ch);
  const extendedMasterSecret = !!findExtension(ch.extensions, 'extended_master_secret');
  const t: Tls12ServerHandshake = { hs, ch, suite, randoms: { client: ch.random, server: serverRandom }, extendedMasterSecret, issueTicket: mayIssueTicket(hs, ch, extendedMasterSecret) };
  Object.assign(ctx.info, { cipherSuite: suite, group: group.name, signatureScheme: scheme.name });
  ctx.transcript.useHash(suite.hash);
  ctx.transcript.add(raw);

  sendServerHello(ctx, t, false, serverName !== undefined);
  ctx.sendHandshake({ type: 'certificate_tls12', certificateList: certified.chain });
  const pair = generateKeyShare(ctx, group);
  t.keyExchange = { group, pair };
  const signed = serverKeyExchangeContent(t.randoms.client, t.randoms.server, group.id, pair.publicKey);
  ctx.sendHandshake({ type: 'server_key_exchange', namedCurve: group.id, publicKey: pair.publicKey, algorithm: scheme.id, signature: signTls12(ctx.provider, scheme, certified.privateKey, signed) });
  const requested = requestClientCertificate(ctx, hs);
  ctx.sendHandshake({ type: 'server_hello_done' });
  return requested ? new ExpectClientCertificate(ctx, t) : new ExpectClientKeyExchange(ctx, t, undefined);
}

/**
 * Our first suite the client offers that fits our certificate. A client offering only what we
 * left out (CBC, RSA key transport, static DH, …) finds none: handshake_failure.
 */
function pickSuite(hs: ServerHandshake, ch: ClientHello, key: PrivateKey): Tls12CipherSuite {
  const suite = hs.tls12Suites.find((s) => s.authentication === authenticationOf(key) && ch.cipherSuites.includes(s.id));
  if (!suite) fail('handshake_failure', `no TLS 1.2 cipher suite in common for our ${key.type} certificate (we speak ECDHE with an AEAD only)`);
  // RFC 8422 §5.3: an ECDSA certificate's curve must be one the client listed; else no ECC suite.
  const curve = key.type === 'ec' ? CERTIFICATE_CURVES[key.curve] : undefined;
  const groups = findExtension(ch.extensions, 'supported_groups')?.groups;
  if (curve !== undefined && groups && !groups.includes(curve)) fail('handshake_failure', `our certificate is on ${key.type === 'ec' ? key.curve : ''}, which the client does not support`);
  return suite;
}

/** The NamedGroup of each curve a certificate key may be on. */
const CERTIFICATE_CURVES = { 'P-256': NamedGroupId.secp256r1, 'P-384': NamedGroupId.secp384r1 } as const;

/**
 * A scheme the client accepts that our key can sign with. Without signature_algorithms a
 * TLS 1.2 client accepts SHA-1 only (RFC 5246 §7.4.1.4.1), which we never sign with.
 */
function pickScheme(hs: ServerHandshake, ch: ClientHello, key: PrivateKey): SignatureScheme {
  const accepted = findExtension(ch.extensions, 'signature_algorithms')?.schemes ?? [];
  const scheme = chooseTls12Scheme(hs.schemes, accepted, key);
  if (!scheme) fail('handshake_failure', 'no signature scheme in common for our certificate');
  return scheme;
}

/** Our first elliptic curve the client supports; a client without supported_groups takes secp256r1 (RFC 8422 §4). */
function pickGroup(hs: ServerHandshake, ch: ClientHello): KeyExchangeGroup {
  const ours = ecdheGroups(hs.groups);
  const theirs = findExtension(ch.extensions, 'supported_groups')?.groups ?? [NamedGroupId.secp256r1];
  const group = ours.find((g) => theirs.includes(g.id));
  if (!group) fail('handshake_failure', 'no elliptic curve in common');
  return group;
}

/** RFC 5077 §3.2: a ticket for a client that asked, when we have a ticketer — and only for an extended master secret (RFC 7627 §5.3). */
function mayIssueTicket(hs: ServerHandshake, ch: ClientHello, extendedMasterSecret: boolean): boolean {
  const tickets = hs.config.tickets;
  return !!tickets?.ticketer && (tickets.count ?? DEFAULT_TICKET_COUNT) > 0 && !!findExtension(ch.extensions, 'session_ticket') && extendedMasterSecret;
}

/** CertificateRequest (RFC 5246 §7.4.4) when client authentication is configured. */
function requestClientCertificate(ctx: HandshakeContext, hs: ServerHandshake): boolean {
  if ((hs.config.clientAuth ?? 'none') === 'none') return false;
  const requested = hs.config.advertiseSignatureAlgorithms ?? hs.schemes.map((s) => s.id);
  hs.requestedSchemes = requested;
  ctx.sendHandshake({
    type: 'certificate_request_tls12',
    certificateTypes: [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
    signatureAlgorithms: requested,
    certificateAuthorities: [],
  });
  return true;
}
