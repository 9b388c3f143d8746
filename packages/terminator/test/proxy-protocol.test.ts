/**
 * The PROXY protocol (versions 1 and 2): the parser on valid headers and on every kind
 * of malformed one, the reader on a real socket (split headers, bytes after the header,
 * timeouts, early ends), and the terminator with `proxyProtocol`: the client named by a
 * trusted load balancer is the one forwarded and logged; an untrusted peer, a missing
 * or malformed header, or a silent connection is closed, and other connections go on.
 */
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  PROXY_V1_MAX_LENGTH,
  PROXY_V2_MAX_PAYLOAD,
  ProxyProtocolError,
  crc32c,
  parseProxyHeader,
  readProxyHeader,
  startTerminator,
  type AccessLogEntry,
  type Terminator,
} from '../src/index.js';
import { makePki, startUpstream, until, type Echo, type TestPki, type Upstream } from './helpers.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A v2 header: version/command byte, family/transport byte, then the payload (addresses and TLVs). */
function v2(verCmd: number, fam: number, payload: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length);
  return Buffer.concat([SIGNATURE, Buffer.from([verCmd, fam]), length, payload]);
}

/** TCP over IPv4 addresses and ports (§2.2). */
function inet(source: string, destination: string, sourcePort: number, destinationPort: number): Buffer {
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sourcePort, 0);
  ports.writeUInt16BE(destinationPort, 2);
  return Buffer.concat([Buffer.from(source.split('.').map(Number)), Buffer.from(destination.split('.').map(Number)), ports]);
}

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.from([type, 0, 0]);
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

/** A v2 PROXY TCP4 header with a CRC32C TLV computed as §2.2.3 says (or spoiled). */
function withCrc(spoil = false): Buffer {
  const header = v2(0x21, 0x11, Buffer.concat([inet('203.0.113.7', '192.0.2.10', 51234, 443), tlv(0x03, Buffer.alloc(4))]));
  header.writeUInt32BE((crc32c(header) ^ (spoil ? 1 : 0)) >>> 0, header.length - 4);
  return header;
}

