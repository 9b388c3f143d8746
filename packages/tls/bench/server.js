/**
 * The benchmark's TLS server, run as a child process (harness.js `startServer`) so that its
 * CPU time and memory are measured apart from the client's: process.cpuUsage() and the RSS
 * count a whole process. The same file serves every kind, so only the TLS library differs:
 *
 *  - `native`: lucid's `createServer` from `@lucid-tls/tls/node` with `nodeCryptoProvider`;
 *  - `noble`: the same with `nobleProvider`;
 *  - `node`: `node:tls`'s `createServer` (OpenSSL).
 *
 * Started with `node server.js KIND`, it is told over IPC what to serve:
 *   { cert, key, ciphers, app: 'sink' | 'http', maxEarlyDataSize?, resumeWithoutTickets? }
 * and answers { ports: { main, issuer? } }. `sink` reads and counts everything; `http`
 * answers every request with a small body (through node:http, as an application would).
 * With `resumeWithoutTickets` a lucid child runs two servers sharing one ticketer: `issuer`
 * sends tickets as usual, `main` sends none, as OpenSSL sends none after a resumption.
 *
 * Queries: 'usage' → { cpuMicros, handshakes, resumed, bytes, secure }, 'gc' → { rss } after
 * a garbage collection (needs --expose-gc).
 * @module
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import tls from 'node:tls';

const kind = process.argv[2];
const counts = { handshakes: 0, resumed: 0, bytes: 0, secure: 0 };
const sockets = new Set();

/** Counts a completed handshake and keeps the socket until it closes (the memory figure holds them). */
function onSecure(socket) {
  counts.handshakes++;
  counts.secure++;
  if (socket.isSessionReused()) counts.resumed++;
  sockets.add(socket);
  socket.on('error', () => {}); // a client may hang up first: no concern here
  socket.once('close', () => (counts.secure--, sockets.delete(socket)));
}

function sink(socket) {
  onSecure(socket);
  socket.on('data', (data) => (counts.bytes += data.length));
}

const body = Buffer.from('hello from the bench\n');
function answer(req, res) {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length }).end(body));
}

async function lucidServers(start) {
  const { createServer, nodeCryptoProvider } = await import('@lucid-tls/tls/node');
  const { RotatingTicketer, nobleProvider } = await import('@lucid-tls/tls');
  const crypto = kind === 'native' ? nodeCryptoProvider : nobleProvider;
  const ticketer = new RotatingTicketer(crypto);
  const options = { cert: start.cert, key: start.key, ciphers: start.ciphers, groups: ['x25519'], crypto, ticketer, ALPNProtocols: ['http/1.1'] };
  if (start.maxEarlyDataSize) options.maxEarlyDataSize = start.maxEarlyDataSize;
  const make = (extra) => {
    const server = createServer({ ...options, ...extra });
    server.on('tlsClientError', () => {});
    if (start.app === 'sink') {
      server.on('secureConnection', sink);
      return server;
    }
    // HTTP over lucid's sockets: accepted 0-RTT data is read, and answered (0.5-RTT data),
    // as soon as 'earlyData' hands the socket over (RFC 8446 §4.2.10, §4.4.4); every other
    // socket once its handshake completes.
    const http = createHttpServer(answer);
    server.on('earlyData', (socket) => http.emit('connection', socket));
    server.on('secureConnection', (socket) => {
      onSecure(socket);
      if (!socket.earlyDataAccepted) http.emit('connection', socket);
    });
    return server;
  };
  if (!start.resumeWithoutTickets) return { main: make({}) };
  return { main: make({ tickets: 0 }), issuer: make({}) };
}

function nodeServers(start) {
  const options = { cert: start.cert, key: start.key, minVersion: 'TLSv1.3', ciphers: start.ciphers, ecdhCurve: 'X25519', ALPNProtocols: ['http/1.1'] };
  if (start.app === 'sink') return { main: tls.createServer(options, sink).on('tlsClientError', () => {}) };
  const server = createHttpsServer(options, answer);
  server.on('secureConnection', onSecure);
  return { main: server.on('tlsClientError', () => {}) };
}

const [start] = await once(process, 'message');
const servers = kind === 'node' ? nodeServers(start) : await lucidServers(start);
const ports = {};
for (const [name, server] of Object.entries(servers)) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  ports[name] = server.address().port;
}
process.on('message', (query) => {
  if (query === 'usage') {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system, ...counts });
  } else if (query === 'gc') {
    // A few passes: the first one may leave garbage that only the next one frees.
    for (let i = 0; i < 3; i++) globalThis.gc();
    process.send({ rss: process.memoryUsage().rss, secure: counts.secure });
  }
});
process.send({ ports });
// Exit with the parent, however it ends.
process.on('disconnect', () => process.exit(0));
