/**
 * `lucid-tls latency [--rtt MS]`: what each kind of handshake costs in time, measured. A
 * server on loopback, the latency proxy in front of it (each direction half the round trip,
 * TCP's handshake one more round trip, node/latency-proxy.ts), and a client that opens one
 * connection per kind of handshake — full, with a HelloRetryRequest, resumed, resumed with
 * 0-RTT data — and times it from its TCP SYN to the first byte of the server's answer.
 *
 * Beside each measurement, the best the handshake allows, read from the trace of the same
 * kind of connection (`handshakeTimeline`). The server answers as soon as it reads the
 * request: when the socket lets it write before the client's Finished (0.5-RTT data, RFC 8446
 * §2.3), the 0-RTT answer leaves with the server's first flight and the measurement shows it;
 * until then it leaves after the handshake, a round trip late, and the output says so.
 * @module
 */
import { connect as netConnect, createServer as netCreateServer, type AddressInfo, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientConfig, ServerConfig } from '../handshake/config.js';
import { verifyWithTrustStore } from '../connection/verifiers.js';
import { nobleProvider } from '../crypto/noble.js';
import { SingleUseTickets } from '../handshake/server/anti-replay.js';
import { RotatingTicketer } from '../handshake/server/ticketer.js';
import { decodeSession } from '../handshake/session.js';
import { startLatencyProxy } from '../node/latency-proxy.js';
import { TLSSocket } from '../node/tls-socket.js';
import type { TraceEvent } from '../trace/events.js';
import { handshakeTimeline } from '../trace/timeline.js';
import { createCertificateAuthority, issueCertificate } from '../x509/issue.js';
import { TrustStore } from '../x509/trust-store.js';
import { parseOptions, runCommand, UsageError } from './args.js';

/** The usage text of `lucid-tls latency`. */
export const LATENCY_USAGE = `usage: lucid-tls latency [--rtt MS]
  --rtt MS   the round-trip time of the simulated link, in milliseconds (default 100)

Runs a server on loopback behind a proxy that delays each direction by half the round trip,
and measures, for a full, a HelloRetryRequest, a resumed and a 0-RTT handshake, the time from
the client's TCP SYN to the first byte of the server's answer, beside the least the handshake
allows (from its trace). Use 'lucid-tls client --rtt MS' to measure a server of your own.
`;

/** The kinds of handshake measured, as changes to the client's configuration. */
const MODES: readonly { name: string; client: Partial<ClientConfig>; resume?: 'session' | 'early data' }[] = [
  { name: 'full handshake', client: {} },
  // The client's one key share is for secp256r1; the server wants x25519 and asks again (§4.1.4).
  { name: 'with a HelloRetryRequest', client: { groups: ['secp256r1', 'x25519'], keyShareGroups: ['secp256r1'] } },
  { name: 'resumed', client: {}, resume: 'session' },
  { name: 'resumed with 0-RTT data', client: {}, resume: 'early data' },
];

const REQUEST = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n';

/** The largest round trip: a connection takes a few of them, and the command should end in a minute. */
const MAX_RTT_MS = 2000;

/** Runs `lucid-tls latency`; resolves to the exit status. */
export function latencyCommand(args: string[]): Promise<number> {
  return runCommand('latency', LATENCY_USAGE, args, latencyOptions, runLatency);
}

function latencyOptions(args: string[]): { rttMs: number } {
  const o = parseOptions(args, { valued: ['rtt'], flags: [] });
  return { rttMs: parseRtt(o.values.get('rtt') ?? '100') };
}

/** A round-trip time option in milliseconds: a whole number from 0 to {@link MAX_RTT_MS}. */
export function parseRtt(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_RTT_MS) throw new UsageError(`--rtt wants milliseconds from 0 to ${MAX_RTT_MS}, not ${text}`);
  return Number(text);
}

/** One kind of handshake, measured. */
export interface LatencyResult {
  name: string;
  /** Round trips to the first byte of the answer at best, from the connection's trace. */
  roundTrips: number;
  /** Milliseconds from the TCP SYN to the first byte of the answer, through the proxy. */
  measuredMs: number;
  /** Whether the server could answer before the client's Finished (0.5-RTT data). */
  answeredBeforeFinished: boolean;
}

async function runLatency({ rttMs }: { rttMs: number }): Promise<number> {
  const results = await measureLatency(rttMs);
  process.stdout.write(formatLatency(results, rttMs));
  return 0;
}

/**
 * Measures each kind of handshake over a simulated link of `rttMs`.
 *
 * A lab of its own: a CA, a certificate for localhost, a server that answers the first bytes
 * it reads, the proxy in front of it.
 */
