/**
 * Trace events: everything a connection does, as structured data, for tutorials,
 * the `--trace` renderers and the step-through page. A connection emits them only
 * when a `trace` observer is configured; without one, nothing is annotated or built.
 *
 * Trace events contain secrets (that is their point when learning): treat a trace
 * like a key log, never like an ordinary log.
 * @module
 */
import type { Field } from '../wire/codec.js';

/**
 * Which side of the connection emitted the event.
 * @category Trace
 */
export type Side = 'client' | 'server';

/**
 * A field of a traced message or record: a codec {@link Field} with its bytes in hex.
 * @category Trace
 */
export interface TraceField extends Omit<Field, 'children'> {
  hex: string;
  children?: TraceField[];
}

/**
 * One TLS record, as it went over the wire (§5).
 * @category Trace
 */
export interface RecordEvent {
  kind: 'record';
  side: Side;
  direction: 'sent' | 'received';
  /** The outer content type on the wire (`application_data` for every protected record). */
  outerType: string;
  /** The real content type: for protected records, from inside TLSInnerPlaintext (§5.2). */
  innerType: string;
  protected: boolean;
  /** The whole record, header included. */
  hex: string;
  /** The plaintext content (for protected records, after decryption; no type byte, no padding). */
  contentHex: string;
  /** The record sequence number under the current key (protected records only). */
  sequenceNumber?: number;
  paddingLength?: number;
  /** Why a received record was dropped without processing (a compatibility change_cipher_spec, skipped 0-RTT data). */
  dropped?: string;
}

/**
 * One handshake message, with the tree of its fields (offsets from its first header byte).
 * @category Trace
 */
export interface MessageEvent {
  kind: 'message';
  side: Side;
  direction: 'sent' | 'received';
  /** e.g. `"ClientHello"`, `"HelloRetryRequest"`. */
  type: string;
  hex: string;
  fields: TraceField[];
}

/**
 * A secret, key, IV or other derived value, with how it was derived.
 * @category Trace
 */
export interface SecretEvent {
  kind: 'secret';
  side: Side;
  /** Name as in RFC 8448's vectors, e.g. `client_handshake_traffic_secret`, `server_handshake_key`. */
  name: string;
  /** The RFC 8446 label used, e.g. `"c hs traffic"`, `"key"`, `"finished"`, or `"HKDF-Extract"`. */
  label: string;
  /** How it was computed, in the RFC's notation. */
  derivation: string;
  /** The context (transcript hash, ticket nonce) it was bound to, in hex. */
  contextHex?: string;
  hex: string;
}

/**
 * A state transition of the handshake state machine.
 * @category Trace
 */
export interface StateEvent {
  kind: 'state';
  side: Side;
  from: string;
  to: string;
}

/**
 * An alert sent or received (§6).
 * @category Trace
 */
export interface AlertEvent {
  kind: 'alert';
  side: Side;
  direction: 'sent' | 'received';
  level: 'warning' | 'fatal';
  description: string;
  reason?: string;
}

/**
 * Any trace event; `kind` tells which.
 * @category Trace
 */
export type TraceEvent = RecordEvent | MessageEvent | SecretEvent | StateEvent | AlertEvent;

/**
 * Receives trace events as they happen.
 *
 * @example
 * ```ts
 * import { ClientConnection, insecureSkipVerify, type TraceEvent, type TraceObserver } from '@lucid-tls/tls';
 * const events: TraceEvent[] = [];
 * const observer: TraceObserver = (event) => events.push(event);
 * new ClientConnection({ serverName: 'example.com', verifyServerCertificate: insecureSkipVerify, trace: observer });
 * console.log(events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? `${e.side} ${e.direction} ${e.type}` : ''))); // → [ 'client sent ClientHello' ]
 * ```
 * @category Trace
 */
export type TraceObserver = (event: TraceEvent) => void;

/** Attaches hex to a codec field tree. */
export function traceFields(fields: Field[], bytes: Uint8Array): TraceField[] {
  return fields.map((f) => {
    const { children, ...rest } = f;
    const out: TraceField = { ...rest, hex: hexOf(bytes.subarray(f.offset, f.offset + f.length)) };
    if (children) out.children = traceFields(children, bytes);
    return out;
  });
}

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/**
 * A traced message's fields with its body (the struct the RFC names, e.g. `ClientHello`)
 * unwrapped, so the body's fields sit beside the handshake header's `msg_type` and
 * `length` (§4); and the body and its RFC section, when there are.
 *
 * @example
 * ```ts
 * import { unwrapMessage, type MessageEvent } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const hello = runScenario('simple_1rtt').events.find((e): e is MessageEvent => e.kind === 'message')!;
 * const { fields, rfc } = unwrapMessage(hello);
 * console.log(fields.map((f) => f.name).slice(0, 4).join(' '), rfc); // → msg_type length legacy_version random RFC 8446 §4.1.2
 * ```
 * @category Trace
 */
export function unwrapMessage(e: MessageEvent): { fields: TraceField[]; body?: TraceField; rfc?: string } {
  const [type, length, body] = e.fields;
  const rfc = e.fields.find((f) => f.rfc)?.rfc;
  if (e.fields.length === 3 && type!.name === 'msg_type' && length!.name === 'length' && body!.children) {
    return { fields: [type!, length!, ...body!.children], body: body!, ...((body!.rfc ?? rfc) ? { rfc: body!.rfc ?? rfc! } : {}) };
  }
  return { fields: e.fields, ...(rfc ? { rfc } : {}) };
}

