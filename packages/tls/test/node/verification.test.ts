/**
 * The client verifies by default and says why it refuses: untrusted issuers (including
 * when no `ca` is given and the system store is used), names that do not match (DNS and
 * IP), expired certificates; `rejectUnauthorized: false` connects but reports it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tls from 'node:tls';
import { connect, type ConnectOptions } from '../../src/node/index.js';
import { TlsError } from '../../src/alert.js';
import { issueCertificate, type IssuedCertificate } from '../../src/x509/issue.js';
import { Resources, sleep, testPki, waitFor, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterAll(() => resources.closeAll());

/** A Node TLS 1.3 server presenting `cert`; collects its handshake errors. */
async function nodeServer(cert: IssuedCertificate) {
  const errors: Error[] = [];
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.3' }, (socket) => socket.end('hello'));
  server.on('tlsClientError', (error) => errors.push(error));
  const port = await resources.listen(server);
  return { port, errors };
}

/** Connects and expects the handshake to fail; returns the error and what the server saw. */
async function refused(cert: IssuedCertificate, options: ConnectOptions): Promise<{ error: TlsError; serverErrors: Error[] }> {
  const { port, errors } = await nodeServer(cert);
  const client = resources.track(connect({ port, ...options }));
  let secure = false;
  client.on('secureConnect', () => (secure = true));
  const closed = new Promise((resolve) => client.once('close', resolve));
  const [error] = await waitFor<[TlsError]>(client, 'error');
  expect(secure).toBe(false);
  expect(error).toBeInstanceOf(TlsError);
  expect(error.sent).toBe(true);
  await closed;
  // The alert reached the server before the connection closed.
  for (let i = 0; i < 50 && errors.length === 0; i++) await sleep(10);
  return { error, serverErrors: errors };
}

describe('certificate verification', () => {
  it('by default trusts only the system store: a private CA is unknown_ca', async () => {
    const { error, serverErrors } = await refused(pki.server, { host: 'localhost' });
    expect(error.alert).toBe('unknown_ca');
    expect(error.reason).toMatch(/^unknown_issuer/);
    expect(serverErrors[0]?.message).toMatch(/alert unknown ca/i);
  });

  it('rejects a certificate from a CA other than the given one', async () => {
    const { error } = await refused(pki.rogue, { host: 'localhost', ca: pki.ca.certPem });
    expect(error.alert).toBe('unknown_ca');
  });

  it('rejects a certificate for another name', async () => {
    const { error, serverErrors } = await refused(pki.server, { host: 'localhost', servername: 'example.com', ca: pki.ca.certPem });
    expect(error.alert).toBe('certificate_unknown');
    expect(error.reason).toMatch(/^hostname_mismatch/);
    expect(serverErrors[0]?.message).toMatch(/alert certificate unknown/i);
  });

  it('checks an IP address host against the IP address SANs', async () => {
    const { port } = await nodeServer(pki.server);
    const ok = resources.track(connect({ host: '127.0.0.1', port, ca: pki.ca.certPem }));
    await waitFor(ok, 'secureConnect');
    expect(ok.authorized).toBe(true);
    expect(ok.servername).toBe(false); // RFC 6066 §3: no IP addresses in server_name

    const { error } = await refused(pki.other, { host: '127.0.0.1', ca: pki.ca.certPem });
    expect(error.alert).toBe('certificate_unknown');
    expect(error.reason).toMatch(/^ip_address_mismatch/);
  });

  it('rejects an expired certificate', async () => {
    const expired = issueCertificate(pki.ca, { names: ['localhost'], now: new Date(Date.now() - 10 * 86_400_000), days: 1 });
    const { error } = await refused(expired, { host: 'localhost', ca: pki.ca.certPem });
    expect(error.alert).toBe('certificate_expired');
  });

  it('with rejectUnauthorized: false connects, reporting authorized false and why', async () => {
    const { port } = await nodeServer(pki.rogue);
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, rejectUnauthorized: false }));
    const sessions: Buffer[] = [];
    client.on('session', (s: Buffer) => sessions.push(s));
    const data = waitFor<[Buffer]>(client, 'data');
    await waitFor(client, 'secureConnect');
    expect(client.authorized).toBe(false);
    expect(client.authorizationError).toBeInstanceOf(TlsError);
    expect((client.authorizationError as TlsError).alert).toBe('unknown_ca');
    expect((await data)[0].toString()).toBe('hello');
    // A session of an unverified server is not handed out: it would vouch for it later.
    expect(sessions).toEqual([]);
    expect(client.getSession()).toBeUndefined();
  });

  it('with rejectUnauthorized: false and a valid certificate, authorized is true', async () => {
    const { port } = await nodeServer(pki.server);
    const client = resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, rejectUnauthorized: false }));
    await waitFor(client, 'secureConnect');
    expect(client.authorized).toBe(true);
    expect(client.authorizationError).toBeUndefined();
  });

  it('refuses malformed options instead of connecting without them', () => {
    expect(() => connect({ port: 1, ca: 'not a certificate' })).toThrow(/ca: no CERTIFICATE/);
    expect(() => connect({ port: 1, ca: pki.ca.certPem, cert: pki.client.certPem })).toThrow(/cert and key/);
    expect(() => connect({ port: 1, ca: pki.ca.certPem, ciphers: 'TLS_RSA_WITH_RC4_128_MD5' })).toThrow(/unknown cipher suite TLS_RSA_WITH_RC4_128_MD5/);
  });
});
