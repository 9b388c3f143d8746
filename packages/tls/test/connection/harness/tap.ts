/**
 * A man in the middle: it sees every key a connection installs (through the connection's
 * own trace) and every handshake message it sends, so a test can drive a real
 * client/server pair message by message to any state and then hand one side a record of
 * its choosing — a wrong message, a tampered one, raw garbage — protected with exactly
 * the key and sequence number that side expects.
 *
 * Each side gets a {@link Tap}: its read key (and how many records it has opened with
 * it, which is the sequence number of the next one, RFC 8446 §5.3), its write key, and
 * the list of handshake messages and application data it sent, each with the key that
 * protects it. Nothing here touches the engine's internals; it only listens to the
 * trace a connection emits anyway.
 *
 * A tapped pair is a `pair()` (./pair.ts) made deterministic, so that one recorded
 * exchange can be replayed to fresh connections (./scripts.ts); the middle delivers each
 * piece in a record of its own ({@link deliver}).
 * @module
 */
import { alertName, type AlertName } from '../../../src/alert.js';
import { ClientConnection } from '../../../src/connection/client-connection.js';
import type { Connection } from '../../../src/connection/connection.js';
import { ServerConnection } from '../../../src/connection/server-connection.js';
import { sha256 } from '../../../src/crypto/hash.js';
import { nobleProvider } from '../../../src/crypto/noble.js';
import type { Aead, CipherSuite, CipherSuiteName, CryptoProvider } from '../../../src/crypto/provider.js';
import { ContentType } from '../../../src/record/content-type.js';
import { perRecordNonce } from '../../../src/record/record-protection.js';
import type { Side, TraceEvent } from '../../../src/trace/events.js';
import { concat, equalBytes, fromHex, toHex } from '../../../src/wire/bytes.js';
import { clientConfig, serverConfig, type PairOptions } from './pair.js';
import { testCert } from './pki.js';

// ---- Keys and records ---------------------------------------------------------------

/** One traffic key as a tap sees it (RFC 8446 §7.3), with the next sequence number. */
export interface TrafficKeys {
  /** `<writer>_<phase>[_<generation>]`, e.g. `server_handshake` or `client_application_1`. */
  name: string;
  aead: Aead;
  key: Uint8Array;
  iv: Uint8Array;
  /** For a read key: records the connection has opened with it. For a write key: records sealed. */
  seq: bigint;
}

/** Whether two taps' views are of the same key. */
const sameKey = (a: TrafficKeys | null, b: TrafficKeys | null): boolean =>
  a === b || (a !== null && b !== null && a.name === b.name && equalBytes(a.key, b.key) && equalBytes(a.iv, b.iv));

/** A record header and fragment, built without checks (so tests can build invalid ones). */
export function rawRecord(contentType: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concat(Uint8Array.of(contentType, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff), fragment);
}

/**
 * Seals a TLSInnerPlaintext of our choosing (§5.2): `inner` as given, so a test can build
 * ones a correct sender never would (no content type, too long, …). The sequence number
 * is `keys.seq`, which is not advanced: the receiver's trace advances it when it opens the record.
 */
export function sealInner(keys: TrafficKeys, inner: Uint8Array, seq = keys.seq): Uint8Array {
  const header = Uint8Array.of(ContentType.application_data, 3, 3, 0, 0);
  const length = inner.length + keys.aead.tagLength;
  header[3] = length >> 8;
  header[4] = length & 0xff;
  return concat(header, keys.aead.importKey(keys.key).seal(perRecordNonce(keys.iv, seq), inner, header));
}

/** Seals `content` of `contentType` as TLSInnerPlaintext `content || type || zeros` (§5.2). */
export function seal(keys: TrafficKeys, contentType: number, content: Uint8Array, seq = keys.seq, padding = 0): Uint8Array {
  return sealInner(keys, concat(content, Uint8Array.of(contentType), new Uint8Array(padding)), seq);
}

