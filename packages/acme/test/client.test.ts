/**
 * The client's handling of what a server may send, with a scripted transport in place of
 * HTTPS: the badNonce retry (RFC 8555 §6.5), Retry-After (§7.5.1), problem documents
 * (§6.7), and responses that are malformed, which must end in a typed AcmeError, never a
 * TypeError or a hang. (The conversation with a real server is pebble.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  AcmeClient,
  AcmeError,
  ClientErrorType,
  MAX_BAD_NONCE_RETRIES,
  NoncePool,
  dnsIdentifier,
  fetchAuthorization,
  fetchOrder,
  generateAccountKey,
  linksWithRel,
  newAccount,
  parseDirectory,
  parseLinks,
  parseProblem,
  parseRetryAfter,
  waitForOrder,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from '../src/index.js';

const BASE = 'https://acme.test';
const DIRECTORY = { newNonce: `${BASE}/nonce`, newAccount: `${BASE}/account`, newOrder: `${BASE}/order`, revokeCert: `${BASE}/revoke`, keyChange: `${BASE}/key-change` };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
});
let nonceCounter = 0;
const fresh = () => `bm9uY2U${nonceCounter++}`;

/** A scripted server: the directory and nonces, then `route` for everything else. Records what it was sent. */
function scripted(route: (request: HttpRequest, jws: { protected: Record<string, unknown>; payload: unknown } | undefined) => HttpResponse) {
  const requests: HttpRequest[] = [];
  const transport: HttpTransport = async (request) => {
    requests.push(request);
    if (request.url === `${BASE}/dir`) return json(200, DIRECTORY);
    if (request.url === DIRECTORY.newNonce) return { status: 200, headers: { 'replay-nonce': fresh() }, body: new Uint8Array() };
    const body = request.body ? JSON.parse(new TextDecoder().decode(request.body)) : undefined;
    const jws = body && {
      protected: JSON.parse(Buffer.from(body.protected, 'base64url').toString()),
      payload: body.payload === '' ? '' : JSON.parse(Buffer.from(body.payload, 'base64url').toString()),
    };
    return route(request, jws);
  };
  return { transport, requests };
}

function client(transport: HttpTransport, options: { sleep?: (ms: number) => Promise<void>; pollTimeout?: number } = {}) {
  return new AcmeClient({ directoryUrl: `${BASE}/dir`, accountKey: generateAccountKey(), accountUrl: `${BASE}/acct/1`, transport, pollInterval: 10, ...options });
}

async function failure(promise: Promise<unknown>): Promise<AcmeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AcmeError);
  return error as AcmeError;
}

const ORDER = { status: 'processing', identifiers: [{ type: 'dns', value: 'a.test' }], authorizations: [`${BASE}/authz/1`], finalize: `${BASE}/order/1/finalize` };

