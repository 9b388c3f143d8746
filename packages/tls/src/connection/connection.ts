/**
 * The sans-IO connection (the shape of rustls' `Connection`): bytes received from the
 * network go in with {@link Connection.receive}; bytes to send come out of
 * {@link Connection.takeOutgoing}; application data comes out of {@link Connection.read}
 * and goes in with {@link Connection.write}. Nothing here knows about sockets,
 * timers or files.
 *
 * This file holds what client and server share: records in and out, alerts, application
 * data, KeyUpdate and close_notify. The handshake itself is a chain of states
 * (`handshake/`): each state handles one message and returns the next state, and sees the
 * connection only through the narrow {@link HandshakeContext} built here.
 * @module
 */
import { AlertDescription, AlertLevel, TlsError, alertName, fail, type AlertName } from '../alert.js';
import { nobleProvider } from '../crypto/noble.js';
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import type { CommonConfig } from '../handshake/config.js';
import type { ConnectionEvent, ConnectionInfo, Exporter, HandshakeContext, HandshakeState, ReportedSecret } from '../handshake/context.js';
import { HandshakeDeframer, type MAX_HANDSHAKE_MESSAGE_LENGTH } from '../handshake/deframer.js';
import { decodeHandshakeMessage, encodeHandshakeMessage, messageTitle } from '../handshake/messages/handshake-message.js';
import type { HandshakeMessage, KeyUpdate } from '../handshake/messages/types.js';
import type { TrafficKind, TrafficSecret } from '../handshake/tls13/key-schedule.js';
import { Transcript } from '../handshake/transcript.js';
import { INITIAL_RECORD_VERSION, LEGACY_VERSION } from '../handshake/versions.js';
import { ContentType, contentTypeName } from '../record/content-type.js';
import { AES_GCM_MAX_RECORDS, RECORD_HEADER_LENGTH } from '../record/limits.js';
import { RecordLayer } from '../record/record-layer.js';
import { RecordProtection, perRecordNonce } from '../record/record-protection.js';
import type { Side } from '../trace/events.js';
import { Tracer, type TracedRecord } from '../trace/tracer.js';
import { concat, toHex } from '../wire/bytes.js';
import type { Field } from '../wire/codec.js';

export type { ConnectionEvent, ConnectionInfo } from '../handshake/context.js';

/** A direction's key and IV (§7.3) and the traffic secret they come from: what the trace shows beside each record. */
interface RecordKeys {
  readonly trafficSecret: string;
  readonly aead: Aead;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/**
 * How many TLS 1.2 warning alerts we accept without application data in between (RFC 5246
 * §7.2.2 lets the connection go on after one; an endless stream of them is a cheap DoS).
 *
 * @example
 * ```ts
 * import { MAX_WARNING_ALERTS_WITHOUT_DATA } from '@lucid-tls/tls';
 * console.log(MAX_WARNING_ALERTS_WITHOUT_DATA); // → 8
 * ```
 * @category Engine
 */
export const MAX_WARNING_ALERTS_WITHOUT_DATA = 8;

/**
 * How many KeyUpdate messages we accept without application data in between
 * (§4.6.3 sets no limit; each costs an HKDF, so an unbounded run is a cheap CPU attack).
 *
 * @example
 * ```ts
 * import { MAX_KEY_UPDATES_WITHOUT_DATA } from '@lucid-tls/tls';
 * console.log(MAX_KEY_UPDATES_WITHOUT_DATA); // → 32
 * ```
 * @category Engine
 */
export const MAX_KEY_UPDATES_WITHOUT_DATA = 32;

/** What {@link Connection.takeOutgoing} and {@link Connection.read} return when there is nothing. */
const NO_BYTES = new Uint8Array(0);

/** {@link AES_GCM_MAX_RECORDS} as a BigInt, to compare with sequence numbers. */
const AES_GCM_MAX_RECORDS_BIGINT = BigInt(AES_GCM_MAX_RECORDS);

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
 * @category Engine
 */
export abstract class Connection {
  /** The crypto provider in use (`nobleProvider` unless the config gave one). */
  readonly provider: CryptoProvider;

