/**
 * Helpers for the TLS 1.2 tests: a pair that speaks TLS 1.2, and a way to send a record
 * under a side's own TLS 1.2 keys (read from its trace, where the key block is reported),
 * so a test can hand the peer a message a correct implementation would never send.
 * @module
 */
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';
import type { HandshakeMessage } from '../../src/handshake/messages/types.js';
import { tls12CipherSuites } from '../../src/handshake/tls12/cipher-suites.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Tls12RecordProtection } from '../../src/record/tls12-record-protection.js';
import type { SecretEvent, TraceEvent } from '../../src/trace/events.js';
import { concat, fromHex } from '../../src/wire/bytes.js';
import { pinned, testCert, type TestCert } from '../connection/harness/pki.js';
import { traceLog } from '../connection/harness/trace-log.js';

/** A client and server that trace into one log; the client offers TLS 1.2 alone unless told otherwise. */
export function tls12Pair(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}, cert: TestCert = testCert('p256')) {
  const log = traceLog();
  return {
    log,
    client: new ClientConnection({ serverName: 'localhost', verifyServerCertificate: pinned(cert.der), maxVersion: 'TLSv1.2', trace: log.observer, ...client }),
    server: new ServerConnection({ certificate: cert, trace: log.observer, ...server }),
  };
}

/**
 * Seals records as `writer` would under its TLS 1.2 keys, continuing its sequence numbers:
 * the keys come from the key block in `writer`'s trace, the next sequence number from the
 * protected records it has sent so far (or `sequenceNumber`, to stand in for a record it sent).
 */
export function sealAs(events: readonly TraceEvent[], writer: 'client' | 'server', suiteName: string, sequenceNumber?: number) {
  const secret = (name: string) => fromHex(events.find((e): e is SecretEvent => e.kind === 'secret' && e.side === writer && e.name === name)!.hex);
  const suite = tls12CipherSuites(nobleProvider).find((s) => s.name === suiteName)!;
  const protection = new Tls12RecordProtection(suite.aead, secret(`${writer}_write_key`), secret(`${writer}_write_IV`));
  const sent = sequenceNumber ?? events.filter((e) => e.kind === 'record' && e.side === writer && e.direction === 'sent' && e.protected).length;
  for (let i = 0; i < sent; i++) protection.seal(23, new Uint8Array(0)); // advance to the next sequence number
  return {
    record: (type: number, content: Uint8Array) => protection.seal(type, content),
    message: (message: HandshakeMessage) => protection.seal(22, encodeHandshakeMessage(message, { protocol: 'TLSv1.2' }).bytes),
  };
}

/**
 * A flight with its plaintext handshake messages changed by `change` (re-encoded by the
 * engine's codec; undefined drops the message). Other records pass as they are.
 */
export function tamperFlight(flight: Uint8Array, change: (message: HandshakeMessage) => HandshakeMessage | undefined): Uint8Array {
  const out: Uint8Array[] = [];
  let handshake: Uint8Array[] = [];
  const flushHandshake = () => {
    if (!handshake.length) return;
    const bytes = concat(...handshake);
    handshake = [];
    for (let o = 0; o < bytes.length; ) {
      const length = (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
      const raw = bytes.subarray(o, o + 4 + length);
      o += 4 + length;
      const changed = change(decodeHandshakeMessage(raw, { protocol: 'TLSv1.2' }).message);
      if (changed) {
        const encoded = encodeHandshakeMessage(changed, { protocol: 'TLSv1.2' }).bytes;
        out.push(concat(Uint8Array.of(22, 3, 3, encoded.length >> 8, encoded.length & 0xff), encoded));
      }
    }
  };
  for (let o = 0; o < flight.length; ) {
    const length = (flight[o + 3]! << 8) | flight[o + 4]!;
    const record = flight.subarray(o, o + 5 + length);
    o += 5 + length;
    if (record[0] === 22) handshake.push(record.subarray(5));
    else {
      flushHandshake();
      out.push(record);
    }
  }
  flushHandshake();
  return concat(...out);
}
