/**
 * The terminator's pure parts: settings, the forwarding headers' syntax (RFC 7239,
 * RFC 4514, Envoy's XFCC), trusted proxies, redirect targets, metrics text.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createCertificateAuthority, encodeName, issueCertificate, OID } from '@lucid-tls/tls/x509';
import { describe, expect, test } from 'vitest';
import {
  ConfigError,
  Metrics,
  createMetricsServer,
  TrustedProxies,
  clientCertElement,
  escapeRfc4514Value,
  forwardedElement,
  forwardedNode,
  httpsLocation,
  isIdempotent,
  parseCommandLine,
  parseHostPort,
  resolveConfig,
  rfc4514Name,
  upstreamRequestHeaders,
} from '../src/index.js';

const minimal = { listen: '127.0.0.1:8443', upstream: 'http://127.0.0.1:8080', certificates: [{ cert: 'a.pem', key: 'a-key.pem' }] };

describe('config', () => {
  test('defaults, units and paths', () => {
    const config = resolveConfig(minimal, '/etc/lucid');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(config.upstream.origin).toBe('http://127.0.0.1:8080');
    expect(config.certificates).toEqual([{ cert: '/etc/lucid/a.pem', key: '/etc/lucid/a-key.pem' }]);
    expect(config.timeouts).toEqual({ handshake: 10_000, headers: 10_000, idle: 60_000, upstream: 60_000, shutdown: 30_000 });
    expect(config.earlyData).toBe(false);
    expect(config.clientCert).toBe('required');
    expect(config.accessLog).toBe('-');
    expect(config.workers).toBe(availableParallelism());
    expect(config.proxyProtocol).toBe(false);
    expect(config.ticketKeys).toBeUndefined();
    expect(resolveConfig({ ...minimal, ticketKeys: 'keys' }, '/etc/lucid').ticketKeys).toBe('/etc/lucid/keys');
    expect(config.crypto).toBe('native');
  });

  test('HOST:PORT forms', () => {
    expect(parseHostPort('[::1]:443', 'x')).toEqual({ host: '::1', port: 443 });
    expect(parseHostPort(':8080', 'x')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(() => parseHostPort('localhost', 'x')).toThrow(ConfigError);
    expect(() => parseHostPort('a:70000', 'x')).toThrow(/port/);
  });

  test('mistakes are reported, not guessed at', () => {
    expect(() => resolveConfig({ ...minimal, upstream: 'https://x:1' })).toThrow(/only http/);
    expect(() => resolveConfig({ ...minimal, upstream: 'http://x:1/app' })).toThrow(/no path/);
    expect(() => resolveConfig({ ...minimal, certificates: [] })).toThrow(/at least one/);
    expect(() => resolveConfig({ ...minimal, clientCert: 'optional' })).toThrow(/needs clientCa/);
    expect(() => resolveConfig({ ...minimal, trustedProxies: ['10.0.0.0/33'] })).toThrow(/prefix/);
    expect(() => resolveConfig({ ...minimal, timeouts: { idel: 5 } as never })).toThrow(/unknown timeout/);
    expect(() => resolveConfig({ ...minimal, listne: 'x' } as never)).toThrow(/unknown setting "listne"/);
    // PROXY protocol §5: the header is believed only from known load balancers, so some must be named.
    expect(() => resolveConfig({ ...minimal, proxyProtocol: true })).toThrow(/proxyProtocol needs trustedProxies/);
    expect(resolveConfig({ ...minimal, proxyProtocol: true, trustedProxies: ['10.0.0.2'] }).proxyProtocol).toBe(true);
    expect(() => resolveConfig({ ...minimal, workers: 0 })).toThrow(/workers/);
    expect(() => resolveConfig({ ...minimal, workers: 1.5 })).toThrow(/workers/);
    expect(() => resolveConfig({ ...minimal, crypto: 'openssl' } as never)).toThrow(/crypto: native or noble/);
  });

  test('the command line: pairs of --cert/--key, repeated flags', () => {
    const command = parseCommandLine(['--listen', '127.0.0.1:1', '--upstream', 'http://127.0.0.1:2', '--cert', '/a.pem', '--key', '/a.key', '--cert', '/b.pem', '--key', '/b.key', '--trusted-proxy', '10.0.0.0/8', '--trusted-proxy', '::1', '--hsts', '60', '--early-data', '--crypto', 'noble']);
    expect(command.help).toBe(false);
    if (command.help) return;
    expect(command.config.certificates).toEqual([{ cert: '/a.pem', key: '/a.key' }, { cert: '/b.pem', key: '/b.key' }]);
    expect(command.config.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(command.config.hsts).toBe(60);
    expect(command.config.earlyData).toBe(true);
    const scaled = parseCommandLine(['--workers', '4', '--proxy-protocol', '--ticket-keys', '/etc/keys']);
    expect(scaled.help === false && scaled.config).toMatchObject({ workers: 4, proxyProtocol: true, ticketKeys: '/etc/keys' });
    expect(() => parseCommandLine(['--workers', '0'])).toThrow(/--workers: a whole number/);
    expect(() => parseCommandLine(['--workers', 'all'])).toThrow(/--workers: a whole number/);
    expect(resolveConfig(command.config).crypto).toBe('noble');
    expect(() => parseCommandLine(['--cert', '/a.pem'])).toThrow(/pairs/);
    expect(() => parseCommandLine(['--bogus'])).toThrow(ConfigError);
  });
});

describe('Forwarded (RFC 7239)', () => {
  test('IPv6 nodes are bracketed and quoted; values with other than token characters are quoted', () => {
    expect(forwardedNode('192.0.2.60')).toBe('192.0.2.60');
    expect(forwardedNode('2001:db8:cafe::17')).toBe('"[2001:db8:cafe::17]"');
    expect(forwardedNode('::ffff:192.0.2.60')).toBe('192.0.2.60');
    expect(forwardedElement({ for: '192.0.2.60', host: 'example.com', proto: 'https' })).toBe('for=192.0.2.60;host=example.com;proto=https');
    expect(forwardedElement({ for: '192.0.2.60', host: 'example.com:8443', proto: 'https' })).toBe('for=192.0.2.60;host="example.com:8443";proto=https');
    expect(forwardedElement({ for: '192.0.2.60', host: 'a"b\\c', proto: 'https' })).toBe('for=192.0.2.60;host="a\\"b\\\\c";proto=https');
  });
});

describe('X-Forwarded-Client-Cert', () => {
  test('RFC 4514: most specific first, short names, escapes', () => {
    const ca = createCertificateAuthority({ commonName: 'CA' });
    const issued = issueCertificate(ca, { names: ['alice@example.com'], client: true });
    expect(rfc4514Name(issued.certificate.subject)).toBe('CN=alice@example.com,O=Lucid TLS development client certificate');
    expect(escapeRfc4514Value('a,b+c"d\\e<f>g;h')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
    expect(escapeRfc4514Value(' #lead')).toBe('\\ #lead');
    expect(escapeRfc4514Value('#x')).toBe('\\#x');
    expect(escapeRfc4514Value('trail ')).toBe('trail\\ ');
  });

  test('an attribute without an RFC 4514 name is written as its OID and hex DER', () => {
    const der = encodeName([
      [OID.countryName, 'DE'],
      [OID.emailAddress, 'a@b'],
    ]);
    // emailAddress is an IA5String (tag 0x16): #16 03 'a@b'.
    const name = { der, rdns: [[{ oid: OID.countryName, name: 'C', value: 'DE', tag: 0x13 }], [{ oid: OID.emailAddress, name: 'emailAddress', value: 'a@b', tag: 0x16 }]] };
    expect(rfc4514Name(name)).toBe('1.2.840.113549.1.9.1=#1603614062,C=DE');
  });

  test("Envoy's format: Hash=<hex sha256 of the DER>;Subject=\"…\"", () => {
    const ca = createCertificateAuthority({ commonName: 'CA' });
    const issued = issueCertificate(ca, { names: ['bob'], client: true });
    const element = clientCertElement({ der: issued.certificate.der, subject: issued.certificate.subject });
    expect(element).toBe(`Hash=${createHash('sha256').update(issued.certificate.der).digest('hex')};Subject="CN=bob,O=Lucid TLS development client certificate"`);
  });
});

describe('forwarding headers and trusted proxies', () => {
  const raw = ['Host', 'app.example', 'X-Forwarded-For', '198.51.100.1', 'Forwarded', 'for=198.51.100.1', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'evil', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'Accept', '*/*'];

  test('from an untrusted peer: removed and replaced', () => {
    const headers = upstreamRequestHeaders(raw, { peerAddress: '203.0.113.5', host: 'app.example', trustedPeer: false });
    expect(headers).toEqual([
      'Host', 'app.example', 'Accept', '*/*',
      'X-Forwarded-For', '203.0.113.5', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'app.example',
      'Forwarded', 'for=203.0.113.5;host=app.example;proto=https',
    ]);
  });

  test('from a trusted proxy: kept and appended to', () => {
    const headers = upstreamRequestHeaders(raw, { peerAddress: '10.1.2.3', host: 'app.example', trustedPeer: true });
    const get = (name: string) => headers[headers.indexOf(name) + 1];
    expect(get('X-Forwarded-For')).toBe('198.51.100.1, 10.1.2.3');
    expect(get('Forwarded')).toBe('for=198.51.100.1, for=10.1.2.3;host=app.example;proto=https');
    expect(get('X-Forwarded-Proto')).toBe('http');
    expect(get('X-Forwarded-Host')).toBe('evil');
  });

  test('addresses and CIDR ranges, IPv4-mapped IPv6 included', () => {
    const trusted = new TrustedProxies(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(trusted.has('10.200.1.1')).toBe(true);
    expect(trusted.has('::ffff:10.1.1.1')).toBe(true);
    expect(trusted.has('192.0.2.7')).toBe(true);
    expect(trusted.has('192.0.2.8')).toBe(false);
    expect(trusted.has('2001:db8:1::1')).toBe(true);
    expect(trusted.has('2001:db9::1')).toBe(false);
    expect(new TrustedProxies([]).has('127.0.0.1')).toBe(false);
  });
});

