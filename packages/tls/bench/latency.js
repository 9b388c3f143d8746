/**
 * Time to the first response byte over a simulated long link: `startLatencyProxy` (from
 * `@lucid-tls/tls/node`) sits between client and server and delays each direction by half
 * the round trip, and the client's first bytes by one more (the TCP handshake). From the
 * start of connect() to the first byte of the answer to an HTTP GET:
 *
 *  - full: a full handshake, then the GET;
 *  - resumed: a resumed handshake (a ticket from an earlier connection), then the GET;
 *  - zeroRtt (lucid only; node:tls has no 0-RTT client): resumed, the GET sent as 0-RTT
 *    early data (`connect({ session, earlyData })`), which the server reads and answers as
 *    soon as its own Finished is out ('earlyData', RFC 8446 §4.2.10, §4.4.4). Each try uses
 *    a fresh ticket: a ticket is good for early data once (§8.1).
 *
 * The median of a few tries each. lucid runs natively (the Node adapters' default).
 * @module
 */
import { performance } from 'node:perf_hooks';
import { startLatencyProxy } from '@lucid-tls/tls/node';
import { check, connectKind, median, progress, sessionFrom, startServer } from './harness.js';

const GET = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');

/** Milliseconds from connect() to the first byte of the response. */
function firstByte(kind, pki, port, options) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connectKind(kind, pki, port, options);
    socket.once('error', reject);
    if (!options.earlyData) socket.once('secureConnect', () => socket.write(GET));
    socket.once('data', (data) => {
      const ms = performance.now() - started;
      const resumed = socket.isSessionReused();
      const early = socket.earlyDataAccepted;
      socket.destroy();
      if (!data.toString('latin1').startsWith('HTTP/1.1 200')) return reject(new Error(`${kind}: unexpected answer ${data}`));
      if (resumed !== Boolean(options.session)) return reject(new Error(`${kind}: resumed ${resumed}`));
      if (options.earlyData && !early) return reject(new Error(`${kind}: early data refused`));
      resolve(ms);
    });
  });
}

/** { full, resumed, zeroRtt } median first-byte times in ms for `kind` (zeroRtt null for node). */
export async function firstByteTimes(kind, pki, { rttMs, tries }) {
  progress(`first byte over ${rttMs} ms RTT, ${kind}`);
  const server = await startServer(kind, { cert: pki.cert, key: pki.key, app: 'http', maxEarlyDataSize: 16384 });
  const proxy = await startLatencyProxy({ target: { host: '127.0.0.1', port: server.port }, rttMs });
  try {
    const times = async (makeOptions) => {
      const samples = [];
      for (let i = 0; i < tries; i++) {
        const options = await makeOptions();
        samples.push(await firstByte(kind, pki, proxy.port, options));
      }
      return median(samples);
    };
    // Tickets are fetched directly from the server, off the slow link.
    const ticket = () => sessionFrom(kind, pki, server.port);
    for (let i = 0; i < 2; i++) await firstByte(kind, pki, proxy.port, {}); // warm-up, not counted
    const full = await times(async () => ({}));
    const session = await ticket();
    const resumed = await times(async () => ({ session }));
    const zeroRtt = kind === 'node' ? null : await times(async () => ({ session: await ticket(), earlyData: GET }));
    check(full > rttMs && resumed > rttMs, `${kind}: faster than the link allows`);
    return { full, resumed, zeroRtt };
  } finally {
    await proxy.close();
    await server.stop();
  }
}