/** Opens a protected record sealed with `keys` at `seq`: [content type, content], or null. */
function open(keys: TrafficKeys, record: Uint8Array, seq: bigint): [number, Uint8Array] | null {
  const inner = keys.aead.importKey(keys.key).open(perRecordNonce(keys.iv, seq), record.subarray(5), record.subarray(0, 5));
  if (inner === null) return null;
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  return i < 0 ? null : [inner[i]!, inner.subarray(0, i)];
}

/** Cuts a byte string into records by their headers (the last may be incomplete). */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const end = o + 5 + ((bytes[o + 3]! << 8) | bytes[o + 4]!);
    out.push(bytes.subarray(o, end));
    o = end;
  }
  return out;
}

// ---- Taps ---------------------------------------------------------------------------

/** Something a side sent that the middle can deliver again: a handshake message or application data. */
export interface Piece {
  contentType: number;
  content: Uint8Array;
  /** The key that protected it (null: plaintext). */
  keys: TrafficKeys | null;
  /** The handshake message type, for handshake pieces (the trace's title, e.g. `ServerHello`). */
  type?: string;
  /** Order of sending across both sides of a pair. */
  order: number;
}

const KEY_EVENT = /^(client|server)_(early|handshake|application)_(key|iv)(?:_(\d+))?$/;

/** What the middle knows about one side, learnt from that side's trace. */
export class Tap {
  /** The key this side opens records with now; null before any. */
  read: TrafficKeys | null = null;
  /** The key this side seals records with now; null while it sends plaintext. */
  write: TrafficKeys | null = null;
  /** Handshake messages and application data this side sent, in order. */
  readonly sent: Piece[] = [];
  /** Protected records this side sent, by hex, with the key and sequence number used. */
  readonly sealed = new Map<string, { keys: TrafficKeys; seq: bigint }>();
  private pendingKey = new Map<string, Uint8Array>();

  constructor(
    private readonly aead: Aead,
    private readonly clock: { order: number },
  ) {}

  /** The trace observer to put in the connection's config. */
  readonly observer = (e: TraceEvent): void => {
    switch (e.kind) {
      case 'secret': {
        const m = KEY_EVENT.exec(e.name);
        if (!m) return;
        const [, writer, phase, part, generation] = m;
        const name = `${writer}_${phase}${generation ? `_${generation}` : ''}`;
        if (part === 'key') {
          this.pendingKey.set(name, fromHex(e.hex));
          return;
        }
        const keys: TrafficKeys = { name, aead: this.aead, key: this.pendingKey.get(name)!, iv: fromHex(e.hex), seq: 0n };
        if (writer === e.side) this.write = keys;
        else this.read = keys;
        return;
      }
      case 'record':
        if (e.direction === 'received') {
          if (e.protected && !e.dropped) this.read!.seq++;
          return;
        }
        if (e.protected) {
          this.sealed.set(e.hex, { keys: this.write!, seq: BigInt(e.sequenceNumber!) });
          this.write!.seq = BigInt(e.sequenceNumber!) + 1n;
        }
        if (e.innerType === 'application_data') {
          this.sent.push({ contentType: ContentType.application_data, content: fromHex(e.contentHex), keys: this.write, order: this.clock.order++ });
        }
        return;
      case 'message':
        if (e.direction === 'sent') {
          this.sent.push({ contentType: ContentType.handshake, content: fromHex(e.hex), keys: this.write, type: e.type, order: this.clock.order++ });
        }
        return;
      default:
        return;
    }
  };

  /** The record this side will accept next carrying `content` of `contentType`: plaintext before keys, else sealed. */
  recordFor(contentType: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.read === null ? rawRecord(contentType, content) : seal(this.read, contentType, content, this.read.seq, padding);
  }