describe('redirect, early data, metrics', () => {
  test('https locations', () => {
    expect(httpsLocation('example.com', '/a?b=1', 443)).toBe('https://example.com/a?b=1');
    expect(httpsLocation('Example.com:80', '/', 8443)).toBe('https://example.com:8443/');
    expect(httpsLocation('[::1]:8080', '/x', 443)).toBe('https://[::1]/x');
    expect(httpsLocation('example.com', 'http://other/x', 443)).toBe('https://example.com/');
    expect(httpsLocation('example.com', '//evil.example/x', 443)).toBe('https://example.com/');
    expect(httpsLocation('a b', '/', 443)).toBeUndefined();
    expect(httpsLocation('user@evil.example', '/', 443)).toBeUndefined();
    expect(httpsLocation(undefined, '/', 443)).toBeUndefined();
  });

  test('idempotent methods (RFC 9110 §9.2.2)', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']) expect(isIdempotent(m)).toBe(true);
    for (const m of ['POST', 'PATCH', 'CONNECT']) expect(isIdempotent(m)).toBe(false);
  });

  test('Prometheus text', () => {
    const metrics = new Metrics();
    metrics.handshakeSucceeded(0.004, false, 'TLSv1.3');
    metrics.handshakeSucceeded(0.02, true, 'TLSv1.2');
    metrics.handshakes.inc('failure');
    metrics.requests.inc('200');
    const text = metrics.render();
    expect(text).toContain('lucid_tls_handshakes_total{result="success"} 2\n');
    expect(text).toContain('lucid_tls_handshakes_total{result="failure"} 1\n');
    expect(text).toContain('lucid_tls_resumed_ratio 0.5\n');
    expect(text).toContain('lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.2"} 1\n');
    expect(text).toContain('lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.3"} 1\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="0.005"} 1\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="0.025"} 2\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="+Inf"} 2\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_sum 0.024\n');
    expect(text).toContain('lucid_http_requests_total{status="200"} 1\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  test('the sum of several processes\' metrics (what a cluster\'s primary serves)', () => {
    const a = new Metrics();
    const b = new Metrics();
    a.handshakeSucceeded(0.004, false, 'TLSv1.2');
    b.handshakeSucceeded(0.02, true, 'TLSv1.3');
    b.handshakeSucceeded(3, true, 'TLSv1.3');
    a.requests.inc('200', 2);
    b.requests.inc('200');
    b.requests.inc('502');
    a.activeConnections = 3;
    b.activeConnections = 4;
    b.proxyProtocolRefused.inc('malformed');
    const total = new Metrics();
    // Through JSON, as over the cluster's IPC channel.
    for (const m of [a, b]) total.add(JSON.parse(JSON.stringify(m.snapshot())));
    const text = total.render();
    expect(text).toContain('lucid_tls_handshakes_total{result="success"} 3\n');
    expect(text).toContain('lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.2"} 1\n');
    expect(text).toContain('lucid_tls_handshakes_by_protocol_total{protocol="TLSv1.3"} 2\n');
    expect(text).toContain('lucid_tls_handshakes_resumed_total 2\n');
    expect(text).toContain('lucid_tls_resumed_ratio 0.666666666666667\n'); // from the sums, 15 significant digits
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="0.005"} 1\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="0.025"} 2\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_bucket{le="5"} 3\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_count 3\n');
    expect(text).toContain('lucid_tls_handshake_duration_seconds_sum 3.024\n');
    expect(text).toContain('lucid_http_requests_total{status="200"} 3\n');
    expect(text).toContain('lucid_http_requests_total{status="502"} 1\n');
    expect(text).toContain('lucid_tls_active_connections 7\n');
    expect(text).toContain('lucid_proxy_protocol_refused_total{reason="malformed"} 1\n');
  });

  test('/metrics from an asynchronous source: its text, or 503 and why, never a partial sum', async () => {
    let fail = false;
    const server = createMetricsServer({ render: async () => (fail ? Promise.reject(new Error('worker 2 did not answer')) : 'lucid_x 1\n') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
    try {
      const ok = await fetch(url);
      expect([ok.status, await ok.text()]).toEqual([200, 'lucid_x 1\n']);
      fail = true;
      const failed = await fetch(url);
      expect([failed.status, await failed.text()]).toEqual([503, 'metrics unavailable: worker 2 did not answer\n']);
    } finally {
      server.close();
    }
  });
});