export async function measureLatency(rttMs: number): Promise<LatencyResult[]> {
  const ca = createCertificateAuthority();
  const leaf = issueCertificate(ca, { names: ['localhost'] });
  const lab = await startLab({ certificate: { chain: [leaf.certificate.der], privateKey: leaf.privateKey } });
  const proxy = await startLatencyProxy({ target: { host: '127.0.0.1', port: lab.port }, rttMs });
  const verifier = verifyWithTrustStore(TrustStore.fromCertificates([ca.certificate]));
  const results: LatencyResult[] = [];
  try {
    for (const mode of MODES) {
      const config: Omit<ClientConfig, 'verifyServerCertificate'> = { serverName: 'localhost', ...mode.client };
      const withSession = async () => {
        if (!mode.resume) return config;
        // A first connection, straight to the server, leaves the ticket.
        const session = (await exchange(lab.port, config, verifier)).session;
        if (!session) throw new Error('the server sent no session ticket');
        return { ...config, session: decodeSession(session), ...(mode.resume === 'early data' ? { earlyData: REQUEST } : {}) };
      };
      // The least it can take, from the trace of a connection of this kind (straight to the server).
      const events: TraceEvent[] = [];
      await exchange(lab.port, { ...(await withSession()), trace: (e) => events.push(e) }, verifier);
      const roundTrips = handshakeTimeline(events).response?.arrives ?? NaN;
      // What it takes through the proxy, untraced.
      const measured = await exchange(proxy.port, await withSession(), verifier);
      results.push({ name: mode.name, roundTrips, measuredMs: measured.firstByteMs, answeredBeforeFinished: lab.lastAnswerEarly });
    }
  } finally {
    await proxy.close();
    await lab.close();
  }
  return results;
}

/** The table `lucid-tls latency` prints. */
export function formatLatency(results: readonly LatencyResult[], rttMs: number): string {
  const lines = [
    `Time to the first byte of the answer, over a link with a ${rttMs} ms round trip`,
    `(a proxy on loopback delays each direction by ${rttMs / 2} ms; TCP's handshake counts one round trip)`,
    '',
    `${'handshake'.padEnd(28)}${'round trips'.padStart(12)}${'at best'.padStart(10)}${'measured'.padStart(11)}`,
  ];
  let late = false;
  for (const r of results) {
    const mark = r.name.includes('0-RTT') && !r.answeredBeforeFinished ? ' *' : '';
    late ||= mark !== '';
    lines.push(`${r.name.padEnd(28)}${String(r.roundTrips).padStart(12)}${`${r.roundTrips * rttMs} ms`.padStart(10)}${`${Math.round(r.measuredMs)} ms`.padStart(11)}${mark}`);
  }
  lines.push('', 'What a measurement adds to the best is computing: keys, signatures, certificate checks.');
  if (late) {
    lines.push('* The server read the 0-RTT request at once, but could answer only after the client’s Finished:', '  this build does not yet send data before the handshake completes (0.5-RTT data, RFC 8446 §2.3).');
  }
  return `${lines.join('\n')}\n`;
}

/** The lab's server: TLS on loopback, answering the first bytes it reads. */
interface Lab {
  port: number;
  /** Whether the last answer left before the client's Finished arrived (0.5-RTT data, §2.3). */
  lastAnswerEarly: boolean;
  close(): Promise<void>;
}

async function startLab(options: Pick<ServerConfig, 'certificate'>): Promise<Lab> {
  const config: ServerConfig = {
    certificate: options.certificate,
    groups: ['x25519', 'secp256r1'],
    // The server insists on x25519: a client that guessed another group gets a HelloRetryRequest.
    groupSelection: 'server-preference',
    tickets: { count: 1, ticketer: new RotatingTicketer(nobleProvider) },
    maxEarlyDataSize: 16384,
    antiReplay: new SingleUseTickets(),
  };
  const server: Server = netCreateServer({ allowHalfOpen: true }, (transport) => {
    const socket = new TLSSocket(transport, { isServer: true, config, rejectUnauthorized: true });
    let secure = false;
    socket.once('secure', () => (secure = true));
    socket.on('error', () => socket.destroy());
    // The answer goes as soon as the socket lets it: 0-RTT data is read before the handshake
    // completes, and a socket that allows writing then sends the answer with its first flight.
    socket.once('data', () => {
      socket.write(RESPONSE, () => (lab.lastAnswerEarly = !secure));
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const lab: Lab = {
    port: (server.address() as AddressInfo).port,
    lastAnswerEarly: false,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return lab;
}

/**
 * One connection to `port`: the request (as 0-RTT data when the config says so), until the
 * first byte of the answer; the time that took from the TCP SYN, and the session it left.
 */
function exchange(
  port: number,
  config: Omit<ClientConfig, 'verifyServerCertificate'>,
  verifier: ClientConfig['verifyServerCertificate'],
): Promise<{ firstByteMs: number; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = new TLSSocket(netConnect({ host: '127.0.0.1', port, allowHalfOpen: true }), { isServer: false, config, verifier, rejectUnauthorized: true });
    let firstByteMs: number | undefined;
    let session: Buffer | undefined;
    socket.on('session', (s: Buffer) => (session = s));
    socket.on('data', () => (firstByteMs ??= performance.now() - started));
    socket.on('error', reject);
    socket.on('close', () => {
      if (firstByteMs === undefined) return reject(new Error('the server closed without answering'));
      resolve({ firstByteMs, ...(session ? { session } : {}) });
    });
    if (!config.earlyData) socket.write(REQUEST);
    socket.end();
  });
}
