/**
 * The round-trip timeline, read from traces: RFC 8448's handshakes give the round trips
 * RFC 8446 promises (full 1-RTT, HelloRetryRequest 2, 0-RTT 0, plus TCP and the request);
 * a one-sided trace gives the same flights as a two-sided one; and a TLS 1.2-shaped flight
 * sequence (two round trips before the client may send) plugs in unchanged.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/rfc8448/replay.js';
import type { Side, TraceEvent } from '../../src/trace/events.js';
import { flightsOf, handshakeTimeline, splitFlights } from '../../src/trace/timeline.js';

const summary = (events: TraceEvent[]) =>
  handshakeTimeline(events).flights.map((f) => `${f.from} ${f.leaves}→${f.arrives}: ${f.carried.join(', ')} (${f.protectedRecords}/${f.records} encrypted)`);

describe('handshakeTimeline on RFC 8448', () => {
  it('a full handshake: TCP, then three flights; the request leaves with the client’s Finished', () => {
    const events = runScenario('simple_1rtt').events;
    expect(summary(events)).toEqual([
      'client 1→1.5: ClientHello (0/1 encrypted)',
      'server 1.5→2: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished (1/2 encrypted)',
      'client 2→2.5: Finished (1/1 encrypted)',
    ]);
    const timeline = handshakeTimeline(events);
    expect(timeline.request).toEqual({ leaves: 2, arrives: 2.5, early: false });
    expect(timeline.response).toEqual({ leaves: 2.5, arrives: 3 });
    // Without TCP (QUIC folds it into TLS; or a connection already open), one round trip less.
    expect(handshakeTimeline(events, { tcp: false }).response).toEqual({ leaves: 1.5, arrives: 2 });
  });

  it('0-RTT: the request goes with the ClientHello, the answer with the server’s first flight', () => {
    const timeline = handshakeTimeline(runScenario('resumed_0rtt').events);
    expect(timeline.flights[0]!.carried).toEqual(['ClientHello', 'early data']);
    expect(timeline.request).toEqual({ leaves: 1, arrives: 1.5, early: true });
    expect(timeline.response).toEqual({ leaves: 1.5, arrives: 2 });
  });

  it('a HelloRetryRequest costs a round trip', () => {
    const timeline = handshakeTimeline(runScenario('hello_retry_request').events);
    expect(timeline.flights.map((f) => f.carried[0])).toEqual(['ClientHello', 'HelloRetryRequest', 'ClientHello', 'ServerHello', 'Finished']);
    expect(timeline.response?.arrives).toBe(4);
  });

  it('reads the same flights from one side’s trace as from both', () => {
    // The handshake messages and the timing; a receiver cannot always tell which flight the
    // application data or alert after a Finished came with (it reads them after answering).
    const messages = (events: TraceEvent[]) => handshakeTimeline(events).flights.map((f) => `${f.from} ${f.leaves}: ${f.carried.filter((c) => c !== 'application data' && !c.startsWith('alert')).join(', ')}`);
    for (const scenario of ['simple_1rtt', 'resumed_0rtt', 'hello_retry_request', 'client_authentication', 'compatibility_mode'] as const) {
      const events = runScenario(scenario).events;
      expect(summary(events.filter((e) => e.side === 'client')), `${scenario}, client only`).toEqual(summary(events));
      for (const side of ['client', 'server'] as Side[]) {
        const one = events.filter((e) => e.side === side);
        expect(messages(one), `${scenario}, ${side} only`).toEqual(messages(events));
        expect(handshakeTimeline(one).response, `${scenario}, ${side} only`).toEqual(handshakeTimeline(events).response);
      }
    }
  });

  it('puts a side’s key generation in the flight that carries the key share', () => {
    const flights = splitFlights(runScenario('hello_retry_request').events);
    const keyShares = flights.map((f) => f.events.filter((e) => e.kind === 'secret' && e.label === 'key share').map((e) => (e.kind === 'secret' ? e.name : '')));
    expect(keyShares.slice(0, 4)).toEqual([['client_x25519_private', 'client_x25519_public'], [], ['client_p256_private', 'client_p256_public'], ['server_p256_private', 'server_p256_public']]);
    // Every event is in exactly one flight, and what a side receives is in the flight that carried it.
    expect(flights.flatMap((f) => f.events)).toHaveLength(runScenario('hello_retry_request').events.length);
    for (const [i, f] of flights.entries()) {
      for (const e of f.events) if ('direction' in e) expect(`${i} ${e.direction === 'sent' ? e.side : e.side === 'client' ? 'server' : 'client'}`).toBe(`${i} ${f.from}`);
    }
  });
});

describe('handshakeTimeline on other flight sequences', () => {
  let bytes = 0;
  const message = (side: Side, direction: 'sent' | 'received', type: string): TraceEvent => ({ kind: 'message', side, direction, type, hex: '00', fields: [] });
  const record = (side: Side, direction: 'sent' | 'received', innerType: string, protectedRecord = false): TraceEvent => ({
    kind: 'record',
    side,
    direction,
    outerType: protectedRecord ? 'application_data' : innerType,
    innerType,
    protected: protectedRecord,
    hex: '16030300' + (++bytes % 256).toString(16).padStart(2, '0'),
    contentHex: '',
  });
  /** A client's view of a TLS 1.2 full handshake (RFC 5246 §7.3): the client's Finished in flight 3, the server's in flight 4. */
  const tls12: TraceEvent[] = [
    message('client', 'sent', 'ClientHello'),
    record('client', 'sent', 'handshake'),
    record('client', 'received', 'handshake'),
    ...['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone'].map((t) => message('client', 'received', t)),
    message('client', 'sent', 'ClientKeyExchange'),
    record('client', 'sent', 'handshake'),
    record('client', 'sent', 'change_cipher_spec'),
    message('client', 'sent', 'Finished'),
    record('client', 'sent', 'handshake', true),
    record('client', 'received', 'change_cipher_spec'),
    record('client', 'received', 'handshake', true),
    message('client', 'received', 'Finished'),
    record('client', 'sent', 'application_data', true),
  ];

  it('TLS 1.2: the client may send only once the server’s Finished arrives, a round trip more than TLS 1.3', () => {
    const timeline = handshakeTimeline(tls12);
    expect(timeline.flights.map((f) => `${f.from}: ${f.carried.join(', ')}`)).toEqual([
      'client: ClientHello',
      'server: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone',
      'client: ClientKeyExchange, change_cipher_spec, Finished',
      'server: change_cipher_spec, Finished',
    ]);
    expect(timeline.request).toEqual({ leaves: 3, arrives: 3.5, early: false });
    expect(timeline.response).toEqual({ leaves: 3.5, arrives: 4 });
    expect(flightsOf(tls12)).toHaveLength(5); // the application data after the handshake is a flight of its own
  });

  it('a handshake that fails has no request and no answer', () => {
    const failed: TraceEvent[] = [message('client', 'sent', 'ClientHello'), record('client', 'sent', 'handshake'), record('client', 'received', 'alert'), { kind: 'alert', side: 'client', direction: 'received', level: 'fatal', description: 'handshake_failure' }];
    const timeline = handshakeTimeline(failed);
    expect(timeline.flights.map((f) => f.carried)).toEqual([['ClientHello'], ['alert handshake_failure']]);
    expect(timeline.request).toBeUndefined();
    expect(timeline.response).toBeUndefined();
  });
});
