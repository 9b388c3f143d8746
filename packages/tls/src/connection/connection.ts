/**
 * The sans-IO connection (the shape of rustls' `Connection`): bytes received from the
 * network go in with {@link Connection.receive}; bytes to send come out of
 * {@link Connection.takeOutgoing}; application data comes out of {@link Connection.read}
 * and goes in with {@link Connection.write}. Nothing here knows about sockets,
 * timers or files.
 *
 * This file holds what client and server share: records in and out, handshake message
 * framing, alerts, application data, KeyUpdate and close_notify. The handshake itself
 * is a chain of states (`handshake/client/`, `handshake/server/`): each state handles
 * one message and returns the next state.
 * @module
 */
import { AlertDescription, TlsError, alertName, fail, type AlertName } from '../alert.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CipherSuite, CryptoProvider } from '../crypto/provider.js';
import { exportKeyingMaterial, nextTrafficSecret, trafficKey, type DerivedSecret } from '../handshake/key-schedule.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../handshake/messages/handshake-message.js';
import type { HandshakeMessage, KeyUpdate } from '../handshake/messages/types.js';
import { Transcript } from '../handshake/transcript.js';
import type { Session } from '../handshake/session.js';
import { ContentType, contentTypeName } from '../record/content-type.js';
import { RecordLayer } from '../record/record-layer.js';
import { AES_GCM_MAX_RECORDS } from '../record/limits.js';
import { RecordProtection } from '../record/record-protection.js';
import type { TlsRecord } from '../record/record-reader.js';
import { traceFields, type Side, type TraceEvent } from '../trace/events.js';
import { keyLogLine } from '../trace/keylog.js';
import { concat, toHex } from '../wire/bytes.js';
import type { Field } from '../wire/codec.js';
import type { CommonConfig } from './config.js';

/**
 * The largest handshake message we accept (a certificate chain is the largest one in
 * practice). RFC 8446 sets no limit beyond the 2^24-1 of the length field (§4); a
 * bound is needed so a peer cannot make us buffer 16 MiB.
 *
 * @example
 * ```ts
 * import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '@lucid-tls/tls';
 * console.log(MAX_HANDSHAKE_MESSAGE_LENGTH); // → 131072
 * ```
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 2 ** 17;

/**
 * How many KeyUpdate messages we accept without application data in between
 * (§4.6.3 sets no limit; each costs an HKDF, so an unbounded run is a cheap CPU attack).
 *
 * @example
 * ```ts
 * import { MAX_KEY_UPDATES_WITHOUT_DATA } from '@lucid-tls/tls';
 * console.log(MAX_KEY_UPDATES_WITHOUT_DATA); // → 32
 * ```
 */
export const MAX_KEY_UPDATES_WITHOUT_DATA = 32;

/**
 * Something the application may want to act on, taken with {@link Connection.takeEvents}.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, type ConnectionEvent, type Session } from '@lucid-tls/tls';
 * const client = new ClientConnection({ serverName: 'example.com', verifyServerCertificate: insecureSkipVerify });
 * // … after client.receive(bytes):
 * const sessions: Session[] = [];
 * for (const event of client.takeEvents() as ConnectionEvent[]) {
 *   if (event.type === 'session') sessions.push(event.session); // keep for resumption
 *   if (event.type === 'close_notify') client.close();
 * }
 * console.log(sessions.length); // → 0
 * ```
 */
export type ConnectionEvent =
  | { type: 'handshake_complete' }
  | { type: 'session'; session: Session }
  | { type: 'early_data'; status: 'accepted' | 'rejected' }
  | { type: 'key_update'; direction: 'sent' | 'received'; updateRequested: boolean }
  | { type: 'close_notify' };

/** What was negotiated; filled in as the handshake goes. */
export interface ConnectionInfo {
  protocol: 'TLSv1.3';
  cipherSuite?: CipherSuite;
  /** The key-exchange group (undefined for a PSK-only handshake, which we never do). */
  group?: string;
  /** The signature scheme of the peer's (client: server's) CertificateVerify, or ours on the server. */
  signatureScheme?: string;
  alpnProtocol?: string;
  serverName?: string;
  resumed: boolean;
  earlyData: 'accepted' | 'rejected' | 'none';
  helloRetryRequest: boolean;
  /** The peer's certificate chain (DER, leaf first), if it sent one. */
  peerCertificates: Uint8Array[];
}

