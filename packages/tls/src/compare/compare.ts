/**
 * TLS 1.2 beside TLS 1.3, over a simulated link: a client and a server in memory, each
 * flight crossing the link in half a round trip, and the client's request waiting for the
 * moment its protocol lets it go. Behind `lucid-tls compare` and the tutorial "TLS 1.2 and
 * TLS 1.3 side by side".
 *
 * The link is a clock, not a socket: the engines are sans-IO, so a flight is the bytes a side
 * hands over at once, and it arrives `rtt / 2` later. TCP's own handshake costs one round trip
 * before the ClientHello (as on a real link); computing takes no time here, so what differs is
 * the protocols alone: their flights, their round trips, their bytes.
 * @module
 */
import { ClientConnection } from '../connection/client-connection.js';
import type { Connection } from '../connection/connection.js';
import { ServerConnection } from '../connection/server-connection.js';
import { verifyWithTrustStore } from '../connection/verifiers.js';
import { nobleProvider } from '../crypto/noble.js';
import type { ClientConfig, ServerConfig } from '../handshake/config.js';
import { SingleUseTickets } from '../handshake/server/anti-replay.js';
import { RotatingTicketer } from '../handshake/server/ticketer.js';
import type { Session } from '../handshake/session.js';
import type { ProtocolName } from '../handshake/versions.js';
import type { Side, TraceEvent } from '../trace/events.js';
import { createCertificateAuthority, issueCertificate } from '../x509/issue.js';
import { TrustStore } from '../x509/trust-store.js';

/**
 * The handshakes compared: TLS 1.2 and TLS 1.3 in full, each resumed, and TLS 1.3 resumed
 * with the request as 0-RTT data.
 * @category Comparison
 */
export const COMPARED = ['tls12', 'tls12-resumed', 'tls13', 'tls13-resumed', 'tls13-0rtt'] as const;
/**
 * One of {@link COMPARED}.
 * @category Comparison
 */
export type ComparedHandshake = (typeof COMPARED)[number];

/**
 * One flight: what a side sent at once, when it left and when it arrived.
 * @category Comparison
 */
export interface Flight {
  from: Side;
  /** When it left, in milliseconds from the start of the TCP connection. */
  sentAt: number;
  arrivesAt: number;
  /** Its bytes on the wire (records, headers included). */
  bytes: number;
  /** What it carried, in order: message names, `change_cipher_spec`, `application data`, `early data`, alerts. */
  carried: string[];
}

/**
 * A handshake over the link, and what it took.
 * @category Comparison
 */
export interface ComparisonRun {
  handshake: ComparedHandshake;
  title: string;
  protocol: ProtocolName;
  resumed: boolean;
  flights: Flight[];
  /** Round trips from the ClientHello to the client's first application byte (0 for 0-RTT data). */
  roundTripsToRequest: number;
  /** Round trips from the start (TCP's handshake included) to the first byte of the response. */
  roundTripsToResponse: number;
  /** Bytes each side sent: handshake records only, and everything (the request and response included). */
  handshakeBytes: Record<Side, number>;
  totalBytes: Record<Side, number>;
}

/** What the client asks for, and what the server answers: one small HTTP exchange. */
const REQUEST = 'GET / HTTP/1.1\r\nHost: server.example\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello';
const SERVER_NAME = 'server.example';

const TITLES: Record<ComparedHandshake, string> = {
  tls12: 'TLS 1.2',
  'tls12-resumed': 'TLS 1.2 resumed',
  tls13: 'TLS 1.3',
  'tls13-resumed': 'TLS 1.3 resumed',
  'tls13-0rtt': 'TLS 1.3 0-RTT',
};

/**
 * Runs each handshake over a link of round trip `rttMs`. Both versions use x25519 and an
 * Ed25519 certificate, so the sizes compare the protocols rather than the algorithms.
 *
 * @example
 * ```ts
 * import { compareHandshakes } from '@lucid-tls/tls/learn';
 * const runs = compareHandshakes({ rttMs: 100 });
 * // Round trips from the ClientHello until the request may go:
 * console.log(runs.map((r) => `${r.title}: ${r.roundTripsToRequest}`).join(', ')); // → TLS 1.2: 2, TLS 1.2 resumed: 1, TLS 1.3: 1, TLS 1.3 resumed: 1, TLS 1.3 0-RTT: 0
 * ```
 * @category Comparison
 */
export function compareHandshakes(options: { rttMs: number; handshakes?: readonly ComparedHandshake[] }): ComparisonRun[] {
  if (!(options.rttMs > 0)) throw new RangeError(`rttMs must be positive, not ${options.rttMs}`);
  const setup = makeSetup();
  const sessions: Partial<Record<ProtocolName, Session>> = {};
  const sessionFor = (protocol: ProtocolName) => (sessions[protocol] ??= firstSession(setup, protocol));
  return (options.handshakes ?? COMPARED).map((handshake) => {
    const protocol: ProtocolName = handshake.startsWith('tls12') ? 'TLSv1.2' : 'TLSv1.3';
    const resumed = handshake !== 'tls12' && handshake !== 'tls13';
    // Each client offers its one version: the ClientHellos are TLS 1.2's and TLS 1.3's own.
    const client: Partial<ClientConfig> = { minVersion: protocol, maxVersion: protocol };
    if (resumed) client.session = sessionFor(protocol);
    if (handshake === 'tls13-0rtt') client.earlyData = new TextEncoder().encode(REQUEST);
    return { handshake, title: TITLES[handshake], protocol, resumed, ...overTheLink(setup, client, options.rttMs) };
  });
}

