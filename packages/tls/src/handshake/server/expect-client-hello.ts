/**
 * The server reads a ClientHello and answers with its whole first flight (RFC 8446
 * §4.1.2–§4.4.4): ServerHello, EncryptedExtensions, [CertificateRequest, Certificate,
 * CertificateVerify,] Finished — or with a HelloRetryRequest (§4.1.4).
 * @module
 */
import { fail } from '../../alert.js';
import type { CipherSuite, KeyExchangeGroup } from '../../crypto/provider.js';
import { groupName } from '../../crypto/provider.js';
import type { CertifiedKey } from '../../connection/config.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { equalBytes, equalSecret } from '../../wire/bytes.js';
import { chooseSignatureScheme, signCertificateVerify } from '../authentication.js';
import { finishedKey, finishedVerifyData, KeySchedule, pskBinder } from '../key-schedule.js';
import { truncatedClientHello } from '../messages/psk-binders.js';
import { encapsulateKeyShare } from '../key-share.js';
import {
  findExtension,
  type ClientHello,
  type EncryptedExtension,
  type HandshakeMessage,
  type ServerHelloExtension,
} from '../messages/types.js';
import { LEGACY_VERSION, PSK_DHE_KE, TLS13 } from '../client/client-hello.js';
import { MAX_TICKET_AGE_SKEW_MS } from './anti-replay.js';
import { ExpectClientCertificate, ExpectClientFinished, ExpectEndOfEarlyData, type ServerSecrets } from './expect-client-flight.js';
import type { ServerHandshake } from './server-handshake.js';
import { openTicket, type TicketState } from './ticketer.js';

/** Whether our HelloRetryRequest asks for a key share: only when ClientHello1 had none in the chosen group. */
function retryNamedGroup(hs: ServerHandshake): boolean {
  const shares = findExtension(hs.clientHello1!.extensions, 'key_share')?.clientShares ?? [];
  return !shares.some((s) => s.group === hs.retry!.group.id);
}

/** Early data a server skips after rejecting it (§4.2.10), when no larger limit is configured. */
export const MAX_SKIPPED_EARLY_DATA = 2 ** 14;

export class ExpectClientHello implements HandshakeState {
  get name(): string {
    return this.hs.retry ? 'ExpectClientHello2' : 'ExpectClientHello';
  }

  constructor(
    private readonly conn: Connection,
    private readonly hs: ServerHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (message.type !== 'client_hello') fail('unexpected_message', `expected ClientHello, got ${message.type}`);
    const ch = message;
    if (!conn.clientRandom) conn.clientRandom = ch.random;

    // §4.2.1: only supported_versions negotiates the version; without 1.3 in it, the client speaks 1.2 at most.
    const versions = findExtension(ch.extensions, 'supported_versions');
    if (!versions || !versions.versions.includes(TLS13)) fail('protocol_version', 'the client does not offer TLS 1.3');
    // §4.1.2: exactly one compression method, null.
    if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
      fail('illegal_parameter', 'legacy_compression_methods must be exactly [0]');
    }
    if (hs.retry) this.checkSecondClientHello(ch);
    conn.recordLayer.allowChangeCipherSpec = true; // §D.4: from the first ClientHello on

    const supportedGroups = findExtension(ch.extensions, 'supported_groups');
    const keyShare = findExtension(ch.extensions, 'key_share');
    const psk = findExtension(ch.extensions, 'pre_shared_key');
    const modes = findExtension(ch.extensions, 'psk_key_exchange_modes');
    if (psk && !modes) fail('missing_extension', 'pre_shared_key without psk_key_exchange_modes'); // §4.2.9
    // §9.2: supported_groups and key_share come together; we always need (EC)DHE.
    if (!supportedGroups || !keyShare) fail('missing_extension', 'ClientHello lacks supported_groups or key_share');
    const seen = new Set<number>();
    for (const share of keyShare.clientShares) {
      // §4.2.8: one share per group, each for a group listed in supported_groups.
      if (seen.has(share.group) || !supportedGroups.groups.includes(share.group)) {
        fail('illegal_parameter', `key share for ${groupName(share.group)} is duplicated or not in supported_groups`);
      }
      seen.add(share.group);
    }

