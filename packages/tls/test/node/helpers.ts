/**
 * Shared helpers for the Node adapter tests: a test PKI issued with our own CA code,
 * servers on loopback port 0 that are closed with everything they accepted, and waits
 * that never hang.
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { Duplex as DuplexBase, type Duplex, type Readable } from 'node:stream';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '../../src/x509/issue.js';

/** The certificates the tests use (ECDSA P-256: quick to make). */
export interface TestPki {
  ca: CertificateAuthority;
  /** A server certificate for localhost and 127.0.0.1, issued by `ca`. */
  server: IssuedCertificate;
  /** A server certificate for other.test only, issued by `ca`. */
  other: IssuedCertificate;
  /** A client certificate issued by `ca`. */
  client: IssuedCertificate;
  /** A CA nobody trusts, and a localhost certificate it issued. */
  rogueCa: CertificateAuthority;
  rogue: IssuedCertificate;
  rogueClient: IssuedCertificate;
}

let pki: TestPki | undefined;

/** The test PKI, made once per test file. */
export function testPki(): TestPki {
  if (pki) return pki;
  const ca = createCertificateAuthority({ commonName: 'Lucid node adapter test CA' });
  const rogueCa = createCertificateAuthority({ commonName: 'Rogue CA' });
  pki = {
    ca,
    server: issueCertificate(ca, { names: ['localhost', '127.0.0.1'] }),
    other: issueCertificate(ca, { names: ['other.test'] }),
    client: issueCertificate(ca, { names: ['client@lucid.test'], client: true }),
    rogueCa,
    rogue: issueCertificate(rogueCa, { names: ['localhost', '127.0.0.1'] }),
    rogueClient: issueCertificate(rogueCa, { names: ['rogue@lucid.test'], client: true }),
  };
  return pki;
}

/** Tracks servers and sockets so that `closeAll` leaves nothing open. */
export class Resources {
  private readonly servers: NetServer[] = [];
  private readonly sockets = new Set<Duplex>();

  /** Listens on 127.0.0.1 port 0; every connection it accepts is tracked. */
  async listen<T extends NetServer>(server: T): Promise<number> {
    this.servers.push(server);
    server.on('connection', (socket: Socket) => this.track(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Tracks a socket (returned as is). */
  track<T extends Duplex>(socket: T): T {
    this.sockets.add(socket);
    return socket;
  }

  /** Destroys every tracked socket and closes every server. */
  async closeAll(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all(this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** The first `event` of `emitter` (its arguments), or a rejection after `ms` or on 'error'. */
export function waitFor<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for '${event}'`));
    }, ms);
    const onEvent = (...args: unknown[]) => {
      cleanup();
      resolve(args as T);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      if (event !== 'error') emitter.removeListener('error', onError);
    };
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
}

/** Everything `stream` yields until its end, concatenated (rejects after `ms`). */
export function readAll(stream: Readable, ms = 5000): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('timed out reading to the end')), ms);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Two connected in-memory duplex streams with real backpressure and no kernel buffers in
 * between: a write completes only when the other end has room (its reader wants more).
 * Destroying or ending one end is the other's end of input, as with TCP.
 */
export function duplexPair(highWaterMark = 16 * 1024): [Duplex, Duplex] {
  const a = new PairEnd(highWaterMark);
  const b = new PairEnd(highWaterMark);
  a.other = b;
  b.other = a;
  return [a, b];
}

class PairEnd extends DuplexBase {
  other!: PairEnd;
  /** The other end's write callback, held until this end's reader asks for more. */
  private blockedWriter: (() => void) | undefined;
  private inputEnded = false;

  constructor(highWaterMark: number) {
    super({ highWaterMark, allowHalfOpen: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.other.deliver(chunk)) callback();
    else this.other.blockedWriter = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.other.endInput();
    callback();
  }

  override _read(): void {
    const writer = this.blockedWriter;
    this.blockedWriter = undefined;
    writer?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.other.endInput();
    callback(error);
  }

  private deliver(chunk: Buffer): boolean {
    return this.inputEnded || this.destroyed ? true : this.push(chunk);
  }

  private endInput(): void {
    if (this.inputEnded || this.destroyed) return;
    this.inputEnded = true;
    this.push(null);
  }
}
