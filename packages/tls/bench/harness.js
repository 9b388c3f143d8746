/**
 * What the TLS benchmarks share: the certificates, the server child process (server.js),
 * one client `connect` per kind, and small measuring helpers.
 *
 * Each kind is measured the same way: its own client in this process, its own server in a
 * child, over loopback. `native` and `noble` are lucid-tls through its Node adapters
 * (`connect` and `createServer` from `@lucid-tls/tls/node`, with `nodeCryptoProvider` or
 * `nobleProvider` on both sides); `node` is node:tls (OpenSSL) on both sides.
 * @module
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
// The built package (`pnpm build` first): what its users import.
import { connect, nodeCryptoProvider } from '@lucid-tls/tls/node';
import { nobleProvider } from '@lucid-tls/tls';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

/** The kinds of TLS server and client compared, in the order they are printed. */
export const KINDS = ['noble', 'native', 'node'];
export const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** The suite of the handshake, memory and latency figures. */
export const HANDSHAKE_SUITE = SUITES[0];

/** Progress goes to standard error: standard output holds only the table or the JSON. */
export const progress = (what) => process.stderr.write(`  ${what}…\n`);

/**
 * A CA and an ECDSA P-256 certificate it issued for "localhost", both made by lucid's own
 * issuer. The clients trust the CA and check the certificate, as a real client does (a
 * lucid client keeps sessions only from servers it verified).
 */
export function makePki() {
  const ca = createCertificateAuthority({ commonName: 'Bench CA' });
  const leaf = issueCertificate(ca, { names: ['localhost'] });
  return { caPem: ca.certPem, cert: leaf.certPem, key: leaf.keyPem };
}

/**
 * Starts server.js as `kind` in a child process; resolves once it listens. `execArgv` adds
 * Node flags (e.g. --expose-gc). The child's standard output is discarded, its errors shown.
 */
export async function startServer(kind, start, execArgv = []) {
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [kind], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  child.send(start);
  const [{ ports }] = await once(child, 'message');
  const ask = async (query) => {
    child.send(query);
    return (await once(child, 'message'))[0];
  };
  const stopped = once(child, 'exit');
  return { ports, port: ports.main, usage: () => ask('usage'), gc: () => ask('gc'), stop: () => (child.disconnect(), stopped) };
}

/**
 * A client connection of `kind` to 127.0.0.1:`port` (the certificate is for "localhost"),
 * with the given extra options (`session`, `earlyData`, `ciphers`). Returns the socket;
 * `secureConnect` fires when the handshake is complete.
 */
export function connectKind(kind, pki, port, extra = {}) {
  if (kind === 'node') {
    const { earlyData, ...rest } = extra;
    if (earlyData) throw new Error('node:tls has no 0-RTT client');
    return tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, minVersion: 'TLSv1.3', ecdhCurve: 'X25519', ALPNProtocols: ['http/1.1'], ...rest });
  }
  const crypto = kind === 'native' ? nodeCryptoProvider : nobleProvider;
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, crypto, groups: ['x25519'], ALPNProtocols: ['http/1.1'], ...extra });
}

/**
 * A full handshake that waits for the first session ticket (so the server has done its
 * ticket work too, and the caller gets a session), then closes. Resolves with the session.
 */
export function sessionFrom(kind, pki, port, extra = {}) {
  return new Promise((resolve, reject) => {
    const socket = connectKind(kind, pki, port, extra);
    socket.once('error', reject);
    socket.once('session', (session) => {
      socket.end();
      resolve(session);
    });
  });
}

/** CPU time (user + system) of this process since `start`, in microseconds. */
export function cpuSince(start) {
  const { user, system } = process.cpuUsage(start);
  return user + system;
}

/** Runs `step` (async) over and over for `seconds`; returns how many times and how long. */
export async function repeatFor(seconds, step) {
  const t0 = performance.now();
  let count = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await step();
    count++;
  }
  return { count, ms: performance.now() - t0 };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function check(condition, what) {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}
