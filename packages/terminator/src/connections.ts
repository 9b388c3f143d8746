/**
 * Each client connection's life: the TLS handshake, requests, idle time, the end. One
 * timer per connection enforces the deadline of the phase it is in, which is how a
 * client that holds a connection without doing anything useful is let go:
 *
 * | phase | deadline | then |
 * | --- | --- | --- |
 * | handshake (TCP accept → Finished) | `timeouts.handshake` | the connection is cut |
 * | request head begun, not complete (slowloris) | `timeouts.headers` from its first byte | `408`, close |
 * | no request in flight (keep-alive) | `timeouts.idle` | close_notify, close |
 * | a request in flight | none here: the upstream timeout bounds it | |
 *
 * On shutdown a connection finishes what it was accepted for: its handshake, and its
 * first request if it has not sent one yet (behind a load balancer, the request the
 * balancer has already sent our way), within `timeouts.headers`; a connection that has
 * served requests and is idle is closed at once.
 *
 * Closing is polite where TLS allows: `end()` sends close_notify (RFC 8446 §6.1) and the
 * socket is destroyed shortly after if the peer does not close its side.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from '@lucid-tls/tls/node';
import type { EarlyDataTracker } from './early-data.js';
import type { ClientIdentity } from './forwarded-headers.js';
import { closingResponse } from './responses.js';

/** How long a closed connection may wait for the peer's side before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

/** The timeouts a connection enforces, in milliseconds. */
export interface ConnectionTimeouts {
  handshake: number;
  headers: number;
  idle: number;
}

/** How a connection is watched over. */
export interface ConnectionSettings {
  timeouts: ConnectionTimeouts;
  /** Strict-Transport-Security max-age for the responses written here (408). */
  hsts?: number | undefined;
}

/** One client connection and what is known about it. */
export class TrackedConnection {
  /** When TCP accepted it (performance.now()). */
  readonly acceptedAt = performance.now();
  /**
   * Who the client is: the TCP peer, or with the PROXY protocol the client the load
   * balancer named (its peer is the load balancer).
   */
  client: { address: string; port: number | null };
  /** The handshake's duration, once complete. */
  handshakeMs: number | undefined;
  /** The verified client certificate, with mTLS. */
  identity: ClientIdentity | undefined;
  /** SHA-256 of the client certificate (hex), for the access log. */
  clientCertHash: string | undefined;
  /** Set when early data is accepted on this server. */
  early: EarlyDataTracker | undefined;
  /** Handed over to a protocol upgrade (WebSocket): no more HTTP timers. */
  upgraded = false;
  /** The terminator is shutting down: close once the requests in flight are done. */
  closing = false;
  /** Called with `'handshake'`, `'headers'` or `'idle'` when a timeout ends the connection. */
  onTimeout: ((phase: 'handshake' | 'headers' | 'idle') => void) | undefined;

  private inFlight = 0;
  /** Requests begun on this connection. */
  private served = 0;
  private readonly responses = new Set<ServerResponse>();
  private lastRequest: IncomingMessage | undefined;
  /** When the first byte of a request head not yet complete arrived. */
  private headStartedAt: number | undefined;
  /** Since when no request has been in flight. */
  private idleSince = performance.now();
  /** The one timer, and the deadline it is set for (it may fire early: then it is set again). */
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = Infinity;
  private ended = false;

  private readonly timeouts: ConnectionTimeouts;

  constructor(
    readonly socket: TLSSocket,
    private readonly settings: ConnectionSettings,
  ) {
    this.timeouts = settings.timeouts;
    this.client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? null };
    this.setTimer(performance.now() + this.timeouts.handshake);
    // Sees each chunk before the HTTP parser: bytes that are not a request body begin a head.
    socket.prependListener('data', () => {
      const inBody = this.lastRequest !== undefined && !this.lastRequest.complete;
      if (!inBody && this.headStartedAt === undefined) {
        this.headStartedAt = performance.now();
        this.schedule();
      }
    });
    socket.once('close', () => this.clearTimer());
  }

  /** Whether the TLS handshake is complete. */
  get secure(): boolean {
    return this.handshakeMs !== undefined;
  }

  /** The handshake completed. */
  secured(): void {
    this.handshakeMs = performance.now() - this.acceptedAt;
    this.idleSince = performance.now();
    this.clearTimer();
    this.schedule();
  }

  /** A request head was parsed; its response is on its way. */
  requestStarted(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight += 1;
    this.served += 1;
    this.lastRequest = req;
    this.headStartedAt = undefined;
    this.responses.add(res);
    if (this.closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      this.responses.delete(res);
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idleSince = performance.now();
      if (this.closing && this.inFlight === 0) this.close();
      else this.schedule();
    });
    this.schedule();
  }

  /** The connection now carries another protocol (after 101 Switching Protocols). */
  upgradedTo(): void {
    this.upgraded = true;
    this.headStartedAt = undefined;
    this.clearTimer();
  }

  /**
   * Shut down politely: at once if idle after serving requests, else after the requests
   * in flight, or after the first request of a connection that has not sent one yet.
   */
  shutdown(): void {
    this.closing = true;
    // Responses not yet begun tell the client this connection ends with them.
    for (const res of this.responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (this.secure && this.inFlight === 0 && this.served > 0 && !this.upgraded) this.close();
    else this.schedule();
  }

  /** close_notify, then the end of the TCP connection. */
  close(data?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimer();
    const socket = this.socket;
    if (socket.destroyed) return;
    if (data !== undefined) socket.end(data);
    else socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** The phase the connection is in, and when it must end. */
  private deadline(): { phase: 'handshake' | 'headers' | 'idle'; at: number } | undefined {
    if (!this.secure) return { phase: 'handshake', at: this.acceptedAt + this.timeouts.handshake };
    if (this.ended || this.upgraded || this.inFlight > 0) return undefined;
    // A head that began while an earlier request was in flight is timed from when that one ended.
    if (this.headStartedAt !== undefined) return { phase: 'headers', at: Math.max(this.headStartedAt, this.idleSince) + this.timeouts.headers };
    // Shutting down, a connection waits for its first request no longer than for a request head.
    const idle = this.closing ? Math.min(this.timeouts.idle, this.timeouts.headers) : this.timeouts.idle;
    return { phase: 'idle', at: this.idleSince + idle };
  }

  /**
   * Makes sure the timer fires no later than the current deadline. A deadline that moved
   * later needs nothing: the timer fires, finds it early, and is set again.
   */
  private schedule(): void {
    const due = this.deadline();
    if (due && due.at < this.timerDeadline) this.setTimer(due.at);
  }

  private setTimer(at: number): void {
    this.clearTimer();
    this.timerDeadline = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(1, at - performance.now()));
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadline = Infinity;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerDeadline = Infinity;
    const due = this.deadline();
    if (!due) return;
    if (due.at > performance.now() + 1) this.setTimer(due.at);
    else this.expire(due.phase);
  }

  private expire(phase: 'handshake' | 'headers' | 'idle'): void {
    this.onTimeout?.(phase);
    if (phase === 'handshake') {
      this.ended = true;
      this.socket.destroy(Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' }));
    } else if (phase === 'headers') {
      this.close(closingResponse(408, this.settings.hsts)); // on the raw socket: no response of Node's is under way
    } else {
      this.close();
    }
  }
}
