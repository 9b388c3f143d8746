/**
 * `lucid-tls rfc8448 [SCENARIO] [--json] [--trace | --trace-json]`: runs the engines on
 * RFC 8448's inputs and prints what they computed, under the vectors' names.
 * @module
 */
import { runScenario, SCENARIOS, type ScenarioName } from '../rfc8448/replay.js';
import { renderTrace } from '../trace/render-terminal.js';

const USAGE = `usage: lucid-tls rfc8448 [${SCENARIOS.join('|')}] [--json] [--trace | --trace-json]`;

export function rfc8448Command(args: string[]): number {
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
