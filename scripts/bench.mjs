#!/usr/bin/env node
/**
 * `pnpm bench`: lucid-tls against node:tls and nginx, every figure measured in one run, side
 * by side, and the targets of the speed work (issue 9) checked as ratios of the same run.
 * What each figure is: packages/tls/bench/README.md.
 *
 *   pnpm bench            a table on standard output
 *   pnpm -s bench --json  one JSON object on standard output (-s: pnpm 10 prints its own
 *                         banner on standard output otherwise)
 *
 * Progress goes to standard error either way. About two minutes on two cores; the
 * environment variables below lengthen (or shorten) each part. BENCH_ONLY (a comma-separated
 * list of handshake, bulk, terminator, memory, latency) runs only those parts; the figures of
 * the others are null. Run `pnpm build` first.
 * @module
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { KINDS, SUITES, makePki } from '../packages/tls/bench/harness.js';
import { serverCpuPerHandshake } from '../packages/tls/bench/handshakes.js';
import { engineCpuPerHandshake, nobleFloor } from '../packages/tls/bench/floor.js';
import { bulk } from '../packages/tls/bench/bulk.js';
import { rssPerConnection } from '../packages/tls/bench/memory.js';
import { firstByteTimes } from '../packages/tls/bench/latency.js';
import { measureTerminators } from '../packages/terminator/bench/run.js';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const settings = {
  handshakeSeconds: env('BENCH_SECONDS', 2),
  warmUpSeconds: env('BENCH_WARMUP_SECONDS', 2),
  bulkSeconds: env('BENCH_BULK_SECONDS', 1.5),
  floorSeconds: env('BENCH_FLOOR_SECONDS', 1.5),
  httpSeconds: env('BENCH_HTTP_SECONDS', 3),
  httpConnections: env('BENCH_HTTP_CONNECTIONS', 50),
  httpThreads: env('BENCH_HTTP_THREADS', 2),
  idleConnections: env('BENCH_IDLE_CONNECTIONS', 1000),
  latencyTries: env('BENCH_LATENCY_TRIES', 5),
  rttMs: 100,
};
const PARTS = ['handshake', 'bulk', 'terminator', 'memory', 'latency'];
const only = new Set(process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : PARTS);
const json = process.argv.includes('--json');

const byKind = (f) => Object.fromEntries(KINDS.map((k) => [k, f(k)]));

async function measure() {
  const pki = makePki();
  const figures = {
    handshake: { full: { serverCpuMs: { noble: null, native: null, node: null, nobleFloor: null } }, resumed: { serverCpuMs: { noble: null, native: null, node: null } } },
    bulk: Object.fromEntries(SUITES.map((s) => [s, { mbPerSecond: byKind(() => null) }])),
    terminator: { requestsPerSecond: { lucidNative1: null, lucidNativeAll: null, lucidNoble1: null, nodeHttpsProxy: null, nginx1: null, nginx2: null } },
    memory: { rssPerConnectionKiB: { lucid: null, node: null } },
    latency: { rtt100: { firstByteMs: { full: { lucid: null, node: null }, resumed: { lucid: null, node: null }, zeroRtt: { lucid: null, node: null } } } },
  };
  const details = {};
  const notes = [];
  const loop = { seconds: settings.handshakeSeconds, warmUpSeconds: settings.warmUpSeconds };
  // How long each part took, in seconds (to tune the settings).
  details.partSeconds = {};
  let partStart = performance.now();
  const partDone = (part) => {
    details.partSeconds[part] = Math.round((performance.now() - partStart) / 100) / 10;
    partStart = performance.now();
  };

  if (only.has('handshake')) {
    for (const resumed of [false, true]) {
      for (const kind of KINDS) figures.handshake[resumed ? 'resumed' : 'full'].serverCpuMs[kind] = await serverCpuPerHandshake(kind, pki, resumed, loop);
    }
    const floor = nobleFloor(pki, { seconds: settings.floorSeconds });
    figures.handshake.full.serverCpuMs.nobleFloor = floor.ms;
    details.nobleFloorByCategory = floor.byCategory;
    details.inMemoryFullHandshakeServerCpuMs = { noble: engineCpuPerHandshake(pki, 'noble', { seconds: 1 }), native: engineCpuPerHandshake(pki, 'native', { seconds: 1 }) };
  }
  if (only.has('handshake')) partDone('handshake');
  if (only.has('bulk')) {
    details.bulkServerCpuMsPerMb = {};
    for (const suite of SUITES) {
      details.bulkServerCpuMsPerMb[suite] = {};
      for (const kind of KINDS) {
        const result = await bulk(kind, pki, suite, { seconds: settings.bulkSeconds, warmUpSeconds: 0.5 });
        figures.bulk[suite].mbPerSecond[kind] = result.mbPerSecond;
        details.bulkServerCpuMsPerMb[suite][kind] = result.serverCpuMsPerMb;
      }
    }
  }
  if (only.has('bulk')) partDone('bulk');
  if (only.has('terminator')) {
    const result = await measureTerminators({ seconds: settings.httpSeconds, connections: settings.httpConnections, threads: settings.httpThreads });
    figures.terminator.requestsPerSecond = result.requestsPerSecond;
    details.terminator = result.details;
    notes.push(...result.notes);
  }
  if (only.has('terminator')) partDone('terminator');
  if (only.has('memory')) {
    figures.memory.rssPerConnectionKiB.lucid = await rssPerConnection('native', pki, { connections: settings.idleConnections });
    figures.memory.rssPerConnectionKiB.node = await rssPerConnection('node', pki, { connections: settings.idleConnections });
  }
  if (only.has('memory')) partDone('memory');
  if (only.has('latency')) {
    const lucid = await firstByteTimes('native', pki, { rttMs: settings.rttMs, tries: settings.latencyTries });
    const node = await firstByteTimes('node', pki, { rttMs: settings.rttMs, tries: settings.latencyTries });
    for (const what of ['full', 'resumed', 'zeroRtt']) figures.latency.rtt100.firstByteMs[what] = { lucid: lucid[what], node: node[what] };
  }
  if (only.has('latency')) partDone('latency');
  return { figures, details, notes };
}

// ---- Targets (issue 9), as ratios of this run -------------------------------------------

const ratio = (a, b) => (a === null || b === null ? null : a / b);

function targets(f) {
  const hs = f.handshake;
  const t = f.terminator.requestsPerSecond;
  const list = [
    ['handshake.full.native/node', 'native: server CPU per full handshake ≤ 1.0× node:tls', ratio(hs.full.serverCpuMs.native, hs.full.serverCpuMs.node), '<=', 1.0],
    ['handshake.resumed.native/node', 'native: server CPU per resumed handshake ≤ 1.0× node:tls', ratio(hs.resumed.serverCpuMs.native, hs.resumed.serverCpuMs.node), '<=', 1.0],
    ...SUITES.map((s) => [`bulk.${s}.native/node`, `native: bulk ${s} ≥ 1.0× node:tls`, ratio(f.bulk[s].mbPerSecond.native, f.bulk[s].mbPerSecond.node), '>=', 1.0]),
    ['handshake.full.noble/nobleFloor', 'noble: server CPU per full handshake ≤ 1.25× the noble floor', ratio(hs.full.serverCpuMs.noble, hs.full.serverCpuMs.nobleFloor), '<=', 1.25],
    ['terminator.lucidNative1/nodeHttpsProxy', 'terminator native, 1 worker ≥ 1.2× the node:https proxy', ratio(t.lucidNative1, t.nodeHttpsProxy), '>=', 1.2],
    ['terminator.lucidNative1/nginx1', 'terminator native, 1 worker ≥ 0.6× nginx with 1 worker', ratio(t.lucidNative1, t.nginx1), '>=', 0.6],
    ['terminator.lucidNativeAll/nginx2', 'terminator native, all cores ≥ 0.6× nginx with 2 workers', ratio(t.lucidNativeAll, t.nginx2), '>=', 0.6],
    ['memory.lucid/node', 'RSS per idle connection ≤ 1.0× node:tls', ratio(f.memory.rssPerConnectionKiB.lucid, f.memory.rssPerConnectionKiB.node), '<=', 1.0],
  ].map(([id, description, value, comparison, limit]) => [id, { description, ratio: value, limit, pass: pass(value, comparison, limit) }]);
  const firstByte = f.latency.rtt100.firstByteMs;
  const ms = [
    ['latency.zeroRtt.lucid', 'over 100 ms RTT: 0-RTT first byte ≤ 230 ms', firstByte.zeroRtt.lucid, 230],
    ['latency.full.lucid', 'over 100 ms RTT: full handshake first byte ≤ 330 ms', firstByte.full.lucid, 330],
  ].map(([id, description, value, limit]) => [id, { description, ms: value, limit, pass: pass(value, '<=', limit) }]);
  return Object.fromEntries([...list, ...ms]);
}

const pass = (value, comparison, limit) => (value === null ? null : comparison === '<=' ? value <= limit : value >= limit);

// ---- Output -------------------------------------------------------------------------------

const fmt = (n, digits = 3) => (n === null || n === undefined ? '—' : n >= 1000 ? n.toFixed(0) : Number(n.toPrecision(digits)).toString());

/** Prints rows of cells: the first column left-aligned, the others right-aligned. */
function table(title, header, rows) {
  console.log(`\n${title}`);
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd();
  console.log(`  ${line(cells[0])}`);
  for (const r of cells.slice(1)) console.log(`  ${line(r)}`);
}

