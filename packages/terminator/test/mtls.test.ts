/**
 * mTLS: client certificates validated against --client-ca, required by default or
 * optional on request; the identity goes upstream as X-Forwarded-Client-Cert in Envoy's
 * format, and a client's own X-Forwarded-Client-Cert is never passed on.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTerminator, type AccessLogEntry, type Terminator } from '../src/index.js';
import { curl, curlTo, makePki, parseCurlResponse, startUpstream, type Echo, type TestPki, type Upstream } from './helpers.js';

let pki: TestPki;
let upstream: Upstream;
let required: Terminator;
let optional: Terminator;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  const base = { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], clientCa: pki.caFile, accessLog: false as const };
  const options = { onAccessLog: (entry: AccessLogEntry) => log.push(entry), logger: () => {} };
  required = await startTerminator(base, options);
  optional = await startTerminator({ ...base, clientCert: 'optional' }, options);
});

afterAll(async () => {
  await required?.close();
  await optional?.close();
  await upstream?.close();
  pki?.cleanup();
});

/** curl with an optional client certificate; the parsed response and the echo. */
async function get(terminator: Terminator, path: string, client?: { cert: string; key: string }, extra: string[] = []) {
  const port = terminator.address.port;
  const certArgs = client ? ['--cert', client.cert, '--key', client.key] : [];
  const result = await curl([...curlTo(port, pki.caFile), '-i', ...certArgs, ...extra, `https://localhost:${port}${path}`]);
  if (result.code !== 0) return { failed: true as const, stderr: result.stderr };
  const parsed = parseCurlResponse(result.stdout);
  return { failed: false as const, status: parsed.status, echo: JSON.parse(parsed.body) as Echo };
}

const expectedXfcc = () => {
  const hash = createHash('sha256').update(pki.client.issued.certificate.der).digest('hex');
  // RFC 4514: the most specific attribute first.
  return `Hash=${hash};Subject="CN=alice@lucid.test,O=Lucid TLS development client certificate"`;
};

describe('client certificate required (the default with --client-ca)', () => {
  test('a valid certificate goes through; its identity goes upstream as X-Forwarded-Client-Cert', async () => {
    const response = await get(required, '/mtls', pki.client, ['-H', 'X-Forwarded-Client-Cert: Hash=00;Subject="CN=admin"']);
    expect(response.failed).toBe(false);
    if (response.failed) return;
    expect(response.status).toBe(200);
    expect(response.echo.headers['x-forwarded-client-cert']).toBe(expectedXfcc());
    expect(log.find((e) => e.path === '/mtls')?.clientCert).toBe(createHash('sha256').update(pki.client.issued.certificate.der).digest('hex'));
  });

  test('no certificate: the handshake fails', async () => {
    const response = await get(required, '/none');
    expect(response.failed).toBe(true);
  });

  test('a certificate from an untrusted CA: the handshake fails', async () => {
    const response = await get(required, '/rogue', pki.rogueClient);
    expect(response.failed).toBe(true);
    expect(required.metrics.handshakes.get('failure')).toBeGreaterThanOrEqual(2);
  });

  test('no session tickets with mTLS: every connection proves who it is', async () => {
    const port = required.address.port;
    // Two URLs in one curl run: the second connection would resume if a ticket had been sent.
    const result = await curl([...curlTo(port, pki.caFile), '--cert', pki.client.cert, '--key', pki.client.key, '-H', 'Connection: close', '-o', '/dev/null', '-o', '/dev/null', `https://localhost:${port}/t1`, `https://localhost:${port}/t2`]);
    expect(result.code).toBe(0);
    const entries = log.filter((e) => e.path === '/t1' || e.path === '/t2');
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => !e.resumed && e.clientCert !== null)).toBe(true);
  });
});

describe('client certificate optional (--client-cert optional)', () => {
  test('no certificate: served, without X-Forwarded-Client-Cert (a spoofed one is removed)', async () => {
    const response = await get(optional, '/anonymous', undefined, ['-H', 'X-Forwarded-Client-Cert: Hash=00;Subject="CN=admin"']);
    expect(response.failed).toBe(false);
    if (response.failed) return;
    expect(response.status).toBe(200);
    expect(response.echo.headers['x-forwarded-client-cert']).toBeUndefined();
  });

  test('a valid certificate: its identity goes upstream', async () => {
    const response = await get(optional, '/identified', pki.client);
    expect(response.failed).toBe(false);
    if (response.failed) return;
    expect(response.echo.headers['x-forwarded-client-cert']).toBe(expectedXfcc());
  });

  test('a certificate that does not verify is refused, not ignored', async () => {
    const response = await get(optional, '/rogue', pki.rogueClient);
    expect(response.failed).toBe(true);
  });
});
