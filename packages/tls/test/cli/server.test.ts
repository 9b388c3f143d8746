/**
 * `lucid-tls server`: key formats, the chain it sends, echo and --www, its log, client
 * certificates, and the clients that must cost only their own connection (garbage, a
 * TLS 1.1 ClientHello, a TLS 1.2 one without the extended master secret, a stalled
 * handshake) while others are served.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { connect, type ConnectOptions, type TLSSocket } from '../../src/node/index.js';
import { EXT, OpensslPki, type Issued } from '../x509/openssl-pki.js';
import { killAll, run, startServer, tokens } from './run.js';

let pki: OpensslPki;
let root: Issued;
let intermediate: Issued;
let leaves: Record<'p256' | 'p384' | 'ed25519' | 'rsa', Issued>;
let client: Issued;
/** Leaf-then-intermediate files, and the same keys in other PEM containers. */
const files: Record<string, string> = {};

beforeAll(() => {
  pki = new OpensslPki();
  root = pki.cert({ cn: 'CLI Test Root', ext: EXT.root });
  intermediate = pki.cert({ cn: 'CLI Test Intermediate', issuer: root, ext: EXT.intermediate });
  const server = EXT.server('DNS:localhost, IP:127.0.0.1');
  leaves = {
    p256: pki.cert({ cn: 'localhost', file: 'leaf-p256', issuer: intermediate, keyType: 'ec', ext: server }),
    p384: pki.cert({ cn: 'localhost', file: 'leaf-p384', issuer: intermediate, keyType: 'p384', ext: server }),
    ed25519: pki.cert({ cn: 'localhost', file: 'leaf-ed25519', issuer: intermediate, keyType: 'ed25519', ext: server }),
    rsa: pki.cert({ cn: 'localhost', file: 'leaf-rsa', issuer: intermediate, keyType: 'rsa', ext: server }),
  };
  client = pki.cert({ cn: 'cli test client', issuer: intermediate, ext: ['basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth'] });
  for (const [name, leaf] of Object.entries(leaves)) files[name] = pki.bundle(`${name}-chain.pem`, [leaf, intermediate]);
  files.clientChain = pki.bundle('client-chain.pem', [client, intermediate]);
  // The same keys as SEC1 (`EC PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`).
  files.p256Sec1 = pki.path('p256-sec1.pem');
  execFileSync('openssl', ['ec', '-in', leaves.p256.keyPath, '-out', files.p256Sec1], { stdio: 'ignore' });
  files.rsaPkcs1 = pki.path('rsa-pkcs1.pem');
  execFileSync('openssl', ['rsa', '-in', leaves.rsa.keyPath, '-traditional', '-out', files.rsaPkcs1], { stdio: 'ignore' });
}, 30_000);
afterEach(() => killAll());
afterAll(() => pki.cleanup());

/** Our client, in this process, to 127.0.0.1:`port` as localhost, trusting the root. */
function lucidClient(port: number, options: ConnectOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: root.pem, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `data`, ends, and reads everything until the server's close. */
function exchange(socket: TLSSocket, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.once('error', reject);
    socket.end(data);
  });
}

function logLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l));
}

