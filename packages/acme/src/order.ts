/**
 * Orders (RFC 8555 §7.4): a request for one certificate. newOrder names the identifiers;
 * the server answers with the authorizations to complete (§7.5) and a finalize URL. Once
 * every authorization is valid the order is `ready`; the client then sends a CSR to
 * finalize it, the order is `processing` while the CA issues, and `valid` with a
 * `certificate` URL at the end (§7.1.6):
 *
 * ```
 * pending ──(authorizations valid)──► ready ──(finalize + CSR)──► processing ──► valid
 *    └──────────────(an authorization fails, or the order expires)──────────────► invalid
 * ```
 * @module
 */
import { base64url } from './base64url.js';
import type { AcmeClient, AcmeResponse } from './client.js';
import { dnsIdentifier, readIdentifier, type Identifier } from './identifier.js';
import { jsonObject, objectArray, oneOf, optionalString, optionalTime, stringArray, stringField } from './json.js';
import { AcmeError, clientError, parseProblem, type Problem } from './problem.js';

/** The states of an order (§7.1.6). */
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

/**
 * An order object (§7.1.3) and its URL.
 *
 * @example
 * ```ts
 * import type { Order } from '@lucid-tls/acme';
 * const order: Order = {
 *   url: 'https://acme.example/order/1', status: 'pending', identifiers: [{ type: 'dns', value: 'example.com' }],
 *   authorizations: ['https://acme.example/authz/1'], finalize: 'https://acme.example/order/1/finalize',
 * };
 * console.log(order.status); // → pending
 * ```
 */
export interface Order {
  url: string;
  status: OrderStatus;
  identifiers: Identifier[];
  /** The URLs of the authorizations to complete, one per identifier. */
  authorizations: string[];
  /** Where the CSR goes. */
  finalize: string;
  /** The certificate's URL, once `valid`. */
  certificate?: string;
  expires?: Date;
  /** Why the order is `invalid`. */
  error?: Problem;
}

const STATUSES: readonly OrderStatus[] = ['pending', 'ready', 'processing', 'valid', 'invalid'];

/**
 * Asks for a certificate for `domains` (dns identifiers, §7.4).
 *
 * @example
 * ```ts
 * import { newOrder, type AcmeClient } from '@lucid-tls/acme';
 * declare const client: AcmeClient; // with its account (newAccount)
 * const order = await newOrder(client, ['example.com', 'www.example.com']);
 * console.log(order.status, order.authorizations.length); // pending 2
 * ```
 */
export async function newOrder(client: AcmeClient, domains: string[]): Promise<Order> {
  if (domains.length === 0) throw new RangeError('an order needs at least one domain');
  const identifiers = domains.map(dnsIdentifier);
  const response = await client.post((await client.directory()).newOrder, { identifiers });
  const url = response.headers.location;
  if (url === undefined) throw clientError('malformedResponse', 'newOrder answered without the order URL (Location)', { url: response.url });
  return readOrder(response, url);
}

/**
 * Reads an order again (POST-as-GET).
 *
 * @example
 * ```ts
 * import { fetchOrder, type AcmeClient, type Order } from '@lucid-tls/acme';
 * declare const client: AcmeClient, order: Order;
 * console.log((await fetchOrder(client, order.url)).status);
 * ```
 */
export async function fetchOrder(client: AcmeClient, url: string): Promise<Order> {
  return readOrder(await client.postAsGet(url), url);
}

/**
 * Waits while the order is `pending` (its authorizations being validated) or `processing`
 * (the certificate being issued), honouring Retry-After; throws the order's problem
 * when it ends `invalid`.
 *
 * @example
 * ```ts
 * import { waitForOrder, type AcmeClient, type Order } from '@lucid-tls/acme';
 * declare const client: AcmeClient, order: Order;
 * const ready = await waitForOrder(client, order);
 * console.log(ready.status); // "ready" (or "valid" when already finalized)
 * ```
 */
export async function waitForOrder(client: AcmeClient, order: Order): Promise<Order> {
  const settled = (o: Order) => o.status !== 'pending' && o.status !== 'processing';
  const final = settled(order) ? order : await client.poll(order.url, (r) => readOrder(r, order.url), settled, (o) => `order is "${o.status}"`);
  if (final.status === 'invalid') throw orderError(final);
  return final;
}

/**
 * Sends the CSR (DER) to finalize a `ready` order (§7.4), then waits while it is
 * `processing`; returns the `valid` order with its certificate URL.
 *
 * @example
 * ```ts
 * import { finalizeOrder, type AcmeClient, type Order } from '@lucid-tls/acme';
 * import { createCsr, generatePrivateKey } from '@lucid-tls/tls/x509';
 * declare const client: AcmeClient, order: Order;
 * const key = generatePrivateKey('ec');
 * const issued = await finalizeOrder(client, order, createCsr({ privateKey: key, names: ['example.com'] }));
 * console.log(issued.certificate);
 * ```
 */
export async function finalizeOrder(client: AcmeClient, order: Order, csr: Uint8Array): Promise<Order> {
  // The CSR goes as base64url DER: not PEM (§7.4).
  const response = await client.post(order.finalize, { csr: base64url(csr) });
  const finalized = await waitForOrder(client, readOrder(response, order.url));
  if (finalized.status !== 'valid' || finalized.certificate === undefined) {
    throw clientError('malformedResponse', `the finalized order is "${finalized.status}" without a certificate URL`, { url: order.url });
  }
  return finalized;
}

function readOrder(response: AcmeResponse, url: string): Order {
  const o = jsonObject(response.json, 'the order');
  const what = 'the order';
  const order: Order = {
    url,
    status: oneOf(o, 'status', STATUSES, what),
    identifiers: objectArray(o, 'identifiers', what).map((i) => readIdentifier(i, what)),
    authorizations: stringArray(o, 'authorizations', what),
    finalize: stringField(o, 'finalize', what),
  };
  const certificate = optionalString(o, 'certificate', what);
  if (certificate !== undefined) order.certificate = certificate;
  const expires = optionalTime(o, 'expires', what);
  if (expires !== undefined) order.expires = expires;
  if (o.error !== undefined) order.error = parseProblem(o.error);
  return order;
}

function orderError(order: Order): AcmeError {
  return new AcmeError(order.error ?? { type: 'about:blank', detail: 'the order is invalid, and the server gives no reason' }, { url: order.url });
}