  private readonly negotiated: ConnectionInfo = {
    protocol: 'TLSv1.3',
    resumed: false,
    earlyData: 'none',
    helloRetryRequest: false,
    peerCertificates: [],
  };
  private readonly transcript = new Transcript();
  private readonly records: RecordLayer;
  private readonly deframer = new HandshakeDeframer();
  private readonly tracer: Tracer;
  private state: HandshakeState;
  private clientRandom: Uint8Array | undefined;
  private readonly outgoing: Uint8Array[] = [];
  private readonly received: Uint8Array[] = [];
  private readonly events: ConnectionEvent[] = [];
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
  private warningsWithoutData = 0;
  private writeKeyUpdatePending = false;
  private readSecret: TrafficSecret | undefined;
  private writeSecret: TrafficSecret | undefined;
  private readKeys: RecordKeys | undefined;
  private writeKeys: RecordKeys | undefined;
  private exporter: Exporter | undefined;
  private handshakeDone = false;
  /** Which traffic secret protects what we send now. */
  private writeKind: TrafficKind | undefined;
  /** Whether the next handshake record is the first ClientHello (§5.1). */
  private firstRecord = true;

  protected constructor(
    readonly side: Side,
    private readonly common: CommonConfig,
    initial: (context: HandshakeContext) => HandshakeState,
  ) {
    this.provider = common.provider ?? nobleProvider;
    this.records = new RecordLayer(common.recordPadding ? { padding: common.recordPadding } : {});
    this.tracer = new Tracer(side, common, contentTypeName);
    this.records.onDropped = (record, why) => {
      if (!this.tracer.enabled) return;
      this.tracer.receivedRecord({ outerType: record.contentType, bytes: record.bytes }, record.contentType, record.fragment, { protected: false, paddingLength: 0, dropped: why });
    };
    this.records.onSent = (record, contentType, content, sequenceNumber) => {
      if (!this.tracer.enabled) return;
      this.tracer.sentRecord(this.tracedRecord(record, sequenceNumber, this.writeKeys), contentType, content, sequenceNumber);
    };
    this.state = initial(this.handshakeContext());
  }

  // ---- The application's side ----------------------------------------------------

