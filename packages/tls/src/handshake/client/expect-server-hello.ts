/**
 * The client waits for ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
 * @module
 */
import { fail } from '../../alert.js';
import { groupName } from '../../crypto/provider.js';
import { equalBytes } from '../../wire/bytes.js';
import type { Connection, HandshakeState } from '../../connection/connection.js';
import { KeySchedule } from '../key-schedule.js';
import { decapsulateKeyShare, generateKeyShare } from '../key-share.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from '../messages/server-hello.js';
import { findExtension, type HandshakeMessage, type HelloRetryRequest, type ServerHello } from '../messages/types.js';
import { clientHelloExtensions, encodeClientHello, TLS13, type ClientHandshake } from './client-hello.js';
import { ExpectEncryptedExtensions } from './expect-encrypted-extensions.js';
import { checkOffered } from '../authentication.js';

export class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly conn: Connection,
    private readonly hs: ClientHandshake,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState {
    if (message.type === 'hello_retry_request') return this.retry(message, raw);
    if (message.type !== 'server_hello') fail('unexpected_message', `expected ServerHello, got ${message.type}`);
    return this.serverHello(message, raw);
  }

  private serverHello(sh: ServerHello, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    const version = findExtension(sh.extensions, 'supported_versions');
    if (!version) {
      // A TLS 1.2 (or older) ServerHello. §4.1.3: a downgrade sentinel here means an attacker.
      const tail = sh.random.subarray(24);
      if (equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11)) {
        fail('illegal_parameter', 'ServerHello carries the TLS 1.3 downgrade sentinel');
      }
      fail('protocol_version', 'the server does not speak TLS 1.3');
    }
    if (version.selectedVersion !== TLS13) fail('illegal_parameter', `server selected version 0x${version.selectedVersion.toString(16)}`);
    const suite = this.checkCommon(sh);
    checkOffered(sh.extensions.filter((e) => e.type !== 'supported_versions'), hs.offered, 'ServerHello');

    // §4.2.11: a PSK must be one we offered, with a suite of the same hash.
    const pskChoice = findExtension(sh.extensions, 'pre_shared_key');
    let schedule: KeySchedule;
    if (pskChoice) {
      const session = hs.offeredSession;
      if (!session || pskChoice.selectedIdentity !== 0) fail('illegal_parameter', 'server selected a PSK we did not offer');
      const original = hs.suites.find((s) => s.id === session.cipherSuite);
      if (!original || original.hash !== suite.hash) fail('illegal_parameter', 'server selected a cipher suite whose hash does not match the PSK');
      schedule = hs.schedule!;
      conn.info.resumed = true;
    } else {
      schedule = new KeySchedule(suite.hash, undefined, (s) => conn.secret(s));
    }
    hs.schedule = schedule;

    // We only offer psk_dhe_ke, so the server must answer with a key share (§4.2.8).
    const share = findExtension(sh.extensions, 'key_share');
    // §4.2.11: with a PSK selected, a missing key_share means a mode we did not offer.
    if (!share) fail(pskChoice ? 'illegal_parameter' : 'missing_extension', 'ServerHello has no key_share');
    const ours = hs.keyShares.get(share.serverShare.group);
    const group = hs.groups.find((g) => g.id === share.serverShare.group);
    if (!ours || !group) fail('illegal_parameter', `server key share in ${groupName(share.serverShare.group)}, for which we sent no share`);
    const shared = decapsulateKeyShare(conn, group, ours, share.serverShare.keyExchange);
    conn.info.group = group.name;
    conn.info.cipherSuite = suite;

    conn.transcript.useHash(suite.hash);
    conn.transcript.add(raw);
    schedule.enterHandshakeSecret(shared);
    const transcriptHash = conn.transcript.digest();
    const secrets = schedule.handshakeTrafficSecrets(transcriptHash);
    conn.setReadSecret(suite, secrets.server, 'handshake');
    // With early data in flight, our write key stays on the early key until EncryptedExtensions (§4.2.10).
    if (!hs.sentEarlyData) conn.setWriteSecret(suite, secrets.client, 'handshake');
    return new ExpectEncryptedExtensions(conn, hs, suite, secrets);
  }

  private retry(hrr: HelloRetryRequest, raw: Uint8Array): HandshakeState {
    const { conn, hs } = this;
    if (hs.retried) fail('unexpected_message', 'a second HelloRetryRequest');
    const version = findExtension(hrr.extensions, 'supported_versions');
    if (!version || version.selectedVersion !== TLS13) fail('illegal_parameter', 'HelloRetryRequest without TLS 1.3 in supported_versions');
    const suite = this.checkCommon(hrr);
    checkOffered(hrr.extensions.filter((e) => e.type !== 'supported_versions' && e.type !== 'cookie'), hs.offered, 'HelloRetryRequest');
    const keyShare = findExtension(hrr.extensions, 'key_share');
    const cookie = findExtension(hrr.extensions, 'cookie');
    // §4.1.4: the retry must change something, and may only ask for a group we listed.
    if (!keyShare && !cookie) fail('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    hs.retried = true;
    conn.info.helloRetryRequest = true;
    if (keyShare) {
      const group = hs.groups.find((g) => g.id === keyShare.selectedGroup);
      if (!group) fail('illegal_parameter', `HelloRetryRequest asks for ${groupName(keyShare.selectedGroup)}, which we did not offer`);
      if (hs.keyShares.has(group.id)) fail('illegal_parameter', `HelloRetryRequest asks for ${group.name}, for which we already sent a share`);
      hs.keyShares = new Map([[group.id, generateKeyShare(conn, group)]]);
    }
    if (cookie) hs.cookie = cookie.cookie;

    // §4.4.1: ClientHello1 is replaced by message_hash; then the HRR enters the transcript.
    conn.transcript.useHash(suite.hash);
    conn.transcript.replaceWithMessageHash();
    conn.transcript.add(raw);

    // §4.1.2: the second ClientHello drops early_data and keeps the PSK only if its hash matches.
    const session = hs.offeredSession;
    if (session && hs.suites.find((s) => s.id === session.cipherSuite)?.hash !== suite.hash) delete hs.offeredSession;
    if (hs.sentEarlyData) {
      hs.sentEarlyData = false;
      conn.info.earlyData = 'rejected';
      conn.emit({ type: 'early_data', status: 'rejected' });
    }
    const hello = { ...hs.clientHello, extensions: clientHelloExtensions(hs, false) };
    hs.clientHello = hello;
    if (conn.info.earlyData === 'rejected') {
      // Early data was sent under the early key; ClientHello2 goes in plaintext again.
      conn.setPlaintextWrite();
    }
    if (hs.config.middleboxCompatibility) conn.sendChangeCipherSpec(); // §D.4: before the second flight
    const { bytes, fields } = encodeClientHello(conn, hs, hello, conn.transcript, !!hs.config.trace);
    hs.offered = new Set(hello.extensions.map((e) => e.type)); // what the server may answer now (§4.2)
    conn.sendEncodedHandshake('client_hello', bytes, fields);
    return this;
  }

  /** Checks shared by ServerHello and HelloRetryRequest (§4.1.3). */
  private checkCommon(msg: ServerHello | HelloRetryRequest) {
    const { hs } = this;
    if (msg.legacyVersion !== 0x0303) fail('illegal_parameter', 'legacy_version is not 0x0303');
    if (!equalBytes(msg.legacySessionIdEcho, hs.legacySessionId)) fail('illegal_parameter', 'legacy_session_id_echo does not match');
    if (msg.legacyCompressionMethod !== 0) fail('illegal_parameter', 'legacy_compression_method is not 0');
    const suite = hs.suites.find((s) => s.id === msg.cipherSuite);
    if (!suite) fail('illegal_parameter', `server chose cipher suite 0x${msg.cipherSuite.toString(16)}, which we did not offer`);
    if (msg.type === 'server_hello' && hs.hrrSuite !== undefined && hs.hrrSuite !== suite.id) {
      fail('illegal_parameter', 'ServerHello cipher suite differs from the HelloRetryRequest');
    }
    if (msg.type === 'hello_retry_request') hs.hrrSuite = suite.id;
    return suite;
  }
}
