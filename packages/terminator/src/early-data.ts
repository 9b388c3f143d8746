/**
 * Requests in TLS 1.3 early data (0-RTT, RFC 8446 §2.3) and what HTTP does about them
 * (RFC 8470). Early data arrives before the handshake completes and an attacker can
 * replay it: the anti-replay store makes each ticket good for 0-RTT once per server, but
 * nothing stops a copy being sent to another server of a cluster. So:
 *
 * - a request received in early data goes upstream with `Early-Data: 1` (§5.1), so the
 *   application can decide for itself;
 * - a non-idempotent one (POST, PATCH…, whose repetition changes things) is answered
 *   `425 Too Early` (§5.2) at once; the client sends it again after the handshake.
 *
 * Which bytes were early: the TLS socket counts the 0-RTT bytes it delivered
 * (`earlyDataReceived`); they are always the first bytes of the stream. A tracker sees
 * every chunk just before Node's HTTP parser does, and the parser announces a request
 * synchronously while it parses the chunk holding the end of its head; so a request
 * whose head ends in an early chunk, or that is announced before the handshake is
 * complete, arrived (at least partly) as early data.
 * @module
 */
import type { TLSSocket } from '@lucid-tls/tls/node';

/** Idempotent methods (RFC 9110 §9.2.2): repeating them has the effect of doing them once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Whether a request with this method is safe to replay. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** Tells, while a request is announced, whether it came in early data. */
export class EarlyDataTracker {
  private offset = 0;
  private chunkIsEarly = false;

  /**
   * Starts watching `socket`; call before the HTTP server is given the socket, so this
   * listener runs before the parser's.
   */
  constructor(private readonly socket: TLSSocket) {
    socket.prependListener('data', (chunk: Buffer) => {
      this.chunkIsEarly = this.offset < socket.earlyDataReceived;
      this.offset += chunk.length;
    });
  }

  /** Whether the request being announced now was received as early data. */
  get inEarlyData(): boolean {
    return this.chunkIsEarly || this.socket.getProtocol() === null;
  }
}