/** One handshake state. Handling a message returns the next state (which may be itself). */
export interface HandshakeState {
  /** The state's name, e.g. `"ExpectServerHello"` (shown in traces). */
  readonly name: string;
  handle(message: HandshakeMessage, raw: Uint8Array): HandshakeState;
  /** Whether application data may arrive now (and, for the server's early data, how it counts). */
  readonly acceptsApplicationData?: boolean;
}

/** Which traffic secret a key comes from, for the trace names (`client_handshake_key`, …). */
export type TrafficKeyKind = 'early' | 'handshake' | 'application';

/**
 * The common machinery of {@link ClientConnection} and {@link ServerConnection}.
 *
 * @example
 * ```ts
 * import { ClientConnection, ServerConnection, verifyWithTrustStore, type Connection } from '@lucid-tls/tls';
 * import { TrustStore, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 *
 * // Moves bytes between two connections until both are quiet: what a socket loop does.
 * function pump(a: Connection, b: Connection): void {
 *   for (let quiet = false; !quiet; ) {
 *     const ab = a.takeOutgoing();
 *     if (ab.length) b.receive(ab);
 *     const ba = b.takeOutgoing();
 *     if (ba.length) a.receive(ba);
 *     quiet = ab.length === 0 && ba.length === 0;
 *   }
 * }
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['localhost'] });
 * const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: verifyWithTrustStore(TrustStore.fromCertificates([ca.certificate])) });
 * const server = new ServerConnection({ certificate: { chain: [leaf.certificate.der], privateKey: leaf.privateKey } });
 * pump(client, server);
 * console.log(client.info.cipherSuite?.name, client.takeEvents().map((e) => e.type).join()); // → TLS_AES_128_GCM_SHA256 handshake_complete
 * client.keyUpdate(true); // new keys both ways
 * pump(client, server);
 * console.log(server.takeEvents().map((e) => `${e.type}`).join()); // → handshake_complete,key_update,key_update
 * ```
 */
export abstract class Connection {
  /** The crypto provider in use (`nobleProvider` unless the config gave one). */
  readonly provider: CryptoProvider;
  /** The transcript hash (§4.4.1) of this connection's handshake. @internal */
  readonly transcript = new Transcript();
  /** What was negotiated; filled in as the handshake goes. */
  readonly info: ConnectionInfo = {
    protocol: 'TLSv1.3',
    resumed: false,
    earlyData: 'none',
    helloRetryRequest: false,
    peerCertificates: [],
  };
  /** The client's random, once known (the key log names connections by it). @internal */
  clientRandom: Uint8Array | undefined;

  protected state: HandshakeState;
  protected readonly records: RecordLayer;
  private readonly outgoing: Uint8Array[] = [];
  private readonly received: Uint8Array[] = [];
  private readonly events: ConnectionEvent[] = [];
  /**
   * Handshake bytes not yet making a whole message (messages may span records, §5.1),
   * kept as the records' copies and joined once per message, so that a peer sending
   * one-byte records costs linear, not quadratic, time.
   */
  private handshakeChunks: Uint8Array[] = [];
  private handshakeBuffered = 0;
  /** Handshake messages waiting to be sent in as few records as possible. */
  private pendingHandshake: Uint8Array[] = [];
  /** Application data written before the handshake allows sending it. */
  private pendingApplicationData: Uint8Array[] = [];
  private failure: TlsError | undefined;
  private peerClosed = false;
  private closeSent = false;
  /** close() was called during the handshake: close_notify goes out once it completes. */
  private closeRequested = false;
  private keyUpdatesWithoutData = 0;
  private writeKeyUpdatePending = false;
  private readSecret: { suite: CipherSuite; secret: Uint8Array; generation: number } | undefined;
  private writeSecret: { suite: CipherSuite; secret: Uint8Array; generation: number } | undefined;
  private exporterMasterSecret: Uint8Array | undefined;
  private handshakeDone = false;
  /** Which traffic secret protects what we send now. */
  protected writeKind: TrafficKeyKind | undefined;
  /** Whether the next handshake record is the first ClientHello, sent with legacy_record_version 0x0301 (§5.1). */
  private firstRecord = true;

