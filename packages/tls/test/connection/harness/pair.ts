/**
 * A client and a server in memory, and the pump that moves the bytes each sends to the
 * other: the setting of most connection tests. What the pump carries is the real wire,
 * record for record, so a test can look at it. (To hand a side a record of the test's own
 * making instead, with the keys it expects, see ./tap.ts.)
 * @module
 */
import { TlsError } from '../../../src/alert.js';
import { ClientConnection } from '../../../src/connection/client-connection.js';
import type { ClientConfig, ServerConfig } from '../../../src/handshake/config.js';
import type { Connection, ConnectionEvent } from '../../../src/connection/connection.js';
import { ServerConnection } from '../../../src/connection/server-connection.js';
import { pinned, testCert, type TestCert } from './pki.js';

// ---- Configurations and pairs ---------------------------------------------------------

/** A test client's configuration: it connects to `localhost` and trusts exactly `cert`, with `extra` on top. */
export function clientConfig(cert: TestCert, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { serverName: 'localhost', verifyServerCertificate: pinned(cert.der), ...extra };
}

/** A test server's configuration: it presents `cert`, with `extra` on top. */
export function serverConfig(cert: TestCert, extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificate: cert, ...extra };
}

/** What a pair is made of: each side's configuration beyond the defaults, and the server's certificate. */
export interface PairOptions {
  client?: Partial<ClientConfig>;
  server?: Partial<ServerConfig>;
  /** The certificate the server presents and the client trusts (default: an ECDSA P-256 one). */
  cert?: TestCert;
}

/** A client and a server; nothing is delivered yet (the client's ClientHello is queued). */
export function pair(options: PairOptions = {}): { client: ClientConnection; server: ServerConnection } {
  const cert = options.cert ?? testCert('p256');
  return {
    client: new ClientConnection(clientConfig(cert, options.client)),
    server: new ServerConnection(serverConfig(cert, options.server)),
  };
}

// ---- Moving bytes ---------------------------------------------------------------------

/** What went over the wire during {@link pump}, flight by flight. */
export interface Flights {
  /** Each non-empty batch of bytes, in order, with who sent it. */
  flights: { from: 'client' | 'server'; bytes: Uint8Array }[];
}

/**
 * Moves bytes between the two until neither has anything to send; returns how many.
 * Throws whatever a `receive` throws (the alert is then waiting in that side's `takeOutgoing`).
 */
export function pump(client: Connection, server: Connection, log?: Flights): number {
  let total = 0;
  for (let round = 0; round < 100; round++) {
    const c = client.takeOutgoing();
    if (c.length) {
      log?.flights.push({ from: 'client', bytes: c });
      total += c.length;
      server.receive(c);
    }
    const s = server.takeOutgoing();
    if (s.length) {
      log?.flights.push({ from: 'server', bytes: s });
      total += s.length;
      client.receive(s);
    }
    if (!c.length && !s.length) return total;
  }
  throw new Error('the connections did not settle in 100 rounds');
}

/** Runs `fn`, expecting a TlsError; returns it. */
export function catchTlsError(fn: () => void): TlsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
  throw new Error('expected a TlsError, nothing was thrown');
}

/** The types of the events taken from a connection. */
export function eventTypes(events: readonly ConnectionEvent[]): string[] {
  return events.map((e) => e.type);
}

// ---- Application data -----------------------------------------------------------------

/** `n` bytes of a recognisable pattern (not all zero, so a misplaced byte shows). */
export function patternBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A string from UTF-8 bytes. */
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
