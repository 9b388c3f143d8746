/**
 * A TLS client and server in one page (TLS 1.3, or TLS 1.2 to compare), with the network in between replaced by a
 * button: each {@link HandshakeStepper.next} delivers one flight — the bytes one side has
 * sent since the other last spoke — and returns what happened, as trace events.
 *
 * The engine is sans-IO (bytes in, bytes out), so "the network" is one variable: the bytes
 * in flight. A step shows the flight as its sender made it (messages, records, the secrets
 * derived on the way) and then the receiver taking it in (records decrypted, messages
 * parsed, secrets derived, state transitions), up to the moment the receiver starts its
 * own answer: that answer is the next flight.
 *
 * After the handshake, the client sends the application data it was given and the server
 * answers once; then there is nothing more to deliver.
 * @module
 */
import { ClientConnection, RotatingTicketer, ServerConnection, SingleUseTickets, TlsError, handshakeTimeline, nobleProvider, verifyWithTrustStore } from '@lucid-tls/tls';
import type { CipherSuiteName, ClientConfig, Connection, NamedGroupName, ProtocolName, ServerConfig, Session, Side, Timeline, TraceEvent } from '@lucid-tls/tls';
import type { IssuedKeyType } from '@lucid-tls/tls/x509';
import { type Pki, SERVER_NAME } from './pki.js';

/** The cipher suites the engine implements, in its default order, and the groups this page offers. */
export const CIPHER_SUITES: readonly CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
export const GROUPS: readonly NamedGroupName[] = ['x25519', 'secp256r1'];

/** The versions the page steps through: TLS 1.3, and TLS 1.2's safe subset beside it. */
export const VERSIONS: readonly ProtocolName[] = ['TLSv1.3', 'TLSv1.2'];

/** What the reader chose. */
export interface StepperOptions {
  /** The protocol version both sides speak. TLS 1.2 has no HelloRetryRequest, 0-RTT or middlebox compatibility mode. */
  version: ProtocolName;
  /** The TLS 1.3 suite; in TLS 1.2, the ECDHE suite with the same AEAD and hash for the certificate's key. */
  cipherSuite: CipherSuiteName;
  /** The key-exchange group the handshake ends up using. */
  group: NamedGroupName;
  /** Make the client guess the other group, so the server answers with a HelloRetryRequest (§4.1.4). */
  helloRetryRequest: boolean;
  /** Resume a session from an earlier handshake (run first, out of sight) with its PSK (§2.2). */
  resumption: boolean;
  /** With resumption: send the application data as 0-RTT early data (§2.3). */
  earlyData: boolean;
  /** The server asks for a client certificate, and the client has one (§4.3.2). */
  clientCertificate: boolean;
  /** Middlebox compatibility mode: a fake session id and change_cipher_spec records (§D.4). */
  middleboxCompatibility: boolean;
  /** The server certificate's key type. */
  serverKey: IssuedKeyType;
  /** What the client sends once the handshake is done (or as early data). */
  applicationData: string;
}

export const DEFAULT_OPTIONS: StepperOptions = {
  version: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  group: 'x25519',
  helloRetryRequest: false,
  resumption: false,
  earlyData: false,
  clientCertificate: false,
  middleboxCompatibility: false,
  serverKey: 'ec',
  applicationData: 'GET / HTTP/1.1\r\nHost: server.example\r\n\r\n',
};

/** One delivered flight and what it caused. */
export interface Step {
  /** 1, 2, … */
  number: number;
  from: Side;
  to: Side;
  /** What the flight carried, in order: message names, `application data`, `alert close_notify`, … */
  carried: string[];
  /** The sender making the flight, then the receiver taking it in. */
  events: TraceEvent[];
  /** Application data the receiver could read after this flight, decoded as UTF-8. */
  applicationData?: string;
  /** 0-RTT data the server read, decoded as UTF-8. */
  earlyData?: string;
  /** The error the receiver failed with (an alert is then on its way back). */
  error?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs one handshake flight by flight. Make a new one to start again. */
export class HandshakeStepper {
  readonly client: ClientConnection;
  readonly server: ServerConnection;
  readonly steps: Step[] = [];
  /** Trace events not yet given to a step, from both sides, in order. */
  private trace: TraceEvent[] = [];
  /** The flight on its way: who sent it, its bytes, and the sender's events making it. */
  private flight: { from: Side; bytes: Uint8Array; events: TraceEvent[] };
  private sentApplicationData = false;
  private readonly offeredEarlyData: boolean;
  private answered = false;

