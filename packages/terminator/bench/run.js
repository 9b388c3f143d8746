#!/usr/bin/env node
/**
 * Requests per second through HTTPS terminators in front of the same upstream, side by side
 * in one run, measured with wrk (OpenSSL inside, keep-alive connections, a small GET):
 *
 *  - lucidNative1, lucidNativeAll, lucidNoble1: lucid-terminator (this package) with the
 *    native provider and `--workers 1`, native with one worker per CPU, noble with 1 worker;
 *  - nodeHttpsProxy: a `node:https` server forwarding with `http.Agent({ keepAlive })`
 *    (bench/node-https-proxy.js), one process;
 *  - nginx1, nginx2: nginx (Debian's nginx-light) with `worker_processes` 1 and 2, a
 *    generated config in a temporary directory, `proxy_pass` with upstream keep-alive.
 *
 * Each serves the same ECDSA P-256 certificate over TLS 1.3 and forwards to the same upstream
 * process (bench/upstream.js), adding X-Forwarded-* headers. The upstream alone (plain HTTP)
 * is measured too, as the ceiling. A figure whose tool is missing is null, with a note.
 *
 * `measureTerminators()` is what `pnpm bench` runs (scripts/bench.mjs); run this file
 * directly (`node packages/terminator/bench/run.js`) for these figures alone. Environment:
 * BENCH_HTTP_SECONDS (each measurement, default 3), BENCH_HTTP_CONNECTIONS (default 50),
 * BENCH_HTTP_THREADS (wrk threads, default 2); BENCH_DEBUG=1 logs each step. Run `pnpm build` first.
 * @module
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

const here = dirname(fileURLToPath(import.meta.url));
const progress = (what) => process.stderr.write(`  ${what}…\n`);
const debug = (what) => process.env.BENCH_DEBUG && process.stderr.write(`    [${new Date().toISOString()}] ${what}\n`);

function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a process and resolves once its output matches `ready` (the match is returned). */
function startProcess(command, args, ready, what) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 15_000);
    const exited = (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${output}`));
    };
    const check = (data) => {
      output += data;
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Ready: from now on its output is only drained, and its exit is the caller's business.
      child.off('exit', exited);
      for (const stream of [child.stdout, child.stderr]) stream.off('data', check).resume();
      resolve({ child, match });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', exited);
  });
}

/** SIGTERM, and SIGKILL if it has not exited a few seconds later. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Runs wrk; returns requests per second and the error counts. */
function wrk(url, seconds, { connections, threads }) {
  return new Promise((resolve, reject) => {
    execFile('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, url], { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(error);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
        latencyAvg: /Latency\s+(\S+)/.exec(stdout)?.[1] ?? '?',
        errors: errors ? errors.slice(1).reduce((n, e) => n + Number(e), 0) : 0,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
      });
    });
  });
}

/** The protocol and cipher suite a default OpenSSL client (Node's) gets from the server at `port`. */
function negotiatedCipher(port) {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.destroy();
    });
    socket.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

// ---- The contestants ------------------------------------------------------------------

async function startUpstream() {
  const { child, match } = await startProcess(process.execPath, [join(here, 'upstream.js')], /^(\d+)\n/m, 'the upstream');
  return { child, port: Number(match[1]) };
}

function lucid(crypto, workers) {
  return async ({ upstreamPort, certFile, keyFile }) => {
    const bin = join(here, '..', 'bin', 'lucid-terminator.js');
    const args = [bin, '--listen', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${upstreamPort}`, '--cert', certFile, '--key', keyFile, '--access-log', 'off', '--crypto', crypto, '--workers', String(workers)];
    const { child, match } = await startProcess(process.execPath, args, /listening on https:\/\/127\.0\.0\.1:(\d+)/, 'lucid-terminator');
    return { child, port: Number(match[1]) };
  };
}

async function nodeHttpsProxy({ upstreamPort, certFile, keyFile }) {
  const port = await freePort();
  const { child } = await startProcess(process.execPath, [join(here, 'node-https-proxy.js'), String(port), String(upstreamPort), certFile, keyFile], /ready/, 'the node:https proxy');
  return { child, port };
}

