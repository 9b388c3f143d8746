/**
 * Errors. An ACME server reports failures as problem documents (RFC 7807, RFC 8555
 * §6.7): a JSON object with a `type` URI such as `urn:ietf:params:acme:error:badNonce`,
 * a human-readable `detail`, and, for a failure that concerns several identifiers,
 * `subproblems` that each name their `identifier` (§6.7.1). A failed challenge carries
 * one in its `error` field (§8.2).
 *
 * Every failure of this package is an {@link AcmeError} with such a type. The server's
 * own are in the `urn:ietf:params:acme:error:` namespace; the ones this client finds
 * itself (a malformed response, a timeout, an unreachable server) are `lucid-tls:…`.
 * Neither ever holds key material.
 * @module
 */
import type { Identifier } from './identifier.js';

/** The namespace of ACME's error types (RFC 8555 §6.7, §9.6). */
export const ACME_ERROR = 'urn:ietf:params:acme:error:';

/**
 * The types of errors this client detects itself, besides the server's.
 *
 * @example
 * ```ts
 * import { ClientErrorType } from '@lucid-tls/acme';
 * console.log(ClientErrorType.timeout); // → lucid-tls:timeout
 * ```
 */
export const ClientErrorType = {
  /** The server's answer is not what RFC 8555 says it should be (bad JSON, a missing field…). */
  malformedResponse: 'lucid-tls:malformedResponse',
  /** A response larger than {@link MAX_RESPONSE_BYTES}. */
  responseTooLarge: 'lucid-tls:responseTooLarge',
  /** No answer in time, or a poll that never reached a final state. */
  timeout: 'lucid-tls:timeout',
  /** The connection failed: DNS, TCP, or TLS (the server's certificate, for instance). */
  transport: 'lucid-tls:transport',
  /** The server offered no challenge of the type asked for. */
  challengeUnavailable: 'lucid-tls:challengeUnavailable',
  /** A challenge could not be provisioned (the dns-01 hook failed, a listener could not start). */
  provisioningFailed: 'lucid-tls:provisioningFailed',
  /** The certificate issued does not match the request (another key, missing names). */
  certificateMismatch: 'lucid-tls:certificateMismatch',
} as const;

/** A problem document (RFC 7807 §3.1, with RFC 8555 §6.7's subproblems and identifier). */
export interface Problem {
  type: string;
  detail?: string;
  title?: string;
  status?: number;
  instance?: string;
  /** Only in subproblems: the identifier this one is about (§6.7.1). */
  identifier?: Identifier;
  subproblems?: Problem[];
}

/** How deeply subproblems may nest before the rest is dropped (RFC 8555 has one level). */
const MAX_SUBPROBLEM_DEPTH = 4;

/**
 * Reads a problem document from parsed JSON, keeping only well-formed fields: a response
 * that is not one still gives a problem, typed `about:blank` as RFC 7807 §4.2 says.
 *
 * @example
 * ```ts
 * import { parseProblem } from '@lucid-tls/acme';
 * const p = parseProblem({ type: 'urn:ietf:params:acme:error:malformed', detail: 'Some identifiers were rejected',
 *   subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'no', identifier: { type: 'dns', value: 'example.net' } }] });
 * console.log(p.subproblems![0]!.identifier!.value); // → example.net
 * console.log(parseProblem('<html>').type); // → about:blank
 * ```
 */
export function parseProblem(json: unknown, depth = 0): Problem {
  const o = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const problem: Problem = { type: typeof o.type === 'string' && o.type.length > 0 ? o.type : 'about:blank' };
  if (typeof o.detail === 'string') problem.detail = o.detail;
  if (typeof o.title === 'string') problem.title = o.title;
  if (typeof o.status === 'number' && Number.isInteger(o.status)) problem.status = o.status;
  if (typeof o.instance === 'string') problem.instance = o.instance;
  const id = o.identifier as Record<string, unknown> | undefined;
  if (typeof id?.type === 'string' && typeof id.value === 'string') problem.identifier = { type: id.type, value: id.value };
  if (Array.isArray(o.subproblems) && depth < MAX_SUBPROBLEM_DEPTH) problem.subproblems = o.subproblems.map((s) => parseProblem(s, depth + 1));
  return problem;
}

