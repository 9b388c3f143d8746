/**
 * The access log: one JSON object per line and per request, written when the response
 * is done (or the request abandoned). JSON lines are what log pipelines read without a
 * custom parser; every field is always present (null when unknown) so queries stay simple.
 * With ACME, each order is a line too, told apart by its `"event": "acme-order"` field
 * (acme-manager.ts's `AcmeOrderEntry`); request lines have no `event`.
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';

/** One request, as logged. Durations are milliseconds, rounded to 0.01. */
export interface AccessLogEntry {
  /** When the request head was received (ISO 8601). */
  time: string;
  /** The TCP peer's address and port. */
  client: string;
  clientPort: number | null;
  /** The server name the client sent (SNI), the ALPN protocol, the cipher suite. */
  sni: string | null;
  alpn: string | null;
  cipher: string | null;
  /** Whether the TLS session was resumed (PSK), and whether the request came as 0-RTT data. */
  resumed: boolean;
  earlyData: boolean;
  /** SHA-256 (hex) of the client certificate, with mTLS. */
  clientCert: string | null;
  method: string;
  /** The request target as received (path and query). */
  path: string;
  host: string | null;
  /** The status sent to the client (0 when the connection was lost before any). */
  status: number;
  /** Request body bytes received, response body bytes sent. */
  bytesIn: number;
  bytesOut: number;
  /** TLS handshake of the connection, upstream (until its response head), and the whole request. */
  handshakeMs: number | null;
  upstreamMs: number | null;
  totalMs: number;
  /** What went wrong, if anything (e.g. `upstream unavailable: ECONNREFUSED`). */
  error: string | null;
}

/** Where entries go. */
export type AccessLogSink = (entry: AccessLogEntry) => void;

/** Rounds a duration to 0.01 ms. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** A sink writing JSON lines to a stream. */
export function jsonLinesSink<T = AccessLogEntry>(stream: NodeJS.WritableStream): (entry: T) => void {
  return (entry) => {
    stream.write(`${JSON.stringify(entry)}\n`);
  };
}

/** An access log opened for writing. */
export interface AccessLog {
  /** Where entries go (undefined when the log is off). */
  sink: AccessLogSink | undefined;
  /** Where other records go, each a line (ACME orders; undefined when the log is off). */
  record: ((record: object) => void) | undefined;
  /** Flushes and closes the file, if there is one. */
  close: () => Promise<void>;
}

/** The log a config asks for: stdout for `-`, a file appended to, or none for false. */
export function openAccessLog(target: string | false): AccessLog {
  if (target === false) return { sink: undefined, record: undefined, close: async () => {} };
  if (target === '-') return { sink: jsonLinesSink(process.stdout), record: jsonLinesSink<object>(process.stdout), close: async () => {} };
  const file: WriteStream = createWriteStream(target, { flags: 'a' });
  file.on('error', (e) => process.stderr.write(`lucid-terminator: access log ${target}: ${e.message}\n`));
  return { sink: jsonLinesSink(file), record: jsonLinesSink<object>(file), close: () => new Promise((resolve) => file.end(() => resolve())) };
}
