/**
 * HTTPS for ACME over lucid-tls's own client, against Node's `https` server (OpenSSL): a
 * trusted server works; an untrusted one, a closed port, a server that never answers, an
 * oversized body and plain http all end in a typed AcmeError.
 */
import { once } from 'node:events';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
import { AcmeError, ClientErrorType, MAX_RESPONSE_BYTES, httpsTransport } from '../src/index.js';

const ca = createCertificateAuthority();
const site = issueCertificate(ca, { names: ['localhost', '127.0.0.1'] });
let server: Server;
let base: string;

beforeAll(async () => {
  server = createHttpsServer({ cert: site.certPem, key: site.keyPem }, (req, res) => {
    if (req.url === '/dir') res.writeHead(200, { 'content-type': 'application/json', 'replay-nonce': 'abc', link: ['<https://x.test/1>;rel="index"', '<https://x.test/2>;rel="alternate"'] }).end('{"ok":true}');
    else if (req.url === '/huge') res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61));
    else if (req.url === '/never') return; // no answer, ever
    else if (req.url === '/echo') req.pipe(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function failure(promise: Promise<unknown>): Promise<AcmeError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AcmeError);
  return error as AcmeError;
}

describe('httpsTransport', () => {
  const transport = () => httpsTransport({ ca: ca.certPem, timeout: 2000 });

  it('GETs over TLS 1.3, headers lower-cased and repeated ones joined', async () => {
    const response = await transport()({ method: 'GET', url: `${base}/dir`, headers: {} });
    expect(response.status).toBe(200);
    expect(response.headers['replay-nonce']).toBe('abc');
    expect(response.headers.link).toBe('<https://x.test/1>;rel="index", <https://x.test/2>;rel="alternate"');
    expect(new TextDecoder().decode(response.body)).toBe('{"ok":true}');
  });

  it('POSTs a body', async () => {
    const response = await transport()({ method: 'POST', url: `${base}/echo`, headers: { 'content-type': 'application/jose+json' }, body: new TextEncoder().encode('{"payload":""}') });
    expect(new TextDecoder().decode(response.body)).toBe('{"payload":""}');
  });

  it('refuses a server its CA does not vouch for, with the TLS alert', async () => {
    const error = await failure(httpsTransport({ ca: createCertificateAuthority().certPem })({ method: 'GET', url: `${base}/dir`, headers: {} }));
    expect(error.type).toBe(ClientErrorType.transport);
    expect(error.detail).toMatch(/TLS (unknown_ca|bad_certificate)/);
  });

  it('refuses a body over MAX_RESPONSE_BYTES', async () => {
    const error = await failure(transport()({ method: 'GET', url: `${base}/huge`, headers: {} }));
    expect(error.type).toBe(ClientErrorType.responseTooLarge);
  });

  it('gives up on a server that never answers', async () => {
    const error = await failure(httpsTransport({ ca: ca.certPem, timeout: 300 })({ method: 'GET', url: `${base}/never`, headers: {} }));
    expect(error.type).toBe(ClientErrorType.timeout);
  });

  it('reports a closed port', async () => {
    const closed = createNetServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const error = await failure(transport()({ method: 'GET', url: `https://127.0.0.1:${port}/dir`, headers: {} }));
    expect(error.type).toBe(ClientErrorType.transport);
    expect(error.detail).toContain('ECONNREFUSED');
  });

  it('speaks HTTPS only (RFC 8555 §6.1)', async () => {
    const error = await failure(transport()({ method: 'GET', url: 'http://localhost/dir', headers: {} }));
    expect(error.detail).toContain('HTTPS only');
  });
});
