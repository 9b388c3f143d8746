#!/usr/bin/env node
/**
 * A first benchmark of lucid-tls against node:tls (OpenSSL), side by side on the same
 * machine in the same run:
 *
 *  1. full handshakes per second, and server CPU time per handshake
 *     (ECDSA P-256 certificate, x25519, TLS_AES_128_GCM_SHA256);
 *  2. resumed handshakes per second (a session ticket from an earlier connection);
 *  3. bulk throughput per cipher suite (client → server, 16 KiB writes).
 *
 * lucid-tls runs client and server in memory (sans-IO: bytes are handed from one to the
 * other); node:tls runs over loopback. Every number is also printed as a ratio
 * lucid / node. See README.md next to this file for how to read them.
 *
 * Environment: BENCH_SECONDS (length of each timed handshake loop, default 3),
 * BENCH_BULK_MIB (bytes per bulk transfer, default 64; a transfer also lasts at least
 * 1 s), BENCH_BULK_MAX_SECONDS (a time cap on each bulk transfer, default 8).
 *
 * Run `pnpm build` first, then `pnpm bench` at the repository root.
 * @module
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
// The built package (`pnpm build` first): what its users import.
import { ClientConnection, RotatingTicketer, ServerConnection, insecureSkipVerify, nobleProvider } from '@lucid-tls/tls';
import { parsePrivateKeyPem, pemBlocks } from '@lucid-tls/tls/x509';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BULK_BYTES = Math.round(Number(process.env.BENCH_BULK_MIB ?? 64) * 1024 * 1024);
const BULK_MIN_SECONDS = 1;
const BULK_MAX_SECONDS = Number(process.env.BENCH_BULK_MAX_SECONDS ?? 8);
const CHUNK = 16 * 1024;
const HANDSHAKE_SUITE = 'TLS_AES_128_GCM_SHA256';
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

// ---- Setup -----------------------------------------------------------------------------

/** An ECDSA P-256 certificate for "localhost", made with the openssl CLI in a temp dir. */
function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2',
    ], { stdio: 'pipe' });
    return { keyPem: readFileSync(join(dir, 'k.pem'), 'utf8'), certPem: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Measuring -------------------------------------------------------------------------

/** CPU time (user + system) used by this process since `start`, in microseconds. */
function cpuSince(start) {
  const { user, system } = process.cpuUsage(start);
  return user + system;
}

/** Runs `run` over and over for `seconds`; returns how often, how long, and the CPU used. */
function timeBoxed(seconds, run) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  let elapsed = 0;
  do {
    run();
    count++;
    elapsed = performance.now() - t0;
  } while (elapsed < seconds * 1000);
  return { count, ms: elapsed, cpuMicros: cpuSince(cpu0) };
}

/** {@link timeBoxed} for an asynchronous step. */
async function timeBoxedAsync(seconds, run) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  let elapsed = 0;
  do {
    await run();
    count++;
    elapsed = performance.now() - t0;
  } while (elapsed < seconds * 1000);
  return { count, ms: elapsed, cpuMicros: cpuSince(cpu0) };
}

/**
 * Whether a bulk transfer goes on: until BULK_BYTES are sent and at least
 * BULK_MIN_SECONDS have passed (a fast side would otherwise be timed over a few
 * hundred milliseconds), but never beyond BULK_MAX_SECONDS.
 */
function moreBulk(sent, elapsedMs) {
  if (elapsedMs >= BULK_MAX_SECONDS * 1000) return false;
  return sent < BULK_BYTES || elapsedMs < BULK_MIN_SECONDS * 1000;
}

// ---- lucid-tls, in memory ----------------------------------------------------------------

/** Accumulates the CPU time spent inside server calls. */
class ServerClock {
  micros = 0;
  run(work) {
    const start = process.cpuUsage();
    try {
      return work();
    } finally {
      this.micros += cpuSince(start);
    }
  }
}

/**
 * One lucid handshake in memory: bytes are handed back and forth until neither side has
 * anything more to send (this includes the server's NewSessionTickets). Returns both
 * connections and the session the client was given.
 */
