/**
 * The standalone listeners that answer challenges when no server of ours runs yet (the
 * CLI's `--http-listen` and `--tls-listen`): where they listen, and how they stop.
 * @module
 */
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * Where a challenge listener listens: `port` 0 lets the system choose.
 *
 * @example
 * ```ts
 * import type { ListenAddress } from '@lucid-tls/acme';
 * const http01: ListenAddress = { host: '0.0.0.0', port: 80 }; // where ACME servers look (RFC 8555 §8.3)
 * console.log(http01.port); // → 80
 * ```
 */
export interface ListenAddress {
  /** An address to bind; all of them by default. */
  host?: string;
  port: number;
}

/** A running challenge listener. */
export interface ChallengeListener {
  /** The address bound (the port chosen, for port 0). */
  readonly address: { host: string; port: number };
  /** Stops listening and drops the connections still open. */
  close(): Promise<void>;
}

/** Starts `server` on `listen`; rejects when it cannot bind (the port is taken, or needs privileges). */
export function listenOn(server: Server, listen: ListenAddress): Promise<ChallengeListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      resolve({
        address: { host: address, port },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
