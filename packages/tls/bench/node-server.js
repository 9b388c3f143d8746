/**
 * The node:tls server for the handshake benchmarks, run as a child process of run.js so
 * that its CPU time can be measured apart from the client's (process.cpuUsage counts a
 * whole process). It is told what to serve over IPC and answers CPU-time queries.
 *
 * Messages in:  { type: 'start', cert, key, ciphers, groups }  → { type: 'listening', port }
 *               { type: 'usage' }                             → { type: 'usage', cpuMicros, handshakes, resumed }
 * @module
 */
import tls from 'node:tls';

let handshakes = 0;
let resumed = 0;

process.on('message', (message) => {
  if (message.type === 'start') {
    const server = tls.createServer({
      cert: message.cert,
      key: message.key,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: message.ciphers,
      ecdhCurve: message.groups,
    });
    server.on('secureConnection', (socket) => {
      handshakes++;
      if (socket.isSessionReused()) resumed++;
      socket.on('error', () => {}); // the client may hang up first; that is no concern here
      socket.resume();
    });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1', () => {
      process.send({ type: 'listening', port: server.address().port });
    });
  } else if (message.type === 'usage') {
    const { user, system } = process.cpuUsage();
    process.send({ type: 'usage', cpuMicros: user + system, handshakes, resumed });
  }
});

// Exit with the parent, however it ends.
process.on('disconnect', () => process.exit(0));
