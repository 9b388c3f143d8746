/**
 * A TLS 1.3 client takes the server's hello (RFC 8446 §4.1.3, §4.1.4): a ServerHello starts
 * the key schedule from the (EC)DHE or KEM secret, a HelloRetryRequest makes it send a
 * second ClientHello.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite } from '../../../crypto/provider.js';
import { groupName } from '../../../crypto/provider.js';
import { equalBytes } from '../../../wire/bytes.js';
import { checkOffered } from '../../authentication.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import { clientHelloExtensions, encodeClientHello } from '../../client/client-hello.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { decapsulateKeyShare, generateKeyShare } from '../../key-share.js';
import { checkKeyShareEntries } from '../../key-share-rules.js';
import { findExtension, type HelloRetryRequest, type ServerHello } from '../../messages/types.js';
import { LEGACY_VERSION, PSK_DHE_KE, PSK_KE, pskModes, SSL3, TLS13 } from '../../versions.js';
import { KeySchedule } from '../key-schedule.js';
import { ExpectEncryptedExtensions } from './expect-encrypted-extensions.js';

/** A TLS 1.3 ServerHello: the suite, the PSK if resuming, the key share; then the handshake keys (§7.1). */
export function acceptServerHello(ctx: HandshakeContext, hs: ClientHandshake, sh: ServerHello, raw: Uint8Array): HandshakeState {
  const suite = checkHelloCommon(hs, sh);
  checkOffered(sh.extensions.filter((e) => e.type !== 'supported_versions'), hs.offered, 'ServerHello');
  const schedule = pskSchedule(ctx, hs, sh, suite) ?? new KeySchedule(suite.hash, undefined, (s) => ctx.secret(s));
  hs.schedule = schedule;

  const shared = sharedSecret(ctx, hs, sh, suite);
  ctx.info.cipherSuite = suite;

  ctx.transcript.useHash(suite.hash);
  ctx.transcript.add(raw);
  schedule.enterHandshakeSecret(shared);
  schedule.handshakeTrafficSecrets(ctx.transcript.digest());
  ctx.setReadSecret(schedule.trafficSecret(suite, 'server', 'handshake'));
  // With early data in flight, our write key stays on the early key until EncryptedExtensions (§4.2.10).
  if (!hs.sentEarlyData) ctx.setWriteSecret(schedule.trafficSecret(suite, 'client', 'handshake'));
  return new ExpectEncryptedExtensions(ctx, hs, suite, schedule);
}

/**
 * The (EC)DHE or KEM secret from the server's key share (§4.2.8), or, when the server resumed
 * with psk_ke, none: the Handshake Secret then extracts from Hash.length zeros (§7.1).
 * Either way it must be a mode we offered (§4.2.9, §4.2.11).
 */
function sharedSecret(ctx: HandshakeContext, hs: ClientHandshake, sh: ServerHello, suite: CipherSuite): Uint8Array {
  const modes = pskModes(hs.config.pskKeyExchangeModes);
  const share = findExtension(sh.extensions, 'key_share');
  if (!share) {
    if (!ctx.info.resumed) fail('missing_extension', 'ServerHello has no key_share');
    if (!modes.includes(PSK_KE)) fail('illegal_parameter', 'ServerHello has no key_share: psk_ke, which we did not offer');
    return new Uint8Array(suite.hash.outputLength);
  }
  if (ctx.info.resumed && !modes.includes(PSK_DHE_KE)) fail('illegal_parameter', 'ServerHello resumes with psk_dhe_ke, which we did not offer');
  checkKeyShareEntries([share.serverShare], 'server');
  const ours = hs.keyShares.get(share.serverShare.group);
  const group = hs.groups.find((g) => g.id === share.serverShare.group);
  if (!ours || !group) fail('illegal_parameter', `server key share in ${groupName(share.serverShare.group)}, for which we sent no share`);
  ctx.info.group = group.name;
  return decapsulateKeyShare(ctx, group, ours, share.serverShare.keyExchange);
}