const malformed = (bytes: Buffer | string) => {
  try {
    parseProxyHeader(Buffer.from(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyProtocolError);
    return (error as ProxyProtocolError).reason;
  }
  return 'accepted';
};

describe('parsing version 1 (§2.1)', () => {
  test('TCP4, TCP6 and UNKNOWN lines; the length covers the CRLF and nothing after it', () => {
    const line = 'PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n';
    expect(parseProxyHeader(Buffer.from(`${line}\x16\x03\x01`))).toEqual({
      header: { version: 1, command: 'proxy', source: { address: '203.0.113.7', port: 51234 }, destination: { address: '192.0.2.10', port: 443 }, tlvs: [] },
      length: line.length,
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:DB8::1 2001:db8::2 0 65535\r\n'))?.header).toMatchObject({
      source: { address: '2001:db8::1', port: 0 },
      destination: { address: '2001:db8::2', port: 65535 },
    });
    // UNKNOWN: the rest of the line is ignored, the connection's own endpoints apply.
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ header: { version: 1, command: 'proxy', tlvs: [] }, length: 15 });
    const longest = `PROXY UNKNOWN ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`;
    expect(longest.length).toBe(PROXY_V1_MAX_LENGTH);
    expect(parseProxyHeader(Buffer.from(longest))?.length).toBe(PROXY_V1_MAX_LENGTH);
  });

  test('incomplete lines ask for more, byte by byte, until the CRLF', () => {
    const line = Buffer.from('PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n');
    for (let n = 0; n < line.length; n++) expect(parseProxyHeader(line.subarray(0, n))).toBeUndefined();
    expect(parseProxyHeader(line)?.header.source).toEqual({ address: '10.0.0.1', port: 1 });
  });

  test.each([
    ['no CRLF within 107 bytes', `PROXY UNKNOWN ${'x'.repeat(120)}`],
    ['a lone LF', 'PROXY TCP4 10.0.0.1 10.0.0.2 1 2\n'],
    ['a lone CR', 'PROXY TCP4 10.0.0.1 10.0.0.2 1 2\rX'],
    ['an unknown protocol', 'PROXY TCP5 10.0.0.1 10.0.0.2 1 2\r\n'],
    ['lower case', 'proxy TCP4 10.0.0.1 10.0.0.2 1 2\r\n'],
    ['two spaces', 'PROXY TCP4  10.0.0.1 10.0.0.2 1 2\r\n'],
    ['a missing field', 'PROXY TCP4 10.0.0.1 10.0.0.2 1\r\n'],
    ['an extra field', 'PROXY TCP4 10.0.0.1 10.0.0.2 1 2 3\r\n'],
    ['an IPv4 address with a leading zero', 'PROXY TCP4 10.0.0.01 10.0.0.2 1 2\r\n'],
    ['an IPv4 byte above 255', 'PROXY TCP4 10.0.0.256 10.0.0.2 1 2\r\n'],
    ['an IPv6 address as TCP4', 'PROXY TCP4 ::1 10.0.0.2 1 2\r\n'],
    ['an IPv4 address as TCP6', 'PROXY TCP6 10.0.0.1 ::2 1 2\r\n'],
    ['an IPv6 address with a zone', 'PROXY TCP6 fe80::1%eth0 ::2 1 2\r\n'],
    ['a port with a leading zero', 'PROXY TCP4 10.0.0.1 10.0.0.2 01 2\r\n'],
    ['a port above 65535', 'PROXY TCP4 10.0.0.1 10.0.0.2 65536 2\r\n'],
    ['a negative port', 'PROXY TCP4 10.0.0.1 10.0.0.2 -1 2\r\n'],
    ['a control character', 'PROXY TCP4 10.0.0.1\t10.0.0.2 1 2\r\n'],
    ['bytes beyond ASCII', 'PROXY TCP4 10.0.0.1 10.0.0.2 1 2\u00e9\r\n'],
  ])('refused: %s', (_, line) => {
    expect(malformed(line)).toBe('malformed');
  });
});