describe('badNonce (RFC 8555 §6.5)', () => {
  it('retries with the nonce of the error response, not another', async () => {
    let rejected = false;
    const { transport, requests } = scripted((_request, jws) => {
      if (!rejected) {
        rejected = true;
        return json(400, { type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale' }, { 'replay-nonce': 'ZnJvbS10aGUtZXJyb3I' });
      }
      expect(jws!.protected.nonce).toBe('ZnJvbS10aGUtZXJyb3I');
      return json(200, ORDER, { 'replay-nonce': fresh() });
    });
    expect((await fetchOrder(client(transport), `${BASE}/order/1`)).status).toBe('processing');
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it(`gives up after ${MAX_BAD_NONCE_RETRIES} retries with the server's problem`, async () => {
    const { transport, requests } = scripted(() => json(400, { type: 'urn:ietf:params:acme:error:badNonce', detail: 'never' }, { 'replay-nonce': fresh() }));
    const error = await failure(fetchOrder(client(transport), `${BASE}/order/1`));
    expect(error.is('badNonce')).toBe(true);
    expect(error.status).toBe(400);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(MAX_BAD_NONCE_RETRIES + 1);
  });

  it('ignores a Replay-Nonce that is not base64url (§6.5.1) and asks newNonce instead', async () => {
    const pool = new NoncePool(async () => 'ZnJlc2g');
    pool.add('has spaces');
    pool.add('');
    pool.add('a+b=');
    expect(await pool.take()).toBe('ZnJlc2g');
  });
});

describe('polling', () => {
  it('waits what Retry-After says, and the poll interval without one', async () => {
    const waits: number[] = [];
    const answers = [json(200, ORDER, { 'retry-after': '3', 'replay-nonce': fresh() }), json(200, ORDER, { 'replay-nonce': fresh() }), json(200, { ...ORDER, status: 'valid', certificate: `${BASE}/cert/1` })];
    const { transport } = scripted(() => answers.shift()!);
    const order = await waitForOrder(client(transport, { sleep: async (ms) => void waits.push(ms) }), { ...ORDER, status: 'processing', url: `${BASE}/order/1` });
    expect(order.status).toBe('valid');
    expect(waits).toEqual([3000, 10]);
  });

  it('stops with lucid-tls:timeout when the state never settles', async () => {
    const { transport } = scripted(() => json(200, ORDER, { 'replay-nonce': fresh(), 'retry-after': '60' }));
    const error = await failure(waitForOrder(client(transport, { pollTimeout: 30_000 }), { ...ORDER, status: 'processing', url: `${BASE}/order/1` }));
    expect(error.type).toBe(ClientErrorType.timeout);
    expect(error.detail).toContain('order is "processing"');
  });

  it('throws the order’s problem when it ends invalid', async () => {
    const { transport } = scripted(() => json(200, { ...ORDER, status: 'invalid', error: { type: 'urn:ietf:params:acme:error:caa', detail: 'CAA forbids' } }));
    const error = await failure(waitForOrder(client(transport), { ...ORDER, status: 'processing', url: `${BASE}/order/1` }));
    expect(error.is('caa')).toBe(true);
    expect(error.message).toBe('caa: CAA forbids');
  });
});

describe('problem documents (§6.7)', () => {
  it('keep type, detail, status and subproblems with their identifiers', async () => {
    const problem = {
      type: 'urn:ietf:params:acme:error:malformed',
      detail: 'Some of the identifiers requested were rejected',
      subproblems: [
        { type: 'urn:ietf:params:acme:error:malformed', detail: 'Invalid underscore in DNS name "_example.org"', identifier: { type: 'dns', value: '_example.org' } },
        { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'This CA will not issue for "example.net"', identifier: { type: 'dns', value: 'example.net' } },
      ],
    };
    const { transport } = scripted(() => json(403, problem, { 'replay-nonce': fresh() }));
    const error = await failure(fetchOrder(client(transport), `${BASE}/order/1`));
    expect(error.status).toBe(403);
    expect(error.subproblems.map((s) => s.identifier?.value)).toEqual(['_example.org', 'example.net']);
    expect(error.message).toBe(
      'malformed: Some of the identifiers requested were rejected\n  malformed: Invalid underscore in DNS name "_example.org" (dns _example.org)\n  rejectedIdentifier: This CA will not issue for "example.net" (dns example.net)',
    );
  });

  it('carry Retry-After as retryAfter (a rate limit, §6.6)', async () => {
    const { transport } = scripted(() => json(429, { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }, { 'retry-after': '120' }));
    const error = await failure(fetchOrder(client(transport), `${BASE}/order/1`));
    expect(error.is('rateLimited')).toBe(true);
    expect(error.retryAfter!.getTime() - Date.now()).toBeGreaterThan(100_000);
  });

  it('an error page that is not a problem document still becomes an AcmeError, with its status', async () => {
    const { transport } = scripted(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: new TextEncoder().encode('<h1>Bad gateway</h1>') }));
    const error = await failure(fetchOrder(client(transport), `${BASE}/order/1`));
    expect(error.type).toBe('about:blank');
    expect(error.status).toBe(502);
  });

  it('parseProblem keeps only well-typed fields, and bounds the nesting', () => {
    expect(parseProblem(null)).toEqual({ type: 'about:blank' });
    expect(parseProblem([1, 2])).toEqual({ type: 'about:blank' });
    expect(parseProblem({ type: 5, detail: {}, status: 'x', identifier: { type: 'dns' }, subproblems: 'no' })).toEqual({ type: 'about:blank' });
    let deep: Record<string, unknown> = { type: 'leaf' };
    for (let i = 0; i < 100; i++) deep = { type: `level${i}`, subproblems: [deep] };
    let depth = 0;
    for (let p = parseProblem(deep); p.subproblems; p = p.subproblems[0]!) depth++;
    expect(depth).toBe(4);
  });
});

describe('malformed responses become lucid-tls:malformedResponse', () => {
  const cases: [string, (request: HttpRequest) => HttpResponse, (c: AcmeClient) => Promise<unknown>][] = [
    ['an order body that is not JSON', () => json(200, '{"status": "valid",', { 'replay-nonce': fresh() }), (c) => fetchOrder(c, `${BASE}/order/1`)],
    ['an order that is an array', () => json(200, [ORDER]), (c) => fetchOrder(c, `${BASE}/order/1`)],
    ['an order without a status', () => json(200, { ...ORDER, status: undefined }), (c) => fetchOrder(c, `${BASE}/order/1`)],
    ['an order with an unknown status', () => json(200, { ...ORDER, status: 'done' }), (c) => fetchOrder(c, `${BASE}/order/1`)],
    ['authorizations that are not strings', () => json(200, { ...ORDER, authorizations: [1] }), (c) => fetchOrder(c, `${BASE}/order/1`)],
    ['an expiry that is not a date', () => json(200, { ...ORDER, expires: 'tomorrow' }), (c) => fetchOrder(c, `${BASE}/order/1`)],
    [
      'a challenge token with characters outside base64url (it would go into a URL path and a DNS name)',
      () => json(200, { status: 'pending', identifier: { type: 'dns', value: 'a.test' }, challenges: [{ type: 'http-01', url: `${BASE}/c/1`, status: 'pending', token: '../../etc/passwd/AAAAAAAAAAAAAAAAAAAA' }] }),
      (c) => fetchAuthorization(c, `${BASE}/authz/1`),
    ],
    [
      'a token too short to carry 128 bits',
      () => json(200, { status: 'pending', identifier: { type: 'dns', value: 'a.test' }, challenges: [{ type: 'http-01', url: `${BASE}/c/1`, status: 'pending', token: 'short' }] }),
      (c) => fetchAuthorization(c, `${BASE}/authz/1`),
    ],
    ['an authorization without an identifier', () => json(200, { status: 'pending', challenges: [] }), (c) => fetchAuthorization(c, `${BASE}/authz/1`)],
    ['a new account without its URL (Location)', () => json(201, { status: 'valid' }), (c) => newAccount(c, { termsOfServiceAgreed: true })],
  ];
  for (const [what, answer, call] of cases) {
    it(what, async () => {
      const { transport } = scripted((request) => answer(request));
      const error = await failure(call(client(transport)));
      expect(error.type).toBe(ClientErrorType.malformedResponse);
    });
  }

  it('a directory without newOrder', () => {
    expect(() => parseDirectory({ newNonce: 'a', newAccount: 'b' })).toThrow(/"newOrder" is missing/);
    expect(() => parseDirectory('x')).toThrow(AcmeError);
  });

  it('a newNonce response without a valid Replay-Nonce', async () => {
    const transport: HttpTransport = async (request) =>
      request.url === `${BASE}/dir` ? json(200, DIRECTORY) : { status: 200, headers: { 'replay-nonce': 'not base64url!' }, body: new Uint8Array() };
    const error = await failure(fetchOrder(client(transport), `${BASE}/order/1`));
    expect(error.type).toBe(ClientErrorType.malformedResponse);
  });
});

describe('headers', () => {
  it('Link (RFC 8288): alternates, relative targets, quoting, and garbage', () => {
    const header = '<https://acme.test/dir>;rel="index", </cert/1/1>;rel=alternate, <https://acme.test/cert/1/2>; title="a, b"; rel="alternate up"';
    expect(linksWithRel(header, 'alternate', 'https://acme.test/cert/1')).toEqual(['https://acme.test/cert/1/1', 'https://acme.test/cert/1/2']);
    expect(parseLinks('no links here', 'https://a.test/')).toEqual([]);
    expect(parseLinks('<https://a.test/1>;rel=up, <http://[::1/x>;rel=up, <https://a.test/3>;rel=up', 'https://a.test/').map((l) => l.url)).toEqual([
      'https://a.test/1',
      'https://a.test/3',
    ]);
    expect(parseLinks(undefined, 'https://a.test/')).toEqual([]);
    expect(parseLinks(Array.from({ length: 100 }, (_, i) => `</${i}>;rel=alternate`).join(', '), 'https://a.test/').length).toBe(32);
  });

  it('Retry-After (RFC 9110 §10.2.3): seconds or an HTTP date, nothing else', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 10 ', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    for (const bad of ['-1', '1.5', '1e3', '9999999999', 'Thursday, 01-Jan-26 00:00:00 GMT', 'soon', '']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  it('dns identifiers are ASCII domain names (RFC 8555 §9.7.7), lower-cased', () => {
    expect(dnsIdentifier('Example.COM')).toEqual({ type: 'dns', value: 'example.com' });
    expect(dnsIdentifier('xn--bcher-kva.example').value).toBe('xn--bcher-kva.example');
    for (const bad of ['', 'exa mple.com', 'bücher.example', '-a.example', 'a..example', '*.*.example', 'a.example.', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}example`]) {
      expect(() => dnsIdentifier(bad)).toThrow(RangeError);
    }
  });
});
