/**
 * A TLS server connection (sans-IO).
 * @module
 */
import { fail } from '../alert.js';
import { nobleProvider } from '../crypto/noble.js';
import { Connection } from './connection.js';
import type { ServerConfig } from '../handshake/config.js';
import { ExpectClientHello } from '../handshake/server/expect-client-hello.js';
import { serverHandshake } from '../handshake/server/server-handshake.js';

/**
 * The server side of a TLS connection. Feed it the client's bytes with
 * {@link receive}; send what {@link takeOutgoing} returns.
 *
 * @example
 * ```ts
 * const server = new ServerConnection({ certificate: { chain: [certDer], privateKey } });
 * socket.on('data', (bytes) => { server.receive(bytes); socket.write(server.takeOutgoing()); });
 * ```
 * @category Engine
 */
export class ServerConnection extends Connection {
  private earlyDataReceived = 0;
  private readonly early: Uint8Array[] = [];

  constructor(readonly config: ServerConfig) {
    super('server', config, (context) => new ExpectClientHello(context, serverHandshake(config, config.provider ?? nobleProvider)));
    if ((config.clientAuth ?? 'none') !== 'none' && !config.verifyClientCertificate) {
      throw new TypeError('ServerConfig.verifyClientCertificate is required when clientAuth is set');
    }
  }

  /** 0-RTT data received so far (kept apart: it may be a replay, §8). */
  readEarlyData(): Uint8Array {
    const parts = this.early.splice(0);
    if (parts.length <= 1) return parts[0] ?? new Uint8Array(0);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p, o), (o += p.length));
    return out;
  }

  protected override onApplicationData(data: Uint8Array): void {
    if (this.readingEarlyData) {
      // §4.2.10: more than max_early_data_size is unexpected_message.
      this.earlyDataReceived += data.length;
      if (this.earlyDataReceived > (this.config.maxEarlyDataSize ?? 0)) fail('unexpected_message', 'early data exceeds max_early_data_size');
      if (data.length) this.early.push(data.slice());
      return;
    }
    this.deliver(data);
  }

  /**
   * TLS 1.3: after our Finished we may send (0.5-RTT data, §4.4.4), to a client not yet
   * authenticated: when we ask for a client certificate, only once it has been checked.
   * TLS 1.2: once the handshake is complete.
   */
  protected canSendApplicationData(): boolean {
    if (this.handshakeComplete) return true;
    const clientAuth = this.config.clientAuth ?? 'none';
    return this.sendingApplicationKeys && clientAuth === 'none';
  }
}
