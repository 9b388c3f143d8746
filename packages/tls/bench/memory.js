/**
 * Memory per idle TLS connection: the server child's RSS after a garbage collection, before
 * and after `connections` connections are opened and their handshakes completed, divided by
 * their number (KiB). The connections stay open and idle while the second reading is taken.
 * lucid's server is the Node adapter with the native provider (its default). The clients
 * are node:tls's for both servers: the protocol is the same (x25519, TLS_AES_128_GCM_SHA256,
 * two tickets), and a thousand handshakes by a lucid client would only make this part longer.
 * @module
 */
import { once } from 'node:events';
import { check, connectKind, progress, startServer } from './harness.js';

/** Connections opened at the same time while filling up. */
const CONCURRENT_HANDSHAKES = 50;

export async function rssPerConnection(kind, pki, { connections }) {
  progress(`${connections} idle connections, ${kind}`);
  const server = await startServer(kind, { cert: pki.cert, key: pki.key, app: 'sink' }, ['--expose-gc']);
  const sockets = [];
  try {
    const open = async (n) => {
      for (let i = 0; i < n; i += CONCURRENT_HANDSHAKES) {
        const batch = Array.from({ length: Math.min(CONCURRENT_HANDSHAKES, n - i) }, () => connectKind('node', pki, server.port));
        sockets.push(...batch);
        await Promise.all(batch.map((socket) => once(socket, 'secureConnect')));
      }
    };
    // Warm-up: the code paths of a connection are loaded and compiled before the first reading.
    await open(CONCURRENT_HANDSHAKES);
    for (const socket of sockets.splice(0)) socket.destroy();
    while ((await server.usage()).secure > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = await server.gc();
    await open(connections);
    // Every server-side socket has completed its handshake (and the server's tickets are out).
    while ((await server.usage()).secure < connections) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await server.gc();
    check(after.secure === connections, `${kind}: ${after.secure} of ${connections} connections open`);
    return (after.rss - before.rss) / 1024 / connections;
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}
