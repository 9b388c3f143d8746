/**
 * End to end: curl (OpenSSL) and Node's https client → the terminator → a real upstream
 * HTTP server that echoes what it received. Headers and their spoofing, streaming and
 * chunked bodies, keep-alive on both sides, 100-continue, WebSocket, SNI, ALPN, HSTS,
 * the redirect listener, 502/504, the access log and the metrics.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket as NodeTlsSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTerminator, type AccessLogEntry, type Terminator } from '../src/index.js';
import { curl, curlTo, httpsGet, makePki, parseCurlResponse, startUpstream, until, type Echo, type TestPki, type Upstream } from './helpers.js';

let pki: TestPki;
let upstream: Upstream;
let terminator: Terminator;
let port: number;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
  terminator = await startTerminator(
    {
      listen: '127.0.0.1:0',
      upstream: upstream.url,
      certificates: [
        { cert: pki.localhost.cert, key: pki.localhost.key },
        { cert: pki.other.cert, key: pki.other.key },
      ],
      redirectFrom: '127.0.0.1:0',
      hsts: 31536000,
      metrics: '127.0.0.1:0',
      accessLog: false,
      timeouts: { upstream: 1 },
    },
    { onAccessLog: (entry) => log.push(entry), logger: () => {} },
  );
  port = terminator.address.port;
});

afterAll(async () => {
  await terminator?.close();
  await upstream?.close();
  pki?.cleanup();
});

const url = (path: string, host = 'localhost') => `https://${host}:${port}${path}`;
const ca = () => pki.ca.certPem;

/** curl -i to the terminator; the response parsed, the echo decoded when it is one. */
async function curlEcho(path: string, extra: string[] = [], host = 'localhost') {
  const result = await curl([...curlTo(port, pki.caFile, host), '-i', ...extra, url(path, host)]);
  expect(result.stderr).toBe('');
  const response = parseCurlResponse(result.stdout);
  return { ...response, echo: response.headers['content-type'] === 'application/json' ? (JSON.parse(response.body) as Echo) : undefined };
}

/** The values of a header as they arrived upstream (every copy). */
function rawValues(echo: Echo, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < echo.rawHeaders.length; i += 2) if (echo.rawHeaders[i]!.toLowerCase() === name) out.push(echo.rawHeaders[i + 1]!);
  return out;
}

