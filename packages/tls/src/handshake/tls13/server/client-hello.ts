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
import { checkKeyShareEntries } from '../../key-share-rules.js';
import { findExtension, type ClientHello, type ClientHelloExtension, type KeyShareEntry } from '../../messages/types.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import { PSK_DHE_KE, PSK_KE, pskModes } from '../../versions.js';

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
  // §5, §D.4: one compatibility change_cipher_spec may come from the first ClientHello on.
  else ctx.records.allowChangeCipherSpec = true;

  const supportedGroups = findExtension(ch.extensions, 'supported_groups');
  const keyShare = findExtension(ch.extensions, 'key_share');
  const psk = findExtension(ch.extensions, 'pre_shared_key');
  if (psk && !findExtension(ch.extensions, 'psk_key_exchange_modes')) fail('missing_extension', 'pre_shared_key without psk_key_exchange_modes'); // §4.2.9
  // §9.2: supported_groups and key_share come together (a PSK-only client may send neither).
  if (!!supportedGroups !== !!keyShare) fail('missing_extension', 'ClientHello has one of supported_groups and key_share without the other');
  if (!keyShare || !supportedGroups) return;
  checkKeyShareEntries(keyShare.clientShares, 'client');
  const seen = new Set<number>();
  for (const share of keyShare.clientShares) {
    // §4.2.8: one share per group, each for a group listed in supported_groups.
    if (seen.has(share.group) || !supportedGroups.groups.includes(share.group)) {
      fail('illegal_parameter', `key share for ${groupName(share.group)} is duplicated or not in supported_groups`);
    }
    seen.add(share.group);
  }
}

/**
 * Extensions a second ClientHello may change (§4.1.2): key_share replaced as asked, early_data
 * removed, cookie added, pre_shared_key updated (or dropped when its hash no longer fits), and
 * padding. Their content is not compared; for all but key_share, not their presence either.
 */
const MAY_CHANGE_IN_CLIENT_HELLO2 = new Set(['early_data', 'cookie', 'pre_shared_key', 'padding']);

/**
 * §4.1.2: ClientHello2 must be ClientHello1 but for what a retry changes. Every other field
 * and every other extension, in the same order, must be the same.
 */
function checkSecondClientHello(hs: ServerHandshake, ch: ClientHello): void {
  const first = hs.clientHello1!;
  const cookie = findExtension(ch.extensions, 'cookie');
  if (!cookie || !equalSecret(cookie.cookie, hs.cookie!)) fail('illegal_parameter', 'ClientHello2 does not echo our cookie');
  if (findExtension(ch.extensions, 'early_data')) fail('illegal_parameter', 'early_data in ClientHello2');
  const sameFields =
    ch.legacyVersion === first.legacyVersion &&
    equalBytes(ch.random, first.random) &&
    equalBytes(ch.legacySessionId, first.legacySessionId) &&
    ch.cipherSuites.join() === first.cipherSuites.join() &&
    equalBytes(ch.legacyCompressionMethods, first.legacyCompressionMethods);
  if (!sameFields) fail('illegal_parameter', 'ClientHello2 differs from ClientHello1 beyond what a retry allows');
  const kept = (hello: ClientHello) => hello.extensions.filter((e) => !MAY_CHANGE_IN_CLIENT_HELLO2.has(e.type));
  const [before, after] = [kept(first), kept(ch)];
  const differing = before.length !== after.length ? 'the list' : before.find((e, i) => !sameExtension(e, after[i]!))?.type;
  if (differing) fail('illegal_parameter', `ClientHello2 changed ${differing === 'the list' ? 'its extensions' : `the ${differing} extension`} beyond what a retry allows`);
}

/** Same type (same place), and same content unless a retry may change it (key_share). */
function sameExtension(a: ClientHelloExtension, b: ClientHelloExtension): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'key_share') return true;
  return sameValue(a, b);
}

/** Deep equality of decoded extension values (numbers, strings, byte strings, arrays, records). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && equalBytes(a, b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** The cipher suite: our preference among the client's, or the one a HelloRetryRequest fixed. */
export function pickSuite(hs: ServerHandshake, ch: ClientHello): CipherSuite {
  const suite = hs.retry?.suite ?? hs.suites.find((s) => ch.cipherSuites.includes(s.id));
  if (!suite) fail('handshake_failure', 'no cipher suite in common');
  if (!ch.cipherSuites.includes(suite.id)) fail('illegal_parameter', 'ClientHello2 dropped the cipher suite of the HelloRetryRequest');
  return suite;
}

/**
 * The PSK key exchange mode a resumption would use (§4.2.9): psk_dhe_ke when we both allow
 * it (it keeps forward secrecy), else psk_ke when we both allow that, else none.
 */
export function pskModeFor(hs: ServerHandshake, ch: ClientHello): 'psk_dhe_ke' | 'psk_ke' | undefined {
  const offered = findExtension(ch.extensions, 'psk_key_exchange_modes')?.modes ?? [];
  const allowed = pskModes(hs.config.pskKeyExchangeModes);
  const both = (mode: number) => offered.includes(mode) && allowed.includes(mode);
  return both(PSK_DHE_KE) ? 'psk_dhe_ke' : both(PSK_KE) ? 'psk_ke' : undefined;
}

/** The group, fixed by a HelloRetryRequest if there was one, and the client's share in it. */
export function pickParameters(hs: ServerHandshake, ch: ClientHello, suite: CipherSuite): HelloParameters {
  const supportedGroups = findExtension(ch.extensions, 'supported_groups');
  const keyShare = findExtension(ch.extensions, 'key_share');
  // §9.2: without a PSK we can resume on alone, a key exchange is needed.
  if (!supportedGroups || !keyShare) fail('missing_extension', 'ClientHello lacks supported_groups or key_share');

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
