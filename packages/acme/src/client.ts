/**
 * The conversation with one ACME server under one account key: the directory, nonces,
 * signed requests (RFC 8555 §6.2), POST-as-GET (§6.3), the `badNonce` retry (§6.5), error
 * responses as problem documents (§6.7), and polling that honours Retry-After (§7.5.1,
 * §7.4). The protocol's operations build on it, one file each: `account.ts`,
 * `order.ts`, `authorization.ts`, `certificate.ts`.
 * @module
 */
import type { PemInput } from '@lucid-tls/tls/node';
import { isBase64url } from './base64url.js';
import { parseDirectory, type Directory } from './directory.js';
import { parseRetryAfter } from './headers.js';
import { parseJson } from './json.js';
import { asAccountKey, jwsAlgorithm, publicJwk, signJws, type AccountKey, type ProtectedHeader } from './jws.js';
import { NoncePool } from './nonces.js';
import { AcmeError, clientError, parseProblem } from './problem.js';
import { TRACED_HEADERS, tracedPayload, type AcmeTraceObserver } from './trace.js';
import { httpsTransport, type HttpResponse, type HttpTransport } from './transport.js';

/**
 * How many times a request is sent again after `badNonce` (RFC 8555 §6.5) before the
 * error is given up to the caller. Pebble rejects 5% of good nonces on purpose, so a
 * retry is routine; six rejections in a row are not.
 *
 * @example
 * ```ts
 * import { MAX_BAD_NONCE_RETRIES } from '@lucid-tls/acme';
 * console.log(MAX_BAD_NONCE_RETRIES); // → 5
 * ```
 */
export const MAX_BAD_NONCE_RETRIES = 5;

/**
 * The wait between polls when the server sends no Retry-After, by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_POLL_INTERVAL_MS } from '@lucid-tls/acme';
 * console.log(DEFAULT_POLL_INTERVAL_MS); // → 1000
 * ```
 */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * How long a poll (an authorization being validated, an order being issued) may last, by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_POLL_TIMEOUT_MS } from '@lucid-tls/acme';
 * console.log(DEFAULT_POLL_TIMEOUT_MS / 60_000); // → 5
 * ```
 */
export const DEFAULT_POLL_TIMEOUT_MS = 300_000;

/** ACME clients MUST send a User-Agent naming the software (RFC 8555 §6.1). */
const USER_AGENT = `lucid-tls-acme/0.1.0 (Node.js ${process.version})`;

/** Options of {@link AcmeClient}. */
export interface AcmeClientOptions {
  /** The directory URL: the only URL the client needs (RFC 8555 §7.1.1). */
  directoryUrl: string;
  /** The account key; see {@link generateAccountKey}. */
  accountKey: AccountKey;
  /** The account URL (the `kid` of signed requests), when already known; otherwise `newAccount` finds it. */
  accountUrl?: string;
  /** The HTTPS transport (default: {@link httpsTransport} over lucid-tls, trusting `ca`). */
  transport?: HttpTransport;
  /** The CAs the server's certificate must chain to, for the default transport (a test CA such as Pebble's). */
  ca?: PemInput;
  /** Receives every request, response and step (see `trace.ts`). */
  trace?: AcmeTraceObserver;
  /** Milliseconds between polls without a Retry-After (default {@link DEFAULT_POLL_INTERVAL_MS}). */
  pollInterval?: number;
  /** Milliseconds a poll may last in all (default {@link DEFAULT_POLL_TIMEOUT_MS}). */
  pollTimeout?: number;
  /** How to wait (default: a timer); tests pass one that records the waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** A successful response, and its JSON body when it has one. */
export interface AcmeResponse extends HttpResponse {
  url: string;
  json?: unknown;
}

/** How a request is signed: with the account (`kid`), or with a key sent whole (`jwk`). */
export interface Signer {
  key: AccountKey;
  /** Send the public key as `jwk` instead of the account URL as `kid` (newAccount, revocation by certificate key). */
  jwk: boolean;
}

/**
 * A client of one ACME server, for one account key.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { AcmeClient, generateAccountKey, newAccount } from '@lucid-tls/acme';
 * const client = new AcmeClient({ directoryUrl: 'https://localhost:14000/dir', accountKey: generateAccountKey(), ca: readFileSync('pebble-ca.pem') });
 * const account = await newAccount(client, { contact: ['mailto:admin@example.com'], termsOfServiceAgreed: true });
 * console.log(account.url === client.accountUrl); // → true
 * ```
 */
