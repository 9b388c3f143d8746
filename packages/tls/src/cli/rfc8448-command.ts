/**
 * `lucid-tls rfc8448 [SCENARIO] [--json] [--trace | --trace-json | --html FILE]`: runs the
 * engines on RFC 8448's inputs and prints what they computed, under the vectors' names,
 * or their trace (`--html` writes one scenario's trace as an illustrated web page).
 * @module
 */
import { writeFileSync } from 'node:fs';
import { runScenario, SCENARIOS, type ScenarioName } from '../rfc8448/replay.js';
import { renderHtml } from '../trace/render-html.js';
import { renderTrace } from '../trace/render-terminal.js';

const USAGE = `usage: lucid-tls rfc8448 [${SCENARIOS.join('|')}] [--json] [--trace | --trace-json]
       lucid-tls rfc8448 SCENARIO --html FILE`;

const HELP = `${USAGE}

Runs the client and server engines on the inputs of RFC 8448 (its randoms and private keys),
and prints what they computed under the names of the RFC's values; the tests check every one
against the RFC. Without a SCENARIO, all five:

  simple_1rtt            §3  a full handshake
  resumed_0rtt           §4  resumption with a ticket from §3, and 0-RTT data
  hello_retry_request    §5  the server asks for another key share
  client_authentication  §6  the client shows a certificate too
  compatibility_mode     §7  middlebox compatibility mode (RFC 8446 Appendix D.4)

options:
  --json         the values as JSON, by scenario
  --trace        every record, message, field and secret, each with its meaning
  --trace-json   the same trace, one JSON event a line
  --html FILE    one scenario's trace as an illustrated web page
  --help         this text
`;

export function rfc8448Command(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  // `--html` takes the next argument as its value; every other option is a flag.
  const htmlAt = args.indexOf('--html');
  let htmlFile: string | undefined;
  if (htmlAt >= 0) {
    htmlFile = args[htmlAt + 1];
    if (htmlFile === undefined || htmlFile.startsWith('--')) {
      process.stderr.write(`lucid-tls rfc8448: --html needs a file name\n${USAGE}\n`);
      return 2;
    }
    args = [...args.slice(0, htmlAt), ...args.slice(htmlAt + 2)];
  }
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  for (const f of flags) {
    if (!['--json', '--trace', '--trace-json'].includes(f)) {
      process.stderr.write(`lucid-tls rfc8448: unknown option ${f}\n${USAGE}\n`);
      return 2;
    }
  }
  const unknown = names.find((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown || names.length > 1) {
    process.stderr.write(`lucid-tls rfc8448: unknown scenario ${unknown ?? names.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const scenarios: readonly ScenarioName[] = names.length ? (names as ScenarioName[]) : SCENARIOS;

  if (htmlFile !== undefined) {
    // One page tells one connection: the scenario must be named.
    const [name] = names as ScenarioName[];
    if (name === undefined || flags.size > 0) {
      process.stderr.write(`lucid-tls rfc8448: --html needs one scenario and no other option\n${USAGE}\n`);
      return 2;
    }
    const page = renderHtml(runScenario(name).events, { title: `RFC 8448 ${name}: a TLS 1.3 connection, byte by byte` });
    writeFileSync(htmlFile, page);
    process.stderr.write(`wrote ${htmlFile}\n`);
    return 0;
  }

  if (flags.has('--trace-json') || flags.has('--trace')) {
    for (const name of scenarios) {
      const { events } = runScenario(name);
      if (flags.has('--trace-json')) {
        for (const e of events) process.stdout.write(`${JSON.stringify(e)}\n`);
      } else {
        process.stdout.write(`\n=== RFC 8448 ${name} ===\n\n`);
        process.stdout.write(renderTrace(events, { color: !!process.stdout.isTTY }));
      }
    }
    return 0;
  }
  if (flags.has('--json')) {
    const out: Record<string, Record<string, string>> = {};
    for (const name of scenarios) out[name] = sorted(runScenario(name).values);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  for (const name of scenarios) {
    process.stdout.write(`# ${name}\n`);
    for (const [k, v] of Object.entries(sorted(runScenario(name).values))) process.stdout.write(`${k} ${v}\n`);
  }
  return 0;
}

function sorted(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
}
