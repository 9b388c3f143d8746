/**
 * TLS 1.2 at the terminator: clients that stop at TLS 1.2 (here node:tls with maxVersion
 * TLSv1.2, and curl --tls-max 1.2) are served by default, counted under their protocol in the
 * metrics (summed over a cluster's workers: cluster.test.ts), on either crypto provider, and
 * refused with protocol_version when the terminator is started with minVersion TLSv1.3.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, parseCommandLine, resolveConfig, startTerminator, type AccessLogEntry, type Terminator } from '../src/index.js';
import { curl, httpsGet, makePki, parseCurlResponse, startUpstream, type TestPki, type Upstream } from './helpers.js';

let pki: TestPki;
let upstream: Upstream;
let terminator: Terminator;
let strict: Terminator;
let noble: Terminator;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  const base = { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false as const };
  terminator = await startTerminator(base, { onAccessLog: (entry) => log.push(entry), logger: () => {} });
  strict = await startTerminator({ ...base, minVersion: 'TLSv1.3' }, { logger: () => {} });
  noble = await startTerminator({ ...base, crypto: 'noble' }, { logger: () => {} });
});

afterAll(async () => {
  await terminator?.close();
  await strict?.close();
  await noble?.close();
  await upstream?.close();
  pki?.cleanup();
});

describe('TLS 1.2 clients', () => {
  test('node:tls with maxVersion TLSv1.2 gets its answer, and the metrics count a TLS 1.2 handshake', async () => {
    const before = terminator.metrics.protocols.get('TLSv1.2');
    const response = await httpsGet({ host: '127.0.0.1', port: terminator.address.port, servername: 'localhost', path: '/tls12', ca: pki.ca.certPem, maxVersion: 'TLSv1.2', agent: false });
    expect(response.status).toBe(200);
    expect(terminator.metrics.protocols.get('TLSv1.2')).toBe(before + 1);
    expect(terminator.metrics.render()).toMatch(/lucid_tls_handshakes_by_protocol_total\{protocol="TLSv1.2"\} [1-9]/);
    expect(log.at(-1)?.cipher).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  test('curl with --tls-max 1.2 too; a TLS 1.3 client is still TLS 1.3', async () => {
    const tls12 = await curl(['-i', '--cacert', pki.caFile, '--resolve', `localhost:${terminator.address.port}:127.0.0.1`, '--http1.1', '--tls-max', '1.2', `https://localhost:${terminator.address.port}/curl12`]);
    expect(parseCurlResponse(tls12.stdout).status).toBe(200);
    const before = terminator.metrics.protocols.get('TLSv1.3');
    await httpsGet({ host: '127.0.0.1', port: terminator.address.port, servername: 'localhost', path: '/tls13', ca: pki.ca.certPem, agent: false });
    expect(terminator.metrics.protocols.get('TLSv1.3')).toBe(before + 1);
  });

  test('on the noble crypto provider (crypto: noble) as on the native default', async () => {
    const response = await httpsGet({ host: '127.0.0.1', port: noble.address.port, servername: 'localhost', path: '/tls12-noble', ca: pki.ca.certPem, maxVersion: 'TLSv1.2', agent: false });
    expect(response.status).toBe(200);
    expect(noble.metrics.protocols.get('TLSv1.2')).toBe(1);
  });

  test('minVersion TLSv1.3 refuses them with protocol_version', async () => {
    const failure = await httpsGet({ host: '127.0.0.1', port: strict.address.port, servername: 'localhost', path: '/', ca: pki.ca.certPem, maxVersion: 'TLSv1.2', agent: false }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).toMatch(/protocol version|alert number 70/i);
    expect(strict.metrics.handshakes.get('failure')).toBeGreaterThanOrEqual(1);
  });
});

describe('the setting', () => {
  test('--min-version 1.2|1.3 on the command line, minVersion in the file; TLS 1.2 by default', () => {
    const args = ['--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:1', '--cert', 'a.pem', '--key', 'a-key.pem'];
    const parsed = parseCommandLine([...args, '--min-version', '1.3']);
    expect(parsed.help === false && resolveConfig(parsed.config).minVersion).toBe('TLSv1.3');
    const plain = parseCommandLine(args);
    expect(plain.help === false && resolveConfig(plain.config).minVersion).toBe('TLSv1.2');
    expect(() => parseCommandLine([...args, '--min-version', '1.1'])).toThrow(ConfigError);
    expect(() => resolveConfig({ listen: '127.0.0.1:0', upstream: 'http://127.0.0.1:1', certificates: [{ cert: 'a', key: 'b' }], minVersion: 'TLSv1.1' as 'TLSv1.2' })).toThrow(/minVersion/);
  });
});