  /**
   * The alert in the last record of `bytes` (which this side sent): a plaintext record
   * must be exactly `15 03 03 00 02 02 <code>` (§5.1, §6); a protected one must open,
   * with this side's write key of the time, to a fatal alert. Returns its name.
   */
  alertIn(bytes: Uint8Array): { alert: AlertName | string; protected: boolean } {
    const records = splitRecords(bytes);
    const last = records[records.length - 1];
    if (!last) throw new Error('no record was sent');
    if (last[0] === ContentType.alert) {
      if (last.length !== 7 || toHex(last.subarray(0, 6)) !== '150303000202') throw new Error(`malformed plaintext alert record ${toHex(last)}`);
      return { alert: alertName(last[6]!), protected: false };
    }
    const sealed = this.sealed.get(toHex(last));
    if (!sealed) throw new Error(`the last record is neither a plaintext alert nor one this side sealed: ${toHex(last.subarray(0, 5))}`);
    const opened = open(sealed.keys, last, sealed.seq);
    if (!opened) throw new Error('the protected alert record does not open');
    const [type, content] = opened;
    if (type !== ContentType.alert || content.length !== 2 || content[0] !== 2) throw new Error(`not a fatal alert: type ${type}, content ${toHex(content)}`);
    return { alert: alertName(content[1]!), protected: true };
  }
}

// ---- Tapped endpoints and pairs --------------------------------------------------------

/** A connection, its tap, and how many of its pieces have been delivered to the peer. */
export interface Endpoint<C extends Connection = Connection> {
  conn: C;
  tap: Tap;
  /** Index into `tap.sent` of the next piece to deliver. */
  delivered: number;
}

/** A client and a server with taps. */
export interface TappedPair {
  client: Endpoint<ClientConnection>;
  server: Endpoint<ServerConnection>;
}

/** What a tapped pair is made of: a {@link PairOptions}, and the one cipher suite the client offers (the tap must know its AEAD). */
export interface TappedPairOptions extends PairOptions {
  suite?: CipherSuiteName;
}

/**
 * The noble provider with a deterministic random source (SHA-256 in counter mode over
 * `seed`): two connections made with the same seed and fed the same bytes send the same
 * bytes, so a recorded exchange can be replayed to a fresh connection (ECDSA and Ed25519
 * signatures are deterministic already).
 */
function deterministicProvider(seed: string): CryptoProvider {
  const key = new TextEncoder().encode(seed);
  let counter = 0;
  return {
    ...nobleProvider,
    randomBytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      for (let o = 0; o < n; o += 32) {
        const block = sha256.hash(concat(key, Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff)));
        counter++;
        out.set(block.subarray(0, Math.min(32, n - o)), o);
      }
      return out;
    },
  };
}

/** The fixed clock of every tapped connection (ticket ages and lifetimes must not depend on when tests run). */
export const TEST_NOW = Date.UTC(2025, 0, 1);

const suiteByName = (name: CipherSuiteName): CipherSuite => nobleProvider.cipherSuites.find((s) => s.name === name)!;

/**
 * A tapped client or server: the side of a `pair()` with `options` applied, made
 * deterministic (seeded random source, fixed clock). Its certificate is Ed25519 unless
 * `options.cert` says otherwise: the cheapest to verify, and these tests make thousands
 * of handshakes.
 */
export function tappedEndpoint(side: 'client', options?: TappedPairOptions, clock?: { order: number }): Endpoint<ClientConnection>;
export function tappedEndpoint(side: 'server', options?: TappedPairOptions, clock?: { order: number }): Endpoint<ServerConnection>;
export function tappedEndpoint(side: Side, options?: TappedPairOptions, clock?: { order: number }): Endpoint;
export function tappedEndpoint(side: Side, options: TappedPairOptions = {}, clock = { order: 0 }): Endpoint {
  const cert = options.cert ?? testCert('ed25519');
  const suite = suiteByName(options.suite ?? 'TLS_AES_128_GCM_SHA256');
  const tap = new Tap(suite.aead, clock);
  const common = { provider: deterministicProvider(side), now: () => TEST_NOW, trace: tap.observer };
  const conn =
    side === 'server'
      ? new ServerConnection(serverConfig(cert, { ...common, ...options.server }))
      : new ClientConnection(clientConfig(cert, { cipherSuites: [suite.name], ...common, ...options.client }));
  return { conn, tap, delivered: 0 };
}