function nginx(workers) {
  return async ({ upstreamPort, certFile, keyFile, dir }) => {
    const port = await freePort();
    const prefix = join(dir, `nginx-${workers}`);
    mkdirSync(prefix, { recursive: true });
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(conf, nginxConfig({ prefix, port, upstreamPort, certFile, keyFile, workers }));
    const child = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf], { stdio: 'ignore' });
    // nginx prints nothing when ready: wait until its port answers TLS.
    const deadline = Date.now() + 10_000;
    while ((await negotiatedCipher(port)).startsWith('error')) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`nginx did not start (see ${prefix}/error.log)`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, port };
  };
}

function nginxConfig({ prefix, port, upstreamPort, certFile, keyFile, workers }) {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes ${workers};
daemon off;
master_process on;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${certFile};
    ssl_certificate_key ${keyFile};
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Host $host;
    }
  }
}
`;
}

// ---- Measuring ------------------------------------------------------------------------

/**
 * Requests per second of every contestant (null when its tool is missing), with details
 * (latency, errors, cipher suite) and notes.
 */
export async function measureTerminators({ seconds = 3, warmUpSeconds = 1, connections = 50, threads = 2 } = {}) {
  const cpus = availableParallelism();
  const contestants = [
    { name: 'lucidNative1', label: 'lucid-terminator native, 1 worker', start: lucid('native', 1) },
    { name: 'lucidNativeAll', label: `lucid-terminator native, ${cpus} workers`, start: lucid('native', cpus) },
    { name: 'lucidNoble1', label: 'lucid-terminator noble, 1 worker', start: lucid('noble', 1) },
    { name: 'nodeHttpsProxy', label: 'node:https proxy', start: nodeHttpsProxy },
    { name: 'nginx1', label: 'nginx, 1 worker', start: nginx(1), needs: 'nginx' },
    { name: 'nginx2', label: 'nginx, 2 workers', start: nginx(2), needs: 'nginx' },
  ];
  const requestsPerSecond = Object.fromEntries(contestants.map((c) => [c.name, null]));
  const details = {};
  const notes = [];
  if (!has('wrk')) {
    notes.push('terminator: wrk is not installed (apt-get install wrk): no request rates');
    return { requestsPerSecond, details, notes };
  }
  const dir = mkdtempSync(join(tmpdir(), 'lucid-terminator-bench-'));
  const ca = createCertificateAuthority({ commonName: 'Bench CA' });
  const issued = issueCertificate(ca, { names: ['localhost', '127.0.0.1'] });
  const files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), dir };
  writeFileSync(files.certFile, issued.certPem);
  writeFileSync(files.keyFile, issued.keyPem, { mode: 0o600 });
  const options = { connections, threads };
  const upstream = await startUpstream();
  try {
    progress('wrk: the upstream alone');
    details.upstreamAlone = await wrk(`http://127.0.0.1:${upstream.port}/`, seconds, options);
    for (const contestant of contestants) {
      if (contestant.needs && !has(contestant.needs)) {
        notes.push(`terminator.${contestant.name}: ${contestant.needs} is not installed: skipped`);
        continue;
      }
      progress(`wrk: ${contestant.label}`);
      const running = await contestant.start({ ...files, upstreamPort: upstream.port });
      try {
        debug(`started on ${running.port}`);
        const cipher = await negotiatedCipher(running.port);
        debug(`cipher ${cipher}`);
        const url = `https://127.0.0.1:${running.port}/`;
        await wrk(url, warmUpSeconds, options);
        debug('warmed up');
        const result = await wrk(url, seconds, options);
        debug(`measured ${result.requestsPerSecond}`);
        details[contestant.name] = { label: contestant.label, cipher, ...result };
        if (result.errors || result.non2xx) notes.push(`terminator.${contestant.name}: ${result.errors} socket errors, ${result.non2xx} non-2xx responses`);
        requestsPerSecond[contestant.name] = result.requestsPerSecond;
      } finally {
        await stop(running.child);
        debug('stopped');
      }
    }
  } finally {
    await stop(upstream.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { requestsPerSecond, details, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = (name, fallback) => Number(process.env[name] ?? fallback);
  const result = await measureTerminators({ seconds: env('BENCH_HTTP_SECONDS', 3), connections: env('BENCH_HTTP_CONNECTIONS', 50), threads: env('BENCH_HTTP_THREADS', 2) });
  for (const [name, d] of Object.entries(result.details)) {
    console.log(`${(d.label ?? name).padEnd(38)} ${d.requestsPerSecond.toFixed(0).padStart(7)} req/s   avg latency ${d.latencyAvg.padStart(8)}   ${d.cipher ?? '(plain HTTP)'}`);
  }
  for (const note of result.notes) console.log(note);
}