describe('forwarding headers', () => {
  test('a request gets X-Forwarded-Proto/For/Host and Forwarded; the response gets HSTS', async () => {
    const { status, headers, echo } = await curlEcho('/hello?x=1');
    expect(status).toBe(200);
    expect(echo!.url).toBe('/hello?x=1');
    expect(echo!.headers['x-forwarded-proto']).toBe('https');
    expect(echo!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo!.headers['x-forwarded-host']).toBe(`localhost:${port}`);
    expect(echo!.headers.host).toBe(`localhost:${port}`);
    // RFC 7239: host=localhost:PORT has a colon, so it is quoted.
    expect(echo!.headers.forwarded).toBe(`for=127.0.0.1;host="localhost:${port}";proto=https`);
    expect(echo!.headers['x-forwarded-client-cert']).toBeUndefined();
    expect(echo!.headers['early-data']).toBeUndefined();
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    expect(headers['x-upstream']).toBe('echo');
  });

  test('spoofed forwarding headers from a client are removed, never trusted', async () => {
    const { echo } = await curlEcho('/spoof', [
      '-H', 'X-Forwarded-For: 6.6.6.6',
      '-H', 'x-forwarded-for: 7.7.7.7',
      '-H', 'X-Forwarded-Proto: http',
      '-H', 'X-Forwarded-Host: evil.example',
      '-H', 'Forwarded: for=6.6.6.6;proto=http',
      '-H', 'X-Forwarded-Client-Cert: Hash=00;Subject="CN=admin"',
    ]);
    for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']) expect(rawValues(echo!, name)).toHaveLength(1);
    expect(rawValues(echo!, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(rawValues(echo!, 'x-forwarded-proto')).toEqual(['https']);
    expect(rawValues(echo!, 'x-forwarded-host')).toEqual([`localhost:${port}`]);
    expect(rawValues(echo!, 'x-forwarded-client-cert')).toEqual([]);
    const everything = echo!.rawHeaders.join('\n');
    expect(everything).not.toMatch(/6\.6\.6\.6|7\.7\.7\.7|evil\.example|CN=admin/);
  });

  test('hop-by-hop headers, and those the Connection header names, stay on this hop', async () => {
    const { echo } = await curlEcho('/hop', ['-H', 'Connection: keep-alive, X-Private', '-H', 'X-Private: secret', '-H', 'Keep-Alive: timeout=5', '-H', 'TE: trailers', '-H', 'X-Kept: yes']);
    expect(echo!.headers['x-private']).toBeUndefined();
    expect(echo!.headers['keep-alive']).toBeUndefined();
    expect(echo!.headers.te).toBeUndefined();
    expect(echo!.headers['x-kept']).toBe('yes');
  });
});

describe('crypto providers', () => {
  test('native (OpenSSL) by default; crypto: noble serves the same requests in JavaScript', async () => {
    expect(terminator.config.crypto).toBe('native');
    const noble = await startTerminator(
      { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false, crypto: 'noble' },
      { logger: () => {} },
    );
    try {
      expect(noble.config.crypto).toBe('noble');
      const body = randomBytes(100_000);
      const response = await httpsGet({ host: '127.0.0.1', port: noble.address.port, servername: 'localhost', ca: ca(), method: 'PUT', path: '/put', headers: { 'Content-Length': body.length }, body });
      const echo = JSON.parse(response.body.toString()) as Echo;
      expect(echo.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    } finally {
      await noble.close();
    }
  });
});

describe('bodies', () => {
  test('a chunked 3 MiB request body streams upstream intact, chunked', async () => {
    const body = randomBytes(3 << 20);
    const file = join(pki.dir, 'upload.bin');
    writeFileSync(file, body);
    const { status, echo } = await curlEcho('/upload', ['-H', 'Transfer-Encoding: chunked', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`]);
    expect(status).toBe(200);
    expect(echo!.method).toBe('POST');
    expect(echo!.bodyLength).toBe(body.length);
    expect(echo!.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(echo!.headers['transfer-encoding']).toBe('chunked');
    expect(echo!.headers['content-length']).toBeUndefined();
  });

  test('a request body with Content-Length goes up with it (Node https client)', async () => {
    const body = randomBytes(100_000);
    const response = await httpsGet({ host: '127.0.0.1', port, servername: 'localhost', ca: ca(), method: 'PUT', path: '/put', headers: { 'Content-Length': body.length }, body });
    const echo = JSON.parse(response.body.toString()) as Echo;
    expect(echo.method).toBe('PUT');
    expect(echo.headers['content-length']).toBe(String(body.length));
    expect(echo.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  test('a chunked response streams back chunked; a large one with its Content-Length', async () => {
    const streamed = await curl([...curlTo(port, pki.caFile), '-i', url('/stream?chunks=40&size=1000')]);
    const parsed = parseCurlResponse(streamed.stdout);
    expect(parsed.status).toBe(200);
    expect(parsed.headers['transfer-encoding']).toBe('chunked');
    expect(parsed.body).toBe('a'.repeat(40_000));

    const big = await httpsGet({ host: '127.0.0.1', port, servername: 'localhost', ca: ca(), path: '/big?bytes=8388608' });
    expect(big.status).toBe(200);
    expect(big.headers['content-length']).toBe('8388608');
    expect(big.body.length).toBe(8 << 20);
    expect(big.body.every((b) => b === 0x62)).toBe(true);
  });

  test('HEAD gets the head only', async () => {
    const result = await curl([...curlTo(port, pki.caFile), '-I', url('/head')]);
    const parsed = parseCurlResponse(result.stdout);
    expect(parsed.status).toBe(200);
    expect(parsed.body).toBe('');
  });

  test('Expect: 100-continue gets 100 Continue, then the body goes up', async () => {
    const body = randomBytes(200_000);
    const file = join(pki.dir, 'continue.bin');
    writeFileSync(file, body);
    const result = await curl([...curlTo(port, pki.caFile), '-i', '-H', 'Expect: 100-continue', '--expect100-timeout', '5', '--data-binary', `@${file}`, url('/continue')]);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
    const parsed = parseCurlResponse(result.stdout);
    const echo = JSON.parse(parsed.body) as Echo;
    expect(echo.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(echo.headers.expect).toBeUndefined();
  });
});

describe('connections', () => {
  test('keep-alive on both sides: one TLS connection and one pooled upstream connection for sequential requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca() });
    try {
      const echoes: Echo[] = [];
      const ports = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const response = await new Promise<{ echo: Echo; localPort: number }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port, servername: 'localhost', agent, path: `/keepalive/${i}` }, (res) => {
            const localPort = (res.socket as Socket).localPort!;
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ echo: JSON.parse(Buffer.concat(chunks).toString()) as Echo, localPort }));
          });
          req.on('error', reject);
          req.end();
        });
        echoes.push(response.echo);
        ports.add(response.localPort);
      }
      expect(ports.size).toBe(1);
      expect(new Set(echoes.map((e) => e.connection)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  test('ALPN selects http/1.1; a client that offers only h2 is refused', async () => {
    const socket = await new Promise<NodeTlsSocket>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca(), ALPNProtocols: ['h2', 'http/1.1'] }, () => resolve(s));
      s.on('error', reject);
    });
    expect(socket.alpnProtocol).toBe('http/1.1');
    expect(socket.getProtocol()).toBe('TLSv1.3');
    socket.destroy();

    const refused = await new Promise<Error>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca(), ALPNProtocols: ['h2'] }, () => resolve(new Error('connected')));
      s.on('error', resolve);
    });
    expect(refused.message).toMatch(/no application protocol|alert/i);
  });

  test('SNI chooses the certificate whose SANs match; an unknown name gets the first', async () => {
    const other = await curlEcho('/sni', [], 'other.test');
    expect(other.status).toBe(200);
    const wildcard = await curlEcho('/sni', [], 'www.other.test');
    expect(wildcard.status).toBe(200);
    const subjectFor = (servername: string) =>
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port, servername, ca: ca(), rejectUnauthorized: false }, () => {
          resolve(String(s.getPeerCertificate().subject.CN));
          s.destroy();
        });
        s.on('error', reject);
      });
    expect(await subjectFor('other.test')).toBe('other.test');
    expect(await subjectFor('localhost')).toBe('localhost');
    expect(await subjectFor('unknown.test')).toBe('localhost');
    expect(log.some((e) => e.sni === 'www.other.test' && e.path === '/sni')).toBe(true);
  });
});

describe('WebSocket and other upgrades', () => {
  function upgrade(path: string): Promise<{ res: IncomingMessage; socket?: Socket; head?: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: ca(),
        path,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', 'X-Forwarded-For': '6.6.6.6' },
      });
      req.on('upgrade', (res, socket, head) => resolve({ res, socket, head }));
      req.on('response', (res) => resolve({ res }));
      req.on('error', reject);
      req.end();
    });
  }

  test('101 Switching Protocols, then bytes flow both ways', async () => {
    const { res, socket } = await upgrade('/ws');
    expect(res.statusCode).toBe(101);
    // RFC 6455 §1.3's example key and accept value.
    expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(res.headers['x-forwarded-for-seen']).toBe('127.0.0.1');
    const echoed = new Promise<string>((resolve) => socket!.once('data', (d: Buffer) => resolve(d.toString())));
    socket!.write('ping');
    expect(await echoed).toBe('echo:ping');
    socket!.destroy();
    await until(() => log.some((e) => e.path === '/ws' && e.status === 101), 3000, 'the upgrade access-log line');
  });

  test('an upgrade the upstream refuses is passed back as it came', async () => {
    const { res } = await upgrade('/ws-refused');
    expect(res.statusCode).toBe(403);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve(text));
    });
    expect(body).toBe('refused\n');
  });
});

describe('upstream failures', () => {
  test('502 when the upstream resets before answering; 504 when it is too slow', async () => {
    const reset = await curlEcho('/reset');
    expect(reset.status).toBe(502);
    expect(reset.body).toMatch(/^502 Bad Gateway/);
    expect(reset.headers['strict-transport-security']).toBe('max-age=31536000');
    const slow = await curlEcho('/slow?ms=3000');
    expect(slow.status).toBe(504);
    expect(slow.body).toMatch(/^504 Gateway Timeout/);
  });

  test('a reset after the response head cuts the client connection (no silent truncation)', async () => {
    const result = await curl([...curlTo(port, pki.caFile), '-o', '/dev/null', url('/head-then-reset')]);
    expect(result.code).not.toBe(0);
    // …and the terminator serves the next request as usual.
    expect((await curlEcho('/after-reset')).status).toBe(200);
  });

  test('502 when the upstream is down', async () => {
    const downUpstream = await startUpstream();
    const down = await startTerminator(
      { listen: '127.0.0.1:0', upstream: downUpstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false },
      { logger: () => {} },
    );
    await downUpstream.close();
    try {
      const result = await curl([...curlTo(down.address.port, pki.caFile), '-i', `https://localhost:${down.address.port}/`]);
      const parsed = parseCurlResponse(result.stdout);
      expect(parsed.status).toBe(502);
      expect(parsed.body).toMatch(/^502 Bad Gateway/);
      expect(down.metrics.upstreamErrors.get('unavailable')).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('redirect, access log, metrics', () => {
  test('--redirect-from answers 301 to the same host and path on https', async () => {
    const redirectPort = terminator.redirectAddress!.port;
    const result = await curl(['-i', '-X', 'POST', '--resolve', `www.example.test:${redirectPort}:127.0.0.1`, `http://www.example.test:${redirectPort}/some/path?q=1`]);
    const parsed = parseCurlResponse(result.stdout);
    expect(parsed.status).toBe(301);
    expect(parsed.headers.location).toBe(`https://www.example.test:${port}/some/path?q=1`);
    expect(parsed.headers['strict-transport-security']).toBeUndefined();
    // Following it lands on the terminator.
    const followed = await curl(['-L', '-s', '-o', '/dev/null', '-w', '%{http_code} %{url_effective}', '--cacert', pki.caFile, '--resolve', `localhost:${redirectPort}:127.0.0.1`, '--resolve', `localhost:${port}:127.0.0.1`, `http://localhost:${redirectPort}/followed`]);
    expect(followed.stdout).toBe(`200 https://localhost:${port}/followed`);
  });

  test('one JSON access-log entry per request, with the TLS details', async () => {
    await curlEcho('/logged?z=1');
    const entry = log.find((e) => e.path === '/logged?z=1')!;
    expect(entry).toMatchObject({ client: '127.0.0.1', sni: 'localhost', alpn: 'http/1.1', cipher: 'TLS_AES_128_GCM_SHA256', resumed: false, earlyData: false, method: 'GET', status: 200, bytesIn: 0, error: null });
    expect(entry.bytesOut).toBeGreaterThan(100);
    expect(entry.handshakeMs).toBeGreaterThan(0);
    expect(entry.upstreamMs).toBeGreaterThan(0);
    expect(entry.totalMs).toBeGreaterThanOrEqual(entry.upstreamMs!);
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  test('metrics: handshakes by result, duration histogram, resumed ratio, active connections, requests by status', async () => {
    const metricsPort = terminator.metricsAddress!.port;
    const result = await curl([`http://127.0.0.1:${metricsPort}/metrics`]);
    const text = result.stdout;
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('lucid_tls_handshakes_total{result="success"}')).toBeGreaterThan(10);
    expect(value('lucid_tls_handshakes_total{result="failure"}')).toBeGreaterThanOrEqual(1); // the h2-only client
    expect(value('lucid_tls_handshake_duration_seconds_count')).toBe(value('lucid_tls_handshakes_total{result="success"}'));
    expect(value('lucid_tls_handshake_duration_seconds_bucket{le="+Inf"}')).toBe(value('lucid_tls_handshake_duration_seconds_count'));
    expect(text).toMatch(/^lucid_tls_resumed_ratio \S+$/m);
    expect(value('lucid_tls_active_connections')).toBeGreaterThanOrEqual(0);
    expect(value('lucid_http_requests_total{status="200"}')).toBeGreaterThan(10);
    expect(value('lucid_http_requests_total{status="502"}')).toBeGreaterThanOrEqual(1);
    expect(value('lucid_http_requests_total{status="504"}')).toBe(1);
    expect(text).toMatch(/# TYPE lucid_tls_handshake_duration_seconds histogram/);
    const notFound = await curl(['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${metricsPort}/other`]);
    expect(notFound.stdout).toBe('404');
  });
});