describe('lucid-tls server: certificates and keys', () => {
  const cases = [
    ['an EC P-256 key in PKCS#8', 'p256', () => leaves.p256.keyPath, 'ecdsa_secp256r1_sha256'],
    ['an EC P-256 key in SEC1', 'p256', () => files.p256Sec1!, 'ecdsa_secp256r1_sha256'],
    ['an EC P-384 key', 'p384', () => leaves.p384.keyPath, 'ecdsa_secp384r1_sha384'],
    ['an Ed25519 key', 'ed25519', () => leaves.ed25519.keyPath, 'ed25519'],
    ['an RSA key in PKCS#1', 'rsa', () => files.rsaPkcs1!, 'rsa_pss_rsae_sha256'],
  ] as const;
  for (const [what, leaf, key, scheme] of cases) {
    it(`serves with ${what}, sending the chain from --cert`, async () => {
      const { command, port } = await startServer(['--cert', files[leaf]!, '--key', key()]);
      const socket = await lucidClient(port);
      expect(socket.authorized).toBe(true);
      expect(socket.info!.signatureScheme).toBe(scheme);
      expect(socket.info!.peerCertificates).toHaveLength(2); // leaf and intermediate
      expect(await exchange(socket, 'echo me')).toBe('echo me');
      const [line] = await command.waitForStderr(/^127\.0\.0\.1:\d+ .*$/m);
      expect(tokens(line.replace(/^\S+ /, ''))).toMatchObject({ signature: scheme, sni: 'localhost', crypto: 'native', client_cert: 'none' });
    });
  }

  it('computes with noble under --crypto noble, and says which provider in its log', async () => {
    const { command, port } = await startServer(['--cert', files.rsa!, '--key', files.rsaPkcs1!, '--crypto', 'noble']);
    const socket = await lucidClient(port);
    expect(socket.info!.signatureScheme).toBe('rsa_pss_rsae_sha256');
    expect(await exchange(socket, 'echo me')).toBe('echo me');
    const [line] = await command.waitForStderr(/^127\.0\.0\.1:\d+ .*$/m);
    expect(tokens(line.replace(/^\S+ /, ''))).toMatchObject({ crypto: 'noble', client_cert: 'none' });
  });

  it('appends --chain to the certificate of --cert', async () => {
    const { port } = await startServer(['--cert', leaves.p256.certPath, '--chain', intermediate.certPath, '--key', leaves.p256.keyPath]);
    const socket = await lucidClient(port);
    expect(socket.info!.peerCertificates).toHaveLength(2);
    socket.destroy();
    // Without it the client cannot reach the root: the intermediate is missing.
    const { port: bare } = await startServer(['--cert', leaves.p256.certPath, '--key', leaves.p256.keyPath]);
    const error = await lucidClient(bare).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).alert).toBe('unknown_ca');
  });

  it('verifies client certificates: required, optional, and refused', async () => {
    const { command, port } = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath, '--verify-client', root.certPath, '--require-client-cert', '--www']);
    const socket = await lucidClient(port, { cert: readFileSync(files.clientChain!), key: readFileSync(client.keyPath) });
    expect(await exchange(socket, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/^client_cert: CN=cli test client$/m);
    // Our client's handshake is complete when it sends its (empty) Certificate and Finished;
    // the server's verdict comes after, as an alert.
    const without = await lucidClient(port);
    const [refused] = await once(without, 'error');
    expect(refused).toBeInstanceOf(TlsError);
    expect((refused as TlsError).alert).toBe('certificate_required');
    await command.waitForStderr(/\(sent alert certificate_required\)$/m);
    expect(logLines(command.stderr)[0]).toMatch(/ client_cert=CN=cli test client$/);

    const optional = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath, '--verify-client', root.certPath, '--www']);
    const anonymous = await lucidClient(optional.port);
    expect(await exchange(anonymous, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/^client_cert: none$/m);
  });
});

