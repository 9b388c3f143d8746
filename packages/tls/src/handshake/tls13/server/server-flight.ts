/**
 * A TLS 1.3 server answers a ClientHello with its whole first flight (RFC 8446 §2, §4.1.3–
 * §4.4.4), one named step after another as Go's `serverHandshakeStateTLS13` does:
 * resume or not, pick the protocol and certificate, decide on early data, exchange keys,
 * then send ServerHello, EncryptedExtensions, [CertificateRequest,] [Certificate,
 * CertificateVerify,] and Finished — or, lacking a usable key share, a HelloRetryRequest.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite, KeyExchangeGroup, SignatureScheme } from '../../../crypto/provider.js';
import { chooseSignatureScheme, signCertificateVerify } from '../../authentication.js';
import type { CertifiedKey } from '../../config.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { encapsulateKeyShare } from '../../key-share.js';
import { findExtension, type ClientHello, type EncryptedExtension, type KeyShareEntry, type ServerHelloExtension } from '../../messages/types.js';
import { certificateFor, chooseAlpn } from '../../server/choices.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { LEGACY_VERSION, TLS13 } from '../../versions.js';
import { KeySchedule } from '../key-schedule.js';
import { checkClientHello, pickParameters, pickSuite, pskModeFor } from './client-hello.js';
import { acceptEarlyData, maxSkippedEarlyData } from './early-data.js';
import { ExpectClientCertificate, ExpectClientFinished, ExpectEndOfEarlyData } from './expect-client-flight.js';
import { sendHelloRetryRequest } from './hello-retry-request.js';
import { checkForResumption, type Resumption } from './resumption.js';

/**
 * Answers a TLS 1.3 ClientHello: the first flight, or a HelloRetryRequest after which
 * `expectSecondHello` reads ClientHello2.
 */
export function respondToClientHello(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello, raw: Uint8Array, expectSecondHello: HandshakeState): HandshakeState {
  checkClientHello(ctx, hs, ch);
  const suite = pickSuite(hs, ch);
  const mode = pskModeFor(hs, ch);
  if (mode === 'psk_ke') {
    // §4.2.9: a resumption on the PSK alone needs no key share, so it is tried first.
    const resumption = checkForResumption(ctx, hs, ch, raw, suite, mode);
    if (resumption) return new ServerFlight(ctx, hs, ch, raw, suite, undefined, resumption).send();
  }
  const parameters = pickParameters(hs, ch, suite);
  const { group, clientShare } = parameters;
  if (!clientShare || (hs.config.alwaysRetry && !hs.retry)) return sendHelloRetryRequest(ctx, hs, ch, raw, parameters, expectSecondHello);
  const resumption = mode === 'psk_dhe_ke' ? checkForResumption(ctx, hs, ch, raw, suite, mode) : undefined;
  return new ServerFlight(ctx, hs, ch, raw, suite, { group, clientShare }, resumption).send();
}

/** The client's key share the server answers with Encaps; none in a psk_ke resumption. */
interface KeyExchange {
  group: KeyExchangeGroup;
  clientShare: KeyShareEntry;
}

