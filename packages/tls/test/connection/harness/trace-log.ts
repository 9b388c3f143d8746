/**
 * Recording a connection's trace and asking it questions: which messages and records
 * went which way, a field of a message, and whether a message's traced fields tile its
 * bytes exactly.
 * @module
 */
import type { MessageEvent, RecordEvent, TraceEvent, TraceField } from '../../../src/trace/events.js';

/** Collects trace events; `observer` goes in a config's `trace`. */
export function traceLog(): { events: TraceEvent[]; observer: (e: TraceEvent) => void } {
  const events: TraceEvent[] = [];
  return { events, observer: (e) => events.push(e) };
}

/** The message types of a trace's `message` events, filtered by side and direction. */
export function messageTypes(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received'): string[] {
  return events.filter((e): e is MessageEvent => e.kind === 'message' && e.side === side && e.direction === direction).map((e) => e.type);
}

/** The `record` events of a trace, filtered by side and direction. */
export function records(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received'): RecordEvent[] {
  return events.filter((e): e is RecordEvent => e.kind === 'record' && e.side === side && e.direction === direction);
}

/** The first traced message of `type` that `side` sent or received. */
export function findMessage(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received', type: string): MessageEvent | undefined {
  return events.find((e): e is MessageEvent => e.kind === 'message' && e.side === side && e.direction === direction && e.type === type);
}

/** The first field named `name` in a traced field tree (depth first), or undefined. */
export function findTraceField(fields: readonly TraceField[], name: string): TraceField | undefined {
  for (const f of fields) {
    if (f.name === name) return f;
    const inner = f.children && findTraceField(f.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Checks that the leaves of a traced field tree tile `hex` exactly: each leaf starts where
 * the previous one ended, a group spans exactly its children, every field's hex is the
 * message's bytes at its offset, and the last leaf ends at the message's end.
 * Returns the number of leaves; throws an Error describing the first gap or overlap.
 */
export function checkLeavesTile(fields: readonly TraceField[], hex: string): number {
  const total = hex.length / 2;
  let cursor = 0;
  let count = 0;
  const walk = (list: readonly TraceField[], path: string): void => {
    for (const f of list) {
      const where = `${path}/${f.name}@${f.offset}`;
      if (f.offset !== cursor) throw new Error(`${where}: starts at ${f.offset}, expected ${cursor}`);
      if (f.hex !== hex.slice(f.offset * 2, (f.offset + f.length) * 2)) throw new Error(`${where}: hex is not the message's bytes there`);
      if (f.children && f.children.length) {
        walk(f.children, where);
        if (cursor !== f.offset + f.length) throw new Error(`${where}: length ${f.length}, children span ${cursor - f.offset}`);
      } else {
        cursor += f.length;
        count++;
      }
    }
  };
  walk(fields, '');
  if (cursor !== total) throw new Error(`leaves end at ${cursor}, the message has ${total} bytes`);
  return count;
}