function lucidHandshake(serverConfig, clientConfig, clock) {
  const server = clock.run(() => new ServerConnection(serverConfig));
  const client = new ClientConnection(clientConfig);
  for (let flight = 0; flight < 8; flight++) {
    const toServer = client.takeOutgoing();
    const toClient = clock.run(() => {
      if (toServer.length) server.receive(toServer);
      return server.takeOutgoing();
    });
    if (toClient.length) client.receive(toClient);
    if (toServer.length === 0 && toClient.length === 0) break;
  }
  if (!client.handshakeComplete || !server.handshakeComplete) throw new Error('lucid handshake did not complete');
  const session = client.takeEvents().find((e) => e.type === 'session')?.session;
  return { client, server, session };
}

function lucidConfigs(cert, suite, ticketer) {
  const serverConfig = {
    certificate: cert,
    cipherSuites: [suite],
    groups: ['x25519'],
    tickets: { ticketer },
  };
  const clientConfig = {
    serverName: 'localhost',
    verifyServerCertificate: insecureSkipVerify,
    cipherSuites: [suite],
    groups: ['x25519'],
  };
  return { serverConfig, clientConfig };
}

function lucidHandshakes(cert, resumed) {
  const ticketer = new RotatingTicketer(nobleProvider);
  const { serverConfig, clientConfig } = lucidConfigs(cert, HANDSHAKE_SUITE, ticketer);
  const first = lucidHandshake(serverConfig, clientConfig, new ServerClock());
  check(first.server.info.signatureScheme === 'ecdsa_secp256r1_sha256', `lucid signature scheme ${first.server.info.signatureScheme}`);
  check(first.server.info.group === 'x25519', `lucid group ${first.server.info.group}`);
  const config = resumed ? { ...clientConfig, session: first.session } : clientConfig;
  // OpenSSL (node:tls) issues no new ticket when a session is resumed; do the same, so
  // that both sides of the comparison do the same protocol work.
  const server = resumed ? { ...serverConfig, tickets: { ticketer, count: 0 } } : serverConfig;
  for (let i = 0; i < 20; i++) lucidHandshake(server, config, new ServerClock()); // warm-up
  const clock = new ServerClock();
  let resumedCount = 0;
  const result = timeBoxed(SECONDS, () => {
    if (lucidHandshake(server, config, clock).client.info.resumed) resumedCount++;
  });
  check(resumedCount === (resumed ? result.count : 0), `lucid resumed ${resumedCount} of ${result.count}`);
  return summarizeHandshakes(result, clock.micros);
}

function lucidBulk(cert, suite) {
  const ticketer = new RotatingTicketer(nobleProvider);
  const { serverConfig, clientConfig } = lucidConfigs(cert, suite, ticketer);
  const { client, server } = lucidHandshake(serverConfig, clientConfig, new ServerClock());
  check(server.info.cipherSuite?.name === suite, `lucid negotiated ${server.info.cipherSuite?.name}`);
  const chunk = new Uint8Array(randomBytes(CHUNK));
  // Warm-up: a few records through the same code path.
  for (let i = 0; i < 16; i++) (client.write(chunk), server.receive(client.takeOutgoing()), server.read());
  let sent = 0;
  let received = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (moreBulk(sent, performance.now() - t0)) {
    client.write(chunk);
    server.receive(client.takeOutgoing());
    received += server.read().length;
    sent += CHUNK;
  }
  const ms = performance.now() - t0;
  check(received === sent, `lucid received ${received} of ${sent} bytes`);
  return bulkResult(received, ms, cpuSince(cpu0));
}

// ---- node:tls, over loopback ----------------------------------------------------------------

/** Starts the node:tls server in a child process (so its CPU time can be read apart). */
async function startNodeServer(pems, suite) {
  const child = fork(join(here, 'node-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ type: 'start', cert: pems.certPem, key: pems.keyPem, ciphers: suite, groups: 'X25519' });
  const [message] = await once(child, 'message');
  const usage = async () => {
    child.send({ type: 'usage' });
    const [reply] = await once(child, 'message');
    return reply;
  };
  return { port: message.port, usage, stop: () => child.disconnect() };
}

function nodeClientOptions(port, suite, session) {
  return {
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    rejectUnauthorized: false, // like insecureSkipVerify: neither side checks the chain
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: suite,
    ecdhCurve: 'X25519',
    session,
  };
}

/**
 * One node:tls handshake: connect and wait until it is complete, then close. A full
 * handshake also waits for the first session ticket (so the server has done its ticket
 * work, as in the lucid loop); a resumed one gets no ticket from OpenSSL.
 */
function nodeHandshake(port, session) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(nodeClientOptions(port, HANDSHAKE_SUITE, session));
    socket.once('error', reject);
    const done = (ticket) => {
      const cipher = socket.getCipher()?.name;
      socket.end();
      resolve({ ticket, reused: socket.isSessionReused(), cipher });
    };
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) done(undefined);
      else socket.once('session', done);
    });
  });
}

