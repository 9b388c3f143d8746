#!/usr/bin/env node
/**
 * Requests per second through three HTTPS terminators in front of the same upstream, side
 * by side in one run, measured with wrk (OpenSSL inside, keep-alive connections):
 *
 *  1. lucid-terminator (this package: TLS by lucid-tls, HTTP by Node's parser and undici);
 *  2. a `node:https` proxy doing the same job (TLS by OpenSSL inside Node), bench/node-https-proxy.js;
 *  3. nginx (Debian's package) terminating TLS, one worker process.
 *
 * Each runs as its own process, serves the same ECDSA P-256 certificate with TLS 1.3 and
 * TLS_AES_128_GCM_SHA256, and forwards to the same upstream process (bench/upstream.js)
 * over keep-alive HTTP/1.1, adding X-Forwarded-* headers. The upstream alone (plain HTTP)
 * is measured too, as the ceiling. Ratios are printed as lucid / other.
 *
 * Environment: BENCH_HTTP_SECONDS (each measurement, default 8), BENCH_HTTP_CONNECTIONS
 * (default 50), BENCH_HTTP_THREADS (wrk threads, default 2).
 *
 * Run `pnpm build` first; needs wrk and nginx (`apt-get install wrk nginx-light`); a
 * missing one is reported and skipped.
 * @module
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const THREADS = Number(process.env.BENCH_HTTP_THREADS ?? 2);
const WARM_UP_SECONDS = 2;

const { createCertificateAuthority, issueCertificate } = await import('@lucid-tls/tls/x509').catch(() => {
  console.error('Cannot load @lucid-tls/tls/x509: run `pnpm build` first.');
  process.exit(1);
});

const children = new Set();
const dir = mkdtempSync(join(tmpdir(), 'lucid-terminator-bench-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

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
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 10_000);
    const check = (data) => {
      output += data;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${output}`));
    });
  });
}

function stop(child) {
  children.delete(child);
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
}

/** Runs wrk; returns requests per second and the error counts. */
function wrk(url, seconds) {
  return new Promise((resolve, reject) => {
    execFile('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, url], { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(error);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
        requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
        latencyAvg: /Latency\s+(\S+)/.exec(stdout)?.[1] ?? '?',
        errors: errors ? errors.slice(1).reduce((n, e) => n + Number(e), 0) : 0,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
      });
    });
  });
}

/** The cipher suite a default OpenSSL client (Node's) gets from the server at `port`. */
function negotiatedCipher(port) {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.destroy();
    });
    socket.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

// ---- The contestants -----------------------------------------------------------------

const ca = createCertificateAuthority({ commonName: 'Bench CA' });
const issued = issueCertificate(ca, { names: ['localhost', '127.0.0.1'] });
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, issued.certPem);
writeFileSync(keyFile, issued.keyPem);

async function startUpstream() {
  const { child, match } = await startProcess(process.execPath, [join(here, 'upstream.js')], /^(\d+)\n/m, 'the upstream');
  return { child, port: Number(match[1]) };
}

async function startLucid(upstreamPort) {
  const bin = join(here, '..', 'bin', 'lucid-terminator.js');
  // One process, as nginx runs one worker here and the node:https proxy is one process.
  const args = [bin, '--listen', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${upstreamPort}`, '--cert', certFile, '--key', keyFile, '--access-log', 'off', '--workers', '1'];
  const { child, match } = await startProcess(process.execPath, args, /listening on https:\/\/127\.0\.0\.1:(\d+)/, 'lucid-terminator');
  return { child, port: Number(match[1]) };
}

async function startNodeHttps(upstreamPort) {
  const port = await freePort();
  const { child } = await startProcess(process.execPath, [join(here, 'node-https-proxy.js'), String(port), String(upstreamPort), certFile, keyFile], /ready/, 'the node:https proxy');
  return { child, port };
}

async function startNginx(upstreamPort) {
  const port = await freePort();
  const prefix = join(dir, 'nginx');
  mkdirSync(prefix, { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    `${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
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
`,
  );
  const child = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf], { stdio: 'ignore' });
  children.add(child);
  // nginx prints nothing when ready: wait until its port answers TLS.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const cipher = await negotiatedCipher(port);
    if (!cipher.startsWith('error')) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nginx did not start (see ${prefix}/error.log)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port };
}

// ---- Running ------------------------------------------------------------------------------

const missing = ['wrk', 'nginx'].filter((c) => !has(c));
if (missing.includes('wrk')) {
  console.error('wrk is not installed (apt-get install wrk): nothing to measure.');
  process.exit(1);
}

console.log(`HTTPS terminators, requests/s with wrk: ${CONNECTIONS} keep-alive connections, ${THREADS} threads, ${SECONDS} s each (after ${WARM_UP_SECONDS} s of warm-up)`);
console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`);

const upstream = await startUpstream();
const contestants = [
  { name: 'lucid-terminator', start: startLucid },
  { name: 'node:https proxy', start: startNodeHttps },
  ...(missing.includes('nginx') ? [] : [{ name: 'nginx (1 worker)', start: startNginx }]),
];
if (missing.includes('nginx')) console.log('nginx is not installed (apt-get install nginx-light): skipped.\n');

const results = {};
const row = (name, r, extra = '') =>
  console.log(`${name.padEnd(20)} ${r.requestsPerSecond.toFixed(0).padStart(9)} req/s   avg latency ${r.latencyAvg.padStart(8)}   errors ${r.errors}, non-2xx ${r.non2xx}${extra}`);

const direct = await wrk(`http://127.0.0.1:${upstream.port}/`, SECONDS);
row('upstream alone', direct, '   (plain HTTP, the ceiling)');
results.upstream = direct;

for (const contestant of contestants) {
  const running = await contestant.start(upstream.port);
  try {
    const cipher = await negotiatedCipher(running.port);
    const url = `https://127.0.0.1:${running.port}/`;
    await wrk(url, WARM_UP_SECONDS);
    const result = await wrk(url, SECONDS);
    results[contestant.name] = { ...result, cipher };
    row(contestant.name, result, `   ${cipher}`);
  } finally {
    stop(running.child);
    await new Promise((r) => setTimeout(r, 300));
  }
}
stop(upstream.child);

const lucid = results['lucid-terminator'].requestsPerSecond;
console.log('\nRatios (lucid-terminator / other):');
for (const name of Object.keys(results)) {
  if (name === 'lucid-terminator' || name === 'upstream') continue;
  console.log(`  lucid / ${name.padEnd(18)} ${(lucid / results[name].requestsPerSecond).toFixed(3)}`);
}
console.log(`  lucid / upstream alone      ${(lucid / direct.requestsPerSecond).toFixed(3)}`);
console.log(`\nBENCH_JSON ${JSON.stringify({ bench: 'terminator', node: process.version, cpus: cpus().length, connections: CONNECTIONS, seconds: SECONDS, results })}`);
process.exit(0);
