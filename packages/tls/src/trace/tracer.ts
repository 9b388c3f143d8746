/**
 * Turning what a connection does into {@link TraceEvent}s for one side: the connection
 * calls these when (and only when) a trace observer is configured, and the secret events
 * also feed the key log.
 * @module
 */
import { toHex } from '../wire/bytes.js';
import type { Field } from '../wire/codec.js';
import { traceFields, type RecordAead, type Side, type TraceEvent, type TraceObserver } from './events.js';
import { keyLogLine, type KeyLogWriter } from './keylog.js';

/** A record's outer type and bytes, as it crossed the wire. */
export interface TracedRecord {
  /** The content type in the record header. */
  readonly outerType: number;
  /** The whole record, header included. */
  readonly bytes: Uint8Array;
  /** For a protected record: its sequence number and what sealed or opened it. */
  readonly protection?: { readonly sequenceNumber: bigint; readonly aead: RecordAead };
}

/** A secret as a connection reports it (see `ReportedSecret` in the handshake context). */
export interface TracedSecret {
  name: string;
  label: string;
  derivation: string;
  secret: Uint8Array;
  context?: Uint8Array;
  /** Its key log label, when not the one its name maps to (see `keyLogLine`). */
  keyLog?: string;
}

/** Where a connection's events and key log lines go; read at each event, so either may come and go. */
export interface TraceOutputs {
  readonly trace?: TraceObserver | undefined;
  readonly keyLog?: KeyLogWriter | undefined;
}

/** The events of one side of one connection. `contentTypeName` names record types (the record layer's table). */
export class Tracer {
  constructor(
    private readonly side: Side,
    private readonly outputs: TraceOutputs,
    private readonly contentTypeName: (type: number) => string,
  ) {}

  /** Whether anyone listens for events (fields and records are only built then). */
  get enabled(): boolean {
    return this.outputs.trace !== undefined;
  }

  private get observer(): TraceObserver | undefined {
    return this.outputs.trace;
  }

  /** A handshake message, `title` being the RFC's name (`"ClientHello"`), with its fields. */
  message(direction: 'sent' | 'received', title: string, bytes: Uint8Array, fields: Field[]): void {
    this.observer?.({ kind: 'message', side: this.side, direction, type: title, hex: toHex(bytes), fields: traceFields(fields, bytes) });
  }

  /** A received record: its real type and content, how it was protected, or why it was dropped. */
  receivedRecord(record: TracedRecord, innerType: number, content: Uint8Array, opened: { protected: boolean; paddingLength: number; dropped?: string }): void {
    if (!this.observer) return;
    const event: TraceEvent = {
      kind: 'record',
      side: this.side,
      direction: 'received',
      outerType: this.contentTypeName(record.outerType),
      innerType: this.contentTypeName(innerType),
      protected: opened.protected,
      hex: toHex(record.bytes),
      contentHex: toHex(content),
    };
    if (record.protection) {
      event.sequenceNumber = Number(record.protection.sequenceNumber);
      event.aead = record.protection.aead;
    }
    if (opened.protected) event.paddingLength = opened.paddingLength;
    if (opened.dropped) event.dropped = opened.dropped;
    this.observer(event);
  }

  /** A sent record; `sequenceNumber` is set for protected records. */
  sentRecord(record: TracedRecord, innerType: number, content: Uint8Array, sequenceNumber: bigint | undefined): void {
    if (!this.observer) return;
    const event: TraceEvent = {
      kind: 'record',
      side: this.side,
      direction: 'sent',
      outerType: this.contentTypeName(record.outerType),
      innerType: this.contentTypeName(innerType),
      protected: sequenceNumber !== undefined,
      hex: toHex(record.bytes),
      contentHex: toHex(content),
    };
    if (sequenceNumber !== undefined) event.sequenceNumber = Number(sequenceNumber);
    if (record.protection) event.aead = record.protection.aead;
    this.observer(event);
  }

  /** A derived secret, to the trace and (when it has a label there) the key log. */
  secret(s: TracedSecret, clientRandom: Uint8Array | undefined): void {
    if (this.observer) {
      const event: TraceEvent = { kind: 'secret', side: this.side, name: s.name, label: s.label, derivation: s.derivation, hex: toHex(s.secret) };
      if (s.context) event.contextHex = toHex(s.context);
      this.observer(event);
    }
    const keyLog = this.outputs.keyLog;
    if (keyLog && clientRandom) {
      const line = s.keyLog ? `${s.keyLog} ${toHex(clientRandom)} ${toHex(s.secret)}` : keyLogLine(s.name, clientRandom, s.secret);
      if (line) keyLog(line);
    }
  }

  /** A move of the handshake state machine. */
  state(from: string, to: string): void {
    this.observer?.({ kind: 'state', side: this.side, from, to });
  }

  /** An alert sent or received (§6). */
  alert(direction: 'sent' | 'received', level: 'warning' | 'fatal', description: string, reason?: string): void {
    if (!this.observer) return;
    const event: TraceEvent = { kind: 'alert', side: this.side, direction, level, description };
    if (reason) event.reason = reason;
    this.observer(event);
  }
}