    // Cipher suite: our preference among the client's (fixed by a HelloRetryRequest).
    const suite = hs.retry?.suite ?? hs.suites.find((s) => ch.cipherSuites.includes(s.id));
    if (!suite) fail('handshake_failure', 'no cipher suite in common');
    if (!ch.cipherSuites.includes(suite.id)) fail('illegal_parameter', 'ClientHello2 dropped the cipher suite of the HelloRetryRequest');

    // Group: the one a HelloRetryRequest named, or one chosen now.
    const group = hs.retry?.group ?? this.chooseGroup(supportedGroups.groups, keyShare.clientShares.map((s) => s.group));
    const clientShare = keyShare.clientShares.find((s) => s.group === group.id);
    // §4.1.2: only a HelloRetryRequest that named a group makes the client replace its shares with one.
    if (hs.retry && (!clientShare || (retryNamedGroup(hs) && keyShare.clientShares.length !== 1))) {
      fail('illegal_parameter', `ClientHello2 must carry exactly one key share, for ${group.name}`);
    }
    if (!clientShare || (hs.config.alwaysRetry && !hs.retry)) return this.helloRetryRequest(ch, raw, suite, group);

    const resumption = psk && modes!.modes.includes(PSK_DHE_KE) ? this.resume(ch, raw, suite) : undefined;
    return this.serverFlight(ch, raw, suite, group, clientShare.keyExchange, resumption);
  }

  /** Our first mutually supported group, preferring one the client sent a share for (unless told otherwise). */
  private chooseGroup(clientGroups: number[], shared: number[]): KeyExchangeGroup {
    const mutual = this.hs.groups.filter((g) => clientGroups.includes(g.id));
    if (mutual.length === 0) fail('handshake_failure', 'no key exchange group in common');
    if (this.hs.config.groupSelection === 'server-preference') return mutual[0]!;
    return mutual.find((g) => shared.includes(g.id)) ?? mutual[0]!;
  }

  /** §4.1.4: ask for a key share in `group`, with a cookie the client must echo. */
  private helloRetryRequest(ch: ClientHello, raw: Uint8Array, suite: CipherSuite, group: KeyExchangeGroup): HandshakeState {
    const { conn, hs } = this;
    if (hs.retry) fail('illegal_parameter', 'ClientHello2 still lacks a usable key share');
    conn.transcript.useHash(suite.hash);
    conn.transcript.add(raw);
    const hashOfClientHello1 = conn.transcript.digest();
    conn.transcript.replaceWithMessageHash();
    const cookie = hs.config.makeCookie
      ? hs.config.makeCookie(hashOfClientHello1)
      : suite.hash.hmac(conn.provider.randomBytes(suite.hash.outputLength), hashOfClientHello1);
    hs.retry = { suite, group };
    hs.cookie = cookie;
    hs.clientHello1 = ch;
    conn.info.helloRetryRequest = true;
    conn.sendHandshake({
      type: 'hello_retry_request',
      legacyVersion: LEGACY_VERSION,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions: [
        // §4.2.8: never name a group the client already sent a share for (an alwaysRetry cookie round trip).
        ...(retryNamedGroup(hs) ? [{ type: 'key_share' as const, selectedGroup: group.id }] : []),
        { type: 'cookie', cookie },
        { type: 'supported_versions', selectedVersion: TLS13 },
      ],
    });
    if (ch.legacySessionId.length) conn.sendChangeCipherSpec(); // §D.4: after our first handshake message
    // §4.2.10: after a HelloRetryRequest, early data the client already sent is skipped.
    if (findExtension(ch.extensions, 'early_data')) conn.recordLayer.skipEarlyData(this.maxSkippedEarlyData(), 'skip-application-data');
    return this;
  }

  /** §4.1.2: ClientHello2 may change only the key share, cookie, early_data, PSK binders and padding. */
  private checkSecondClientHello(ch: ClientHello): void {
    const first = this.hs.clientHello1!;
    const cookie = findExtension(ch.extensions, 'cookie');
    if (!cookie || !equalSecret(cookie.cookie, this.hs.cookie!)) fail('illegal_parameter', 'ClientHello2 does not echo our cookie');
    if (findExtension(ch.extensions, 'early_data')) fail('illegal_parameter', 'early_data in ClientHello2');
    const same =
      equalBytes(ch.random, first.random) &&
      equalBytes(ch.legacySessionId, first.legacySessionId) &&
      ch.cipherSuites.join() === first.cipherSuites.join();
    if (!same) fail('illegal_parameter', 'ClientHello2 differs from ClientHello1 beyond what a retry allows');
  }

  /** Tries the client's first PSK (§4.2.11): our ticket, alive, same hash; its binder must verify. */
  private resume(ch: ClientHello, raw: Uint8Array, suite: CipherSuite): { state: TicketState; schedule: KeySchedule; obfuscatedAge: number } | undefined {
    const { conn, hs } = this;
    const offered = findExtension(ch.extensions, 'pre_shared_key')!;
    const ticketer = hs.config.tickets?.ticketer;
    const identity = offered.identities[0];
    if (!ticketer || !identity) return undefined;
    const state = openTicket(ticketer, identity.identity);
    if (!state) return undefined;
    const ticketSuite = hs.suites.find((s) => s.id === state.cipherSuite);
    if (!ticketSuite || ticketSuite.hash !== suite.hash) return undefined;
    if (conn.now() - state.issuedAt > state.lifetime * 1000) return undefined;
    // §4.6.1: a session belongs to the name it was made for (the certificate may differ by name).
    if (state.serverName !== (findExtension(ch.extensions, 'server_name')?.hostName ?? '')) return undefined;
    // The PSK carries the original client authentication (§2.2): it must satisfy this configuration.
    if (!this.clientAuthStillValid(state)) return undefined;

    // §4.2.11.2: the binder covers the transcript so far and the ClientHello up to the binders.
    const schedule = new KeySchedule(suite.hash, state.psk, (s) => conn.secret(s));
    const binderKey = schedule.binderKey(true);
    const expected = pskBinder(suite.hash, binderKey, conn.transcript.digestWith(suite.hash, truncatedClientHello(raw)));
    conn.secret({ name: 'binder_finished_key', label: 'finished', derivation: 'HKDF-Expand-Label(binder_key, "finished", "", Hash.length)', secret: finishedKey(suite.hash, binderKey) });
    if (!equalSecret(expected, offered.binders[0]!)) fail('decrypt_error', 'PSK binder does not verify');
    return { state, schedule, obfuscatedAge: identity.obfuscatedTicketAge };
  }

  /** Whether a ticket's client authentication meets our policy now (re-checked with today's verifier). */
  private clientAuthStillValid(state: TicketState): boolean {
    const { conn, hs } = this;
    const policy = hs.config.clientAuth ?? 'none';
    if (policy === 'none' || state.clientCertificates.length === 0) return policy !== 'required';
    try {
      hs.config.verifyClientCertificate?.(state.clientCertificates, { purpose: 'client', now: new Date(conn.now()) });
      return true;
    } catch {
      return false;
    }
  }

  private serverFlight(
    ch: ClientHello,
    raw: Uint8Array,
    suite: CipherSuite,
    group: KeyExchangeGroup,
    clientKeyExchange: Uint8Array,
    resumption: { state: TicketState; schedule: KeySchedule; obfuscatedAge: number } | undefined,
  ): HandshakeState {
    const { conn, hs } = this;
    const config = hs.config;
    const serverName = findExtension(ch.extensions, 'server_name')?.hostName;
    if (serverName !== undefined) conn.info.serverName = serverName;

    // ALPN (RFC 7301 §3.2): our preference among the client's; none in common is fatal.
    const alpnOffer = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
    let alpn: string | undefined;
    if (alpnOffer && config.alpnProtocols?.length) {
      alpn = config.alpnProtocols.find((p) => alpnOffer.protocols.includes(p));
      if (!alpn) fail('no_application_protocol', `none of the client's protocols (${alpnOffer.protocols.join(', ')}) is ours`);
      conn.info.alpnProtocol = alpn;
    }

    // Authentication: a certificate for the name (and the protocol: RFC 8737's acme-tls/1
    // gets its own), and a signature scheme the client accepts.
    let certified: CertifiedKey | undefined;
    let scheme;
    if (!resumption) {
      const sigAlgs = findExtension(ch.extensions, 'signature_algorithms');
      if (!sigAlgs) fail('missing_extension', 'ClientHello lacks signature_algorithms'); // §4.2.3
      certified = typeof config.certificate === 'function' ? config.certificate(serverName, alpn === undefined ? {} : { alpnProtocol: alpn }) : config.certificate;
      if (!certified) fail(serverName ? 'unrecognized_name' : 'handshake_failure', `no certificate for ${serverName ?? 'a client without server_name'}`);
      scheme = chooseSignatureScheme(hs.schemes, sigAlgs.schemes, certified.privateKey);
      if (!scheme) fail('handshake_failure', 'no signature scheme in common for our certificate');
    }

    const earlyOffered = !!findExtension(ch.extensions, 'early_data');
    const acceptEarly = earlyOffered && !!resumption && this.acceptEarlyData(resumption, suite, alpn);

    // (EC)DHE, or a KEM's Encaps (§7.4)
    const { keyExchange: serverKeyExchange, sharedSecret: shared } = encapsulateKeyShare(conn, group, clientKeyExchange);
    conn.info.cipherSuite = suite;
    conn.info.group = group.name;
    conn.info.resumed = !!resumption;
    if (resumption && (config.clientAuth ?? 'none') !== 'none') conn.info.peerCertificates = resumption.state.clientCertificates;

    conn.transcript.useHash(suite.hash);
    conn.transcript.add(raw);
    const schedule = resumption?.schedule ?? new KeySchedule(suite.hash, undefined, (s) => conn.secret(s));
    hs.schedule = schedule;
    let earlySecret: Uint8Array | undefined;
    if (acceptEarly) {
      const hash = conn.transcript.digest();
      earlySecret = schedule.clientEarlyTrafficSecret(hash);
      schedule.earlyExporterMasterSecret(hash);
    }

    const shExtensions: ServerHelloExtension[] = [];
    if (resumption) shExtensions.push({ type: 'pre_shared_key', selectedIdentity: 0 });
    shExtensions.push({ type: 'key_share', serverShare: { group: group.id, keyExchange: serverKeyExchange } });
    shExtensions.push({ type: 'supported_versions', selectedVersion: TLS13 });
    conn.sendHandshake({
      type: 'server_hello',
      legacyVersion: LEGACY_VERSION,
      random: conn.provider.randomBytes(32),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions: shExtensions,
    });
    if (ch.legacySessionId.length && !hs.retry) conn.sendChangeCipherSpec(); // §D.4

    schedule.enterHandshakeSecret(shared);
    const secrets = schedule.handshakeTrafficSecrets(conn.transcript.digest());
    conn.setWriteSecret(suite, secrets.server, 'handshake');
    if (acceptEarly) conn.setReadSecret(suite, earlySecret!, 'early');
    else conn.setReadSecret(suite, secrets.client, 'handshake');
    if (earlyOffered && !acceptEarly && !hs.retry) {
      conn.recordLayer.skipEarlyData(Math.max(this.maxSkippedEarlyData(), resumption?.state.maxEarlyDataSize ?? 0), 'trial-decrypt');
    }

    // EncryptedExtensions (§4.3.1)
    const ee: EncryptedExtension[] = [];
    if (config.advertiseGroups) ee.push({ type: 'supported_groups', groups: config.advertiseGroups });
    const clientLimit = findExtension(ch.extensions, 'record_size_limit');
    if (clientLimit) {
      conn.recordLayer.setWriteRecordSizeLimit(clientLimit.limit);
      // RFC 8449 §4: we may answer only a client that sent the extension.
      if (config.recordSizeLimit) {
        ee.push({ type: 'record_size_limit', limit: config.recordSizeLimit });
        conn.recordLayer.setReadRecordSizeLimit(config.recordSizeLimit);
      }
    }
    // RFC 6066 §3: acknowledge a name we used: to pick the certificate, or one the resumed session was for.
    if (serverName !== undefined && (certified || resumption?.state.serverName === serverName)) ee.push({ type: 'server_name' });
    if (alpn) ee.push({ type: 'application_layer_protocol_negotiation', protocols: [alpn] });
    if (acceptEarly) ee.push({ type: 'early_data' });
    conn.sendHandshake({ type: 'encrypted_extensions', extensions: ee });
    // §4.2.10: early data offered in ClientHello1 and skipped after our HelloRetryRequest was rejected too.
    const offeredBeforeRetry = !!hs.clientHello1 && !!findExtension(hs.clientHello1.extensions, 'early_data');
    conn.info.earlyData = acceptEarly ? 'accepted' : earlyOffered || offeredBeforeRetry ? 'rejected' : 'none';

    const requestCertificate = !resumption && (config.clientAuth ?? 'none') !== 'none';
    if (requestCertificate) {
      const requested = config.advertiseSignatureAlgorithms ?? hs.schemes.map((s) => s.id); // pkcs1 for certificates, §4.2.3
      hs.requestedSchemes = requested;
      conn.sendHandshake({
        type: 'certificate_request',
        certificateRequestContext: new Uint8Array(0),
        extensions: [{ type: 'signature_algorithms', schemes: requested }],
      });
    }
    if (certified && scheme) {
      conn.sendHandshake({
        type: 'certificate',
        certificateRequestContext: new Uint8Array(0),
        certificateList: certified.chain.map((certData) => ({ certData, extensions: [] })),
      });
      const signature = signCertificateVerify(conn.provider, scheme, certified.privateKey, 'server', conn.transcript.digest());
      conn.sendHandshake({ type: 'certificate_verify', algorithm: scheme.id, signature });
      conn.info.signatureScheme = scheme.name;
    }
    conn.secret({ name: 'server_finished_key', label: 'finished', derivation: 'HKDF-Expand-Label(server_handshake_traffic_secret, "finished", "", Hash.length)', secret: finishedKey(suite.hash, secrets.server) });
    const verifyData = finishedVerifyData(suite.hash, secrets.server, conn.transcript.digest());
    conn.secret({ name: 'server_finished_verify_data', label: 'finished', derivation: 'HMAC(server_finished_key, Transcript-Hash(ClientHello..CertificateVerify))', secret: verifyData });
    conn.sendHandshake({ type: 'finished', verifyData });

    // The application secrets hash the transcript through our Finished (§7.1); we may send 0.5-RTT data.
    schedule.enterMasterSecret();
    const app = schedule.applicationSecrets(conn.transcript.digest());
    conn.setWriteSecret(suite, app.server, 'application');

    const all: ServerSecrets = { suite, handshake: secrets, application: app, schedule };
    if (acceptEarly) return new ExpectEndOfEarlyData(conn, hs, all, requestCertificate);
    if (requestCertificate) return new ExpectClientCertificate(conn, hs, all);
    return new ExpectClientFinished(conn, hs, all);
  }

  /** §4.2.10 and §8: 0-RTT only on the first PSK, same suite and ALPN, fresh, and never seen before. */
  private acceptEarlyData(res: { state: TicketState; obfuscatedAge: number }, suite: CipherSuite, alpn: string | undefined): boolean {
    const { conn, hs } = this;
    const { state } = res;
    const config = hs.config;
    if (hs.retry || !config.antiReplay || !(config.maxEarlyDataSize && state.maxEarlyDataSize)) return false;
    // We count early data against today's limit: a ticket that promised more is not honoured for 0-RTT.
    if (state.maxEarlyDataSize > config.maxEarlyDataSize) return false;
    if (state.cipherSuite !== suite.id || state.alpnProtocol !== (alpn ?? '')) return false;
    // §8.3: the client's view of the ticket age must match ours within a window.
    const clientAge = (res.obfuscatedAge - state.ticketAgeAdd + 2 ** 32) % 2 ** 32;
    const serverAge = conn.now() - state.issuedAt;
    if (Math.abs(serverAge - clientAge) > MAX_TICKET_AGE_SKEW_MS) return false;
    return config.antiReplay.firstUse(state.psk, state.issuedAt + state.lifetime * 1000, conn.now());
  }

  private maxSkippedEarlyData(): number {
    return Math.max(this.hs.config.maxEarlyDataSize ?? 0, MAX_SKIPPED_EARLY_DATA);
  }
}
