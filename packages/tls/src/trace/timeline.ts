/**
 * What a handshake costs in time: its flights, read from a trace, laid out on a link with a
 * round-trip time, from the client's TCP SYN to the first byte of the server's answer.
 *
 * A flight is what one side sends before it waits for the other. On a link whose round
 * trip is one RTT, each flight leaves when the one before it arrives and arrives half a
 * round trip later; TCP's own handshake comes first (SYN, SYN-ACK: one round trip, and the
 * client's first bytes go with its ACK, RFC 9293 §3.5). The client's request can leave once
 * it has sent its Finished and has the server's (or with its ClientHello, as 0-RTT data the
 * server accepts, RFC 8446 §2.3); the server answers as soon as the request arrives, but
 * not before its own Finished. This is the best a handshake allows, with no time spent
 * computing: `lucid-tls latency` measures what a build really does.
 *
 * Nothing here depends on the protocol version: a TLS 1.2 handshake's flights, with their
 * Finished messages, give its timeline the same way.
 * @module
 */
import { unwrapMessage, type MessageEvent, type Side, type TraceEvent, type TraceField } from './events.js';

/**
 * One flight: the records one side sends before it waits for the other.
 * @category Trace
 */
export interface Flight {
  from: Side;
  /** What it carries, in order: message names, `early data`, `application data`, `change_cipher_spec`, `alert NAME`. */
  carried: string[];
  /** How many records it took, and how many of them were encrypted. */
  records: number;
  protectedRecords: number;
  /** Its size on the wire, record headers included. */
  bytes: number;
}

/**
 * A flight on the link: when it leaves its sender and arrives, in round trips from the
 * client's first packet.
 * @category Trace
 */
export interface TimedFlight extends Flight {
  leaves: number;
  arrives: number;
}

/**
 * A handshake on a link, in round trips (multiply by the RTT for time).
 * @category Trace
 */
export interface Timeline {
  /** Whether a TCP handshake comes first: one round trip before the first flight leaves. */
  tcp: boolean;
  /** The handshake's flights, up to its last Finished. */
  flights: TimedFlight[];
  /** The first application byte from the client: when it can leave and arrive, and whether it is 0-RTT data. */
  request?: { leaves: number; arrives: number; early: boolean };
  /** The first byte of the server's answer: when it can leave and arrive. */
  response?: { leaves: number; arrives: number };
}

/**
 * A trace cut into flights: each flight's sender making it and its receiver taking it in.
 * A flight starts where the other side starts sending; what a side receives belongs to the
 * flight that carried it, even when it reads it after starting its answer (0-RTT data
 * behind a ClientHello). A side's key generation just before it sends goes with the flight
 * that carries the key share, not with the one it answers.
 * @category Trace
 */
export function splitFlights(events: Iterable<TraceEvent>): { from: Side; events: TraceEvent[] }[] {
  const list = [...events];
  const traced = new Set(list.map((e) => e.side));
  const flights: { from: Side; events: TraceEvent[] }[] = [];
  let before: TraceEvent[] = [];
  let clientFinished = false;
  for (const e of list) {
    const current = flights[flights.length - 1];
    if (!('direction' in e)) {
      (current?.events ?? before).push(e);
      continue;
    }
    const sender = e.direction === 'sent' ? e.side : peer(e.side);
    if (e.direction === 'received' && (traced.has(sender) || isEarlyData(e, clientFinished))) {
      // 0-RTT data, read after the answer has started, still came with the ClientHello (§2.3).
      const carrier = (traced.has(sender) ? [...flights].reverse() : flights).find((f) => f.from === sender) ?? current;
      (carrier?.events ?? before).push(e);
      continue;
    }
    if (e.kind === 'message' && e.type === 'Finished' && sender === 'client') clientFinished = true;
    if (current?.from !== sender) {
      flights.push({ from: sender, events: [...before, ...(current ? keyGeneration(current.events, sender) : [])] });
      before = [];
    }
    flights[flights.length - 1]!.events.push(e);
  }
  if (before.length > 0) flights.push({ from: 'client', events: before });
  return flights;
}

/** Application data a server received before the client's Finished: 0-RTT data (or its skipped records). */
function isEarlyData(e: TraceEvent, clientFinished: boolean): boolean {
  return e.kind === 'record' && e.side === 'server' && !clientFinished && e.innerType === 'application_data';
}

const peer = (side: Side): Side => (side === 'client' ? 'server' : 'client');

/**
 * Takes from the end of `events` the key share `side` generated for its next flight: the
 * trailing run of its secrets, from its first `key share` on (§4.2.8).
 */
