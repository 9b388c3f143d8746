/**
 * Shared helpers for the end-to-end connection tests: certificates made once by the
 * `openssl` CLI, a pinned-certificate verifier, a byte pump between a client and a
 * server in memory, trace recording, and a check that traced fields tile a message.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import type { CertificateVerifier, CertifiedKey, ClientConfig, PeerCertificateContext, ServerConfig } from '../../src/handshake/config.js';
import type { Connection, ConnectionEvent } from '../../src/connection/connection.js';
import type { MessageEvent, RecordEvent, TraceEvent, TraceField } from '../../src/trace/events.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { parsePrivateKeyPem } from '../../src/x509/keys.js';
import { pemBlocks } from '../../src/x509/pem.js';

/** The key types of the test certificates. */
export type CertKind = 'p256' | 'p384' | 'ed25519' | 'rsa';

/** A test certificate: its DER and the certified key (a one-certificate chain). */
export interface TestCert extends CertifiedKey {
  der: Uint8Array;
}

const newkey: Record<CertKind, string[]> = {
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha256'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384'],
  ed25519: ['-newkey', 'ed25519'],
  rsa: ['-newkey', 'rsa:2048', '-sha256'],
};

const made = new Map<string, TestCert>();

/**
 * A self-signed certificate for `name` (CN and subjectAltName DNS), made by openssl the
 * first time it is asked for and reused afterwards (RSA key generation is the slow part).
 */
export function testCert(kind: CertKind, name = 'localhost'): TestCert {
  const key = `${kind}/${name}`;
  const cached = made.get(key);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lucid-conn-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', ...newkey[kind], '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const der = pemBlocks(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'CERTIFICATE')[0]!;
    const cert: TestCert = { der, chain: [der], privateKey: parsePrivateKeyPem(readFileSync(join(dir, 'key.pem'), 'utf8')) };
    made.set(key, cert);
    return cert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Trusts exactly the given certificates (as the leaf), and records what it was asked. */
export function pinned(...certs: Uint8Array[]): CertificateVerifier & { calls: PeerCertificateContext[] } {
  const calls: PeerCertificateContext[] = [];
  const verify = (chain: Uint8Array[], context: PeerCertificateContext): void => {
    calls.push(context);
    if (!certs.some((c) => equalBytes(c, chain[0]!))) throw new TlsError('bad_certificate', 'not the pinned certificate');
  };
  return Object.assign(verify, { calls });
}

/** A client and server pair, with a server certificate and a client that trusts it. */
export function pair(
  client: Partial<ClientConfig> = {},
  server: Partial<ServerConfig> = {},
  cert: TestCert = testCert('p256'),
): { client: ClientConnection; server: ServerConnection } {
  return {
    client: new ClientConnection({ serverName: 'localhost', verifyServerCertificate: pinned(cert.der), ...client }),
    server: new ServerConnection({ certificate: cert, ...server }),
  };
}

/** What went over the wire during {@link pump}, flight by flight. */
export interface Flights {
  /** Each non-empty batch of bytes, in order, with who sent it. */
  flights: { from: 'client' | 'server'; bytes: Uint8Array }[];
}

/**
 * Moves bytes between the two until neither has anything to send. Throws whatever a
 * `receive` throws (the alert is then waiting in that side's `takeOutgoing`).
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

/** Collects trace events; `observer` goes in a config's `trace`. */
export function traceLog(): { events: TraceEvent[]; observer: (e: TraceEvent) => void } {
  const events: TraceEvent[] = [];
  return { events, observer: (e) => events.push(e) };
}

/** The message types of a trace's `message` events, filtered by side and direction. */
export function messageTypes(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received'): string[] {
  return events.filter((e): e is MessageEvent => e.kind === 'message' && e.side === side && e.direction === direction).map((e) => e.type);
}

/** The `record` events of a trace, filtered by side and direction. */
export function records(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received'): RecordEvent[] {
  return events.filter((e): e is RecordEvent => e.kind === 'record' && e.side === side && e.direction === direction);
}

/** The types of the events taken from a connection. */
export function eventTypes(events: readonly ConnectionEvent[]): string[] {
  return events.map((e) => e.type);
}

/**
 * Checks that the leaves of a traced field tree tile `hex` exactly: each leaf starts where
 * the previous one ended, a group spans exactly its children, every field's hex is the
 * message's bytes at its offset, and the last leaf ends at the message's end.
 * Returns the number of leaves; throws an Error describing the first gap or overlap.
 */
export function checkLeavesTile(fields: readonly TraceField[], hex: string): number {
  const total = hex.length / 2;
  let cursor = 0;
  let count = 0;
  const walk = (list: readonly TraceField[], path: string): void => {
    for (const f of list) {
      const where = `${path}/${f.name}@${f.offset}`;
      if (f.offset !== cursor) throw new Error(`${where}: starts at ${f.offset}, expected ${cursor}`);
      if (f.hex !== hex.slice(f.offset * 2, (f.offset + f.length) * 2)) throw new Error(`${where}: hex is not the message's bytes there`);
      if (f.children && f.children.length) {
        walk(f.children, where);
        if (cursor !== f.offset + f.length) throw new Error(`${where}: length ${f.length}, children span ${cursor - f.offset}`);
      } else {
        cursor += f.length;
        count++;
      }
    }
  };
  walk(fields, '');
  if (cursor !== total) throw new Error(`leaves end at ${cursor}, the message has ${total} bytes`);
  return count;
}

/** The first field named `name` in a traced field tree (depth first), or undefined. */
export function findTraceField(fields: readonly TraceField[], name: string): TraceField | undefined {
  for (const f of fields) {
    if (f.name === name) return f;
    const inner = f.children && findTraceField(f.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/** The first traced message of `type` that `side` sent or received. */
export function findMessage(events: readonly TraceEvent[], side: 'client' | 'server', direction: 'sent' | 'received', type: string): MessageEvent | undefined {
  return events.find((e): e is MessageEvent => e.kind === 'message' && e.side === side && e.direction === direction && e.type === type);
}

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
