// A node:tls peer for node24.test.ts, run by the Node 24 binary of scripts/fetch-node24.sh
// (OpenSSL 3.5 inside), not by the test runner: the project itself runs on Node 20.
//
//   node24-peer.mjs server CERT KEY GROUPS   listens on 127.0.0.1:0, prints "listening PORT",
//                                            answers one line to each client and ends it;
//                                            OpenSSL's trace of every message goes to stderr
//   node24-peer.mjs client PORT CA GROUPS    connects to localhost:PORT, prints one JSON line
//                                            ({ protocol, group }), sends an HTTP GET for /
//                                            (Connection: close) and prints what comes back
//
// GROUPS is OpenSSL's list, e.g. "X25519MLKEM768" or "X25519:MLKEM768" (a key share for the
// first group only), or "default" for OpenSSL's own defaults.
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

const [mode, ...args] = process.argv.slice(2);
const curves = (groups) => (groups === 'default' ? {} : { ecdhCurve: groups });

if (mode === 'server') {
  const [cert, key, groups] = args;
  const server = tls.createServer(
    { cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.3', enableTrace: true, ...curves(groups) },
    (socket) => {
      socket.on('error', () => {});
      socket.end(`hello from node ${process.version} over ${socket.getProtocol()}\n`);
    },
  );
  server.on('tlsClientError', (error) => process.stdout.write(`tlsClientError ${error.message}\n`));
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
} else if (mode === 'client') {
  const [port, ca, groups] = args;
  const socket = tls.connect(
    { host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(ca), minVersion: 'TLSv1.3', ...curves(groups) },
    () => {
      // For TLS 1.3 on OpenSSL 3.5, getEphemeralKeyInfo names the negotiated group (hybrids included).
      const info = socket.getEphemeralKeyInfo();
      process.stdout.write(`${JSON.stringify({ protocol: socket.getProtocol(), group: info?.name ?? null })}\n`);
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    },
  );
  socket.on('data', (data) => process.stdout.write(data));
  socket.on('end', () => socket.end());
  socket.on('error', (error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write('usage: node24-peer.mjs server CERT KEY GROUPS | client PORT CA GROUPS\n');
  process.exitCode = 2;
}
