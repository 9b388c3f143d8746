#!/usr/bin/env node
/**
 * A quick measurement of the two crypto providers against node:tls, all over loopback
 * through the Node adapters: a server (lucid `createServer` with `crypto: nodeCryptoProvider`,
 * the same with `crypto: nobleProvider`, or node:tls `createServer`) runs in a child process
 * so its CPU time can be read apart; the clients are node:tls in this process, the same for
 * every server, so only the server differs.
 *
 *  - server CPU per full handshake (ECDSA P-256, x25519, TLS_AES_128_GCM_SHA256; the lucid
 *    server sends two tickets);
 *  - server CPU per resumed handshake (the lucid server sends its two tickets again);
 *  - bulk client → server per cipher suite: MB/s by the clock and server CPU per MB.
 *
 * Not the official benchmark (`pnpm bench`); run `pnpm build` first, then
 * `node packages/tls/bench/providers.js`. BENCH_SECONDS (default 3) sets the length of each
 * handshake loop, BENCH_WARMUP (default 300) the handshakes before it (the JIT needs them),
 * BENCH_BULK_MIB (default 64) the bytes of each transfer, BENCH_SERVERS which servers to
 * run (default `native,noble,node:tls`), BENCH_PROFILE a folder for the servers' CPU profiles.
 * @module
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BULK_BYTES = Math.round(Number(process.env.BENCH_BULK_MIB ?? 64) * 1024 * 1024);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const CHUNK = 16 * 1024;
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const SERVERS = (process.env.BENCH_SERVERS ?? 'native,noble,node:tls').split(',');

// ---- The server, in a child process --------------------------------------------------------

/** Serves until disconnected; answers `usage` with its CPU time and how many handshakes and bytes it saw. */
async function serve(kind) {
  const [start] = await once(process, 'message');
  let handshakes = 0;
  let resumed = 0;
  let bytes = 0;
  const onSecure = (socket) => {
    handshakes++;
    if (socket.isSessionReused?.() ?? socket.info?.resumed) resumed++;
    socket.on('error', () => {});
    socket.on('data', (data) => (bytes += data.length));
  };
  let server;
  if (kind === 'node:tls') {
    server = tls.createServer({ cert: start.cert, key: start.key, minVersion: 'TLSv1.3', ciphers: start.ciphers, ecdhCurve: 'X25519' }, onSecure);
  } else {
    const { createServer, nodeCryptoProvider } = await import('../dist/node/index.js');
    const { nobleProvider } = await import('../dist/index.js');
    const crypto = kind === 'native' ? nodeCryptoProvider : nobleProvider;
    server = createServer({ cert: start.cert, key: start.key, ciphers: start.ciphers, groups: ['x25519'], crypto }, onSecure);
  }
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system, handshakes, resumed, bytes });
  });
  process.on('disconnect', () => process.exit(0));
}

async function startServer(kind, pems, ciphers) {
  const child = fork(new URL(import.meta.url).pathname, ['serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [] });
  child.send({ cert: pems.cert, key: pems.key, ciphers });
  const [{ port }] = await once(child, 'message');
  const usage = async () => {
    child.send('usage');
    return (await once(child, 'message'))[0];
  };
  return { port, usage, stop: () => child.disconnect() };
}

// ---- The client ------------------------------------------------------------------------------

function clientOptions(port, suite, session) {
  return { host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, minVersion: 'TLSv1.3', ciphers: suite, ecdhCurve: 'X25519', session };
}

/** One handshake; a full one also waits for the first ticket, so the server has done its ticket work. */
function handshake(port, session) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(clientOptions(port, SUITES[0], session));
    socket.once('error', reject);
    const done = (ticket) => {
      socket.end();
      resolve({ ticket, reused: socket.isSessionReused() });
    };
    socket.once('secureConnect', () => (socket.isSessionReused() ? done(undefined) : socket.once('session', done)));
  });
}

async function handshakes(kind, pems, resumed) {
  const server = await startServer(kind, pems, SUITES[0]);
  try {
    const first = await handshake(server.port);
    const session = resumed ? first.ticket : undefined;
    for (let i = 0; i < WARMUP; i++) await handshake(server.port, session); // warm-up: let the JIT settle
    const before = await server.usage();
    let count = 0;
    let reused = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      if ((await handshake(server.port, session)).reused) reused++;
      count++;
    }
    const after = await server.usage();
    if (reused !== (resumed ? count : 0)) throw new Error(`${kind}: ${reused} of ${count} resumed`);
    return (after.cpuMicros - before.cpuMicros) / 1000 / (after.handshakes - before.handshakes);
  } finally {
    server.stop();
  }
}

async function bulk(kind, pems, suite) {
  const server = await startServer(kind, pems, suite);
  try {
    const client = tls.connect(clientOptions(server.port, suite));
    await once(client, 'secureConnect');
    if (client.getCipher().name !== suite) throw new Error(`${kind} negotiated ${client.getCipher().name}`);
    const chunk = randomBytes(CHUNK);
    const write = async () => {
      if (!client.write(chunk)) await once(client, 'drain');
    };
    for (let i = 0; i < 64; i++) await write(); // warm-up
    const settle = async (bytes) => {
      for (;;) {
        const usage = await server.usage();
        if (usage.bytes >= bytes) return usage;
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const before = await settle(64 * CHUNK);
    let sent = 0;
    const t0 = performance.now();
    while (sent < BULK_BYTES) {
      await write();
      sent += CHUNK;
    }
    const after = await settle(before.bytes + sent);
    const seconds = (performance.now() - t0) / 1000;
    client.destroy();
    return { mbPerSecond: sent / 1e6 / seconds, serverCpuMsPerMb: (after.cpuMicros - before.cpuMicros) / 1000 / (sent / 1e6) };
  } finally {
    server.stop();
  }
}

// ---- Main ------------------------------------------------------------------------------------

function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));

async function main() {
  const pems = makeCertificate();
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}, ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const rows = [];
  const row = async (name, unit, measure) => {
    const values = {};
    for (const kind of SERVERS) values[kind] = await measure(kind);
    rows.push({ name, unit, values });
    const node = values['node:tls'];
    console.log(`${name.padEnd(34)} ${SERVERS.map((k) => `${k} ${fmt(values[k])} ${unit}`.padEnd(26)).join('')} native/node ${(values.native / node).toFixed(2)}  noble/node ${(values.noble / node).toFixed(2)}`);
  };
  await row('server CPU per full handshake', 'ms', (kind) => handshakes(kind, pems, false));
  await row('server CPU per resumed handshake', 'ms', (kind) => handshakes(kind, pems, true));
  for (const suite of SUITES) {
    const results = {};
    await row(`bulk ${suite}`, 'MB/s', async (kind) => (results[kind] = await bulk(kind, pems, suite)).mbPerSecond);
    console.log(`${''.padEnd(34)} ${SERVERS.map((k) => `(server ${fmt(results[k].serverCpuMsPerMb)} ms CPU/MB)`.padEnd(26)).join('')}`);
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();
