/**
 * The ACME trace: every request and response as structured events, the way the TLS trace
 * shows records and messages. A request shows its method, URL, and its JWS decoded: the
 * protected header (algorithm, nonce, URL, and the key or account) and the payload; a
 * response its status, the headers ACME gives meaning to, and its body or problem
 * document. Steps (a challenge provisioned, a wait for Retry-After, a retry after
 * `badNonce`) are events too.
 *
 * Nothing secret is in an ACME exchange: the account's private key signs but is never
 * sent, and the trace holds no signature.
 * @module
 */
import type { ProtectedHeader } from './jws.js';
import type { Problem } from './problem.js';
import { shortType } from './problem.js';

/** A request about to be sent. */
export interface AcmeRequestEvent {
  kind: 'acme-request';
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  /** The JWS protected header, decoded (signed requests only). */
  protected?: ProtectedHeader;
  /** The JWS payload, decoded: an object, or `""` for a POST-as-GET (RFC 8555 §6.3). */
  payload?: unknown;
}

/** The response to a request. */
export interface AcmeResponseEvent {
  kind: 'acme-response';
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  status: number;
  /** Location, Replay-Nonce, Retry-After, Link and Content-Type, when present. */
  headers: Record<string, string>;
  /** The body: parsed JSON, or the text of a certificate chain. */
  body?: unknown;
  /** The problem document of an error response (RFC 8555 §6.7). */
  problem?: Problem;
}

/** A step of the protocol that is not a request: provisioning, waiting, retrying. */
export interface AcmeStepEvent {
  kind: 'acme-step';
  text: string;
}

/** Any ACME trace event; `kind` tells which. */
export type AcmeTraceEvent = AcmeRequestEvent | AcmeResponseEvent | AcmeStepEvent;

/**
 * Receives ACME trace events.
 *
 * @example
 * ```ts
 * import { renderAcmeEvent, type AcmeTraceObserver } from '@lucid-tls/acme';
 * const toStderr: AcmeTraceObserver = (event) => process.stderr.write(renderAcmeEvent(event));
 * ```
 */
export type AcmeTraceObserver = (event: AcmeTraceEvent) => void;

/**
 * A payload as the trace shows it: a JWS inside the payload (the inner JWS of a key change,
 * RFC 8555 §7.3.5) is shown decoded, without its signature.
 */
export function tracedPayload(payload: unknown): unknown {
  const jws = payload as { protected?: unknown; payload?: unknown; signature?: unknown } | undefined;
  if (typeof jws?.protected !== 'string' || typeof jws.payload !== 'string' || typeof jws.signature !== 'string') return payload;
  const decode = (text: string): unknown => {
    try {
      return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    } catch {
      return text;
    }
  };
  return { protected: decode(jws.protected), payload: decode(jws.payload) };
}

/** The response headers a trace keeps. */
export const TRACED_HEADERS = ['location', 'replay-nonce', 'retry-after', 'link', 'content-type'] as const;

/** The longest string shown whole in a rendered trace (a CSR or a certificate is cut). */
const MAX_SHOWN = 100;

/**
 * An event as text for a terminal: `→` for requests, `←` for responses, `·` for steps.
 *
 * @example
 * ```ts
 * import { renderAcmeEvent } from '@lucid-tls/acme';
 * process.stdout.write(renderAcmeEvent({ kind: 'acme-response', method: 'POST', url: 'https://acme.example/new-order', status: 400, headers: {},
 *   problem: { type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce' } }));
 * // ← 400 POST https://acme.example/new-order
 * //     problem: badNonce: JWS has an invalid anti-replay nonce
 * ```
 */
export function renderAcmeEvent(event: AcmeTraceEvent): string {
  switch (event.kind) {
    case 'acme-step':
      return `· ${event.text}\n`;
    case 'acme-request': {
      const lines = [`→ ${event.method} ${event.url}`];
      if (event.protected) lines.push(`    protected: ${show(event.protected)}`);
      if (event.payload !== undefined) lines.push(`    payload:   ${event.payload === '' ? '"" (POST-as-GET)' : show(event.payload)}`);
      return lines.join('\n') + '\n';
    }
    case 'acme-response': {
      const lines = [`← ${event.status} ${event.method} ${event.url}`];
      for (const [name, value] of Object.entries(event.headers)) lines.push(`    ${name}: ${value}`);
      if (event.problem) lines.push(`    problem: ${shortType(event.problem.type)}: ${event.problem.detail ?? ''}`);
      else if (event.body !== undefined) lines.push(`    ${show(event.body)}`);
      return lines.join('\n') + '\n';
    }
  }
}

/** JSON on one line, long strings cut (the events themselves keep them whole). */
function show(value: unknown): string {
  if (typeof value === 'string' && value.startsWith('-----BEGIN')) {
    return `${(value.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length} certificate(s), PEM (application/pem-certificate-chain)`;
  }
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN - 1)}…` : v));
}
