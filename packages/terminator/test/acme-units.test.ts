/**
 * The ACME parts of the terminator that need no ACME server: the settings and flags, the
 * choice of certificate while a name waits for its own (and for tls-alpn-01 validation
 * handshakes), what `acme.dir` holds and what of it is reused, the backoff, the metrics
 * and their merge across workers, and http-01 on the redirect listener.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcmeError, ChallengeResponses, keyAuthorization, generateAccountKey, type ChallengeTask } from '@lucid-tls/acme';
import { createCertificateAuthority, issueCertificate, parseCertificate } from '@lucid-tls/tls/x509';
import { afterAll, describe, expect, test } from 'vitest';
import {
  AcmeStore,
  CertificateStore,
  ConfigError,
  DEFAULT_ACME_DIR,
  MAX_RETRY_DELAY_MS,
  Metrics,
  createRedirectServer,
  parseCommandLine,
  resolveConfig,
  retryDelay,
} from '../src/index.js';

const directory = 'https://acme.test/dir';
const base = { listen: '127.0.0.1:8443', upstream: 'http://127.0.0.1:8080' };
const ca = createCertificateAuthority({ commonName: 'ACME units CA' });
const scratch = mkdtempSync(join(tmpdir(), 'lucid-acme-units-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A managed certificate, as the ACME client hands it over. */
const managed = (names: string[], days = 90) => {
  const issued = issueCertificate(ca, { names, days });
  return { names, certificatePem: issued.certPem + ca.certPem, keyPem: issued.keyPem, issued };
};

describe('acme settings', () => {
  test('defaults; no --cert needed', () => {
    const config = resolveConfig({ ...base, acme: { directory, domains: ['Example.com', 'a.example.com,b.example.com'] } }, '/etc/lucid');
    expect(config.certificates).toEqual([]);
    expect(config.acme).toEqual({
      directory,
      email: [],
      certificates: [['example.com'], ['a.example.com', 'b.example.com']],
      dir: DEFAULT_ACME_DIR,
      cafile: undefined,
      challenge: 'tls-alpn-01',
      agreeTos: false,
      renewAfterMs: undefined,
      retryMs: 60_000,
    });
    expect(resolveConfig({ ...base, acme: { directory, domains: ['x.test'], dir: 'acme', cafile: 'ca.pem' } }, '/etc/lucid').acme).toMatchObject({ dir: '/etc/lucid/acme', cafile: '/etc/lucid/ca.pem' });
  });

  test.each([
    [{ directory: 'http://acme.test/dir', domains: ['x.test'] }, /https:\/\/ URL/],
    [{ directory: 'not a url', domains: ['x.test'] }, /not a URL/],
    [{ directory, domains: [] }, /at least one name/],
    [{ directory, domains: ['*.x.test'] }, /wildcard needs dns-01/],
    [{ directory, domains: ['exa mple.test'] }, /not a domain name/],
    [{ directory, domains: ['x.test', 'y.test,X.test'] }, /x\.test is named twice/],
    [{ directory, domains: ['x.test'], challenge: 'dns-01' }, /tls-alpn-01 or http-01/],
    [{ directory, domains: ['x.test'], challenge: 'http-01' }, /add --redirect-from/],
    [{ directory, domains: ['x.test'], email: ['not-an-address'] }, /not an e-mail address/],
    [{ directory, domains: ['x.test'], retryDelay: -1 }, /acme.retryDelay/],
    [{ directory, domains: ['x.test'], typo: 1 }, /unknown setting "typo"/],
  ])('refuses %j', (acme, message) => {
    expect(() => resolveConfig({ ...base, acme: acme as never })).toThrow(ConfigError);
    expect(() => resolveConfig({ ...base, acme: acme as never })).toThrow(message);
  });

  test('without acme, a certificate is still required', () => {
    expect(() => resolveConfig({ ...base })).toThrow(/--acme-\* to obtain them/);
  });

  test('the flags', () => {
    const command = parseCommandLine([
      '--listen', ':443', '--upstream', 'http://127.0.0.1:8080', '--acme-directory', directory, '--acme-domain', 'a.test,www.a.test', '--acme-domain', 'b.test',
      '--acme-email', 'ops@a.test', '--acme-agree-tos', '--acme-dir', '/var/acme', '--acme-cafile', '/ca.pem', '--acme-challenge', 'http-01',
      '--acme-renew-after', '2.5', '--acme-retry-delay', '1', '--redirect-from', ':80',
    ]);
    if (command.help) throw new Error('help');
    expect(command.config.acme).toEqual({
      directory, domains: ['a.test,www.a.test', 'b.test'], email: ['ops@a.test'], agreeTos: true, dir: '/var/acme', cafile: '/ca.pem', challenge: 'http-01', renewAfter: 2.5, retryDelay: 1,
    });
    expect(resolveConfig(command.config).acme!.renewAfterMs).toBe(2500);
    expect(() => parseCommandLine(['--acme-domain', 'a.test'])).toThrow(/needs --acme-directory/);
    expect(() => parseCommandLine(['--acme-directory', directory, '--acme-renew-after', 'soon'])).toThrow(/a number of seconds/);
  });
});