describe('parsing version 2 (§2.2)', () => {
  test('PROXY over TCP4 and TCP6, with TLVs kept; the length is 16 + len', () => {
    const payload = Buffer.concat([inet('203.0.113.7', '192.0.2.10', 51234, 443), tlv(0x01, Buffer.from('http/1.1')), tlv(0x04, Buffer.alloc(0))]);
    const header = v2(0x21, 0x11, payload);
    expect(parseProxyHeader(Buffer.concat([header, Buffer.from([0x16, 0x03])]))).toEqual({
      header: {
        version: 2,
        command: 'proxy',
        source: { address: '203.0.113.7', port: 51234 },
        destination: { address: '192.0.2.10', port: 443 },
        tlvs: [
          { type: 0x01, value: Uint8Array.from(Buffer.from('http/1.1')) },
          { type: 0x04, value: new Uint8Array(0) },
        ],
      },
      length: 16 + payload.length,
    });
    const six = Buffer.concat([Buffer.from('20010db8000000000000000000000001', 'hex'), Buffer.from('00000000000000000000ffffc0000201', 'hex'), Buffer.from([0xc8, 0x22, 0x01, 0xbb])]);
    expect(parseProxyHeader(v2(0x21, 0x21, six))?.header).toMatchObject({
      source: { address: '2001:db8::1', port: 51234 },
      destination: { address: '::ffff:192.0.2.1', port: 443 },
    });
  });

  test('LOCAL (health checks), UNSPEC, UNIX and DGRAM use the connection\'s own endpoints', () => {
    // LOCAL with an address block anyway: "Receivers MUST always consider this field to skip the appropriate number of bytes".
    expect(parseProxyHeader(v2(0x20, 0x11, inet('1.2.3.4', '5.6.7.8', 1, 2)))).toEqual({ header: { version: 2, command: 'local', tlvs: [] }, length: 28 });
    expect(parseProxyHeader(v2(0x20, 0xff, Buffer.alloc(0)))?.header.command).toBe('local'); // its family is ignored
    expect(parseProxyHeader(v2(0x21, 0x00, Buffer.alloc(0)))?.header).toEqual({ version: 2, command: 'proxy', tlvs: [] });
    expect(parseProxyHeader(v2(0x21, 0x31, Buffer.alloc(216)))?.header.source).toBeUndefined();
    expect(parseProxyHeader(v2(0x21, 0x12, inet('1.2.3.4', '5.6.7.8', 1, 2)))?.header.source).toBeUndefined();
  });

  test('a CRC32C TLV is checked (§2.2.3); the CRC32c is the Castagnoli one', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // RFC 3720 §B.4's check value
    expect(parseProxyHeader(withCrc())?.header.source?.address).toBe('203.0.113.7');
    expect(malformed(withCrc(true))).toBe('malformed');
  });

  test('incomplete headers ask for more, byte by byte', () => {
    const header = v2(0x21, 0x11, inet('10.0.0.1', '10.0.0.2', 1, 2));
    for (let n = 0; n < header.length; n++) expect(parseProxyHeader(header.subarray(0, n))).toBeUndefined();
    expect(parseProxyHeader(header)?.length).toBe(header.length);
  });

  test.each([
    ['version 1 in a v2 header', v2(0x11, 0x11, inet('1.2.3.4', '5.6.7.8', 1, 2))],
    ['version 3', v2(0x31, 0x11, inet('1.2.3.4', '5.6.7.8', 1, 2))],
    ['an unassigned command', v2(0x22, 0x11, inet('1.2.3.4', '5.6.7.8', 1, 2))],
    ['an unassigned family', v2(0x21, 0x41, inet('1.2.3.4', '5.6.7.8', 1, 2))],
    ['an unassigned transport', v2(0x21, 0x13, inet('1.2.3.4', '5.6.7.8', 1, 2))],
    ['an address block shorter than TCP4 needs', v2(0x21, 0x11, Buffer.alloc(11))],
    ['an address block shorter than TCP6 needs', v2(0x21, 0x21, Buffer.alloc(35))],
    ['a TLV cut in its length', v2(0x21, 0x11, Buffer.concat([inet('1.2.3.4', '5.6.7.8', 1, 2), Buffer.from([0x01, 0x00])]))],
    ['a TLV longer than the header', v2(0x21, 0x11, Buffer.concat([inet('1.2.3.4', '5.6.7.8', 1, 2), Buffer.from([0x01, 0x00, 0x09, 0x61])]))],
    ['a CRC32C TLV of 2 bytes', v2(0x21, 0x11, Buffer.concat([inet('1.2.3.4', '5.6.7.8', 1, 2), tlv(0x03, Buffer.alloc(2))]))],
  ])('refused: %s', (_, header) => {
    expect(malformed(header)).toBe('malformed');
  });

  test('refused at once: a length above the bound, a bad version byte, before the rest arrives', () => {
    const big = v2(0x21, 0x11, Buffer.alloc(PROXY_V2_MAX_PAYLOAD + 1));
    expect(malformed(big.subarray(0, 16))).toBe('malformed');
    expect(parseProxyHeader(v2(0x21, 0x11, Buffer.alloc(PROXY_V2_MAX_PAYLOAD)).subarray(0, 16))).toBeUndefined();
    expect(malformed(v2(0x11, 0x11, Buffer.alloc(12)).subarray(0, 13))).toBe('malformed');
  });

  test('neither signature: refused at the first byte that differs (TLS, HTTP, a near miss)', () => {
    expect(malformed(Buffer.from([0x16]))).toBe('malformed'); // a TLS record
    expect(malformed('GET / HTTP/1.1\r\n')).toBe('malformed');
    expect(malformed('PROXZ')).toBe('malformed');
    expect(malformed(Buffer.from('0d0a0d0a000d0a515549540b', 'hex'))).toBe('malformed');
    expect(parseProxyHeader(Buffer.from('PROX'))).toBeUndefined();
    expect(parseProxyHeader(SIGNATURE.subarray(0, 7))).toBeUndefined();
  });
});

