/**
 * Load: wrk (OpenSSL inside) with 50 keep-alive connections for 10 s through the
 * terminator to the echo upstream. Nothing may be lost: no socket error, no status other
 * than 200, and every request the upstream saw was answered to wrk, except those still
 * in flight on wrk's 50 connections when its 10 s ran out (wrk stops without reading them).
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTerminator, type AccessLogEntry, type Terminator } from '../src/index.js';
import { makePki, startUpstream, type TestPki, type Upstream } from './helpers.js';

const CONNECTIONS = 50;
const SECONDS = 10;

let pki: TestPki;
let upstream: Upstream;
let terminator: Terminator;
const statuses = new Map<number, number>();

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  terminator = await startTerminator(
    { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false },
    { onAccessLog: (entry: AccessLogEntry) => statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1), logger: () => {} },
  );
});

afterAll(async () => {
  await terminator?.close();
  await upstream?.close();
  pki?.cleanup();
});

/** What wrk reports. */
interface WrkResult {
  requests: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  requestsPerSecond: number;
  output: string;
}

/** Runs wrk against `url` and reads its summary. */
export function runWrk(url: string, connections: number, seconds: number, threads = 2): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    execFile('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, url], { timeout: (seconds + 20) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      const number = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        requests: number(/(\d+) requests in/),
        socketErrors: { connect: Number(errors?.[1] ?? 0), read: Number(errors?.[2] ?? 0), write: Number(errors?.[3] ?? 0), timeout: Number(errors?.[4] ?? 0) },
        non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
        requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
        output: stdout,
      });
    });
  });
}

test(`wrk, ${CONNECTIONS} connections for ${SECONDS} s: no request lost`, { timeout: (SECONDS + 30) * 1000 }, async () => {
  const before = upstream.requests;
  const result = await runWrk(`https://127.0.0.1:${terminator.address.port}/load`, CONNECTIONS, SECONDS);
  const seenUpstream = upstream.requests - before;
  console.log(`load test: ${result.requests} requests, ${result.requestsPerSecond} req/s through the terminator; upstream saw ${seenUpstream}`);

  expect(result.requests).toBeGreaterThan(1000);
  expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  expect(result.non2xx).toBe(0);
  // Every request wrk counted reached the upstream; the few more the upstream saw were in
  // flight on wrk's connections when it stopped (at most one per connection).
  expect(seenUpstream).toBeGreaterThanOrEqual(result.requests);
  expect(seenUpstream - result.requests).toBeLessThanOrEqual(CONNECTIONS);
  // What the terminator answered: 200s, and for those last ones, 499 (the client left,
  // before or after the request went upstream).
  await terminator.close();
  const ok = statuses.get(200) ?? 0;
  const abandoned = statuses.get(499) ?? 0;
  expect([...statuses.keys()].every((s) => s === 200 || s === 499)).toBe(true);
  expect(ok).toBeGreaterThanOrEqual(result.requests);
  expect(ok).toBeLessThanOrEqual(seenUpstream);
  expect(ok + abandoned).toBeGreaterThanOrEqual(seenUpstream);
  expect(abandoned).toBeLessThanOrEqual(CONNECTIONS);
  expect(terminator.metrics.handshakes.get('success')).toBe(CONNECTIONS);
});
