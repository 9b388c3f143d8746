/**
 * The HTTP under ACME. ACME is spoken over HTTPS only (RFC 8555 §6.1), and here that
 * HTTPS is lucid-tls: Node's `http` module frames the requests, and each one travels
 * over a TLS 1.3 connection made by `@lucid-tls/tls/node`'s `connect()`, which checks the
 * server's certificate against the system's trust store, or against `ca` for a test CA
 * such as Pebble's. Every request has its own connection: an issuance is a dozen or two
 * requests, and one connection each keeps this file short.
 *
 * The transport is a function, so a test can put a scripted server in its place.
 * @module
 */
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { TlsError, connect, type PemInput } from '@lucid-tls/tls/node';
import { AcmeError, clientError } from './problem.js';

/** One HTTP request. */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** One HTTP response; header names are lower case, repeated headers joined with `, `. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Sends one request and returns the response, whatever its status. Throws an
 * {@link AcmeError} (`lucid-tls:transport`, `timeout` or `responseTooLarge`) when there is no response.
 *
 * @example
 * ```ts
 * import type { HttpTransport } from '@lucid-tls/acme';
 * // A transport that logs each request's method and URL before passing it on.
 * const logged = (inner: HttpTransport): HttpTransport => async (request) => {
 *   console.log(request.method, request.url);
 *   return inner(request);
 * };
 * ```
 */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * The largest response body read: certificate chains and ACME objects are a few
 * kilobytes; anything this large is refused rather than buffered.
 *
 * @example
 * ```ts
 * import { MAX_RESPONSE_BYTES } from '@lucid-tls/acme';
 * console.log(MAX_RESPONSE_BYTES); // → 1048576
 * ```
 */
export const MAX_RESPONSE_BYTES = 1 << 20;

/**
 * How long one request may take, connecting included, by default.
 *
 * @example
 * ```ts
 * import { REQUEST_TIMEOUT_MS } from '@lucid-tls/acme';
 * console.log(REQUEST_TIMEOUT_MS); // → 30000
 * ```
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link httpsTransport}. */
export interface HttpsTransportOptions {
  /** The CAs the ACME server's certificate must chain to (PEM); default: the system's trust store. */
  ca?: PemInput;
  /** Milliseconds a request may take (default {@link REQUEST_TIMEOUT_MS}). */
  timeout?: number;
}

/**
 * HTTPS over lucid-tls's own TLS client.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { httpsTransport } from '@lucid-tls/acme';
 * const transport = httpsTransport({ ca: readFileSync('pebble-ca.pem') });
 * const response = await transport({ method: 'GET', url: 'https://localhost:14000/dir', headers: {} });
 * console.log(response.status, JSON.parse(new TextDecoder().decode(response.body)).newNonce);
 * ```
 */
export function httpsTransport(options: HttpsTransportOptions = {}): HttpTransport {
  const timeout = options.timeout ?? REQUEST_TIMEOUT_MS;
  return (request) => {
    const target = new URL(request.url);
    if (target.protocol !== 'https:') return Promise.reject(clientError('transport', `ACME is spoken over HTTPS only (RFC 8555 §6.1), not ${target.protocol}`, { url: request.url }));
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal loses its brackets
    const port = Number(target.port || 443);
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof AcmeError ? error : clientError('transport', `${request.method} ${request.url}: ${reason(error)}`, { url: request.url, cause: error }));
      };
      const req = httpRequest(
        {
          method: request.method,
          host,
          port,
          path: `${target.pathname}${target.search}`,
          headers: { ...request.headers, host: target.host },
          createConnection: () => connect({ host, port, ALPNProtocols: ['http/1.1'], ...(options.ca !== undefined ? { ca: options.ca } : {}) }) as unknown as Socket,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            length += chunk.length;
            if (length > MAX_RESPONSE_BYTES) req.destroy(clientError('responseTooLarge', `${request.url} sent more than ${MAX_RESPONSE_BYTES} bytes`, { url: request.url }));
            else chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: new Uint8Array(Buffer.concat(chunks)) });
          });
        },
      );
      const timer = setTimeout(() => req.destroy(clientError('timeout', `${request.method} ${request.url}: no complete response in ${timeout} ms`, { url: request.url })), timeout);
      req.on('error', fail);
      req.end(request.body === undefined ? undefined : Buffer.from(request.body));
    });
  };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** A transport failure in words: the TLS alert and its reason (a TlsError's message), or the system error. */
function reason(error: unknown): string {
  if (error instanceof TlsError) return `TLS ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