  constructor(
    readonly options: StepperOptions,
    pki: Pki,
  ) {
    const { client, server } = configs(options, pki);
    const session = options.resumption ? firstHandshake(client, server) : undefined;
    // 0-RTT is TLS 1.3's (RFC 8446 §2.3).
    const earlyData = !!session && options.earlyData && options.version === 'TLSv1.3';
    const observe = (e: TraceEvent) => this.trace.push(e);
    const data = encoder.encode(options.applicationData);
    this.server = new ServerConnection({ ...server, trace: observe });
    // The client's constructor writes the ClientHello (and any early data): the first flight.
    this.client = new ClientConnection({
      ...client,
      trace: observe,
      ...(session ? { session } : {}),
      ...(earlyData ? { earlyData: data } : {}),
    });
    this.offeredEarlyData = earlyData;
    this.flight = { from: 'client', bytes: this.client.takeOutgoing(), events: this.takeTrace() };
  }

  /** Whether there is nothing more to deliver. */
  get done(): boolean {
    return this.flight.bytes.length === 0 && !this.canSendApplicationData();
  }

  /**
   * The flight on the wire, sent but not yet delivered: the sender has already moved on to
   * its next state (the engine answers at once), the receiver has not seen it yet.
   */
  get inFlight(): { from: Side; to: Side; length: number; carried: string[] } | undefined {
    const { from, bytes, events } = this.flight;
    if (bytes.length === 0) return undefined;
    return { from, to: from === 'client' ? 'server' : 'client', length: bytes.length, carried: carried(events, from) };
  }

  /** Whether both sides have finished the handshake. */
  get handshakeComplete(): boolean {
    return this.client.handshakeComplete && this.server.handshakeComplete;
  }

  /** Delivers the next flight; undefined when there is none. */
  next(): Step | undefined {
    if (this.flight.bytes.length === 0) {
      if (!this.canSendApplicationData()) return undefined;
      // Nothing in flight and the handshake done: the client sends its data.
      this.sentApplicationData = true;
      this.client.write(encoder.encode(this.options.applicationData));
      this.flight = { from: 'client', bytes: this.client.takeOutgoing(), events: this.takeTrace() };
    }
    const { from, bytes, events: made } = this.flight;
    const to: Side = from === 'client' ? 'server' : 'client';
    const receiver = this.connection(to);
    const step: Step = { number: this.steps.length + 1, from, to, carried: carried(made, from), events: [] };
    try {
      receiver.receive(bytes);
    } catch (e) {
      step.error = e instanceof TlsError ? `${e.alert}: ${e.reason}` : String(e);
    }
    // The receiver's events up to its first sent message, record or alert belong to this
    // flight; from there on, they make the next one. But what it received is all from this
    // flight, even when handled after it started its answer (0-RTT records after a ClientHello).
    const after = this.takeTrace();
    const firstSent = after.findIndex((e) => e.side === to && 'direction' in e && e.direction === 'sent');
    // The key share the receiver generates for its answer goes with the answer, which carries it (§4.2.8).
    const split = firstSent < 0 ? after.length : keyGenerationStart(after, to, firstSent);
    const received = (e: TraceEvent) => e.side === to && 'direction' in e && e.direction === 'received';
    const taken = after.filter((e, i) => i < split || received(e));
    const answer = after.filter((e, i) => i >= split && !received(e));
    step.events = [...made, ...taken];

    if (to === 'server') {
      const early = this.server.readEarlyData();
      if (early.length) step.earlyData = decoder.decode(early);
    }
    const data = receiver.read();
    if (data.length) step.applicationData = decoder.decode(data);
    // The server answers the client's data, once. Early data is answered at once, in the
    // server's first flight: TLS 1.3 lets a server send data right after its Finished (§2.3).
    const heard = step.earlyData ?? step.applicationData;
    if (to === 'server' && heard !== undefined && !this.answered && !receiver.error) {
      this.answered = true;
      const version = this.server.info.protocol.replace('TLSv', 'TLS ');
      const reply = `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nHello from a ${version} server running in your browser! You sent ${encoder.encode(heard).length} bytes.\n`;
      this.server.write(encoder.encode(reply));
      answer.push(...this.takeTrace());
    }
    this.flight = { from: to, bytes: receiver.takeOutgoing(), events: answer };
    this.steps.push(step);
    return step;
  }