function printHuman({ figures: f, details, notes, targets: t, environment: e }) {
  console.log(`lucid-tls benchmark — Node ${e.node}, OpenSSL ${e.openssl}, ${e.cpus} × ${e.cpu}; load average ${e.loadAverageAtStart} at the start, ${e.loadAverageAtEnd} at the end; ${e.seconds} s`);
  const hs = f.handshake;
  table('Server CPU per handshake, ms (lower is better; over loopback, server in its own process)', ['', 'noble', 'native', 'node:tls', 'native/node', 'noble/node'], [
    ...['full', 'resumed'].map((w) => [w, fmt(hs[w].serverCpuMs.noble), fmt(hs[w].serverCpuMs.native), fmt(hs[w].serverCpuMs.node), fmt(ratio(hs[w].serverCpuMs.native, hs[w].serverCpuMs.node)), fmt(ratio(hs[w].serverCpuMs.noble, hs[w].serverCpuMs.node))]),
  ]);
  if (hs.full.serverCpuMs.nobleFloor !== null) {
    const parts = Object.entries(details.nobleFloorByCategory).map(([c, { calls, ms }]) => `${c} ${fmt(ms)} (${calls} calls)`).join(', ');
    console.log(`  noble floor of a full handshake: ${fmt(hs.full.serverCpuMs.nobleFloor)} ms — ${parts}`);
    const mem = details.inMemoryFullHandshakeServerCpuMs;
    console.log(`  in memory (the server engine alone, no sockets): noble ${fmt(mem.noble)} ms, native ${fmt(mem.native)} ms per full handshake`);
  }
  table('Bulk, client → server, MB/s (higher is better)', ['', 'noble', 'native', 'node:tls', 'native/node', 'noble/node'],
    SUITES.map((s) => {
      const b = f.bulk[s].mbPerSecond;
      return [s, fmt(b.noble), fmt(b.native), fmt(b.node), fmt(ratio(b.native, b.node)), fmt(ratio(b.noble, b.node))];
    }));
  if (details.terminator) {
    const rows = Object.entries(details.terminator).map(([name, d]) => [d.label ?? 'upstream alone (plain HTTP)', fmt(d.requestsPerSecond), d.latencyAvg, d.cipher ?? '']);
    table(`Terminator, requests/s with wrk (${settings.httpConnections} connections, ${settings.httpSeconds} s; higher is better)`, ['', 'req/s', 'latency', 'TLS'], rows);
  }
  const m = f.memory.rssPerConnectionKiB;
  table(`Memory: server RSS per idle connection, KiB (${settings.idleConnections} connections; lower is better)`, ['', 'lucid (native)', 'node:tls', 'lucid/node'], [['RSS / connection', fmt(m.lucid), fmt(m.node), fmt(ratio(m.lucid, m.node))]]);
  const l = f.latency.rtt100.firstByteMs;
  table(`First response byte over a ${settings.rttMs} ms round trip, ms (median of ${settings.latencyTries}; lower is better)`, ['', 'lucid (native)', 'node:tls'], ['full', 'resumed', 'zeroRtt'].map((w) => [w, fmt(l[w].lucid), l[w].node === null && w === 'zeroRtt' ? 'n/a' : fmt(l[w].node)]));
  table('Targets (issue 9)', ['', 'measured', 'target', ''], Object.values(t).map((x) => [x.description, x.ms !== undefined ? `${fmt(x.ms)} ms` : `${fmt(x.ratio)}×`, x.ms !== undefined ? `${x.limit} ms` : `${x.limit}×`, x.pass === null ? 'not measured' : x.pass ? 'pass' : 'FAIL']));
  if (notes.length) console.log(`\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
}

/** Numbers rounded to 4 significant digits in the JSON. */
const round = (_key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value);

const started = performance.now();
const environment = {
  node: process.version,
  openssl: process.versions.openssl,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: availableParallelism(),
  // A load average above the CPU count means other work competes for the CPUs: expect noise.
  loadAverageAtStart: Number(loadavg()[0].toFixed(2)),
  loadAverageAtEnd: null,
  seconds: null,
  settings,
};
const { figures, details, notes } = await measure();
environment.loadAverageAtEnd = Number(loadavg()[0].toFixed(2));
environment.seconds = Math.round((performance.now() - started) / 1000);
const result = { ...figures, targets: targets(figures), environment, details, notes };
if (json) process.stdout.write(`${JSON.stringify(result, round)}\n`);
else printHuman({ figures, details, notes, targets: result.targets, environment });
process.exit(0);