describe('reading the header from a connection', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    server = createServer({ allowHalfOpen: true }, (socket) => accepted.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of accepted) s.destroy();
    server.close();
  });

  /** A connection whose accepted end is read with readProxyHeader; the client side writes `parts`, spaced. */
  async function exchange(parts: Buffer[], timeoutMs = 2000, end = false) {
    const before = accepted.length;
    const client = netConnect(port, '127.0.0.1');
    await once(client, 'connect');
    await until(() => accepted.length > before, 2000, 'the accept');
    const socket = accepted[accepted.length - 1]!;
    const reading = readProxyHeader(socket, timeoutMs).then(
      (header) => ({ header, error: undefined }),
      (error: ProxyProtocolError) => ({ header: undefined, error }),
    );
    for (const part of parts) {
      client.write(part);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (end) client.end();
    const result = await reading;
    return { ...result, socket, client };
  }

  /** What the socket gives its next reader (a 'data' listener, as the TLS socket adds). */
  async function rest(socket: Socket, bytes: number): Promise<string> {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await until(() => text.length >= bytes, 2000, 'the bytes after the header');
    return text;
  }

  test('the bytes after the header, in the same segment, are left for the next reader', async () => {
    const { header, socket, client } = await exchange([Buffer.from('PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\nhello')]);
    expect(header?.source).toEqual({ address: '203.0.113.7', port: 51234 });
    client.write(' world');
    expect(await rest(socket, 11)).toBe('hello world');
    client.destroy();
  });

  test('a header in pieces (v2 split inside the signature and the addresses), then the rest', async () => {
    const header = v2(0x21, 0x11, inet('198.51.100.1', '192.0.2.10', 40000, 443));
    const { header: parsed, socket, client } = await exchange([header.subarray(0, 5), header.subarray(5, 20), Buffer.concat([header.subarray(20), Buffer.from('after')])]);
    expect(parsed?.source).toEqual({ address: '198.51.100.1', port: 40000 });
    expect(await rest(socket, 5)).toBe('after');
    client.destroy();
  });

  test('refusals: malformed at once, a connection that ends first, one that stays silent', async () => {
    const started = Date.now();
    const bad = await exchange([Buffer.from([0x16, 0x03, 0x01, 0x00])], 5000);
    expect(bad.error?.reason).toBe('malformed');
    expect(Date.now() - started).toBeLessThan(2000);
    bad.client.destroy();

    const ended = await exchange([Buffer.from('PROXY TCP4 1.2.3.4')], 5000, true);
    expect(ended.error?.reason).toBe('closed');
    ended.client.destroy();

    const silentStart = Date.now();
    const silent = await exchange([], 300);
    expect(silent.error?.reason).toBe('timeout');
    expect(Date.now() - silentStart).toBeGreaterThanOrEqual(290);
    silent.client.destroy();
  });

  test('a v1 line that never ends is refused once it passes 107 bytes, not after the timeout', async () => {
    const long = await exchange([Buffer.from('PROXY TCP4 '), Buffer.from('1'.repeat(200))], 5000);
    expect(long.error?.reason).toBe('malformed');
    expect(long.error?.message).toMatch(/no CRLF in the first 107 bytes/);
    long.client.destroy();
  });
});