/**
 * The short name of an error type: `badNonce` for `urn:ietf:params:acme:error:badNonce`;
 * other types unchanged.
 *
 * @example
 * ```ts
 * import { shortType } from '@lucid-tls/acme';
 * console.log(shortType('urn:ietf:params:acme:error:badNonce'), shortType('lucid-tls:timeout')); // → badNonce lucid-tls:timeout
 * ```
 */
export function shortType(type: string): string {
  return type.startsWith(ACME_ERROR) ? type.slice(ACME_ERROR.length) : type;
}

/**
 * The error of every ACME failure: the problem document's fields, the HTTP status, and
 * the URL of the request (or challenge) it came from.
 *
 * @example
 * ```ts
 * import { AcmeError } from '@lucid-tls/acme';
 * const error = new AcmeError({ type: 'urn:ietf:params:acme:error:unauthorized', detail: 'Incorrect TXT record', identifier: { type: 'dns', value: 'example.com' } });
 * console.log(error.message); // → unauthorized: Incorrect TXT record (dns example.com)
 * console.log(error.is('unauthorized')); // → true
 * ```
 */
export class AcmeError extends Error {
  override readonly name = 'AcmeError';
  /** The problem type: `urn:ietf:params:acme:error:…` from the server, `lucid-tls:…` from this client. */
  readonly type: string;
  readonly detail: string;
  /** The HTTP status of the response, when the problem came in one. */
  readonly status: number | undefined;
  readonly subproblems: readonly Problem[];
  /** The identifier the problem is about (a failed challenge's), when known. */
  readonly identifier: Identifier | undefined;
  /** The URL of the request or challenge that failed. */
  readonly url: string | undefined;
  /** When the server said to try again (a Retry-After with `rateLimited`, RFC 8555 §6.6). */
  readonly retryAfter: Date | undefined;
  /** The whole problem document. */
  readonly problem: Problem;

  constructor(problem: Problem, context: { status?: number; url?: string; retryAfter?: Date; cause?: unknown } = {}) {
    super(describeProblem(problem), context.cause === undefined ? undefined : { cause: context.cause });
    this.problem = problem;
    this.type = problem.type;
    this.detail = problem.detail ?? problem.title ?? '';
    this.status = context.status ?? problem.status;
    this.subproblems = problem.subproblems ?? [];
    this.identifier = problem.identifier;
    this.url = context.url;
    this.retryAfter = context.retryAfter;
  }

  /** Whether the type is ACME's `name` (`badNonce`, `unauthorized`…) or exactly `name`. */
  is(name: string): boolean {
    return this.type === name || this.type === ACME_ERROR + name;
  }
}

/** `type: detail (identifier)`, then one line per subproblem. */
function describeProblem(p: Problem): string {
  const id = p.identifier ? ` (${p.identifier.type} ${p.identifier.value})` : '';
  const head = `${shortType(p.type)}: ${p.detail ?? p.title ?? 'no detail given'}${id}`;
  return [head, ...(p.subproblems ?? []).map((s) => `  ${describeProblem(s).replace(/\n/g, '\n  ')}`)].join('\n');
}

/**
 * An {@link AcmeError} of one of this client's own types.
 *
 * @example
 * ```ts
 * import { clientError } from '@lucid-tls/acme';
 * console.log(clientError('timeout', 'the order stayed "processing" for 300 s').message); // → lucid-tls:timeout: the order stayed "processing" for 300 s
 * ```
 */
export function clientError(type: keyof typeof ClientErrorType, detail: string, context: { url?: string; cause?: unknown } = {}): AcmeError {
  return new AcmeError({ type: ClientErrorType[type], detail }, context);
}