describe('choosing a certificate while names wait for theirs', () => {
  test('a managed name without a certificate is refused (unrecognized_name); others get theirs or the default', () => {
    const files = { cert: join(scratch, 'static.pem'), key: join(scratch, 'static-key.pem') };
    const site = issueCertificate(ca, { names: ['static.test'] });
    writeFileSync(files.cert, site.certPem);
    writeFileSync(files.key, site.keyPem);
    const store = new CertificateStore([files], undefined, ['new.test']);
    expect(store.chooser('new.test', {})).toBeUndefined();
    expect(store.chooser('NEW.test', { alpnProtocol: 'http/1.1' })).toBeUndefined();
    expect(store.chooser('unknown.test', {})!.chain[0]).toEqual(site.certificate.der);
    expect(store.chooser(undefined, {})!.chain[0]).toEqual(site.certificate.der);

    const obtained = managed(['new.test']);
    store.setManaged(obtained);
    expect(store.chooser('new.test', {})!.chain[0]).toEqual(obtained.issued.certificate.der);
    expect(store.current.map((c) => c.names)).toEqual([['static.test'], ['new.test']]);
    // A renewal replaces it; a pair whose key does not match changes nothing.
    const renewed = managed(['new.test']);
    store.setManaged(renewed);
    expect(store.chooser('new.test', {})!.chain[0]).toEqual(renewed.issued.certificate.der);
    expect(() => store.setManaged({ ...renewed, keyPem: obtained.keyPem })).toThrow(/is not the key of/);
    expect(store.chooser('new.test', {})!.chain[0]).toEqual(renewed.issued.certificate.der);
    expect(store.current).toHaveLength(2);
  });

  test('with nothing at all yet, every handshake is refused', () => {
    const store = new CertificateStore([], undefined, ['only.test']);
    expect(store.chooser('only.test', {})).toBeUndefined();
    expect(store.chooser(undefined, {})).toBeUndefined();
    expect(store.chooser('other.test', {})).toBeUndefined();
  });

  test('tls-alpn-01: the challenge certificate answers acme-tls/1 handshakes only, while provisioned', () => {
    const challenges = new ChallengeResponses();
    const store = new CertificateStore([], undefined, ['new.test'], challenges);
    const task: ChallengeTask = { type: 'tls-alpn-01', domain: 'new.test', token: 'tok', keyAuthorization: keyAuthorization('tok', generateAccountKey()) };
    expect(store.chooser('new.test', { alpnProtocol: 'acme-tls/1' })).toBeUndefined();
    challenges.provision(task);
    const answer = store.chooser('new.test', { alpnProtocol: 'acme-tls/1' })!;
    expect(parseCertificate(answer.chain[0]!).extensions.map((e) => e.name)).toContain('acmeIdentifier');
    expect(store.chooser('new.test', { alpnProtocol: 'http/1.1' })).toBeUndefined();
    expect(store.chooser('other.test', { alpnProtocol: 'acme-tls/1' })).toBeUndefined();
    challenges.deprovision(task);
    expect(store.chooser('new.test', { alpnProtocol: 'acme-tls/1' })).toBeUndefined();
  });
});

