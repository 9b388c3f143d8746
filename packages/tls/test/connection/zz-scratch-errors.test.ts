import { it } from 'vitest';
import { SCENARIOS, script, replay, nextFlight, frame } from './mitm.js';
it('replay', () => {
  for (const sc of SCENARIOS) {
    const steps = script(sc);
    console.log(sc, steps.map((s) => `${s.from[0]}:${s.type ?? 'data'}`).join(' '));
    for (const side of ['client', 'server'] as const) {
      for (let k = 0; k <= steps.length; k++) {
        const t0 = performance.now();
        const { ep, rest } = replay(sc, side, k);
        const t1 = performance.now();
        const flight = nextFlight(rest, side);
        const recs = frame(ep.tap, flight, (n) => [Math.floor(n / 3), Math.floor(n / 2)]);
        for (const r of recs) ep.conn.receive(r);
        console.log(`  ${side} k=${k} ${(t1 - t0).toFixed(1)}ms -> after flight(${flight.map((f) => f.type ?? 'data').join(',')}) state ${ep.conn.stateName}`);
      }
    }
  }
});
