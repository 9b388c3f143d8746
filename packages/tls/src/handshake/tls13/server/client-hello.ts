/**
 * A TLS 1.3 server reads the ClientHello (RFC 8446 §4.1.2): the checks every ClientHello
 * must pass, the rules a second one after a HelloRetryRequest must follow, and the choice
 * of cipher suite and group.
 * @module
 */
import { fail } from '../../../alert.js';
import type { CipherSuite, KeyExchangeGroup } from '../../../crypto/provider.js';
import { groupName } from '../../../crypto/provider.js';
import { equalBytes, equalSecret } from '../../../wire/bytes.js';
import type { HandshakeContext } from '../../context.js';
import { findExtension, type ClientHello, type KeyShareEntry } from '../../messages/types.js';
import type { ServerHandshake } from '../../server/server-handshake.js';

/** What the server settles from a ClientHello before answering it. */
export interface HelloParameters {
  suite: CipherSuite;
  group: KeyExchangeGroup;
  /** The client's share in `group`; none means a HelloRetryRequest must ask for one. */
  clientShare: KeyShareEntry | undefined;
}

/** The checks every ClientHello must pass before the server chooses anything. */
export function checkClientHello(ctx: HandshakeContext, hs: ServerHandshake, ch: ClientHello): void {
  // §4.1.2: exactly one compression method, null.
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
    fail('illegal_parameter', 'legacy_compression_methods must be exactly [0]');
  }
  if (hs.retry) checkSecondClientHello(hs, ch);
  ctx.records.allowChangeCipherSpec = true; // §D.4: from the first ClientHello on

  const supportedGroups = findExtension(ch.extensions, 'supported_groups');
  const keyShare = findExtension(ch.extensions, 'key_share');
  const psk = findExtension(ch.extensions, 'pre_shared_key');
  if (psk && !findExtension(ch.extensions, 'psk_key_exchange_modes')) fail('missing_extension', 'pre_shared_key without psk_key_exchange_modes'); // §4.2.9
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
}

/** §4.1.2: ClientHello2 may change only the key share, cookie, early_data, PSK binders and padding. */
function checkSecondClientHello(hs: ServerHandshake, ch: ClientHello): void {
  const first = hs.clientHello1!;
  const cookie = findExtension(ch.extensions, 'cookie');
  if (!cookie || !equalSecret(cookie.cookie, hs.cookie!)) fail('illegal_parameter', 'ClientHello2 does not echo our cookie');
  if (findExtension(ch.extensions, 'early_data')) fail('illegal_parameter', 'early_data in ClientHello2');
  const same =
    equalBytes(ch.random, first.random) &&
    equalBytes(ch.legacySessionId, first.legacySessionId) &&
    ch.cipherSuites.join() === first.cipherSuites.join();
  if (!same) fail('illegal_parameter', 'ClientHello2 differs from ClientHello1 beyond what a retry allows');
}

/** The cipher suite (our preference among the client's) and the group, fixed by a HelloRetryRequest if there was one. */
export function pickParameters(hs: ServerHandshake, ch: ClientHello): HelloParameters {
  const supportedGroups = findExtension(ch.extensions, 'supported_groups')!;
  const keyShare = findExtension(ch.extensions, 'key_share')!;
  const suite = hs.retry?.suite ?? hs.suites.find((s) => ch.cipherSuites.includes(s.id));
  if (!suite) fail('handshake_failure', 'no cipher suite in common');
  if (!ch.cipherSuites.includes(suite.id)) fail('illegal_parameter', 'ClientHello2 dropped the cipher suite of the HelloRetryRequest');

  const group = hs.retry?.group ?? chooseGroup(hs, supportedGroups.groups, keyShare.clientShares.map((s) => s.group));
  const clientShare = keyShare.clientShares.find((s) => s.group === group.id);
  // §4.1.2: only a HelloRetryRequest that named a group makes the client replace its shares with one.
  if (hs.retry && (!clientShare || (retryNamedGroup(hs) && keyShare.clientShares.length !== 1))) {
    fail('illegal_parameter', `ClientHello2 must carry exactly one key share, for ${group.name}`);
  }
  return { suite, group, clientShare };
}

/** Our first mutually supported group, preferring one the client sent a share for (unless told otherwise). */
function chooseGroup(hs: ServerHandshake, clientGroups: number[], shared: number[]): KeyExchangeGroup {
  const mutual = hs.groups.filter((g) => clientGroups.includes(g.id));
  if (mutual.length === 0) fail('handshake_failure', 'no key exchange group in common');
  if (hs.config.groupSelection === 'server-preference') return mutual[0]!;
  return mutual.find((g) => shared.includes(g.id)) ?? mutual[0]!;
}

/** Whether our HelloRetryRequest asks for a key share: only when ClientHello1 had none in the chosen group. */
export function retryNamedGroup(hs: ServerHandshake): boolean {
  const shares = findExtension(hs.clientHello1!.extensions, 'key_share')?.clientShares ?? [];
  return !shares.some((s) => s.group === hs.retry!.group.id);
}