  /** The connection of one side. */
  connection(side: Side): Connection {
    return side === 'client' ? this.client : this.server;
  }

  private canSendApplicationData(): boolean {
    // Early data the server accepted need not be sent again; rejected early data must be (§4.2.10).
    const delivered = this.sentApplicationData || (this.offeredEarlyData && this.client.info.earlyData === 'accepted');
    return this.handshakeComplete && !delivered && !this.client.error && !this.server.error;
  }

  private takeTrace(): TraceEvent[] {
    return this.trace.splice(0);
  }
}

/**
 * Where `side`'s key generation starts in the run of its secrets just before `end`: the
 * first `key share` secret of that run, or `end` when there is none.
 */
function keyGenerationStart(events: readonly TraceEvent[], side: Side, end: number): number {
  let start = end;
  while (start > 0 && events[start - 1]!.side === side && events[start - 1]!.kind === 'secret') start--;
  const first = events.findIndex((e, i) => i >= start && i < end && e.kind === 'secret' && e.label === 'key share');
  return first < 0 ? end : first;
}

/**
 * The timeline of the handshake `options` give (a run of its own to the end, out of sight):
 * its flights on a link, from the trace (see `handshakeTimeline`).
 */
export function timelineOf(options: StepperOptions, pki: Pki): Timeline {
  const stepper = new HandshakeStepper(options, pki);
  const events: TraceEvent[] = [];
  for (let step = stepper.next(); step; step = stepper.next()) events.push(...step.events);
  return handshakeTimeline(events);
}

/** The handshakes the page compares in time, as changes to the reader's options. */
export const MODES: readonly { name: string; options: Partial<StepperOptions> }[] = [
  { name: 'full handshake', options: { version: 'TLSv1.3', helloRetryRequest: false, resumption: false, earlyData: false } },
  { name: 'with a HelloRetryRequest', options: { version: 'TLSv1.3', helloRetryRequest: true, resumption: false, earlyData: false } },
  { name: 'resumed', options: { version: 'TLSv1.3', helloRetryRequest: false, resumption: true, earlyData: false } },
  { name: 'resumed with 0-RTT data', options: { version: 'TLSv1.3', helloRetryRequest: false, resumption: true, earlyData: true } },
  { name: 'TLS 1.2, full handshake', options: { version: 'TLSv1.2', helloRetryRequest: false, resumption: false, earlyData: false } },
  { name: 'TLS 1.2, resumed', options: { version: 'TLSv1.2', helloRetryRequest: false, resumption: true, earlyData: false } },
];

/** What a flight carried, from its sender's events. */
function carried(events: TraceEvent[], side: Side): string[] {
  const items: string[] = [];
  for (const e of events) {
    if (e.side !== side || !('direction' in e) || e.direction !== 'sent') continue;
    if (e.kind === 'message') items.push(e.type);
    else if (e.kind === 'alert') items.push(`alert ${e.description}`);
    // Application data in the same flight as a ClientHello can only be 0-RTT data.
    else if (e.kind === 'record' && e.innerType === 'application_data') items.push(items.includes('ClientHello') ? 'early data' : 'application data');
    else if (e.kind === 'record' && e.innerType === 'change_cipher_spec') items.push('change_cipher_spec');
  }
  return items;
}

/** TLS 1.2's ECDHE suite with the AEAD and hash of a TLS 1.3 suite, for a certificate key (RFC 5289, RFC 7905). */
export function tls12Suite(suite: CipherSuiteName, serverKey: IssuedKeyType): CipherSuiteName {
  const auth = serverKey === 'rsa' ? 'RSA' : 'ECDSA';
  const cipher = { TLS_AES_128_GCM_SHA256: 'AES_128_GCM_SHA256', TLS_AES_256_GCM_SHA384: 'AES_256_GCM_SHA384', TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20_POLY1305_SHA256' }[suite as string] ?? 'AES_128_GCM_SHA256';
  return `TLS_ECDHE_${auth}_WITH_${cipher}` as CipherSuiteName;
}

/** The client's and server's settings for the chosen options (without trace or session). */
function configs(options: StepperOptions, pki: Pki): { client: ClientConfig; server: ServerConfig } {
  const other = GROUPS.find((g) => g !== options.group)!;
  const tls13Suites = [options.cipherSuite, ...CIPHER_SUITES.filter((s) => s !== options.cipherSuite)];
  const suites = options.version === 'TLSv1.2' ? tls13Suites.map((s) => tls12Suite(s, options.serverKey)) : tls13Suites;
  const tls12 = options.version === 'TLSv1.2';
  const client: ClientConfig = {
    minVersion: options.version,
    maxVersion: options.version,
    serverName: SERVER_NAME,
    verifyServerCertificate: verifyWithTrustStore(pki.trustStore),
    cipherSuites: suites,
    // To force a HelloRetryRequest, the client guesses wrong: its one key share is for the other group.
    groups: options.helloRetryRequest ? [other, options.group] : [options.group, other],
    keyShareGroups: [options.helloRetryRequest && !tls12 ? other : options.group],
    middleboxCompatibility: options.middleboxCompatibility && !tls12,
    // As a browser does: the server picks the one it speaks, in EncryptedExtensions (RFC 7301).
    alpnProtocols: ['h2', 'http/1.1'],
  };
  if (options.clientCertificate) client.certificate = pki.clientCertificate();
  const server: ServerConfig = {
    certificate: pki.serverCertificate(options.serverKey),
    cipherSuites: suites,
    groups: [options.group, other],
    // The server insists on its first group, asking for a new key share when the client guessed another.
    groupSelection: 'server-preference',
    alpnProtocols: ['http/1.1'],
    tickets: { count: 1, ticketer: ticketer() },
    maxEarlyDataSize: 16384,
    antiReplay: antiReplay(),
  };
  if (options.clientCertificate) {
    server.clientAuth = 'required';
    server.verifyClientCertificate = verifyWithTrustStore(pki.trustStore);
  }
  return { client, server };
}

// The server's ticket key and 0-RTT replay memory outlive a connection, as in a real server.
let sharedTicketer: RotatingTicketer | undefined;
let sharedAntiReplay: SingleUseTickets | undefined;
const ticketer = () => (sharedTicketer ??= new RotatingTicketer(nobleProvider));
const antiReplay = () => (sharedAntiReplay ??= new SingleUseTickets());

/** Runs a whole handshake out of sight, for the session its ticket gives the client. */
function firstHandshake(clientConfig: ClientConfig, serverConfig: ServerConfig): Session {
  const client = new ClientConnection({ ...clientConfig, middleboxCompatibility: false });
  const server = new ServerConnection(serverConfig);
  for (let i = 0; i < 10; i++) {
    const c = client.takeOutgoing();
    if (c.length) server.receive(c);
    const s = server.takeOutgoing();
    if (s.length) client.receive(s);
    if (!c.length && !s.length) break;
  }
  const event = client.takeEvents().find((e) => e.type === 'session');
  if (!event || event.type !== 'session') throw new Error('the first handshake gave no session ticket');
  return event.session;
}