async function nodeHandshakes(pems, resumed) {
  const server = await startNodeServer(pems, HANDSHAKE_SUITE);
  try {
    const first = await nodeHandshake(server.port);
    check(first.cipher === HANDSHAKE_SUITE, `node negotiated ${first.cipher}`);
    const session = resumed ? first.ticket : undefined;
    for (let i = 0; i < 20; i++) await nodeHandshake(server.port, session); // warm-up
    const before = await server.usage();
    let resumedCount = 0;
    const result = await timeBoxedAsync(SECONDS, async () => {
      if ((await nodeHandshake(server.port, session)).reused) resumedCount++;
    });
    const after = await server.usage();
    check(resumedCount === (resumed ? result.count : 0), `node resumed ${resumedCount} of ${result.count}`);
    check(after.handshakes - before.handshakes >= result.count - 1, `node server saw ${after.handshakes - before.handshakes} of ${result.count}`);
    const serverMicros = after.cpuMicros - before.cpuMicros;
    return summarizeHandshakes({ ...result, cpuMicros: result.cpuMicros + serverMicros }, serverMicros);
  } finally {
    server.stop();
  }
}

/** Bulk transfer client → server over loopback, both ends in this process (one thread, as lucid's). */
async function nodeBulk(pems, suite) {
  const server = tls.createServer({ cert: pems.certPem, key: pems.keyPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: suite });
  let received = 0;
  let target = Infinity;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  server.on('secureConnection', (socket) => {
    socket.on('data', (data) => {
      received += data.length;
      if (received >= target) finish();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = tls.connect(nodeClientOptions(server.address().port, suite));
  await once(client, 'secureConnect');
  check(client.getCipher().name === suite, `node negotiated ${client.getCipher().name}`);
  const chunk = randomBytes(CHUNK);
  const write = async () => {
    if (!client.write(chunk)) await once(client, 'drain');
  };
  // Warm-up, then start counting from zero.
  for (let i = 0; i < 16; i++) await write();
  target = 16 * CHUNK;
  if (received < target) await finished;
  const finishedAgain = new Promise((resolve) => (finish = resolve));
  received = 0;
  target = Infinity;

  let sent = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (moreBulk(sent, performance.now() - t0)) {
    await write();
    sent += CHUNK;
  }
  target = sent;
  if (received < target) await finishedAgain;
  const ms = performance.now() - t0;
  const cpuMicros = cpuSince(cpu0);
  client.destroy();
  server.close();
  return bulkResult(received, ms, cpuMicros);
}

// ---- Reporting -------------------------------------------------------------------------

function summarizeHandshakes(result, serverMicros) {
  return {
    count: result.count,
    perSecond: result.count / (result.ms / 1000),
    serverCpuMs: serverMicros / 1000 / result.count,
    totalCpuMs: result.cpuMicros / 1000 / result.count,
  };
}

/** MB/s by the clock, and MB per CPU-second (steadier when the machine is busy). */
function bulkResult(bytes, ms, cpuMicros) {
  return { bytes, ms, cpuMicros, mbPerSecond: bytes / 1e6 / (ms / 1000), mbPerCpuSecond: bytes / 1e6 / (cpuMicros / 1e6) };
}

function check(condition, what) {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3));

function printTable(rows) {
  const header = ['measure', 'lucid-tls', 'node:tls', 'lucid/node', ''];
  const body = rows.map((r) => [r.name, `${fmt(r.lucid)} ${r.unit}`, `${fmt(r.node)} ${r.unit}`, `${(r.lucid / r.node).toFixed(3)}`, r.better === 'higher' ? '(higher is better)' : '(lower is better)']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

// ---- Main ------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const pems = makeCertificate();
  const cert = { chain: pemBlocks(pems.certPem, 'CERTIFICATE'), privateKey: parsePrivateKeyPem(pems.keyPem) };
  const environment = {
    node: process.version,
    openssl: process.versions.openssl,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    // A load average above the CPU count means other work competes for the CPUs: expect noise.
    loadAverage: Number(loadavg()[0].toFixed(2)),
    seconds: SECONDS,
    bulkMiB: BULK_BYTES / 1024 / 1024,
  };
  console.log(`lucid-tls vs node:tls — Node ${environment.node}, OpenSSL ${environment.openssl}, ${environment.cpus} × ${environment.cpu}, load average ${environment.loadAverage}`);
  console.log(`${SECONDS} s per handshake loop; bulk ${environment.bulkMiB} MiB per suite (and at least ${BULK_MIN_SECONDS} s, at most ${BULK_MAX_SECONDS} s)\n`);

  const progress = (what) => process.stderr.write(`  measuring ${what}…\n`);
  progress('full handshakes (lucid)');
  const fullLucid = lucidHandshakes(cert, false);
  progress('full handshakes (node)');
  const fullNode = await nodeHandshakes(pems, false);
  progress('resumed handshakes (lucid)');
  const resumedLucid = lucidHandshakes(cert, true);
  progress('resumed handshakes (node)');
  const resumedNode = await nodeHandshakes(pems, true);
  const bulk = {};
  for (const suite of SUITES) {
    progress(`bulk ${suite} (lucid)`);
    const l = lucidBulk(cert, suite);
    progress(`bulk ${suite} (node)`);
    const n = await nodeBulk(pems, suite);
    bulk[suite] = { lucid: l, node: n };
  }
  console.log('');

  const rows = [
    { name: 'full handshakes/s', unit: '/s', lucid: fullLucid.perSecond, node: fullNode.perSecond, better: 'higher' },
    { name: 'full: server CPU per handshake', unit: 'ms', lucid: fullLucid.serverCpuMs, node: fullNode.serverCpuMs, better: 'lower' },
    { name: 'full: client+server CPU per handshake', unit: 'ms', lucid: fullLucid.totalCpuMs, node: fullNode.totalCpuMs, better: 'lower' },
    { name: 'resumed handshakes/s', unit: '/s', lucid: resumedLucid.perSecond, node: resumedNode.perSecond, better: 'higher' },
    { name: 'resumed: server CPU per handshake', unit: 'ms', lucid: resumedLucid.serverCpuMs, node: resumedNode.serverCpuMs, better: 'lower' },
    { name: 'resumed: client+server CPU per handshake', unit: 'ms', lucid: resumedLucid.totalCpuMs, node: resumedNode.totalCpuMs, better: 'lower' },
    ...SUITES.map((suite) => ({ name: `bulk ${suite}`, unit: 'MB/s', lucid: bulk[suite].lucid.mbPerSecond, node: bulk[suite].node.mbPerSecond, better: 'higher' })),
  ];
  printTable(rows);
  const bulkNote = SUITES.map((s) => `${s}: lucid ${(bulk[s].lucid.bytes / 2 ** 20).toFixed(0)} MiB, node ${(bulk[s].node.bytes / 2 ** 20).toFixed(0)} MiB`).join('; ');
  console.log(`\nbulk bytes moved — ${bulkNote}`);
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  const ratio = (a, b) => Number((a / b).toFixed(4));
  const json = {
    environment,
    fullHandshake: { lucid: fullLucid, node: fullNode, ratio: { perSecond: ratio(fullLucid.perSecond, fullNode.perSecond), serverCpuMs: ratio(fullLucid.serverCpuMs, fullNode.serverCpuMs), totalCpuMs: ratio(fullLucid.totalCpuMs, fullNode.totalCpuMs) } },
    resumedHandshake: { lucid: resumedLucid, node: resumedNode, ratio: { perSecond: ratio(resumedLucid.perSecond, resumedNode.perSecond), serverCpuMs: ratio(resumedLucid.serverCpuMs, resumedNode.serverCpuMs), totalCpuMs: ratio(resumedLucid.totalCpuMs, resumedNode.totalCpuMs) } },
    bulk: Object.fromEntries(SUITES.map((s) => [s, { lucid: bulk[s].lucid, node: bulk[s].node, ratio: ratio(bulk[s].lucid.mbPerSecond, bulk[s].node.mbPerSecond) }])),
  };
  console.log(`BENCH_JSON ${JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v))}`);
}

await main();