export class AcmeClient {
  readonly directoryUrl: string;
  /** The account URL, once known: every request but newAccount is signed with it as `kid`. */
  accountUrl: string | undefined;
  private key: AccountKey;
  private readonly transport: HttpTransport;
  private readonly trace: AcmeTraceObserver | undefined;
  private readonly nonces: NoncePool;
  private readonly pollInterval: number;
  private readonly pollTimeout: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private directoryPromise: Promise<Directory> | undefined;

  constructor(options: AcmeClientOptions) {
    this.directoryUrl = options.directoryUrl;
    this.key = asAccountKey(options.accountKey); // a key we can sign with, or a TypeError now
    this.accountUrl = options.accountUrl;
    this.transport = options.transport ?? httpsTransport(options.ca === undefined ? {} : { ca: options.ca });
    this.trace = options.trace;
    this.pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL_MS;
    this.pollTimeout = options.pollTimeout ?? DEFAULT_POLL_TIMEOUT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.nonces = new NoncePool(() => this.freshNonce());
  }

  /** The account key (it changes with a key rollover, §7.3.5). */
  get accountKey(): AccountKey {
    return this.key;
  }

  /** After a successful key change: sign with the new key from now on. */
  replaceAccountKey(key: AccountKey): void {
    this.key = asAccountKey(key);
  }

  /** The directory, fetched once (§7.1.1: a plain GET). */
  directory(): Promise<Directory> {
    if (this.directoryPromise === undefined) {
      this.directoryPromise = this.get(this.directoryUrl).then((r) => parseDirectory(r.json));
      // A failed fetch is not remembered: the next call tries again.
      this.directoryPromise.catch(() => (this.directoryPromise = undefined));
    }
    return this.directoryPromise;
  }

  /** Records a step of the protocol in the trace. */
  note(text: string): void {
    this.trace?.({ kind: 'acme-step', text });
  }

  /**
   * A signed POST of `payload` (an object, or `""` for POST-as-GET) to `url`, sent again
   * with the server's fresh nonce after `badNonce`. Resolves with a 2xx or 3xx response;
   * an error response is thrown as an {@link AcmeError} carrying its problem document.
   */
  async post(url: string, payload: unknown, options: { signer?: Signer; accept?: string } = {}): Promise<AcmeResponse> {
    const signer = options.signer ?? { key: this.key, jwk: false };
    let nonce = await this.nonces.take();
    for (let attempt = 0; ; attempt++) {
      const header = this.protectedHeader(signer, nonce, url);
      this.trace?.({ kind: 'acme-request', method: 'POST', url, protected: header, payload: tracedPayload(payload) });
      const jws = signJws(signer.key, header, payload);
      const response = await this.send({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/jose+json', ...(options.accept ? { accept: options.accept } : {}) },
        body: new TextEncoder().encode(JSON.stringify(jws)),
      });
      const fresh = response.headers['replay-nonce'];
      const error = response.status < 400 ? undefined : this.errorOf(response);
      // §6.5: a badNonce response carries a nonce the server will accept, and the retry MUST use it
      // (so it is not pooled, where another request could take it first).
      if (error?.is('badNonce') && fresh !== undefined && isBase64url(fresh) && attempt < MAX_BAD_NONCE_RETRIES) {
        this.note(`badNonce: sending the request again with the nonce from the error response (retry ${attempt + 1} of at most ${MAX_BAD_NONCE_RETRIES})`);
        nonce = fresh;
        continue;
      }
      this.nonces.add(fresh);
      if (error) throw error;
      return response;
    }
  }

  /** A POST-as-GET (§6.3): reading a resource, authenticated. */
  postAsGet(url: string, accept?: string): Promise<AcmeResponse> {
    return this.post(url, '', accept === undefined ? {} : { accept });
  }

