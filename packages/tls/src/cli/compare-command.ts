/**
 * `lucid-tls compare [--rtt MS] [--all] [--json]`: a TLS 1.2 and a TLS 1.3 handshake, and a
 * TLS 1.3 resumption with 0-RTT data, between a client and a server in memory over a
 * simulated link; side by side, the flights of each, the round trips before the first
 * application byte, and the bytes on the wire.
 * @module
 */
import { compareHandshakes, type ComparedHandshake, type ComparisonRun, type Flight } from '../compare/compare.js';
import { parseOptions, runCommand, UsageError } from './args.js';

const USAGE = `usage: lucid-tls compare [--rtt MS] [--all] [--json]

Runs, between a client and a server in memory, over a link whose round trip is MS
milliseconds (default 100): a TLS 1.2 handshake, a TLS 1.3 handshake, and a TLS 1.3
resumption with the request as 0-RTT data; then prints, side by side, the flights of each
(→ client to server, ← server to client), when the client could send its request, when the
first byte of the response arrived, and the bytes each side sent. TCP's own handshake costs
the first round trip; computing costs nothing here, so only the protocols differ.

  --rtt MS   the link's round trip in milliseconds (default 100)
  --all      the resumptions of both versions too
  --json     the runs as JSON
`;

const SPEC = { valued: ['rtt'], flags: ['all', 'json'] };

interface CompareOptions {
  rttMs: number;
  handshakes: ComparedHandshake[];
  json: boolean;
}

/** Runs `lucid-tls compare`; resolves to the exit status. */
export function compareCommand(args: string[]): Promise<number> {
  return runCommand('compare', USAGE, args, compareOptions, async (options) => {
    const runs = compareHandshakes(options);
    process.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : renderComparison(runs, options.rttMs));
    return 0;
  });
}

function compareOptions(args: string[]): CompareOptions {
  const o = parseOptions(args, SPEC);
  const rtt = o.values.get('rtt') ?? '100';
  const rttMs = Number(rtt);
  if (!/^\d+(\.\d+)?$/.test(rtt) || !(rttMs > 0) || rttMs > 60_000) throw new UsageError(`--rtt: a round trip in milliseconds, 1 to 60000, not ${rtt}`);
  const handshakes: ComparedHandshake[] = o.flags.has('all') ? ['tls12', 'tls12-resumed', 'tls13', 'tls13-resumed', 'tls13-0rtt'] : ['tls12', 'tls13', 'tls13-0rtt'];
  return { rttMs, handshakes, json: o.flags.has('json') };
}

/** The width of the column of times, and of the labels of the summary. */
const TIME_WIDTH = 9;
const LABEL_WIDTH = 34;

/**
 * The runs as text: a row for each moment a flight leaves, a column for each run, then the
 * summary.
 */
export function renderComparison(runs: ComparisonRun[], rttMs: number): string {
  const width = Math.max(24, Math.floor((Math.max(process.stdout.columns ?? 0, 100) - TIME_WIDTH) / runs.length) - 2);
  const lines = [
    `${runs.map((r) => r.title).join(', ')}: a client and a server over a link with a ${rttMs} ms round trip.`,
    `Each starts after TCP's handshake (one round trip); → is a flight from the client, ← from the server.`,
    '',
    (' '.repeat(TIME_WIDTH) + runs.map((r) => r.title.padEnd(width)).join('  ')).trimEnd(),
  ];
  const times = [...new Set(runs.flatMap((r) => r.flights.map((f) => f.sentAt)))].sort((a, b) => a - b);
  for (const time of times) {
    const cells = runs.map((r) => wrap(r.flights.filter((f) => f.sentAt === time).map(describe).join('; '), width));
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      const label = i === 0 ? `${formatMs(time)} ms`.padStart(TIME_WIDTH - 2).padEnd(TIME_WIDTH) : ' '.repeat(TIME_WIDTH);
      lines.push((label + cells.map((c) => (c[i] ?? '').padEnd(width)).join('  ')).trimEnd());
    }
  }
  const row = (label: string, value: (r: ComparisonRun) => string) => label.padEnd(LABEL_WIDTH) + runs.map((r) => value(r).padEnd(18)).join('').trimEnd();
  lines.push(
    '',
    row('', (r) => r.title),
    row('round trips to the request', (r) => (r.roundTripsToRequest === 0 ? '0 (0-RTT)' : String(r.roundTripsToRequest))),
    row('first response byte, TCP included', (r) => `${formatMs(r.roundTripsToResponse * rttMs)} ms`),
    row('handshake bytes, client → server', (r) => String(r.handshakeBytes.client)),
    row('handshake bytes, server → client', (r) => String(r.handshakeBytes.server)),
    row('all bytes, both ways', (r) => String(r.totalBytes.client + r.totalBytes.server)),
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** `→ ClientHello, early data` */
function describe(flight: Flight): string {
  return `${flight.from === 'client' ? '→' : '←'} ${flight.carried.join(', ')}`;
}

const formatMs = (ms: number) => String(Math.round(ms * 10) / 10);

/** `text` in lines of at most `width`, broken after commas and spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