  protected constructor(
    readonly side: Side,
    protected readonly common: CommonConfig,
    initial: (conn: Connection) => HandshakeState,
  ) {
    this.provider = common.provider ?? nobleProvider;
    this.records = new RecordLayer(common.recordPadding ? { padding: common.recordPadding } : {});
    if (common.trace) {
      this.records.onDropped = (record, why) => this.traceRecord('received', record, record.contentType, record.fragment, why);
    }
    this.state = initial(this);
  }

  // ---- The application's side ----------------------------------------------------

  /**
   * Processes bytes received from the peer. Throws the {@link TlsError} that ends the
   * connection; the alert for the peer is then waiting in {@link takeOutgoing}.
   */
  receive(data: Uint8Array): void {
    if (this.failure) throw this.failure;
    // §6.1: data received after a closure alert is ignored; not even kept, or a peer could fill our memory.
    if (this.peerClosed) return;
    try {
      this.records.reader.push(data);
      while (!this.peerClosed) {
        const dropped = this.records.dropped;
        const record = this.records.read();
        // §5.1: no other record, not even a dropped change_cipher_spec, inside a fragmented handshake message.
        if (this.records.dropped !== dropped && this.handshakeBuffered > 0) {
          fail('unexpected_message', 'record inside a fragmented handshake message');
        }
        if (!record) break;
        this.handleRecord(record.contentType, record.content, record.record, record);
      }
      this.flush();
    } catch (e) {
      throw this.abort(e);
    }
  }

  /** The bytes to send to the peer (empty when there are none). */
  takeOutgoing(): Uint8Array {
    if (this.outgoing.length === 0) return new Uint8Array(0);
    const out = this.outgoing.length === 1 ? this.outgoing[0]! : concat(...this.outgoing);
    this.outgoing.length = 0;
    return out;
  }

  /** Application data received so far (empty when there is none). */
  read(): Uint8Array {
    if (this.received.length === 0) return new Uint8Array(0);
    const out = this.received.length === 1 ? this.received[0]! : concat(...this.received);
    this.received.length = 0;
    return out;
  }

  /** Events since the last call (handshake complete, new session, close_notify, …). */
  takeEvents(): ConnectionEvent[] {
    return this.events.splice(0);
  }