  /** What was negotiated; filled in as the handshake goes. */
  get info(): Readonly<ConnectionInfo> {
    return this.negotiated;
  }

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
        if (this.records.dropped !== dropped && this.deframer.buffered > 0) {
          fail('unexpected_message', 'record inside a fragmented handshake message');
        }
        if (!record) break;
        if (this.tracer.enabled) {
          this.tracer.receivedRecord(this.tracedRecord(record.record.bytes, record.sequenceNumber, this.readKeys), record.contentType, record.content, record);
        }
        this.handleRecord(record.contentType, record.content);
      }
      this.flush();
    } catch (e) {
      throw this.abort(e);
    }
  }

  /** The bytes to send to the peer (empty when there are none). */
  takeOutgoing(): Uint8Array {
    if (this.outgoing.length === 0) return NO_BYTES;
    const out = this.outgoing.length === 1 ? this.outgoing[0]! : concat(...this.outgoing);
    this.outgoing.length = 0;
    return out;
  }

  /**
   * The bytes to send to the peer as the records they are, not joined into one array
   * ({@link takeOutgoing} copies them together): for a transport that writes a list of
   * buffers at once, as Node's sockets do with `cork()`.
   */
  takeOutgoingRecords(): Uint8Array[] {
    return this.outgoing.splice(0);
  }

  /** Application data received so far (empty when there is none). */
  read(): Uint8Array {
    if (this.received.length === 0) return NO_BYTES;
    const out = this.received.length === 1 ? this.received[0]! : concat(...this.received);
    this.received.length = 0;
    return out;
  }

  /**
   * Application data received so far, one array per record, not joined into one
   * ({@link read} copies them together): for a reader that takes chunks anyway, as a Node
   * stream does.
   */
  readChunks(): Uint8Array[] {
    return this.received.splice(0);
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
    if (this.negotiated.protocol !== 'TLSv1.3') throw new Error('KeyUpdate is TLS 1.3 only (RFC 8446 §4.6.3): a TLS 1.2 connection keeps its keys');
    if (this.failure) throw this.failure;
    if (this.closeSent) throw new Error('keyUpdate after close()'); // §6.1: nothing follows close_notify
    this.sendKeyUpdate(requestPeerUpdate ? 'update_requested' : 'update_not_requested');
  }

  /**
   * Keying material exported per RFC 8446 §7.5, or in TLS 1.2 per RFC 5705 (where an undefined
   * context differs from an empty one, and a connection without the extended master secret has
   * no exporter, RFC 7627 §5.4).
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!this.handshakeDone || !this.exporter) throw new Error('exporter not available before the handshake completes');
    return this.exporter(label, context, length);
  }

  /**
   * Whether application data written now goes out at once, rather than waiting for the
   * handshake: after it, and on a server from its first flight on (0.5-RTT data, §4.4.4).
   */
  get canSendNow(): boolean {
    return !this.failure && !this.closeSent && !this.closeRequested && this.canSendApplicationData();
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

  /**
   * Received bytes held back: of records not yet complete, and of a handshake message not yet
   * complete (§5.1). Both are bounded: by the record size limit and by
   * {@link MAX_HANDSHAKE_MESSAGE_LENGTH}.
   */
  get buffered(): { records: number; handshake: number } {
    return { records: this.records.reader.buffered, handshake: this.deframer.buffered };
  }

  /** The current handshake state's name. */
  get stateName(): string {
    return this.state.name;
  }

  // ---- For the two sides ------------------------------------------------------------

  /** Whether application data written now can be sent now (or must wait). */
  protected abstract canSendApplicationData(): boolean;

  /** Whether what we send now is protected with an application traffic key. */
  protected get sendingApplicationKeys(): boolean {
    return this.writeKind === 'application';
  }

  /** Whether the current state takes application data as the client's 0-RTT data (§4.2.10). */
  protected get readingEarlyData(): boolean {
    return !!this.state.earlyData;
  }

  /** Counts received application data (the server checks early data against its limit). */
  protected onApplicationData(data: Uint8Array): void {
    this.deliver(data);
  }

  /**
   * Delivers received application data to the application. Not copied: it is the
   * decrypted content of one record, which the AEAD gave us to keep (`AeadKey.open`).
   */
  protected deliver(data: Uint8Array): void {
    if (data.length) this.received.push(data);
  }

  /** Sends queued handshake messages now (the client's first flight is ready when it is built). */
  protected flush(): void {
    if (this.pendingHandshake.length === 0) return;
    const data = concat(...this.pendingHandshake);
    this.pendingHandshake = [];
    this.output(ContentType.handshake, data);
  }

  // ---- The handshake's view of the connection ------------------------------------

  /** The narrow context the handshake states work through. */
  private handshakeContext(): HandshakeContext {
    const records = this.records;
    return {
      side: this.side,
      provider: this.provider,
      transcript: this.transcript,
      info: this.negotiated,
      tracing: this.tracer.enabled,
      records: {
        get allowChangeCipherSpec() {
          return records.allowChangeCipherSpec;
        },
        set allowChangeCipherSpec(allow: boolean) {
          records.allowChangeCipherSpec = allow;
        },
        skipEarlyData: (maxBytes, mode) => records.skipEarlyData(maxBytes, mode),
        setWriteRecordSizeLimit: (limit) => records.setWriteRecordSizeLimit(limit),
        setReadRecordSizeLimit: (limit) => records.setReadRecordSizeLimit(limit),
        expectChangeCipherSpec: (protection) => records.expectChangeCipherSpec(protection),
        get awaitingChangeCipherSpec() {
          return records.awaitingChangeCipherSpec;
        },
      },
      now: () => (this.common.now ?? Date.now)(),
      setClientRandom: (random) => {
        this.clientRandom ??= random;
      },
      secret: (s) => this.reportSecret(s),
      sendHandshake: (message) => {
        const { bytes, fields } = encodeHandshakeMessage(message, { annotate: this.tracer.enabled, protocol: this.negotiated.protocol });
        this.queueHandshake(message.type, bytes, fields);
        return bytes;
      },
      sendEncodedHandshake: (type, bytes, fields) => this.queueHandshake(type, bytes, fields),
      sendPostHandshake: (message) => this.sendHandshakeUntracked(message),
      sendChangeCipherSpec: () => {
        this.flush();
        this.output(ContentType.change_cipher_spec, Uint8Array.of(1));
      },
      sendEarlyData: (data) => this.sendApplicationData(data),
      setReadSecret: (secret) => this.setReadSecret(secret),
      setWriteSecret: (secret) => this.setWriteSecret(secret),
      setPlaintextWrite: () => {
        this.flush();
        this.writeKind = undefined;
        this.records.setWriteProtection(null);
      },
      setWriteProtection: (protection) => {
        this.flush();
        this.records.setWriteProtection(protection);
      },
      sendWarning: (alert) => {
        this.flush();
        this.sendAlert(alert);
      },
      emit: (event) => this.events.push(event),
      completeHandshake: (exporter) => this.completeHandshake(exporter),
    };
  }

  /** Traces a handshake message, adds it to the transcript and queues it. */
  private queueHandshake(type: HandshakeMessage['type'], bytes: Uint8Array, fields: Field[]): void {
    this.tracer.message('sent', messageTitle(type), bytes, fields);
    this.transcript.add(bytes);
    this.pendingHandshake.push(bytes);
  }

  private reportSecret(s: ReportedSecret): void {
    this.tracer.secret(s, this.clientRandom);
  }

  private completeHandshake(exporter: Exporter): void {
    this.handshakeDone = true;
    this.exporter = exporter;
    this.events.push({ type: 'handshake_complete' });
    this.flushApplicationData();
    if (this.closeRequested) {
      this.closeRequested = false;
      this.close();
    }
  }

  /** Makes application data written so far go out (once write keys allow it). */
  protected flushApplicationData(): void {
    if (!this.canSendApplicationData()) return;
    const pending = this.pendingApplicationData;
    this.pendingApplicationData = [];
    for (const data of pending) this.sendApplicationData(data);
  }

  /** Sends application data under the current write key (early data on the client uses this too). */
  private sendApplicationData(data: Uint8Array): void {
    this.flush();
    // §5.5: AES-GCM keys may protect at most 2^24.5 records; change keys well before that.
    const used = this.records.writeSequenceNumber ?? 0n;
    if (this.handshakeDone && used >= AES_GCM_MAX_RECORDS_BIGINT) {
      // TLS 1.2 cannot change keys: the connection ends there, as rustls ends it.
      if (this.negotiated.protocol !== 'TLSv1.3') {
        this.close();
        throw new Error('TLS 1.2 cannot change keys and this one has protected 2^24.5 records (RFC 8446 §5.5): open a new connection');
      }
      this.writeKeyUpdatePending = true;
    }
    if (this.writeKeyUpdatePending) {
      this.writeKeyUpdatePending = false;
      this.sendKeyUpdate('update_not_requested');
    }
    this.output(ContentType.application_data, data);
  }

  /** Moves to the next state, tracing the transition. */
  private transition(next: HandshakeState): void {
    if (next !== this.state) {
      this.tracer.state(this.state.name, next.name);
      this.state = next;
    }
  }

  // ---- Records in ---------------------------------------------------------------

  private handleRecord(contentType: number, content: Uint8Array): void {
    // §5.1: handshake messages may not be interleaved with other record types.
    if (contentType !== ContentType.handshake && this.deframer.buffered > 0) {
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
        this.warningsWithoutData = 0;
        return this.onApplicationData(content);
      default:
        fail('unexpected_message', `unexpected ${contentTypeName(contentType)} record`);
    }
  }

  private handleHandshakeBytes(content: Uint8Array): void {
    this.deframer.push(content);
    for (let raw = this.deframer.next(); raw; raw = this.deframer.next()) {
      const readKeyBefore = this.records.currentReadProtection;
      this.handleHandshakeMessage(raw);
      // §5.1: a message that changes the read key must end its record.
      if (this.records.currentReadProtection !== readKeyBefore && this.deframer.buffered > 0) {
        fail('unexpected_message', 'handshake data after a key change in the same record');
      }
      if (this.peerClosed || this.failure) return;
    }
  }

  private handleHandshakeMessage(raw: Uint8Array): void {
    const { message, fields } = decodeHandshakeMessage(raw, { annotate: this.tracer.enabled, protocol: this.negotiated.protocol });
    this.tracer.message('received', messageTitle(message.type), raw, fields);
    if (message.type === 'key_update' && this.handshakeDone) return this.handleKeyUpdate(message);
    this.transition(this.state.handle(message, raw));
  }

  private handleAlert(content: Uint8Array): void {
    if (content.length !== 2) fail('decode_error', `alert of ${content.length} bytes`);
    const [level, code] = [content[0]!, content[1]!];
    const name = alertName(code);
    this.tracer.alert('received', level === 1 ? 'warning' : 'fatal', name);
    if (code === AlertDescription.close_notify) {
      this.peerClosed = true;
      this.events.push({ type: 'close_notify' });
      return;
    }
    // §6: user_canceled is followed by close_notify; every other alert ends the connection.
    if (code === AlertDescription.user_canceled) return;
    // TLS 1.2 (RFC 5246 §7.2.2): after a warning the connection may go on (TLS 1.3 has no warnings, §6).
    if (level === AlertLevel.warning && this.negotiated.protocol === 'TLSv1.2') {
      if (++this.warningsWithoutData > MAX_WARNING_ALERTS_WITHOUT_DATA) fail('unexpected_message', `more than ${MAX_WARNING_ALERTS_WITHOUT_DATA} warning alerts without application data`);
      return;
    }
    throw new TlsError(name.startsWith('unknown(') ? 'decode_error' : (name as AlertName), `peer sent alert ${name}`, false);
  }

  // ---- KeyUpdate (§4.6.3) --------------------------------------------------------

  private handleKeyUpdate(message: KeyUpdate): void {
    if (++this.keyUpdatesWithoutData > MAX_KEY_UPDATES_WITHOUT_DATA) {
      fail('unexpected_message', `more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without application data`);
    }
    this.setReadSecret(this.readSecret!.next((s) => this.reportSecret(s)));
    this.events.push({ type: 'key_update', direction: 'received', updateRequested: message.requestUpdate === 'update_requested' });
    // §4.6.3: answer a request before our next application data (once, however many requests came).
    if (message.requestUpdate === 'update_requested' && !this.closeSent) this.writeKeyUpdatePending = true;
    if (this.writeKeyUpdatePending) {
      this.writeKeyUpdatePending = false;
      this.sendKeyUpdate('update_not_requested');
    }
  }

  private sendKeyUpdate(requestUpdate: KeyUpdate['requestUpdate']): void {
    this.sendHandshakeUntracked({ type: 'key_update', requestUpdate });
    this.setWriteSecret(this.writeSecret!.next((s) => this.reportSecret(s)));
    this.events.push({ type: 'key_update', direction: 'sent', updateRequested: requestUpdate === 'update_requested' });
  }

  private setReadSecret(secret: TrafficSecret): void {
    this.readSecret = secret;
    this.readKeys = this.recordKeys(secret);
    this.records.setReadProtection(this.protection(this.readKeys));
  }

  /** Installs the key for what we send, after what is queued has gone out under the old one. */
  private setWriteSecret(secret: TrafficSecret): void {
    this.flush();
    this.writeSecret = secret;
    this.writeKind = secret.kind;
    this.writeKeys = this.recordKeys(secret);
    this.records.setWriteProtection(this.protection(this.writeKeys));
  }

  /** Post-handshake messages are not part of the transcript (§4.4.1). */
  private sendHandshakeUntracked(message: HandshakeMessage): void {
    const { bytes, fields } = encodeHandshakeMessage(message, { annotate: this.tracer.enabled, protocol: this.negotiated.protocol });
    this.tracer.message('sent', messageTitle(message.type), bytes, fields);
    this.flush();
    this.output(ContentType.handshake, bytes);
  }

  // ---- Records out and errors -----------------------------------------------------

  private output(contentType: number, data: Uint8Array): void {
    // §5.1: an initial ClientHello may use 0x0301 for old middleboxes, as RFC 8448's traces do.
    const version = this.firstRecord && this.side === 'client' ? INITIAL_RECORD_VERSION : LEGACY_VERSION;
    this.firstRecord = false;
    for (const record of this.records.write(contentType, data, version)) this.outgoing.push(record);
  }

  private sendAlert(alert: AlertName, reason?: string): void {
    const level = alert === 'close_notify' || alert === 'user_canceled' || alert === 'no_renegotiation' ? AlertLevel.warning : AlertLevel.fatal;
    this.tracer.alert('sent', level === 1 ? 'warning' : 'fatal', alert, reason);
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

  /** The key and IV of a traffic secret (§7.3), reported. */
  private recordKeys(secret: TrafficSecret): RecordKeys {
    const { key, iv } = secret.keys((s) => this.reportSecret(s));
    return { trafficSecret: secret.name, aead: secret.suite.aead, key, iv };
  }

  /** The record layer's protection with a key and IV. */
  private protection(keys: RecordKeys): RecordProtection {
    return new RecordProtection(keys.aead, keys.key, keys.iv);
  }

  /**
   * A record as the trace shows it: for a protected one, with what sealed or opened it
   * (§5.2, §5.3). The hex is made only while someone is tracing.
   */
  private tracedRecord(bytes: Uint8Array, sequenceNumber: bigint | undefined, keys: RecordKeys | undefined): TracedRecord {
    const record = { outerType: bytes[0]!, bytes };
    if (!this.tracer.enabled || sequenceNumber === undefined || keys === undefined) return record;
    const aead = {
      algorithm: keys.aead.name,
      trafficSecret: keys.trafficSecret,
      key: toHex(keys.key),
      iv: toHex(keys.iv),
      nonce: toHex(perRecordNonce(keys.iv, sequenceNumber)),
      additionalData: toHex(bytes.subarray(0, RECORD_HEADER_LENGTH)),
    };
    return { ...record, protection: { sequenceNumber, aead } };
  }
}

