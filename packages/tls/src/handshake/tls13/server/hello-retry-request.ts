/**
 * The server's HelloRetryRequest (RFC 8446 §4.1.4): it asks for a key share in the group it
 * chose, with a cookie the client must echo, and the handshake starts over with ClientHello2.
 * @module
 */
import { fail } from '../../../alert.js';
import type { HandshakeContext, HandshakeState } from '../../context.js';
import { findExtension, type ClientHello } from '../../messages/types.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { LEGACY_VERSION, TLS13 } from '../../versions.js';
import { retryNamedGroup, type HelloParameters } from './client-hello.js';
import { maxSkippedEarlyData } from './early-data.js';

/** Sends the HelloRetryRequest and returns `expectSecondHello`, the state that reads ClientHello2. */
export function sendHelloRetryRequest(
  ctx: HandshakeContext,
  hs: ServerHandshake,
  ch: ClientHello,
  raw: Uint8Array,
  { suite, group }: HelloParameters,
  expectSecondHello: HandshakeState,
): HandshakeState {
  if (hs.retry) fail('illegal_parameter', 'ClientHello2 still lacks a usable key share');
  // §4.4.1: ClientHello1 is replaced in the transcript by message_hash; the cookie binds to its hash.
  ctx.transcript.useHash(suite.hash);
  ctx.transcript.add(raw);
  const hashOfClientHello1 = ctx.transcript.digest();
  ctx.transcript.replaceWithMessageHash();
  const cookie = hs.config.makeCookie
    ? hs.config.makeCookie(hashOfClientHello1)
    : suite.hash.hmac(ctx.provider.randomBytes(suite.hash.outputLength), hashOfClientHello1);
  hs.retry = { suite, group };
  hs.cookie = cookie;
  hs.clientHello1 = ch;
  ctx.info.helloRetryRequest = true;
  ctx.sendHandshake({
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
  if (ch.legacySessionId.length) ctx.sendChangeCipherSpec(); // §D.4: after our first handshake message
  // §4.2.10: after a HelloRetryRequest, early data the client already sent is skipped.
  if (findExtension(ch.extensions, 'early_data')) ctx.records.skipEarlyData(maxSkippedEarlyData(hs.config), 'skip-application-data');
  return expectSecondHello;
}