describe('the terminator with proxyProtocol', () => {
  let pki: TestPki;
  let upstream: Upstream;
  let terminator: Terminator;
  const log: AccessLogEntry[] = [];

  beforeAll(async () => {
    pki = makePki();
    upstream = await startUpstream();
    terminator = await startTerminator(
      {
        listen: '127.0.0.1:0',
        upstream: upstream.url,
        certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }],
        proxyProtocol: true,
        // The load balancer is 127.0.0.1; clients connecting from 127.0.0.2 are not trusted.
        trustedProxies: ['127.0.0.1/32'],
        timeouts: { handshake: 1.5 },
        accessLog: false,
      },
      { onAccessLog: (entry) => log.push(entry), logger: () => {} },
    );
  });

  afterAll(async () => {
    await terminator?.close();
    await upstream?.close();
    pki?.cleanup();
  });

  /** A stream over `tcp` whose first write goes out with `header` in front of it, in one segment. */
  function prefixedWith(tcp: Socket, header: Buffer): Duplex {
    let first = true;
    const stream: Duplex = new Duplex({
      write(chunk: Buffer, _encoding, callback) {
        tcp.write(first ? Buffer.concat([header, chunk]) : chunk, callback);
        first = false;
      },
      read() {},
      final(callback) {
        tcp.end(callback);
      },
    });
    tcp.on('data', (d: Buffer) => stream.push(d));
    tcp.on('end', () => stream.push(null));
    tcp.on('close', () => stream.destroy());
    return stream;
  }

  /**
   * Connects (from `localAddress`), writes `header`, then speaks TLS and sends a GET; the
   * echo, or the error. With `sameSegment` the header goes with the ClientHello in one write.
   */
  async function request(header: Buffer | string | undefined, path: string, localAddress = '127.0.0.1', extraHeaders = '', sameSegment = false): Promise<Echo> {
    const tcp = netConnect({ port: terminator.address.port, host: '127.0.0.1', localAddress });
    await once(tcp, 'connect');
    if (header !== undefined && !sameSegment) tcp.write(header);
    const socket = sameSegment ? prefixedWith(tcp, Buffer.from(header ?? '')) : tcp;
    return new Promise((resolve, reject) => {
      const tls = tlsConnect({ socket, servername: 'localhost', ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }, () => {
        tls.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extraHeaders}\r\n`);
      });
      let text = '';
      tls.on('data', (d: Buffer) => (text += d));
      tls.on('end', () => {
        try {
          resolve(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Echo);
        } catch {
          reject(new Error(`no response: ${JSON.stringify(text)}`));
        }
      });
      tls.on('error', reject);
      tls.setTimeout(5000, () => tls.destroy(new Error('timed out')));
    });
  }

  /** Whether the terminator closes a connection that sends `bytes` (and waits up to `ms`). */
  async function closedAfter(bytes: Buffer | string | undefined, localAddress = '127.0.0.1', ms = 5000): Promise<{ closed: boolean; after: number; received: number }> {
    const started = Date.now();
    const tcp = netConnect({ port: terminator.address.port, host: '127.0.0.1', localAddress });
    tcp.on('error', () => {});
    let received = 0;
    tcp.on('data', (d: Buffer) => (received += d.length));
    await once(tcp, 'connect');
    if (bytes !== undefined) tcp.write(bytes);
    const closed = await Promise.race([once(tcp, 'close').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    tcp.destroy();
    return { closed, after: Date.now() - started, received };
  }

  test('v1 and v2: the client the header names is forwarded and logged; its own X-Forwarded-For is dropped', async () => {
    const viaV1 = await request('PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n', '/v1', '127.0.0.1', 'X-Forwarded-For: 10.6.6.6\r\n');
    expect(viaV1.headers['x-forwarded-for']).toBe('203.0.113.7');
    expect(viaV1.headers.forwarded).toBe('for=203.0.113.7;host=localhost;proto=https');
    const viaV2 = await request(v2(0x21, 0x21, Buffer.concat([Buffer.from('20010db8000000000000000000000007', 'hex'), Buffer.alloc(16), Buffer.from([0xc0, 0x01, 0x01, 0xbb])])), '/v2');
    expect(viaV2.headers['x-forwarded-for']).toBe('2001:db8::7');
    expect(viaV2.headers.forwarded).toBe('for="[2001:db8::7]";host=localhost;proto=https');
    await until(() => log.some((e) => e.path === '/v2'), 3000, 'the access log');
    expect(log.find((e) => e.path === '/v1')).toMatchObject({ client: '203.0.113.7', clientPort: 51234, status: 200 });
    expect(log.find((e) => e.path === '/v2')).toMatchObject({ client: '2001:db8::7', clientPort: 49153, status: 200 });
  });

  test('the header and the ClientHello in one segment: TLS starts at the byte after the header', async () => {
    const echo = await request('PROXY TCP4 192.0.2.77 192.0.2.10 4242 443\r\n', '/one-segment', '127.0.0.1', '', true);
    expect(echo.headers['x-forwarded-for']).toBe('192.0.2.77');
    const header = v2(0x21, 0x11, Buffer.concat([inet('192.0.2.78', '192.0.2.10', 4243, 443), tlv(0x05, Buffer.from('conn-1'))]));
    expect((await request(header, '/one-segment-v2', '127.0.0.1', '', true)).headers['x-forwarded-for']).toBe('192.0.2.78');
  });

  test('LOCAL (a health check) and UNKNOWN: the TCP peer is the client', async () => {
    expect((await request(v2(0x20, 0x00, Buffer.alloc(0)), '/local')).headers['x-forwarded-for']).toBe('127.0.0.1');
    expect((await request('PROXY UNKNOWN\r\n', '/unknown')).headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  test('refused and closed: an untrusted peer (even with a valid header), no header, a malformed one, silence', async () => {
    const before = terminator.metrics.proxyProtocolRefused.entries();
    const count = (reason: string) => (terminator.metrics.proxyProtocolRefused.get(reason) ?? 0) - (before[reason] ?? 0);
    // 127.0.0.2 is not a trusted proxy: it may not choose the address it is logged under.
    await expect(request('PROXY TCP4 203.0.113.7 192.0.2.10 1 443\r\n', '/spoof', '127.0.0.2')).rejects.toThrow();
    // A TLS client that sends no header: its ClientHello is not one.
    await expect(request(undefined, '/plain')).rejects.toThrow();
    expect(await closedAfter('PROXY TCP4 10.0.0.01 10.0.0.2 1 2\r\n')).toMatchObject({ closed: true, received: 0 });
    expect(await closedAfter(withCrc(true))).toMatchObject({ closed: true, received: 0 });
    // Silence: closed after the header timeout (here the handshake timeout, 1.5 s, is shorter).
    const silent = await closedAfter(undefined);
    expect(silent.closed).toBe(true);
    expect(silent.after).toBeGreaterThanOrEqual(1400);
    expect(count('untrusted')).toBe(1);
    expect(count('malformed')).toBe(3);
    expect(count('timeout')).toBe(1);
    // None of it touched anybody else.
    expect((await request('PROXY TCP4 198.51.100.9 192.0.2.10 2 443\r\n', '/after')).headers['x-forwarded-for']).toBe('198.51.100.9');
    expect(upstream.requests).toBeGreaterThan(0);
    expect(log.some((e) => e.path === '/spoof' || e.path === '/plain')).toBe(false);
  });

  test('a connection awaiting its header does not hold the terminator up: ten silent ones, one served', async () => {
    const silent = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const s = netConnect({ port: terminator.address.port, host: '127.0.0.1' });
        s.on('error', () => {});
        await once(s, 'connect');
        s.write('PROX');
        return s;
      }),
    );
    expect((await request('PROXY TCP4 198.51.100.10 192.0.2.10 3 443\r\n', '/meanwhile')).headers['x-forwarded-for']).toBe('198.51.100.10');
    for (const s of silent) s.destroy();
  });
});