describe('lucid-tls server: --www', () => {
  it('answers each request on a kept-alive connection, and closes after Connection: close', async () => {
    const { port } = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath, '--www', '--alpn', 'http/1.1']);
    const socket = await lucidClient(port, { ALPNProtocols: ['http/1.1'] });
    const reply = await exchange(socket, 'GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const responses = reply.split('HTTP/1.1 200 OK\r\n').slice(1);
    expect(responses).toHaveLength(2);
    expect(responses[1]).toContain('Connection: close\r\n');
    const body = responses[0]!.split('\r\n\r\n')[1]!;
    expect(body).toBe(
      [
        'protocol: TLSv1.3',
        `cipher: ${socket.getCipher()!.name}`,
        'group: X25519MLKEM768',
        'signature: ecdsa_secp256r1_sha256',
        'alpn: http/1.1',
        'resumed: no',
        'early_data: none',
        'hrr: no',
        'sni: localhost',
        'crypto: native',
        'client_cert: none',
        '',
      ].join('\n'),
    );
    expect(Number(/Content-Length: (\d+)/.exec(responses[0]!)![1])).toBe(Buffer.byteLength(body));
  });

  it('answers what is not HTTP with 400 and closes', async () => {
    const { port } = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath, '--www']);
    const socket = await lucidClient(port);
    expect(await exchange(socket, 'HELLO THERE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

describe('lucid-tls server: clients that must not disturb the others', () => {
  /** Sends raw bytes over TCP and collects what comes back until the server closes. */
  function raw(port: number, bytes: Uint8Array, ms = 5000): Promise<{ reply: Buffer; closedAfterMs: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(bytes));
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('the server did not close the connection'));
      }, ms);
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ reply: Buffer.concat(chunks), closedAfterMs: Date.now() - started });
      });
    });
  }

  /** A ClientHello of `version` without supported_versions (RFC 8446 §4.2.1) or any extension. */
  function legacyClientHello(version: 0x0302 | 0x0303): Uint8Array {
    const body = Buffer.concat([
      Buffer.from([version >> 8, version & 0xff]), // client_version: TLS 1.1 or TLS 1.2
      Buffer.alloc(32, 7), // random
      Buffer.from([0x00]), // session_id
      Buffer.from([0x00, 0x02, 0xc0, 0x2b]), // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
      Buffer.from([0x01, 0x00]), // compression: null
      Buffer.from([0x00, 0x00]), // no extensions
    ]);
    const handshake = Buffer.concat([Buffer.from([0x01, 0x00, body.length >> 8, body.length & 0xff]), body]);
    return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, handshake.length >> 8, handshake.length & 0xff]), handshake]);
  }

  it('sends each the alert it deserves, times out a stalled handshake, and serves others meanwhile', async () => {
    // The deadline leaves the twenty handshakes below (each a hybrid ML-KEM exchange) time to spare on a loaded machine.
    const { command, port } = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath, '--handshake-timeout', '5000']);

    // Garbage: not a TLS record at all (§5: an unknown content type is unexpected_message).
    const garbage = await raw(port, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect([...garbage.reply]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 10]);

    // TLS 1.1 at most: protocol_version (RFC 8446 §4.2.1; we speak 1.2 and 1.3).
    const old = await raw(port, legacyClientHello(0x0302));
    expect([...old.reply]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70]);
    // TLS 1.2 without extended_master_secret: handshake_failure (RFC 7627 §5.3, required by default).
    const noEms = await raw(port, legacyClientHello(0x0303));
    expect([...noEms.reply]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40]);

    // A client that stops after four bytes of a record header holds its connection until the deadline...
    const stalled = raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00]), 10_000);
    // ...while twenty others, at once, are served.
    const others = await Promise.all(Array.from({ length: 20 }, async (_, i) => exchange(await lucidClient(port), `client ${i}`)));
    expect(others).toEqual(Array.from({ length: 20 }, (_, i) => `client ${i}`));
    const { reply, closedAfterMs } = await stalled;
    expect(reply.length).toBe(0);
    expect(closedAfterMs).toBeGreaterThanOrEqual(4900);

    await command.waitForStderr(/handshake not complete/);
    await command.waitForStderr(/(?:^127\.0\.0\.1:\d+ protocol=TLSv1\.3 [^\n]*\n[\s\S]*){20}/m); // each served client's line
    const lines = logLines(command.stderr);
    expect(lines.filter((l) => / protocol=TLSv1\.3 /.test(l))).toHaveLength(20);
    expect(lines.filter((l) => / error: /.test(l)).map((l) => l.replace(/^\S+ /, ''))).toEqual([
      expect.stringMatching(/^error: .*\(sent alert unexpected_message\)$/),
      expect.stringMatching(/^error: .*\(sent alert protocol_version\)$/),
      expect.stringMatching(/^error: .*extended master secret.*\(sent alert handshake_failure\)$/i),
      'error: handshake not complete after 5000 ms',
    ]);
  });

  it('stops on SIGTERM and SIGINT with status 0', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { command, port } = await startServer(['--cert', files.p256!, '--key', leaves.p256.keyPath]);
      const open = await lucidClient(port); // an open connection does not keep it running
      command.kill(signal);
      const result = await command.wait(5000);
      expect(result.code).toBe(0);
      open.destroy();
    }
  });
});

describe('lucid-tls server: usage', () => {
  it('exits 2 with the usage text for a wrong call, and 1 for a file it cannot use', async () => {
    const missing = await run(['server', '--accept', '127.0.0.1:0', '--key', leaves.p256.keyPath]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^lucid-tls server: --cert and --key are required\nusage: lucid-tls server/);
    expect((await run(['server', '--accept', 'nowhere', '--cert', files.p256!, '--key', leaves.p256.keyPath])).code).toBe(2);
    expect((await run(['server', '--accept', '127.0.0.1:0', '--cert', files.p256!, '--key', leaves.p256.keyPath, '--require-client-cert'])).code).toBe(2);
    const unknownGroup = await run(['server', '--accept', '127.0.0.1:0', '--cert', files.p256!, '--key', leaves.p256.keyPath, '--groups', 'x25519:secp224r1']);
    expect(unknownGroup.code).toBe(2);
    expect(unknownGroup.stderr).toMatch(/^lucid-tls server: --groups: secp224r1 is not supported \(X25519MLKEM768, /);
    expect((await run(['server', '--accept', '127.0.0.1:0', '--cert', files.p256!, '--key', leaves.p256.keyPath, '--crypto', 'openssl'])).code).toBe(2);
    const noFile = await run(['server', '--accept', '127.0.0.1:0', '--cert', files.p256!, '--key', pki.path('absent.pem')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/^error: --key .*absent\.pem: ENOENT$/m);
    const help = await run(['server', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/^usage: lucid-tls server --accept/);
  });
});