/** The server's certificate and the client's trust, and what a server keeps between connections. */
interface Setup {
  client: ClientConfig;
  server: ServerConfig;
}

function makeSetup(): Setup {
  const ca = createCertificateAuthority({ keyType: 'ed25519', commonName: 'Comparison CA' });
  const leaf = issueCertificate(ca, { names: [SERVER_NAME], keyType: 'ed25519' });
  return {
    client: { serverName: SERVER_NAME, verifyServerCertificate: verifyWithTrustStore(TrustStore.fromCertificates([ca.certificate])), groups: ['x25519'] },
    server: {
      certificate: { chain: [leaf.certificate.der], privateKey: leaf.privateKey },
      groups: ['x25519'],
      tickets: { count: 1, ticketer: new RotatingTicketer(nobleProvider) },
      maxEarlyDataSize: 16384,
      antiReplay: new SingleUseTickets(),
    },
  };
}

/** A full handshake out of sight, for the session its ticket leaves the client. */
function firstSession(setup: Setup, protocol: ProtocolName): Session {
  const client = new ClientConnection({ ...setup.client, minVersion: protocol, maxVersion: protocol });
  const server = new ServerConnection(setup.server);
  for (let quiet = false; !quiet; ) {
    const request = client.takeOutgoing();
    if (request.length) server.receive(request);
    const answer = server.takeOutgoing();
    if (answer.length) client.receive(answer);
    quiet = request.length === 0 && answer.length === 0;
  }
  const event = client.takeEvents().find((e) => e.type === 'session');
  if (!event || event.type !== 'session') throw new Error(`no ${protocol} session ticket`);
  return event.session;
}

/** A delivery on its way: the flight, and who receives it. */
interface InFlight {
  flight: Flight;
  data: Uint8Array;
  to: Side;
}

/**
 * One connection over the link: the client asks for `/` at once (the engine sends it when its
 * protocol allows: as 0-RTT data, or after the handshake), the server answers when it reads it.
 */
function overTheLink(setup: Setup, extra: Partial<ClientConfig>, rtt: number): Omit<ComparisonRun, 'handshake' | 'title' | 'protocol' | 'resumed'> {
  const events: TraceEvent[] = [];
  const trace = (e: TraceEvent) => events.push(e);
  const server = new ServerConnection({ ...setup.server, trace });
  const client = new ClientConnection({ ...setup.client, ...extra, trace });
  if (!extra.earlyData) client.write(new TextEncoder().encode(REQUEST));
  const connection = (side: Side): Connection => (side === 'client' ? client : server);

  const flights: Flight[] = [];
  const queue: InFlight[] = [];
  let seen = 0;
  /** Whatever `side` has to send now leaves at `at`. */
  const send = (side: Side, at: number) => {
    const data = connection(side).takeOutgoing();
    const made = events.slice(seen);
    seen = events.length;
    if (data.length === 0) return;
    const flight: Flight = { from: side, sentAt: at, arrivesAt: at + rtt / 2, bytes: data.length, carried: carried(made, side) };
    flights.push(flight);
    queue.push({ flight, data, to: side === 'client' ? 'server' : 'client' });
  };

  // TCP's handshake takes a round trip: the ClientHello goes with the client's first data.
  send('client', rtt);
  let answered = false;
  let response: number | undefined;
  for (let next = queue.shift(); next; next = queue.shift()) {
    const at = next.flight.arrivesAt;
    const receiver = connection(next.to);
    receiver.receive(next.data);
    if (next.to === 'server' && !answered && (server.readEarlyData().length > 0 || server.read().length > 0)) {
      answered = true;
      server.write(new TextEncoder().encode(RESPONSE));
    }
    if (next.to === 'client' && response === undefined && client.read().length > 0) response = at;
    // Both may have something to send now (the receiver's answer).
    send(next.to, at);
    queue.sort((a, b) => a.flight.arrivesAt - b.flight.arrivesAt);
  }
  if (response === undefined) throw new Error('the exchange ended without a response');
  const firstRequest = flights.find((f) => f.from === 'client' && f.carried.some((c) => c === 'application data' || c === 'early data'))!;
  return {
    flights,
    roundTripsToRequest: (firstRequest.sentAt - rtt) / rtt,
    roundTripsToResponse: response / rtt,
    handshakeBytes: bytesOf(events, ['handshake', 'change_cipher_spec']),
    totalBytes: { client: sum(flights, 'client'), server: sum(flights, 'server') },
  };
}

const sum = (flights: Flight[], side: Side) => flights.filter((f) => f.from === side).reduce((n, f) => n + f.bytes, 0);

/** The bytes of the records each side sent whose (real) type is one of `types`. */
function bytesOf(events: TraceEvent[], types: string[]): Record<Side, number> {
  const out: Record<Side, number> = { client: 0, server: 0 };
  for (const e of events) if (e.kind === 'record' && e.direction === 'sent' && types.includes(e.innerType)) out[e.side] += e.hex.length / 2;
  return out;
}

/** What a flight carried, from its sender's trace. */
function carried(events: TraceEvent[], side: Side): string[] {
  const items: string[] = [];
  for (const e of events) {
    if (e.side !== side || !('direction' in e) || e.direction !== 'sent') continue;
    if (e.kind === 'message') items.push(e.type);
    else if (e.kind === 'alert') items.push(`alert ${e.description}`);
    else if (e.kind === 'record' && e.innerType === 'change_cipher_spec') items.push('change_cipher_spec');
    // Application data in the flight of a ClientHello can only be 0-RTT data.
    else if (e.kind === 'record' && e.innerType === 'application_data') items.push(items.includes('ClientHello') ? 'early data' : 'application data');
  }
  return items;
}
