/**
 * A man in the middle for the error-path tests: it sees every key a connection
 * installs (through the connection's own trace) and every handshake message it sends,
 * so a test can drive a real client/server pair message by message to any state and
 * then hand one side a record of its choosing — a wrong message, a tampered one, raw
 * garbage — protected with exactly the key and sequence number that side expects.
 *
 * Each side gets a {@link Tap}: its read key (and how many records it has opened with
 * it, which is the sequence number of the next one, RFC 8446 §5.3), its write key, and
 * the list of handshake messages and application data it sent, each with the key that
 * protects it. Nothing here touches the engine's internals; it only listens to the
 * trace a connection emits anyway.
 * @module
 */
import { AlertDescription, alertName, TlsError, type AlertName } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Connection } from '../../src/connection/connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { Aead, CipherSuite, CipherSuiteName, CryptoProvider } from '../../src/crypto/provider.js';
import { sha256 } from '../../src/crypto/hash.js';
import type { AntiReplay } from '../../src/handshake/server/anti-replay.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import type { Session } from '../../src/handshake/session.js';
import { ContentType } from '../../src/record/content-type.js';
import { perRecordNonce } from '../../src/record/record-protection.js';
import type { Side, TraceEvent } from '../../src/trace/events.js';
import { concat, equalBytes, fromHex, toHex } from '../../src/wire/bytes.js';
import { createCertificateAuthority, issueCertificate } from '../../src/x509/issue.js';

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
export const sameKey = (a: TrafficKeys | null, b: TrafficKeys | null): boolean =>
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
export function open(keys: TrafficKeys, record: Uint8Array, seq: bigint): [number, Uint8Array] | null {
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

// ---- Endpoints and pairs ------------------------------------------------------------

/** A connection, its tap, and how many of its pieces have been delivered to the peer. */
export interface Endpoint<C extends Connection = Connection> {
  conn: C;
  tap: Tap;
  /** Index into `tap.sent` of the next piece to deliver. */
  delivered: number;
}

/** A client and a server with taps. */
export interface Pair {
  client: Endpoint<ClientConnection>;
  server: Endpoint<ServerConnection>;
}

/**
 * The certificates of the tests, made once in process by a test CA: Ed25519 keys (the
 * cheapest to verify, and these tests make thousands of handshakes), and an ECDSA P-256
 * server certificate for the tests about DER signatures.
 */
export interface TestPki {
  server: CertifiedKey;
  client: CertifiedKey;
  p256Server: CertifiedKey;
}

let pki: TestPki | undefined;

/** The test certificates (servers for `localhost`, and a client certificate). */
export function testPki(): TestPki {
  if (!pki) {
    const ca = createCertificateAuthority({ commonName: 'Error-path test CA' });
    const certified = (c: { certificate: { der: Uint8Array }; privateKey: CertifiedKey['privateKey'] }): CertifiedKey => ({ chain: [c.certificate.der], privateKey: c.privateKey });
    pki = {
      server: certified(issueCertificate(ca, { names: ['localhost'], keyType: 'ed25519' })),
      client: certified(issueCertificate(ca, { names: ['client@example.test'], client: true, keyType: 'ed25519' })),
      p256Server: certified(issueCertificate(ca, { names: ['localhost'] })),
    };
  }
  return pki;
}

/** A verifier that accepts exactly one leaf certificate (trust is not what these tests are about). */
export function pinnedLeaf(der: Uint8Array): (chain: Uint8Array[]) => void {
  return (chain) => {
    if (!chain[0] || !equalBytes(chain[0], der)) throw new TlsError('bad_certificate', 'not the expected certificate');
  };
}

/** Accepts every ticket for 0-RTT: lets many connections reuse one session's early data. */
export const acceptAllEarlyData: AntiReplay = { firstUse: () => true };

/**
 * The noble provider with a deterministic random source (SHA-256 in counter mode over
 * `seed`): two connections made with the same seed and fed the same bytes send the same
 * bytes, so a recorded exchange can be replayed to a fresh connection (ECDSA and Ed25519
 * signatures are deterministic already).
 */
export function deterministicProvider(seed: string): CryptoProvider {
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

/** The fixed clock of every test connection (ticket ages and lifetimes must not depend on when tests run). */
export const TEST_NOW = Date.UTC(2025, 0, 1);

/** The scenarios the tests drive pairs through. */
export type Scenario = 'full' | 'client-auth' | 'hrr' | 'resume' | 'early-data';
export const SCENARIOS: readonly Scenario[] = ['full', 'client-auth', 'hrr', 'resume', 'early-data'];

/** Options of {@link makePair}. */
export interface PairOptions {
  client?: Partial<ClientConfig>;
  server?: Partial<ServerConfig>;
  suite?: CipherSuiteName;
}

const suiteByName = (name: CipherSuiteName): CipherSuite => nobleProvider.cipherSuites.find((s) => s.name === name)!;

/** A tapped client or server (deterministic, fixed clock), with `options` applied. */
export function makeEndpoint(side: 'client', options?: PairOptions, clock?: { order: number }): Endpoint<ClientConnection>;
export function makeEndpoint(side: 'server', options?: PairOptions, clock?: { order: number }): Endpoint<ServerConnection>;
export function makeEndpoint(side: Side, options?: PairOptions, clock?: { order: number }): Endpoint;
export function makeEndpoint(side: Side, options: PairOptions = {}, clock = { order: 0 }): Endpoint {
  const { server: serverCert } = testPki();
  const suite = suiteByName(options.suite ?? 'TLS_AES_128_GCM_SHA256');
  const tap = new Tap(suite.aead, clock);
  const common = { provider: deterministicProvider(side), now: () => TEST_NOW, trace: tap.observer };
  const conn =
    side === 'server'
      ? new ServerConnection({ certificate: serverCert, ...common, ...options.server })
      : new ClientConnection({
          serverName: 'localhost',
          verifyServerCertificate: pinnedLeaf(serverCert.chain[0]!),
          cipherSuites: [suite.name],
          ...common,
          ...options.client,
        });
  return { conn, tap, delivered: 0 };
}

/** A tapped client and server; nothing is delivered yet (the client's ClientHello is queued). */
export function makePair(options: PairOptions = {}): Pair {
  const clock = { order: 0 };
  // The server first: a client sends its ClientHello as it is made.
  const server = makeEndpoint('server', options, clock);
  return { client: makeEndpoint('client', options, clock), server };
}

const sharedTicketer = new RotatingTicketer(nobleProvider, { now: () => TEST_NOW });
let sessions: { plain: Session; early: Session } | undefined;

/** Sessions from completed handshakes with a server using the shared ticketer: one without and one with 0-RTT allowed. */
export function testSessions(): { plain: Session; early: Session } {
  if (!sessions) {
    const get = (server: Partial<ServerConfig>): Session => {
      const pair = makePair({ server: { tickets: { ticketer: sharedTicketer, count: 1 }, ...server } });
      deliverAll(pair);
      const event = pair.client.conn.takeEvents().find((e) => e.type === 'session');
      if (!event || event.type !== 'session') throw new Error('no session ticket was issued');
      return event.session;
    };
    sessions = { plain: get({}), early: get({ maxEarlyDataSize: 1024, antiReplay: acceptAllEarlyData }) };
  }
  return sessions;
}

/** Pair options of each scenario. */
export function scenarioOptions(scenario: Scenario): PairOptions {
  const { client: clientCert } = testPki();
  const tickets = { ticketer: sharedTicketer, count: 1 };
  switch (scenario) {
    case 'full':
      return { server: { tickets } };
    case 'client-auth':
      return {
        client: { certificate: clientCert },
        server: { clientAuth: 'required', verifyClientCertificate: pinnedLeaf(clientCert.chain[0]!) },
      };
    case 'hrr':
      return { server: { alwaysRetry: true } };
    case 'resume':
      return { client: { session: testSessions().plain }, server: { tickets } };
    case 'early-data':
      return {
        client: { session: testSessions().early, earlyData: new TextEncoder().encode('early data') },
        server: { tickets, maxEarlyDataSize: 1024, antiReplay: acceptAllEarlyData },
      };
  }
}

// ---- Delivering ---------------------------------------------------------------------

/** The side that sent the earliest piece not yet delivered, or undefined when all are delivered. */
export function nextSender(pair: Pair): Endpoint | undefined {
  const c = pair.client.tap.sent[pair.client.delivered];
  const s = pair.server.tap.sent[pair.server.delivered];
  if (!c) return s ? pair.server : undefined;
  if (!s) return pair.client;
  return c.order < s.order ? pair.client : pair.server;
}

/** The peer of an endpoint. */
export const peerOf = (pair: Pair, ep: Endpoint): Endpoint => (ep === pair.client ? pair.server : pair.client);

/** Delivers one piece from `from` to the peer, in a record of its own sealed for the receiver. */
export function deliverOne(pair: Pair, from: Endpoint): void {
  const piece = from.tap.sent[from.delivered++]!;
  const to = peerOf(pair, from);
  to.conn.receive(to.tap.recordFor(piece.contentType, piece.content));
}

/**
 * Delivers `steps` pieces (each the earliest sent and not yet delivered, which is always
 * a causally valid order), one record each. Returns how many were delivered.
 */
export function advance(pair: Pair, steps: number): number {
  let done = 0;
  for (; done < steps; done++) {
    const from = nextSender(pair);
    if (!from) break;
    deliverOne(pair, from);
  }
  return done;
}

/** Delivers everything until both sides are quiet. */
export function deliverAll(pair: Pair): void {
  advance(pair, Infinity);
}

// ---- Scripts: one recorded exchange, replayed to fresh connections ----------------------

/** One delivery of a recorded exchange. */
export interface Step extends Piece {
  from: Side;
}

/** Where each side of a scripted exchange is: its state's name and whether a HelloRetryRequest happened. */
export interface ScriptState {
  client: string;
  server: string;
  retried: boolean;
}

const scripts = new Map<Scenario, { steps: Step[]; states: ScriptState[] }>();

function recorded(scenario: Scenario): { steps: Step[]; states: ScriptState[] } {
  let run = scripts.get(scenario);
  if (!run) {
    const pair = makePair(scenarioOptions(scenario));
    const at = (): ScriptState => ({ client: pair.client.conn.stateName, server: pair.server.conn.stateName, retried: pair.client.conn.info.helloRetryRequest });
    run = { steps: [], states: [at()] };
    for (let from = nextSender(pair); from; from = nextSender(pair)) {
      run.steps.push({ ...from.tap.sent[from.delivered]!, from: from.conn.side });
      deliverOne(pair, from);
      run.states.push(at());
    }
    scripts.set(scenario, run);
  }
  return run;
}

/** Every piece of a complete exchange in `scenario`, in delivery order (recorded once; deterministic). */
export function script(scenario: Scenario): Step[] {
  return recorded(scenario).steps;
}

/** The states of both sides after 0, 1, … steps of {@link script}. */
export function scriptStates(scenario: Scenario): ScriptState[] {
  return recorded(scenario).states;
}

/**
 * A fresh `side` of `scenario` after the first `k` steps: it is fed the peer's pieces
 * among them (its own it sends itself, identically, which is checked). Returns the
 * endpoint and the steps still to come.
 */
export function replay(scenario: Scenario, side: Side, k: number): { ep: Endpoint; rest: Step[] } {
  const steps = script(scenario);
  const ep = makeEndpoint(side, scenarioOptions(scenario));
  let own = 0;
  for (const step of steps.slice(0, k)) {
    if (step.from === side) {
      const mine = ep.tap.sent[own++];
      // Tickets are sealed under the ticketer's own random key and nonce: only their type is compared.
      const same = mine && (step.type === 'NewSessionTicket' ? mine.type === step.type : equalBytes(mine.content, step.content));
      if (!same) throw new Error(`replay of ${scenario} diverged at a ${step.type ?? 'data'} the ${side} sent`);
      continue;
    }
    ep.conn.receive(ep.tap.recordFor(step.contentType, step.content));
  }
  return { ep, rest: steps.slice(k) };
}

/** The pieces the peer sends next (up to the side's own next send), given the steps after a replay. */
export function nextFlight(rest: readonly Step[], side: Side): Step[] {
  const start = rest.findIndex((s) => s.from !== side);
  if (start < 0) return [];
  const end = rest.findIndex((s, i) => i > start && s.from === side);
  return rest.slice(start, end < 0 ? undefined : end);
}

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

// ---- Expecting errors -----------------------------------------------------------------

/** What {@link expectFailure} found. */
export interface Failure {
  error: TlsError;
  /** The alert record sent for it (undefined when the peer's alert ended the connection). */
  sentAlert?: { alert: string; protected: boolean };
}

/**
 * Runs `deliver` against `ep`, which must throw a TlsError; checks that the alert it
 * names was queued as the only new record (or after `options.after` others that
 * `deliver` legitimately caused), plaintext or protected per the keys in use,
 * that receiving again rethrows the same error, that writing throws it too, and that
 * nothing more is queued.
 */
export function expectFailure(ep: Endpoint, deliver: () => void, options: { after?: number } = {}): Failure {
  ep.conn.takeOutgoing(); // what it sent before is not ours to check
  let error: unknown;
  try {
    deliver();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`no error; the ${ep.conn.side} is in state ${ep.conn.stateName}`);
  if (!(error instanceof TlsError)) throw error;
  const out = ep.conn.takeOutgoing();
  let sentAlert: Failure['sentAlert'];
  if (error.sent) {
    const count = splitRecords(out).length;
    if (count !== 1 + (options.after ?? 0)) throw new Error(`expected the alert record after ${options.after ?? 0} others, got ${count} records`);
    sentAlert = ep.tap.alertIn(out);
    if (sentAlert.alert !== error.alert) throw new Error(`the error names ${error.alert} but the record carries ${sentAlert.alert}`);
  } else if (out.length !== 0) {
    throw new Error('an alert was sent in answer to the peer’s alert');
  }
  if (ep.conn.error !== error) throw new Error('conn.error is not the thrown error');
  const thrownBy = (fn: () => void): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  if (thrownBy(() => ep.conn.receive(Uint8Array.of(0x16, 3, 3))) !== error) throw new Error('receive() after the error did not rethrow the same TlsError');
  if (thrownBy(() => ep.conn.write(Uint8Array.of(1))) !== error) throw new Error('write() after the error did not throw the TlsError');
  if (ep.conn.takeOutgoing().length !== 0) throw new Error('bytes were queued after the error');
  const result: Failure = { error };
  if (sentAlert) result.sentAlert = sentAlert;
  return result;
}

/** The alert code of a name (for building alert records). */
export const alertCode = (name: AlertName): number => AlertDescription[name];
