/**
 * What the `client` and `server` commands say about a connection: the negotiated
 * parameters as `key=value` tokens, the peer's certificate subject, the one-line reason
 * of a failure (naming the alert, RFC 8446 §6), and the trace on standard error.
 * @module
 */
import { TlsError } from '../alert.js';
import type { ConnectionInfo } from '../connection/connection.js';
import type { TraceEvent, TraceObserver } from '../trace/events.js';
import { createTerminalRenderer } from '../trace/render-terminal.js';
import { parseCertificate } from '../x509/certificate.js';
import { formatName } from '../x509/name.js';

/** The subject of the peer's certificate (`CN=localhost, O=…`), or `none` when it sent none. */
export function peerSubject(info: ConnectionInfo): string {
  const leaf = info.peerCertificates[0];
  if (!leaf) return 'none';
  try {
    return formatName(parseCertificate(leaf).subject) || '(empty subject)';
  } catch {
    return '(unparsable certificate)';
  }
}

/** The negotiated parameters, in the order both commands print them. */
export function negotiated(info: ConnectionInfo): [key: string, value: string][] {
  return [
    ['protocol', info.protocol],
    ['cipher', info.cipherSuite?.name ?? 'none'],
    ['group', info.group ?? 'none'],
    // A resumed handshake has no CertificateVerify (§2.2), so no signature.
    ['signature', info.signatureScheme ?? 'none'],
    ['alpn', info.alpnProtocol ?? 'none'],
    ['resumed', info.resumed ? 'yes' : 'no'],
    ['early_data', info.earlyData],
    ['hrr', info.helloRetryRequest ? 'yes' : 'no'],
  ];
}

/** `key=value` tokens joined by spaces (values with spaces are only ever last: the peer's subject). */
export function tokens(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join(' ');
}

/**
 * Why a connection failed, in one line. A {@link TlsError} names its alert: the one we
 * sent (with our reason) or the one the peer sent us.
 */
export function failureReason(error: unknown, peer: 'server' | 'client'): string {
  if (error instanceof TlsError) {
    return error.sent ? `${error.reason} (sent alert ${error.alert})` : `the ${peer} sent alert ${error.alert}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** How `--trace` / `--trace-json` show the trace: on standard error, so standard output stays the application's. */
export type TraceMode = 'terminal' | 'json';

/**
 * An observer writing each trace event to standard error: rendered for a terminal, or as
 * one JSON object per line (with `extra` fields, e.g. which connection it belongs to).
 */
export function stderrTrace(mode: TraceMode, extra: Record<string, string | number> = {}): TraceObserver {
  if (mode === 'json') return (event: TraceEvent) => process.stderr.write(`${JSON.stringify({ ...extra, ...event })}\n`);
  const options = process.stderr.isTTY ? { color: true, width: process.stderr.columns } : {};
  return createTerminalRenderer((text) => process.stderr.write(text), options);
}
