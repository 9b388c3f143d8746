/**
 * A TCP proxy that makes loopback look like a long link: every byte takes half the round
 * trip to cross in each direction, in order. The kernel's own TCP handshake on loopback
 * cannot be slowed from user space, so the proxy charges it to the client's first bytes
 * instead: they reach the server one round trip later than the rest would, which is when a
 * real client could send them (with the ACK that answers the SYN-ACK, RFC 9293 §3.5).
 * With it, a full TLS 1.3 handshake and a request take 3 round trips to the first response
 * byte, a 0-RTT request 2 — as on a real link.
 *
 * For benchmarks, tutorials and `lucid-tls client --rtt`; the kernel here has no netem.
 * @module
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** Where the proxy forwards to, and how long the simulated link's round trip is. */
export interface LatencyProxyOptions {
  /** The server the proxy forwards to. */
  target: { host: string; port: number };
  /** The round-trip time to simulate, in milliseconds. */
  rttMs: number;
  /** Where the proxy listens (default 127.0.0.1, a free port). */
  listen?: { host?: string; port?: number };
}

/** A running proxy. */
export interface LatencyProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Stops accepting and closes every proxied connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to `options.target` that delays each direction by `rttMs / 2`, and the
 * client's first bytes by one more round trip (the TCP handshake).
 *
 * @example
 * ```ts
 * import { connect, startLatencyProxy } from '@lucid-tls/tls/node';
 * const proxy = await startLatencyProxy({ target: { host: 'example.com', port: 443 }, rttMs: 100 });
 * const started = performance.now();
 * const socket = connect({ host: '127.0.0.1', port: proxy.port, servername: 'example.com' }, () => {
 *   console.log(`secure after ${Math.round(performance.now() - started)} ms`); // about 200: TCP, then TLS 1.3
 * });
 * ```
 */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  if (!(options.rttMs >= 0)) throw new RangeError(`rttMs must be a non-negative number, not ${options.rttMs}`);
  const oneWay = options.rttMs / 2;
  const sockets = new Set<Socket>();
  // Half-open on both sides: an end crosses the link like the data before it, and late data still flows back.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: options.target.port, host: options.target.host, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    // The TCP handshake: a client may send only after the SYN-ACK, one round trip after its SYN.
    relay(client, upstream, oneWay, options.rttMs);
    relay(upstream, client, oneWay, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Copies `from` to `to`, each chunk `delayMs` after it arrived and never before the chunk
 * ahead of it (one queue and one timer per direction keep the order); the first chunk waits
 * `firstExtraMs` more. An end is forwarded the same way, after the data before it; a side
 * that goes away without one takes the other with it, also after what it sent has crossed.
 */
function relay(from: Socket, to: Socket, delayMs: number, firstExtraMs: number): void {
  const notBefore = Date.now() + firstExtraMs;
  const queue: { due: number; action: () => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const run = () => {
    timer = undefined;
    while (queue.length && queue[0]!.due <= Date.now()) queue.shift()!.action();
    if (queue.length) timer = setTimeout(run, queue[0]!.due - Date.now());
  };
  const later = (action: () => void) => {
    queue.push({ due: Math.max(Date.now(), notBefore) + delayMs, action });
    timer ??= setTimeout(run, queue[0]!.due - Date.now());
  };
  from.on('data', (chunk: Buffer) => later(() => to.destroyed || to.write(chunk)));
  from.on('end', () => {
    ended = true;
    later(() => to.destroyed || to.end());
  });
  from.once('close', () => ended || later(() => to.destroy()));
}