  /** Queues application data; it is sent once the handshake allows (§2). */
  write(data: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.closeSent || this.closeRequested) throw new Error('write after close()');
    if (!this.canSendApplicationData()) {
      this.pendingApplicationData.push(data.slice());
      return;
    }
    this.sendApplicationData(data);
  }

  /**
   * Sends close_notify (§6.1): we will send no more data; reading may go on. During the
   * handshake it waits for the handshake to complete, so that nothing follows it.
   */
  close(): void {
    if (this.closeSent || this.closeRequested || this.failure) return;
    if (!this.handshakeDone) {
      this.closeRequested = true;
      return;
    }
    this.flush();
    this.closeSent = true;
    this.sendAlert('close_notify');
  }

  /**
   * Sends a KeyUpdate (§4.6.3) and switches to the next write key; with
   * `requestPeerUpdate`, asks the peer to update its own.
   */
  keyUpdate(requestPeerUpdate = false): void {
    if (!this.handshakeDone) throw new Error('keyUpdate before the handshake is complete');
    if (this.failure) throw this.failure;
    if (this.closeSent) throw new Error('keyUpdate after close()'); // §6.1: nothing follows close_notify
    this.sendKeyUpdate(requestPeerUpdate ? 'update_requested' : 'update_not_requested');
  }

  /** Keying material exported per RFC 8446 §7.5 (and RFC 5705's interface). */
  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    if (!this.handshakeDone || !this.exporterMasterSecret || !this.info.cipherSuite) throw new Error('exporter not available before the handshake completes');
    return exportKeyingMaterial(this.info.cipherSuite.hash, this.exporterMasterSecret, label, context, length);
  }

  /** Whether the handshake has completed (application data flows both ways). */
  get handshakeComplete(): boolean {
    return this.handshakeDone;
  }

  /** Whether the peer has sent close_notify. */
  get receivedCloseNotify(): boolean {
    return this.peerClosed;
  }

  /** The error that ended the connection, if any. */
  get error(): TlsError | undefined {
    return this.failure;
  }

  /** The current handshake state's name. */
  get stateName(): string {
    return this.state.name;
  }

  // ---- Services for the handshake states ----------------------------------------

  /** The configured clock. @internal */
  now(): number {
    return (this.common.now ?? Date.now)();
  }

  /** Encodes, traces, adds to the transcript and queues a handshake message. Returns its bytes. @internal */
  sendHandshake(message: HandshakeMessage): Uint8Array {
    const { bytes, fields } = encodeHandshakeMessage(message, { annotate: !!this.common.trace });
    this.sendEncodedHandshake(message.type, bytes, fields);
    return bytes;
  }

  /** Queues already-encoded handshake bytes (the client's ClientHello with binders) after tracing them. @internal */
  sendEncodedHandshake(type: HandshakeMessage['type'], bytes: Uint8Array, fields: Field[]): void {
    this.traceMessage('sent', type, bytes, fields);
    this.transcript.add(bytes);
    this.pendingHandshake.push(bytes);
  }

  /** A compatibility change_cipher_spec record (§D.4), sent in plaintext. @internal */
  sendChangeCipherSpec(): void {
    this.flush();
    this.output(ContentType.change_cipher_spec, Uint8Array.of(1));
  }

  /** Goes back to plaintext records (the client's ClientHello2 after rejected 0-RTT, §4.2.10). @internal */
  setPlaintextWrite(): void {
    this.flush();
    this.writeKind = undefined;
    this.records.setWriteProtection(null);
  }

  /** Writes out queued handshake messages as records under the current write key. @internal */
  flush(): void {
    if (this.pendingHandshake.length === 0) return;
    const data = concat(...this.pendingHandshake);
    this.pendingHandshake = [];
    this.output(ContentType.handshake, data);
  }

  /** Derives key and IV from a traffic secret and installs them for reading. @internal */
  setReadSecret(suite: CipherSuite, secret: Uint8Array, kind: TrafficKeyKind): void {
    this.readSecret = { suite, secret, generation: 0 };
    this.records.setReadProtection(this.protection(suite, secret, this.peerSide(), kind));
  }

  /** Derives key and IV from a traffic secret and installs them for writing (after sending what is queued). @internal */
  setWriteSecret(suite: CipherSuite, secret: Uint8Array, kind: TrafficKeyKind): void {
    this.flush();
    this.writeSecret = { suite, secret, generation: 0 };
    this.writeKind = kind;
    this.records.setWriteProtection(this.protection(suite, secret, this.side, kind));
  }

  /** Reports a derived secret to the trace and the key log. @internal */
  secret(s: DerivedSecret | { name: string; label: string; derivation: string; secret: Uint8Array; context?: Uint8Array }): void {
    const { trace, keyLog } = this.common;
    if (trace) {
      const event: TraceEvent = { kind: 'secret', side: this.side, name: s.name, label: s.label, derivation: s.derivation, hex: toHex(s.secret) };
      if (s.context) event.contextHex = toHex(s.context);
      trace(event);
    }
    if (keyLog && this.clientRandom) {
      const line = keyLogLine(s.name, this.clientRandom, s.secret);
      if (line) keyLog(line);
    }
  }

  /** Adds an event for the application. @internal */
  emit(event: ConnectionEvent): void {
    this.events.push(event);
  }

  /** Called by the last handshake state: application data may flow and the exporter works. @internal */
  completeHandshake(exporterMasterSecret: Uint8Array): void {
    this.handshakeDone = true;
    this.exporterMasterSecret = exporterMasterSecret;
    this.emit({ type: 'handshake_complete' });
    this.flushApplicationData();
    if (this.closeRequested) {
      this.closeRequested = false;
      this.close();
    }
  }


  /** Makes application data written so far go out (once write keys allow it). @internal */
  flushApplicationData(): void {
    if (!this.canSendApplicationData()) return;
    const pending = this.pendingApplicationData;
    this.pendingApplicationData = [];
    for (const data of pending) this.sendApplicationData(data);
  }

  /** Sends application data under the current write key (early data on the client uses this too). @internal */
  sendApplicationData(data: Uint8Array): void {
    this.flush();
    // §5.5: AES-GCM keys may protect at most 2^24.5 records; change keys well before that.
    const used = this.records.writeSequenceNumber ?? 0n;
    if (this.handshakeDone && used >= BigInt(AES_GCM_MAX_RECORDS)) this.writeKeyUpdatePending = true;
    if (this.writeKeyUpdatePending) {
      this.writeKeyUpdatePending = false;
      this.sendKeyUpdate('update_not_requested');
    }
    this.output(ContentType.application_data, data);
  }

  /** The record layer (for states that change its limits or skip early data). @internal */
  get recordLayer(): RecordLayer {
    return this.records;
  }

  /** Delivers received application data to the application. @internal */
  deliver(data: Uint8Array): void {
    if (data.length) this.received.push(data.slice());
  }

  /** Whether application data written now can be sent now (or must wait). */
  protected abstract canSendApplicationData(): boolean;

  /** Counts received application data (the server checks early data against its limit). */
  protected onApplicationData(data: Uint8Array): void {
    this.deliver(data);
  }

  /** Moves to the next state, tracing the transition. */
  protected transition(next: HandshakeState): void {
    if (next !== this.state) {
      this.common.trace?.({ kind: 'state', side: this.side, from: this.state.name, to: next.name });
      this.state = next;
    }
  }

  // ---- Records in ---------------------------------------------------------------

  private handleRecord(contentType: number, content: Uint8Array, record: TlsRecord, opened: { protected: boolean; paddingLength: number }): void {
    if (this.common.trace) this.traceRecord('received', record, contentType, content, undefined, opened.protected, opened.paddingLength);
    // §5.1: handshake messages may not be interleaved with other record types.
    if (contentType !== ContentType.handshake && this.handshakeBuffered > 0) {
      fail('unexpected_message', `${contentTypeName(contentType)} record inside a fragmented handshake message`);
    }
    switch (contentType) {
      case ContentType.handshake:
        return this.handleHandshakeBytes(content);
      case ContentType.alert:
        return this.handleAlert(content);
      case ContentType.application_data:
        if (!this.state.acceptsApplicationData) fail('unexpected_message', `application data in state ${this.state.name}`);
        this.keyUpdatesWithoutData = 0;
        return this.onApplicationData(content);
      default:
        fail('unexpected_message', `unexpected ${contentTypeName(contentType)} record`);
    }
  }

  private handleHandshakeBytes(content: Uint8Array): void {
    if (content.length === 0) fail('unexpected_message', 'empty handshake record'); // §5.1
    // A copy: the caller may reuse the buffer it gave to receive().
    this.handshakeChunks.push(content.slice());
    this.handshakeBuffered += content.length;
    while (this.handshakeBuffered >= 4) {
      const header = this.peekHandshake(4);
      const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
      if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
        fail('illegal_parameter', `handshake message of ${length} bytes exceeds the limit of ${MAX_HANDSHAKE_MESSAGE_LENGTH}`);
      }
      if (this.handshakeBuffered < 4 + length) break;
      const raw = this.takeHandshake(4 + length);
      const readKeyBefore = this.records.currentReadProtection;
      this.handleHandshakeMessage(raw);
      // §5.1: a message that changes the read key must end its record.
      if (this.records.currentReadProtection !== readKeyBefore && this.handshakeBuffered > 0) {
        fail('unexpected_message', 'handshake data after a key change in the same record');
      }
      if (this.peerClosed || this.failure) return;
    }
  }

  /** The first `n` buffered handshake bytes, without consuming them. */
  private peekHandshake(n: number): Uint8Array {
    const first = this.handshakeChunks[0]!;
    return first.length >= n ? first : concat(...this.handshakeChunks).subarray(0, n);
  }

  /** Removes and returns the first `n` buffered handshake bytes. */
  private takeHandshake(n: number): Uint8Array {
    const all = this.handshakeChunks.length === 1 ? this.handshakeChunks[0]! : concat(...this.handshakeChunks);
    const rest = all.subarray(n);
    this.handshakeChunks = rest.length ? [rest] : [];
    this.handshakeBuffered = rest.length;
    return all.subarray(0, n);
  }

  private handleHandshakeMessage(raw: Uint8Array): void {
    const { message, fields } = decodeHandshakeMessage(raw, { annotate: !!this.common.trace });
    this.traceMessage('received', message.type, raw, fields);
    if (message.type === 'key_update' && this.handshakeDone) return this.handleKeyUpdate(message);
    this.transition(this.state.handle(message, raw));
  }

  private handleAlert(content: Uint8Array): void {
    if (content.length !== 2) fail('decode_error', `alert of ${content.length} bytes`);
    const [level, code] = [content[0]!, content[1]!];
    const name = alertName(code);
    this.common.trace?.({ kind: 'alert', side: this.side, direction: 'received', level: level === 1 ? 'warning' : 'fatal', description: name });
    if (code === AlertDescription.close_notify) {
      this.peerClosed = true;
      this.emit({ type: 'close_notify' });
      return;
    }
    // §6: user_canceled is followed by close_notify; every other alert ends the connection.
    if (code === AlertDescription.user_canceled) return;
    throw new TlsError(name.startsWith('unknown(') ? 'decode_error' : (name as AlertName), `peer sent alert ${name}`, false);
  }

  private handleKeyUpdate(message: KeyUpdate): void {
    if (++this.keyUpdatesWithoutData > MAX_KEY_UPDATES_WITHOUT_DATA) {
      fail('unexpected_message', `more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without application data`);
    }
    const read = this.readSecret!;
    const next = nextTrafficSecret(read.suite.hash, read.secret);
    this.readSecret = { suite: read.suite, secret: next, generation: read.generation + 1 };
    this.secret({
      name: `${this.peerSide()}_application_traffic_secret_${read.generation + 1}`,
      label: 'traffic upd',
      derivation: `HKDF-Expand-Label(${this.peerSide()}_application_traffic_secret_${read.generation}, "traffic upd", "", Hash.length)`,
      secret: next,
    });
    this.records.setReadProtection(this.protection(read.suite, next, this.peerSide(), 'application', read.generation + 1));
    this.emit({ type: 'key_update', direction: 'received', updateRequested: message.requestUpdate === 'update_requested' });
    // §4.6.3: answer a request before our next application data (once, however many requests came).
    if (message.requestUpdate === 'update_requested' && !this.closeSent) this.writeKeyUpdatePending = true;
    if (this.writeKeyUpdatePending) {
      this.writeKeyUpdatePending = false;
      this.sendKeyUpdate('update_not_requested');
    }
  }

  private sendKeyUpdate(requestUpdate: KeyUpdate['requestUpdate']): void {
    this.sendHandshakeUntracked({ type: 'key_update', requestUpdate });
    const write = this.writeSecret!;
    const next = nextTrafficSecret(write.suite.hash, write.secret);
    this.writeSecret = { suite: write.suite, secret: next, generation: write.generation + 1 };
    this.secret({
      name: `${this.side}_application_traffic_secret_${write.generation + 1}`,
      label: 'traffic upd',
      derivation: `HKDF-Expand-Label(${this.side}_application_traffic_secret_${write.generation}, "traffic upd", "", Hash.length)`,
      secret: next,
    });
    this.records.setWriteProtection(this.protection(write.suite, next, this.side, 'application', write.generation + 1));
    this.emit({ type: 'key_update', direction: 'sent', updateRequested: requestUpdate === 'update_requested' });
  }

  /** Post-handshake messages are not part of the transcript (§4.4.1). */
  private sendHandshakeUntracked(message: HandshakeMessage): void {
    const { bytes, fields } = encodeHandshakeMessage(message, { annotate: !!this.common.trace });
    this.traceMessage('sent', message.type, bytes, fields);
    this.flush();
    this.output(ContentType.handshake, bytes);
  }

  /** Sends a NewSessionTicket (server) outside the transcript. @internal */
  sendPostHandshake(message: HandshakeMessage): void {
    this.sendHandshakeUntracked(message);
  }

  // ---- Records out and errors -----------------------------------------------------

  private output(contentType: number, data: Uint8Array): void {
    // §5.1: an initial ClientHello may use 0x0301 for old middleboxes, as RFC 8448's traces do.
    const version = this.firstRecord && this.side === 'client' ? 0x0301 : 0x0303;
    this.firstRecord = false;
    const seq = this.records.writeSequenceNumber;
    const step = seq === undefined ? 2 ** 14 : this.records.maxWriteFragment;
    this.records.write(contentType, data, version).forEach((record, i) => {
      this.outgoing.push(record);
      if (this.common.trace) this.traceSentRecord(record, contentType, data.subarray(i * step, (i + 1) * step), seq === undefined ? undefined : seq + BigInt(i));
    });
  }

  private sendAlert(alert: AlertName, reason?: string): void {
    const level = alert === 'close_notify' || alert === 'user_canceled' ? 1 : 2;
    const event: TraceEvent = { kind: 'alert', side: this.side, direction: 'sent', level: level === 1 ? 'warning' : 'fatal', description: alert };
    if (reason) event.reason = reason;
    this.common.trace?.(event);
    this.output(ContentType.alert, Uint8Array.of(level, AlertDescription[alert]));
  }

  /** Ends the connection on an error: queue the alert (unless the peer sent one) and remember the error. */
  private abort(e: unknown): TlsError {
    const error = e instanceof TlsError ? e : new TlsError('internal_error', e instanceof Error ? e.message : String(e));
    this.failure = error;
    this.pendingHandshake = [];
    if (error.sent) {
      try {
        this.sendAlert(error.alert, error.reason);
      } catch {
        // The alert could not be encrypted (e.g. the sequence number is exhausted): close without it.
      }
    }
    return error;
  }

  private protection(suite: CipherSuite, secret: Uint8Array, writer: Side, kind: TrafficKeyKind, generation = 0): RecordProtection {
    const { key, iv } = trafficKey(suite.hash, suite.aead, secret);
    const source = kind === 'application' ? `${writer}_application_traffic_secret_${generation}` : `${writer}_${kind}_traffic_secret`;
    const suffix = generation ? `_${generation}` : '';
    this.secret({ name: `${writer}_${kind}_key${suffix}`, label: 'key', derivation: `HKDF-Expand-Label(${source}, "key", "", key_length)`, secret: key });
    this.secret({ name: `${writer}_${kind}_iv${suffix}`, label: 'iv', derivation: `HKDF-Expand-Label(${source}, "iv", "", iv_length)`, secret: iv });
    return new RecordProtection(suite.aead, key, iv);
  }

  private peerSide(): Side {
    return this.side === 'client' ? 'server' : 'client';
  }

  private traceMessage(direction: 'sent' | 'received', type: HandshakeMessage['type'], bytes: Uint8Array, fields: Field[]): void {
    this.common.trace?.({ kind: 'message', side: this.side, direction, type: messageTypeTitle(type), hex: toHex(bytes), fields: traceFields(fields, bytes) });
  }

  private traceRecord(direction: 'sent' | 'received', record: TlsRecord, innerType: number, content: Uint8Array, dropped?: string, isProtected = false, paddingLength = 0): void {
    const event: TraceEvent = {
      kind: 'record',
      side: this.side,
      direction,
      outerType: contentTypeName(record.contentType),
      innerType: contentTypeName(innerType),
      protected: isProtected,
      hex: toHex(record.bytes),
      contentHex: toHex(content),
    };
    if (isProtected) event.paddingLength = paddingLength;
    if (dropped) event.dropped = dropped;
    this.common.trace?.(event);
  }

  private traceSentRecord(record: Uint8Array, innerType: number, content: Uint8Array, sequenceNumber: bigint | undefined): void {
    const isProtected = innerType !== ContentType.change_cipher_spec && sequenceNumber !== undefined;
    const event: TraceEvent = {
      kind: 'record',
      side: this.side,
      direction: 'sent',
      outerType: contentTypeName(record[0]!),
      innerType: contentTypeName(innerType),
      protected: isProtected,
      hex: toHex(record),
      contentHex: toHex(content),
    };
    if (isProtected) event.sequenceNumber = Number(sequenceNumber!);
    this.common.trace?.(event);
  }
}

const titles: Record<HandshakeMessage['type'], string> = {
  client_hello: 'ClientHello',
  server_hello: 'ServerHello',
  hello_retry_request: 'HelloRetryRequest',
  encrypted_extensions: 'EncryptedExtensions',
  certificate_request: 'CertificateRequest',
  certificate: 'Certificate',
  certificate_verify: 'CertificateVerify',
  finished: 'Finished',
  new_session_ticket: 'NewSessionTicket',
  end_of_early_data: 'EndOfEarlyData',
  key_update: 'KeyUpdate',
};

/** `"ClientHello"` for `client_hello`: the RFC's name of a message type. */
export function messageTypeTitle(type: HandshakeMessage['type']): string {
  return titles[type];
}