  /**
   * Reads `url` again and again until `done`, waiting what the server's Retry-After says or,
   * without one, the poll interval. `describe` names the state for the trace and for the
   * timeout error.
   */
  async poll<T>(url: string, read: (response: AcmeResponse) => T, done: (value: T) => boolean, describe: (value: T) => string): Promise<T> {
    const deadline = Date.now() + this.pollTimeout;
    for (;;) {
      const response = await this.postAsGet(url);
      const value = read(response);
      if (done(value)) return value;
      const retryAfter = parseRetryAfter(response.headers['retry-after']);
      const wait = retryAfter ?? this.pollInterval;
      if (Date.now() + wait > deadline) throw clientError('timeout', `${describe(value)} after polling for ${Math.round(this.pollTimeout / 1000)} s`, { url });
      this.note(`${describe(value)}: asking again in ${(wait / 1000).toFixed(1)} s${retryAfter === undefined ? '' : ' (Retry-After)'}`);
      await this.sleep(wait);
    }
  }

  /** An unsigned GET (the directory) or HEAD (newNonce), the only unauthenticated requests (§6.3). */
  private async get(url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<AcmeResponse> {
    this.trace?.({ kind: 'acme-request', method, url });
    const response = await this.send({ method, url, headers: {} });
    if (method === 'GET') this.nonces.add(response.headers['replay-nonce']); // (a HEAD newNonce's is returned, not pooled)
    if (response.status >= 400) throw this.errorOf(response);
    return response;
  }

  /** §7.2: HEAD newNonce; the nonce is in Replay-Nonce. */
  private async freshNonce(): Promise<string> {
    const response = await this.get((await this.directory()).newNonce, 'HEAD');
    const nonce = response.headers['replay-nonce'];
    // §6.5.1: a Replay-Nonce is base64url; "Clients MUST ignore invalid Replay-Nonce values".
    if (nonce === undefined || !isBase64url(nonce)) throw clientError('malformedResponse', 'newNonce answered without a valid Replay-Nonce', { url: response.url });
    return nonce;
  }

  private protectedHeader(signer: Signer, nonce: string, url: string): ProtectedHeader {
    const alg = jwsAlgorithm(signer.key);
    if (signer.jwk) return { alg, jwk: publicJwk(signer.key), nonce, url };
    if (this.accountUrl === undefined) throw new Error('no account URL yet: call newAccount (or findAccount) first');
    return { alg, kid: this.accountUrl, nonce, url };
  }

  /** Sends one request, parses a JSON body, and traces the response. */
  private async send(request: Parameters<HttpTransport>[0]): Promise<AcmeResponse> {
    const response: AcmeResponse = { ...(await this.transport({ ...request, headers: { 'user-agent': USER_AGENT, 'accept-language': 'en', ...request.headers } })), url: request.url };
    const type = response.headers['content-type'] ?? '';
    if (/^application\/(problem\+)?json\b/i.test(type)) response.json = parseJson(response.body, `${request.method} ${request.url}`);
    if (this.trace) {
      const headers: Record<string, string> = {};
      for (const name of TRACED_HEADERS) if (response.headers[name] !== undefined) headers[name] = response.headers[name]!;
      const body = response.json ?? (response.body.length > 0 ? new TextDecoder().decode(response.body) : undefined);
      this.trace({
        kind: 'acme-response',
        method: request.method,
        url: request.url,
        status: response.status,
        headers,
        ...(response.status >= 400 ? { problem: parseProblem(response.json ?? {}) } : body === undefined ? {} : { body }),
      });
    }
    return response;
  }

  /** The error of an error response: its problem document, or one made from the status. */
  private errorOf(response: AcmeResponse): AcmeError {
    const problem = response.json !== undefined ? parseProblem(response.json) : { type: 'about:blank', detail: `HTTP ${response.status} without a problem document` };
    const wait = parseRetryAfter(response.headers['retry-after']);
    return new AcmeError(problem, { status: response.status, url: response.url, ...(wait === undefined ? {} : { retryAfter: new Date(Date.now() + wait) }) });
  }
}
