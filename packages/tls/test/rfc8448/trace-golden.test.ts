// The trace is the teaching material: a change to the engine's structure must not change a
// byte of it. `lucid-tls rfc8448 SCENARIO --trace-json` is compared with the output recorded
// in test/fixtures/trace-golden/. A deliberate change to the trace regenerates them with
//   for s in simple_1rtt resumed_0rtt hello_retry_request client_authentication compatibility_mode; do
//     node packages/tls/bin/lucid-tls.js rfc8448 $s --trace-json > packages/tls/test/fixtures/trace-golden/$s.jsonl; done
// and says why in its commit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/rfc8448/replay.js';

const bin = fileURLToPath(new URL('../../bin/lucid-tls.js', import.meta.url));

describe('lucid-tls rfc8448 --trace-json is byte-identical to the recorded trace', () => {
  for (const name of SCENARIOS) {
    it(name, () => {
      const live = execFileSync(process.execPath, [bin, 'rfc8448', name, '--trace-json'], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const golden = readFileSync(new URL(`../fixtures/trace-golden/${name}.jsonl`, import.meta.url), 'utf8');
      const [liveLines, goldenLines] = [live.split('\n'), golden.split('\n')];
      // Line by line first, so a failure names the first event that differs.
      for (let i = 0; i < Math.max(liveLines.length, goldenLines.length); i++) expect(liveLines[i], `event ${i + 1}`).toBe(goldenLines[i]);
      expect(live).toBe(golden);
    });
  }
});
