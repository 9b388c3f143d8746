/**
 * Server CPU per full and per resumed handshake (ECDSA P-256, x25519,
 * TLS_AES_128_GCM_SHA256), for each kind: one handshake at a time over loopback, the
 * server's CPU time (its whole process: TLS, sockets, event loop) divided by the handshakes.
 *
 * A full handshake waits for the first session ticket, so the server's ticket work counts
 * (lucid and OpenSSL both send two). A resumed one offers the same ticket each time,
 * psk_dhe_ke (a fresh x25519 exchange); OpenSSL sends no ticket after a resumption, and the
 * lucid server measured is set to send none either (server.js `resumeWithoutTickets`).
 * @module
 */
import { once } from 'node:events';
import { HANDSHAKE_SUITE, check, connectKind, progress, repeatFor, sessionFrom, startServer } from './harness.js';

/** One resumed handshake: connect with `session`, wait until it is complete, close. */
async function resumedHandshake(kind, pki, port, session) {
  const socket = connectKind(kind, pki, port, { session });
  await once(socket, 'secureConnect');
  const reused = socket.isSessionReused();
  socket.end();
  return reused;
}

/** Server CPU in ms per handshake of `kind`, full or resumed. */
export async function serverCpuPerHandshake(kind, pki, resumed, { seconds, warmUpSeconds }) {
  progress(`${resumed ? 'resumed' : 'full'} handshakes, ${kind}`);
  const server = await startServer(kind, { cert: pki.cert, key: pki.key, ciphers: HANDSHAKE_SUITE, app: 'sink', resumeWithoutTickets: resumed });
  try {
    // The ticket comes from the server that issues them (the same ticketer, see server.js).
    const session = resumed ? await sessionFrom(kind, pki, server.ports.issuer ?? server.port) : undefined;
    const step = resumed ? async () => check(await resumedHandshake(kind, pki, server.port, session), `${kind}: not resumed`) : () => sessionFrom(kind, pki, server.port);
    await repeatFor(warmUpSeconds, step); // the JIT settles
    const before = await server.usage();
    const { count } = await repeatFor(seconds, step);
    const after = await server.usage();
    const handshakes = after.handshakes - before.handshakes;
    check(handshakes >= count - 1, `${kind}: the server saw ${handshakes} of ${count} handshakes`);
    check(after.resumed - before.resumed === (resumed ? handshakes : 0), `${kind}: ${after.resumed - before.resumed} of ${handshakes} resumed`);
    return (after.cpuMicros - before.cpuMicros) / 1000 / handshakes;
  } finally {
    await server.stop();
  }
}
