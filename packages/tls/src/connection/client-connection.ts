/**
 * A TLS client connection (sans-IO).
 * @module
 */
import { Connection } from './connection.js';
import type { ClientConfig } from '../handshake/config.js';
import { startClientHandshake } from '../handshake/client/start.js';

/**
 * The client side of a TLS connection. Creating it queues the ClientHello (and any
 * 0-RTT data): send {@link takeOutgoing} first.
 *
 * @example
 * ```ts
 * const client = new ClientConnection({ serverName: 'example.com', verifyServerCertificate: verifier });
 * socket.write(client.takeOutgoing());
 * socket.on('data', (bytes) => { client.receive(bytes); socket.write(client.takeOutgoing()); });
 * ```
 * @category Engine
 */
export class ClientConnection extends Connection {
  constructor(config: ClientConfig) {
    if (typeof config.verifyServerCertificate !== 'function') {
      throw new TypeError('ClientConfig.verifyServerCertificate is required (trust is never skipped silently)');
    }
    super('client', config, (context) => startClientHandshake(context, config));
    this.flush();
  }

  protected canSendApplicationData(): boolean {
    return this.handshakeComplete;
  }
}