/** A tapped client and server; nothing is delivered yet (the client's ClientHello is queued). */
export function tappedPair(options: TappedPairOptions = {}): TappedPair {
  const clock = { order: 0 }; // orders the pieces both sides send
  // The server first: a client sends its ClientHello as it is made.
  const server = tappedEndpoint('server', options, clock);
  return { client: tappedEndpoint('client', options, clock), server };
}

// ---- Delivering ---------------------------------------------------------------------

/** The side that sent the earliest piece not yet delivered, or undefined when all are delivered. */
export function nextSender(pair: TappedPair): Endpoint | undefined {
  const c = pair.client.tap.sent[pair.client.delivered];
  const s = pair.server.tap.sent[pair.server.delivered];
  if (!c) return s ? pair.server : undefined;
  if (!s) return pair.client;
  return c.order < s.order ? pair.client : pair.server;
}

/** The peer of an endpoint. */
const peerOf = (pair: TappedPair, ep: Endpoint): Endpoint => (ep === pair.client ? pair.server : pair.client);

/** Delivers one piece from `from` to the peer, in a record of its own sealed for the receiver. */
export function deliverOne(pair: TappedPair, from: Endpoint): void {
  const piece = from.tap.sent[from.delivered++]!;
  const to = peerOf(pair, from);
  to.conn.receive(to.tap.recordFor(piece.contentType, piece.content));
}

/**
 * Delivers the pieces not yet delivered, all of them or the first `steps`, each the
 * earliest sent (which is always a causally valid order) in a record of its own.
 * Returns how many were delivered.
 */
export function deliver(pair: TappedPair, steps = Infinity): number {
  let done = 0;
  for (; done < steps; done++) {
    const from = nextSender(pair);
    if (!from) break;
    deliverOne(pair, from);
  }
  return done;
}

// ---- Framing pieces as their sender would -----------------------------------------------

/**
 * Records that carry `pieces` to `receiver` as their sender would: pieces under the
 * same key share records, cut at `cuts(total)` points (sorted offsets into the
 * concatenated content; none keeps one record per key). Sequence numbers continue the
 * receiver's current read key, or start at 0 for a key it does not have yet (§5.3).
 */
export function frame(receiver: Tap, pieces: readonly Piece[], cuts: (total: number) => number[] = () => []): Uint8Array[] {
  const records: Uint8Array[] = [];
  const nextSeq = new Map<string, bigint>();
  const keyId = (k: TrafficKeys) => `${k.name}/${toHex(k.key)}`;
  let i = 0;
  while (i < pieces.length) {
    const { keys, contentType } = pieces[i]!;
    // Handshake pieces under one key share records; application data keeps its own.
    let j = i + 1;
    if (contentType === ContentType.handshake) {
      while (j < pieces.length && pieces[j]!.contentType === contentType && sameKey(pieces[j]!.keys, keys)) j++;
    }
    const content = concat(...pieces.slice(i, j).map((p) => p.content));
    const bounds = [...new Set([0, ...cuts(content.length).filter((c) => c > 0 && c < content.length), content.length])];
    if (bounds.length === 1) bounds.push(0); // empty content: one empty record
    let seq = keys ? (nextSeq.get(keyId(keys)) ?? (sameKey(receiver.read, keys) ? receiver.read!.seq : 0n)) : 0n;
    for (let b = 0; b + 1 < bounds.length; b++) {
      const part = content.subarray(bounds[b]!, bounds[b + 1]);
      records.push(keys === null ? rawRecord(contentType, part) : seal(keys, contentType, part, seq++));
    }
    if (keys) nextSeq.set(keyId(keys), seq);
    i = j;
  }
  return records;
}