/** The server's first flight, step by step; each step reads what the earlier ones settled. */
class ServerFlight {
  private readonly serverName: string | undefined;
  private alpn: string | undefined;
  private certified: CertifiedKey | undefined;
  private scheme: SignatureScheme | undefined;
  private earlyOffered = false;
  private acceptEarly = false;
  private sharedSecret: Uint8Array = new Uint8Array(0);
  private serverKeyExchange: Uint8Array | undefined;
  private schedule: KeySchedule | undefined;

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly hs: ServerHandshake,
    private readonly ch: ClientHello,
    private readonly raw: Uint8Array,
    private readonly suite: CipherSuite,
    private readonly keyExchange: KeyExchange | undefined,
    private readonly resumption: Resumption | undefined,
  ) {
    this.serverName = findExtension(ch.extensions, 'server_name')?.hostName;
  }

  send(): HandshakeState {
    if (this.serverName !== undefined) this.ctx.info.serverName = this.serverName;
    this.pickProtocol();
    if (!this.resumption) this.pickCertificate();
    this.decideEarlyData();
    this.exchangeKeys();
    this.sendServerHello();
    this.sendEncryptedExtensions();
    const requestCertificate = this.requestClientCertificate();
    this.sendCertificate();
    this.sendFinished();
    const schedule = this.schedule!;
    if (this.acceptEarly) return new ExpectEndOfEarlyData(this.ctx, this.hs, this.suite, schedule, requestCertificate);
    if (requestCertificate) return new ExpectClientCertificate(this.ctx, this.hs, this.suite, schedule);
    return new ExpectClientFinished(this.ctx, this.hs, this.suite, schedule);
  }

  /** ALPN (RFC 7301 §3.2): our preference among the client's; none in common is fatal. */
  private pickProtocol(): void {
    this.alpn = chooseAlpn(this.hs.config, this.ch);
    if (this.alpn) this.ctx.info.alpnProtocol = this.alpn;
  }

  /**
   * A certificate for the name (and the protocol: RFC 8737's acme-tls/1 gets its own), and
   * a signature scheme the client accepts (§4.2.3, §4.4.2.2).
   */
  private pickCertificate(): void {
    const sigAlgs = findExtension(this.ch.extensions, 'signature_algorithms');
    if (!sigAlgs) fail('missing_extension', 'ClientHello lacks signature_algorithms'); // §4.2.3
    const certified = certificateFor(this.hs.config, this.serverName, this.alpn);
    const scheme = chooseSignatureScheme(this.hs.schemes, sigAlgs.schemes, certified.privateKey);
    if (!scheme) fail('handshake_failure', 'no signature scheme in common for our certificate');
    this.certified = certified;
    this.scheme = scheme;
  }

  /** §4.2.10: early data is accepted only with the resumed PSK, under its conditions. */
  private decideEarlyData(): void {
    this.earlyOffered = !!findExtension(this.ch.extensions, 'early_data');
    this.acceptEarly = this.earlyOffered && !!this.resumption && acceptEarlyData(this.ctx, this.hs, this.resumption, this.suite, this.alpn);
  }

  /**
   * The key exchange (§7.4): Encaps on the client's share, or in a psk_ke resumption none,
   * the Handshake Secret then extracting from zeros (§7.1). The Early Secret's schedule starts.
   */
  private exchangeKeys(): void {
    const { ctx, suite, keyExchange } = this;
    if (keyExchange) {
      const { keyExchange: serverKeyExchange, sharedSecret } = encapsulateKeyShare(ctx, keyExchange.group, keyExchange.clientShare.keyExchange);
      this.serverKeyExchange = serverKeyExchange;
      this.sharedSecret = sharedSecret;
      ctx.info.group = keyExchange.group.name;
    } else {
      this.sharedSecret = new Uint8Array(suite.hash.outputLength);
    }
    ctx.info.cipherSuite = suite;
    ctx.info.resumed = !!this.resumption;
    if (this.resumption && (this.hs.config.clientAuth ?? 'none') !== 'none') ctx.info.peerCertificates = this.resumption.state.clientCertificates;
    ctx.transcript.useHash(suite.hash);
    ctx.transcript.add(this.raw);
    this.schedule = this.resumption?.schedule ?? new KeySchedule(suite.hash, undefined, (s) => ctx.secret(s));
    if (this.acceptEarly) {
      const hash = ctx.transcript.digest();
      this.schedule.clientEarlyTrafficSecret(hash);
      this.schedule.earlyExporterMasterSecret(hash);
    }
  }

  /** ServerHello (§4.1.3), then the handshake traffic keys (§7.1, §7.3). */
  private sendServerHello(): void {
    const { ctx, hs, ch, suite } = this;
    const schedule = this.schedule!;
    const extensions: ServerHelloExtension[] = [];
    if (this.resumption) extensions.push({ type: 'pre_shared_key', selectedIdentity: 0 });
    if (this.keyExchange) extensions.push({ type: 'key_share', serverShare: { group: this.keyExchange.group.id, keyExchange: this.serverKeyExchange! } });
    extensions.push({ type: 'supported_versions', selectedVersion: TLS13 });
    ctx.sendHandshake({
      type: 'server_hello',
      legacyVersion: LEGACY_VERSION,
      random: ctx.provider.randomBytes(32),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions,
    });
    if (ch.legacySessionId.length && !hs.retry) ctx.sendChangeCipherSpec(); // §D.4

    schedule.enterHandshakeSecret(this.sharedSecret);
    schedule.handshakeTrafficSecrets(ctx.transcript.digest());
    ctx.setWriteSecret(schedule.trafficSecret(suite, 'server', 'handshake'));
    ctx.setReadSecret(schedule.trafficSecret(suite, 'client', this.acceptEarly ? 'early' : 'handshake'));
    if (this.earlyOffered && !this.acceptEarly && !hs.retry) {
      ctx.records.skipEarlyData(Math.max(maxSkippedEarlyData(hs.config), this.resumption?.state.maxEarlyDataSize ?? 0), 'trial-decrypt');
    }
  }

  /** EncryptedExtensions (§4.3.1): the answers that need no certificate. */
  private sendEncryptedExtensions(): void {
    const { ctx, hs, ch } = this;
    const config = hs.config;
    const ee: EncryptedExtension[] = [];
    if (config.advertiseGroups) ee.push({ type: 'supported_groups', groups: config.advertiseGroups });
    const clientLimit = findExtension(ch.extensions, 'record_size_limit');
    if (clientLimit) {
      ctx.records.setWriteRecordSizeLimit(clientLimit.limit);
      // RFC 8449 §4: we may answer only a client that sent the extension.
      if (config.recordSizeLimit) {
        ee.push({ type: 'record_size_limit', limit: config.recordSizeLimit });
        ctx.records.setReadRecordSizeLimit(config.recordSizeLimit);
      }
    }
    // RFC 6066 §3: acknowledge a name we used: to pick the certificate, or one the resumed session was for.
    const name = this.serverName;
    if (name !== undefined && (this.certified || this.resumption?.state.serverName === name)) ee.push({ type: 'server_name' });
    if (this.alpn) ee.push({ type: 'application_layer_protocol_negotiation', protocols: [this.alpn] });
    if (this.acceptEarly) ee.push({ type: 'early_data' });
    ctx.sendHandshake({ type: 'encrypted_extensions', extensions: ee });
    // §4.2.10: early data offered in ClientHello1 and skipped after our HelloRetryRequest was rejected too.
    const offeredBeforeRetry = !!hs.clientHello1 && !!findExtension(hs.clientHello1.extensions, 'early_data');
    ctx.info.earlyData = this.acceptEarly ? 'accepted' : this.earlyOffered || offeredBeforeRetry ? 'rejected' : 'none';
  }

  /** CertificateRequest (§4.3.2), in a full handshake when client authentication is configured. */
  private requestClientCertificate(): boolean {
    const { hs } = this;
    if (this.resumption || (hs.config.clientAuth ?? 'none') === 'none') return false;
    const requested = hs.config.advertiseSignatureAlgorithms ?? hs.schemes.map((s) => s.id); // pkcs1 for certificates, §4.2.3
    hs.requestedSchemes = requested;
    this.ctx.sendHandshake({
      type: 'certificate_request',
      certificateRequestContext: new Uint8Array(0),
      extensions: [{ type: 'signature_algorithms', schemes: requested }],
    });
    return true;
  }

  /** Certificate (§4.4.2) and CertificateVerify (§4.4.3), in a full handshake. */
  private sendCertificate(): void {
    const { ctx, certified, scheme } = this;
    if (!certified || !scheme) return;
    ctx.sendHandshake({
      type: 'certificate',
      certificateRequestContext: new Uint8Array(0),
      certificateList: certified.chain.map((certData) => ({ certData, extensions: [] })),
    });
    const signature = signCertificateVerify(ctx.provider, scheme, certified.privateKey, 'server', ctx.transcript.digest());
    ctx.sendHandshake({ type: 'certificate_verify', algorithm: scheme.id, signature });
    ctx.info.signatureScheme = scheme.name;
  }

  /**
   * Finished (§4.4.4), then the application traffic secrets, which hash the transcript
   * through it (§7.1): from here on we may send 0.5-RTT data (§4.4.4).
   */
  private sendFinished(): void {
    const { ctx, suite } = this;
    const schedule = this.schedule!;
    ctx.sendHandshake({ type: 'finished', verifyData: schedule.finishedVerifyData('server', ctx.transcript.digest()) });
    schedule.enterMasterSecret();
    schedule.applicationSecrets(ctx.transcript.digest());
    ctx.setWriteSecret(schedule.trafficSecret(suite, 'server', 'application'));
  }
}