function keyGeneration(events: TraceEvent[], side: Side): TraceEvent[] {
  let start = events.length;
  while (start > 0 && events[start - 1]!.side === side && !('direction' in events[start - 1]!)) start--;
  const first = events.findIndex((e, i) => i >= start && e.kind === 'secret' && e.label === 'key share');
  return first < 0 ? [] : events.splice(first);
}

/**
 * The flights of a connection, from its trace ({@link splitFlights}), each summed up from
 * its sender's view (or its receiver's, when the sender was not traced).
 *
 * @example
 * ```ts
 * import { flightsOf } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const flights = flightsOf(runScenario('simple_1rtt').events);
 * console.log(flights.map((f) => `${f.from}: ${f.carried.join(', ')}`).slice(0, 3));
 * // → [ 'client: ClientHello', 'server: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished', 'client: Finished' ]
 * ```
 * @category Trace
 */
export function flightsOf(events: Iterable<TraceEvent>): Flight[] {
  const list = [...events];
  const traced = new Set(list.map((e) => e.side));
  let clientFinished = false;
  return splitFlights(list).map(({ from, events: made }) => {
    const flight: Flight = { from, carried: [], records: 0, protectedRecords: 0, bytes: 0 };
    // Each record once: as its sender sent it, or as it was received when the sender is not in the trace.
    const seen = (e: TraceEvent) => 'direction' in e && (traced.has(from) ? e.side === from && e.direction === 'sent' : e.direction === 'received');
    for (const e of made.filter(seen)) {
      if (e.kind === 'message') {
        flight.carried.push(e.type);
        if (from === 'client' && e.type === 'Finished') clientFinished = true;
      } else if (e.kind === 'record') {
        flight.records++;
        if (e.protected) flight.protectedRecords++;
        flight.bytes += e.hex.length / 2;
        // Application data the client sends before its Finished can only be 0-RTT data (§2.3).
        if (e.innerType === 'application_data') flight.carried.push(from === 'client' && !clientFinished ? 'early data' : 'application data');
        if (e.innerType === 'change_cipher_spec') flight.carried.push('change_cipher_spec');
      } else if (e.kind === 'alert') {
        flight.carried.push(`alert ${e.description}`);
      }
    }
    return flight;
  });
}

/**
 * The timeline of a handshake from its trace: its flights on the link, and when the
 * first application byte can leave the client and the first byte of the answer arrive.
 *
 * @example
 * ```ts
 * import { handshakeTimeline } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const full = handshakeTimeline(runScenario('simple_1rtt').events);
 * const zeroRtt = handshakeTimeline(runScenario('resumed_0rtt').events);
 * console.log(full.response?.arrives, zeroRtt.response?.arrives); // → 3 2
 * ```
 * @category Trace
 */
export function handshakeTimeline(events: Iterable<TraceEvent>, options: { tcp?: boolean } = {}): Timeline {
  const list = [...events];
  const tcp = options.tcp ?? true;
  const all = flightsOf(list);
  const finished = (side: Side) => all.findIndex((f) => f.from === side && f.carried.includes('Finished'));
  const [clientFinished, serverFinished] = [finished('client'), finished('server')];
  // The handshake ends with the later Finished; what follows is application data and tickets.
  const end = clientFinished < 0 || serverFinished < 0 ? all.length - 1 : Math.max(clientFinished, serverFinished);
  let at = tcp ? 1 : 0;
  const flights = all.slice(0, end + 1).map((f): TimedFlight => {
    const timed = { ...f, leaves: at, arrives: at + 0.5 };
    at += 0.5;
    return timed;
  });
  const timeline: Timeline = { tcp, flights };
  if (clientFinished < 0 || serverFinished < 0) return timeline;

  const early = flights[0]!.carried.includes('early data') && earlyDataAccepted(list);
  const leaves = early ? flights[0]!.leaves : Math.max(flights[clientFinished]!.leaves, flights[serverFinished]!.arrives);
  timeline.request = { leaves, arrives: leaves + 0.5, early };
  const answer = Math.max(leaves + 0.5, flights[serverFinished]!.leaves);
  timeline.response = { leaves: answer, arrives: answer + 0.5 };
  return timeline;
}

/** Whether the server accepted 0-RTT data: its EncryptedExtensions carries early_data (§4.2.10). */
function earlyDataAccepted(events: TraceEvent[]): boolean {
  const hasEarlyData = (fields: TraceField[]): boolean => fields.some((f) => (f.name === 'Extension' && f.value === 'early_data') || (f.children !== undefined && hasEarlyData(f.children)));
  return events.some((e): e is MessageEvent => e.kind === 'message' && e.type === 'EncryptedExtensions' && hasEarlyData(unwrapMessage(e).fields));
}