describe('acme.dir', () => {
  const dir = join(scratch, 'acme');
  const store = new AcmeStore(dir, directory);
  store.prepare();
  const folder = join(dir, 'certificates', 'a.test');
  const write = (cert: string, key: string, record: string) => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'cert.pem'), cert);
    writeFileSync(join(folder, 'key.pem'), key);
    writeFileSync(join(folder, 'order.json'), record);
  };
  const good = managed(['a.test', 'www.a.test']);
  const record = JSON.stringify({ directory, names: ['a.test'], order: 'https://acme.test/order/1', certificate: 'https://acme.test/cert/1' });

  test('the account key is made once, 0600, and kept', () => {
    const first = store.accountKey();
    expect(first.existed).toBe(false);
    expect(statSync(join(dir, 'account.key')).mode & 0o777).toBe(0o600);
    const again = store.accountKey();
    expect(again.existed).toBe(true);
    expect(again.key).toEqual(first.key);
  });

  test('a stored certificate is reused only when it can serve every name', () => {
    expect(store.load(['a.test'])).toEqual({ missing: 'none stored' });
    write(good.certificatePem, good.keyPem, record);
    const loaded = store.load(['a.test', 'www.a.test']);
    expect('certificate' in loaded && loaded.certificate.keyPem).toBe(good.keyPem);
    expect(store.load(['a.test', 'api.a.test'])).toEqual({ missing: 'the stored one does not name api.a.test' });
    expect(new AcmeStore(dir, 'https://other.test/dir').load(['a.test'])).toEqual({ missing: `the stored one is from ${directory}` });
    expect(store.load(['a.test'], new Date(Date.now() + 91 * 86_400_000))).toMatchObject({ missing: expect.stringMatching(/^the stored one expired at /) });
  });

  test.each([
    ['order.json that is not JSON', () => write(good.certificatePem, good.keyPem, '{"directory":'), /^the stored one is unreadable/],
    ['order.json that is null', () => write(good.certificatePem, good.keyPem, 'null'), /no order\.json of ours/],
    ['order.json without a directory', () => write(good.certificatePem, good.keyPem, '{"directory":7}'), /no order\.json of ours/],
    ['a key of another certificate', () => write(good.certificatePem, managed(['a.test']).keyPem, record), /unusable: .*is not the key of/],
    ['no certificate in cert.pem', () => write('garbage', good.keyPem, record), /unusable: .*no CERTIFICATE block/],
    ['a key that does not parse', () => write(good.certificatePem, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', record), /unusable/],
  ])('%s: ordered anew, never served', (_what, damage, reason) => {
    damage();
    const loaded = store.load(['a.test']);
    expect('missing' in loaded && loaded.missing).toMatch(reason);
  });

  test('a folder that cannot be written stops the start', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    expect(() => new AcmeStore(join(file, 'acme'), directory).prepare()).toThrow(/acme\.dir .*ENOTDIR/);
  });
});

describe('retries', () => {
  test('double from the first delay up to an hour, less up to 10% of jitter, never before Retry-After', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 1000, undefined, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(30, 60_000, undefined, () => 0)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelay(1, 1000, undefined, () => 0.999)).toBeCloseTo(900, 0);
    const rateLimited = new AcmeError({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' }, { retryAfter: new Date(Date.now() + 7_200_000) });
    expect(retryDelay(1, 1000, rateLimited, () => 0)).toBeGreaterThan(7_190_000);
  });
});

describe('metrics', () => {
  test('expiry per name and ACME failures; across workers the expiry is merged, the failures summed', () => {
    const primary = new Metrics();
    primary.acmeFailures.inc('unauthorized', 2);
    const worker1 = new Metrics();
    worker1.certificateExpiry.replace([['a.test', 2000], ['b.test', 1000]]);
    const worker2 = new Metrics();
    worker2.certificateExpiry.replace([['a.test', 3000], ['b.test', 1000]]);
    worker2.acmeFailures.inc('unauthorized');
    const total = new Metrics();
    for (const m of [primary, worker1, worker2]) total.add(m.snapshot());
    expect(total.certificateExpiry.get('a.test')).toBe(3000);
    expect(total.certificateExpiry.get('b.test')).toBe(1000);
    expect(total.acmeFailures.get('unauthorized')).toBe(3);
    const text = total.render();
    expect(text).toContain('# TYPE lucid_certificate_expiry_timestamp_seconds gauge\nlucid_certificate_expiry_timestamp_seconds{name="a.test"} 3000\n');
    expect(text).toContain('# TYPE lucid_acme_failures_total counter\nlucid_acme_failures_total{reason="unauthorized"} 3\n');
  });
});

describe('http-01 on the redirect listener', () => {
  test('challenge requests are answered, everything else redirected', async () => {
    const challenges = new ChallengeResponses();
    challenges.provision({ type: 'http-01', domain: 'a.test', token: 'tok_1', keyAuthorization: 'tok_1.thumb' });
    const server = createRedirectServer(() => 443, 16384, challenges);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    try {
      const answer = await fetch(url('/.well-known/acme-challenge/tok_1'));
      expect([answer.status, await answer.text()]).toEqual([200, 'tok_1.thumb']);
      expect((await fetch(url('/.well-known/acme-challenge/unknown'))).status).toBe(404);
      const other = await fetch(url('/page'), { redirect: 'manual' });
      expect([other.status, other.headers.get('location')]).toEqual([301, 'https://127.0.0.1/page']);
    } finally {
      server.close();
    }
  });
});