/** §4.2.11: a PSK must be one we offered, with a suite of the same hash; its schedule began with the binder. */
function pskSchedule(ctx: HandshakeContext, hs: ClientHandshake, sh: ServerHello, suite: CipherSuite): KeySchedule | undefined {
  const pskChoice = findExtension(sh.extensions, 'pre_shared_key');
  if (!pskChoice) return undefined;
  const session = hs.offeredSession;
  if (!session || pskChoice.selectedIdentity !== 0) fail('illegal_parameter', 'server selected a PSK we did not offer');
  const original = hs.suites.find((s) => s.id === session.cipherSuite);
  if (!original || original.hash !== suite.hash) fail('illegal_parameter', 'server selected a cipher suite whose hash does not match the PSK');
  ctx.info.resumed = true;
  return hs.schedule!;
}

/** §4.1.4: a HelloRetryRequest; we answer with ClientHello2 and wait for the ServerHello again. */
export function acceptHelloRetryRequest(ctx: HandshakeContext, hs: ClientHandshake, hrr: HelloRetryRequest, raw: Uint8Array): void {
  if (hs.retried) fail('unexpected_message', 'a second HelloRetryRequest');
  const version = findExtension(hrr.extensions, 'supported_versions');
  if (!version || version.selectedVersion !== TLS13) fail('illegal_parameter', 'HelloRetryRequest without TLS 1.3 in supported_versions');
  const suite = checkHelloCommon(hs, hrr);
  checkOffered(hrr.extensions.filter((e) => e.type !== 'supported_versions' && e.type !== 'cookie'), hs.offered, 'HelloRetryRequest');
  const keyShare = findExtension(hrr.extensions, 'key_share');
  const cookie = findExtension(hrr.extensions, 'cookie');
  // §4.1.4: the retry must change something, and may only ask for a group we listed.
  if (!keyShare && !cookie) fail('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
  hs.retried = true;
  ctx.info.helloRetryRequest = true;
  if (keyShare) {
    const group = hs.groups.find((g) => g.id === keyShare.selectedGroup);
    if (!group) fail('illegal_parameter', `HelloRetryRequest asks for ${groupName(keyShare.selectedGroup)}, which we did not offer`);
    if (hs.keyShares.has(group.id)) fail('illegal_parameter', `HelloRetryRequest asks for ${group.name}, for which we already sent a share`);
    hs.keyShares = new Map([[group.id, generateKeyShare(ctx, group)]]);
  }
  if (cookie) hs.cookie = cookie.cookie;

  // §4.4.1: ClientHello1 is replaced by message_hash; then the HRR enters the transcript.
  ctx.transcript.useHash(suite.hash);
  ctx.transcript.replaceWithMessageHash();
  ctx.transcript.add(raw);
  sendSecondClientHello(ctx, hs, suite);
}

/** §4.1.2: ClientHello2 drops early_data and keeps the PSK only if its hash matches the new suite's. */
function sendSecondClientHello(ctx: HandshakeContext, hs: ClientHandshake, suite: CipherSuite): void {
  const session = hs.offeredSession;
  if (session && hs.suites.find((s) => s.id === session.cipherSuite)?.hash !== suite.hash) delete hs.offeredSession;
  if (hs.sentEarlyData) {
    hs.sentEarlyData = false;
    ctx.info.earlyData = 'rejected';
    ctx.emit({ type: 'early_data', status: 'rejected' });
    // Early data went under the early key; ClientHello2 goes in plaintext again.
    ctx.setPlaintextWrite();
  }
  if (hs.config.middleboxCompatibility) ctx.sendChangeCipherSpec(); // §D.4: before the second flight
  const encoded = encodeClientHello(ctx, hs, { ...hs.clientHello, extensions: clientHelloExtensions(hs, false) });
  hs.clientHello = encoded.hello;
  if (encoded.schedule) hs.schedule = encoded.schedule;
  hs.offered = new Set(encoded.hello.extensions.map((e) => e.type)); // what the server may answer now (§4.2)
  ctx.sendEncodedHandshake('client_hello', encoded.bytes, encoded.fields);
}

/** Checks shared by ServerHello and HelloRetryRequest (§4.1.3); returns the chosen suite. */
function checkHelloCommon(hs: ClientHandshake, msg: ServerHello | HelloRetryRequest): CipherSuite {
  // §D.5: SSL 3.0 or older is a protocol_version; anything else but 0x0303 is malformed for TLS 1.3.
  if (msg.legacyVersion <= SSL3) fail('protocol_version', 'legacy_version is SSL 3.0 or older');
  if (msg.legacyVersion !== LEGACY_VERSION) fail('illegal_parameter', 'legacy_version is not 0x0303');
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
