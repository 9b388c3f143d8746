/**
 * TLS 1.2 against OpenSSL, both ways: `openssl s_client -tls1_2` → `lucid-tls server`, and
 * `lucid-tls client --max-version 1.2` → `openssl s_server -tls1_2`. Each of the six suites,
 * each kind of signature (ECDSA, Ed25519, RSA-PSS, RSA PKCS#1 v1.5), resumption with
 * tickets, client certificates, ALPN, megabytes each way, close_notify; a peer without the
 * extended master secret (OpenSSL configured with `Options = -ExtendedMasterSecret`) refused,
 * and accepted with `--allow-no-ems`; renegotiation refused with a no_renegotiation warning
 * both ways (which OpenSSL, unlike the RFC, treats as the end: FEATURES.md). All with the
 * default (native) crypto provider, and the suites, signatures and resumption again with
 * `--crypto noble`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { clientSummary, Processes, startLucidServer, startOpensslServer, summaryOf, testData, type Output, type RunningServer } from './processes.js';

let pki: InteropPki;
let noEmsConfig: string;
const processes = new Processes();
const servers = new Map<string, RunningServer>();

beforeAll(() => {
  pki = makePki();
  // OpenSSL 3.0 turns the extended master secret off only through its configuration (SSL_CONF "Options").
  noEmsConfig = join(pki.dir, 'no-ems.cnf');
  writeFileSync(noEmsConfig, ['openssl_conf = init', '[init]', 'ssl_conf = ssl', '[ssl]', 'system_default = defaults', '[defaults]', 'Options = -ExtendedMasterSecret', ''].join('\n'));
});
afterEach(() => processes.killAll([...servers.values()].map((s) => s.child)));
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** The six suites, OpenSSL's name, IANA's name, and the leaf that can serve them. */
const SUITES: [openssl: string, iana: string, leaf: LeafKind][] = [
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ecdsa'],
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ecdsa'],
  ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ecdsa'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'rsa'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'rsa'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'rsa'],
];

const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

// ---- openssl s_client -tls1_2 → lucid-tls server ---------------------------------------------

async function lucidServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startLucidServer(processes, ['--cert', files.chain, '--key', files.key, ...args]);
  servers.set(name, server);
  return server;
}

async function sClient(port: number, args: string[], input = REQUEST, env?: NodeJS.ProcessEnv): Promise<Output & { text: string }> {
  const child = processes.start('openssl s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.rootFile, '-verify_return_error', '-tls1_2', ...args], { cwd: pki.dir, ...(env ? { env } : {}) });
  child.write(input);
  const out = await child.wait(15_000);
  return { ...out, text: `${out.stdout.toString('latin1')}\n${out.stderr}` };
}

/** The `key: value` lines of our --www page. */
function page(stdout: Buffer): Record<string, string> {
  return Object.fromEntries([...stdout.toString().matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** The server's log line for its `n`-th connection (1-based). */
async function logLine(server: RunningServer, n: number): Promise<string> {
  return server.child.until(`log line ${n}`, () => server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l))[n - 1], 5000);
}
const logged = (server: RunningServer) => server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l)).length;

describe('openssl s_client -tls1_2 → lucid server --www', () => {
  for (const [openssl, iana, leaf] of SUITES) {
    it(`negotiates ${iana}`, async () => {
      const server = await lucidServer(`www-${leaf}`, ['--www', '--alpn', 'h2,http/1.1'], leaf);
      const out = await sClient(server.port, ['-cipher', openssl]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`New, TLSv1.2, Cipher is ${openssl}`);
      expect(out.text).toContain('Extended master secret: yes');
      expect(out.text).toContain('Verify return code: 0 (ok)');
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', cipher: iana, sni: 'localhost', resumed: 'no', crypto: 'native' });
    });
  }

  for (const [leaf, sigalgs, signature, peerType] of [
    ['ecdsa', 'ECDSA+SHA256', 'ecdsa_secp256r1_sha256', 'ECDSA'],
    ['ed25519', 'ed25519', 'ed25519', 'Ed25519'],
    ['rsa', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha256', 'RSA-PSS'],
    ['rsa', 'RSA+SHA384', 'rsa_pkcs1_sha384', 'RSA'],
  ] as const) {
    it(`signs its ServerKeyExchange with ${signature}`, async () => {
      const server = await lucidServer(`www-${leaf}`, ['--www', '--alpn', 'h2,http/1.1'], leaf);
      const out = await sClient(server.port, ['-sigalgs', sigalgs]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toMatch(new RegExp(`Peer signature type: ${peerType}\\b`, 'i'));
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', signature });
    });
  }

  for (const [group, curves] of [['x25519', 'X25519:P-256'], ['secp256r1', 'P-256']] as const) {
    it(`exchanges keys on ${group}`, async () => {
      const server = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
      const out = await sClient(server.port, ['-groups', curves]);
      expect(out.code, out.text).toBe(0);
      expect(page(out.stdout)).toMatchObject({ group });
    });
  }

  it('does not sign with a P-256 certificate for a client that lists no P-256 (RFC 8422 §5.3): handshake_failure', async () => {
    const server = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
    const n = logged(server) + 1;
    const out = await sClient(server.port, ['-groups', 'X25519']);
    expect(out.code).not.toBe(0);
    expect(await logLine(server, n)).toMatch(/does not support.*\(sent alert handshake_failure\)$/);
  });

  it('resumes with a session ticket (RFC 5077), ALPN chosen each time', async () => {
    const server = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
    const sessionFile = join(pki.dir, 'tls12.sess');
    const first = await sClient(server.port, ['-sess_out', sessionFile, '-alpn', 'http/1.1']);
    expect(first.code, first.text).toBe(0);
    expect(first.text).toMatch(/TLS session ticket lifetime hint: \d+/);
    const second = await sClient(server.port, ['-sess_in', sessionFile, '-alpn', 'h2,http/1.1']);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toContain('Reused, TLSv1.2');
    expect(page(second.stdout)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes', alpn: 'h2' });
  });

  it('requires a client certificate (CertificateRequest of RFC 5246 §7.4.4), and refuses a client without one', async () => {
    const server = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const out = await sClient(server.port, ['-cert', pki.client.cert, '-key', pki.client.key, '-cert_chain', pki.intermediateFile]);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', client_cert: 'CN=lucid interop client' });
    const n = logged(server) + 1;
    const without = await sClient(server.port, []);
    expect(without.code).not.toBe(0);
    expect(await logLine(server, n)).toMatch(/\(sent alert handshake_failure\)$/);
  });

  it('refuses a client without the extended master secret (handshake_failure); --allow-no-ems lets it in', async () => {
    const env = { ...process.env, OPENSSL_CONF: noEmsConfig };
    const strict = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
    const n = logged(strict) + 1;
    const refused = await sClient(strict.port, [], REQUEST, env);
    expect(refused.code).not.toBe(0);
    expect(refused.text).toMatch(/alert handshake failure/);
    expect(await logLine(strict, n)).toMatch(/extended master secret.*\(sent alert handshake_failure\)$/);
    const lenient = await lucidServer('no-ems', ['--www', '--allow-no-ems']);
    const accepted = await sClient(lenient.port, [], REQUEST, env);
    expect(accepted.code, accepted.text).toBe(0);
    expect(accepted.text).toContain('Extended master secret: no');
    expect(page(accepted.stdout)).toMatchObject({ protocol: 'TLSv1.2' });
  });

  it('answers a renegotiation (s_client’s R) with a no_renegotiation warning; OpenSSL then gives up the connection', async () => {
    const server = await startLucidServer(processes, ['--cert', pki.servers.ecdsa.chain, '--key', pki.servers.ecdsa.key, '--trace-json']);
    // Without -ign_eof or -quiet, s_client reads commands: R at the start of a line renegotiates.
    const client = processes.start('openssl s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.rootFile, '-tls1_2'], { cwd: pki.dir });
    client.write('before\n');
    await client.waitForOutput('before'); // echoed
    client.write('R\n');
    await server.child.waitFor(/"direction":"sent","level":"warning","description":"no_renegotiation"/, 10_000, 'stderr');
    // RFC 5746 §4.2 lets a client go on; OpenSSL ends with handshake_failure instead (its SSL_R_NO_RENEGOTIATION).
    await client.waitFor(/no renegotiation/, 10_000, 'stderr');
    await server.child.waitFor(/the client sent alert handshake_failure/, 10_000, 'stderr');
  });

  it('refuses TLS 1.2 with --min-version 1.3 (protocol_version), and serves TLS 1.3', async () => {
    const server = await lucidServer('tls13-only', ['--www', '--min-version', '1.3']);
    const n = logged(server) + 1;
    const old = await sClient(server.port, []);
    expect(old.code).not.toBe(0);
    expect(old.text).toMatch(/alert protocol version/);
    expect(await logLine(server, n)).toMatch(/\(sent alert protocol_version\)$/);
  });
});

describe('openssl s_client -tls1_2 → lucid server --www --crypto noble', () => {
  for (const [openssl, iana, leaf] of SUITES) {
    it(`negotiates ${iana}`, async () => {
      const server = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
      const out = await sClient(server.port, ['-cipher', openssl]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`New, TLSv1.2, Cipher is ${openssl}`);
      expect(out.text).toContain('Extended master secret: yes');
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', cipher: iana, crypto: 'noble' });
    });
  }

  for (const [leaf, sigalgs, signature] of [
    ['ed25519', 'ed25519', 'ed25519'],
    ['rsa', 'RSA+SHA512', 'rsa_pkcs1_sha512'],
  ] as const) {
    it(`signs its ServerKeyExchange with ${signature}`, async () => {
      const server = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
      const out = await sClient(server.port, ['-sigalgs', sigalgs]);
      expect(out.code, out.text).toBe(0);
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', signature, crypto: 'noble' });
    });
  }

  it('resumes with a session ticket (RFC 5077)', async () => {
    const server = await lucidServer('www-ecdsa-noble', ['--www', '--crypto', 'noble']);
    const sessionFile = join(pki.dir, 'openssl-tls12-noble.sess');
    const first = await sClient(server.port, ['-sess_out', sessionFile]);
    expect(first.code, first.text).toBe(0);
    const second = await sClient(server.port, ['-sess_in', sessionFile]);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toContain('Reused, TLSv1.2');
    expect(page(second.stdout)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes', crypto: 'noble' });
  });
});

// ---- lucid-tls client --max-version 1.2 → openssl s_server -tls1_2 ----------------------------

async function sServer(name: string, args: string[], leaf: LeafKind = 'ecdsa', env?: NodeJS.ProcessEnv): Promise<RunningServer> {
  name = `openssl-${name}`;
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startOpensslServer(processes, ['-cert', files.cert, '-key', files.key, '-cert_chain', pki.intermediateFile, '-tls1_2', ...args], { cwd: pki.dir, ...(env ? { env } : {}) });
  servers.set(name, server);
  return server;
}

function client(port: number, args: string[], input = '') {
  return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--max-version', '1.2', ...args], { input, ms: 20_000 });
}

describe('lucid client --max-version 1.2 → openssl s_server -tls1_2', () => {
  for (const [openssl, iana, leaf] of SUITES) {
    it(`negotiates ${iana}`, async () => {
      const { port } = await sServer(`www-${leaf}`, ['-www'], leaf);
      const out = await client(port, ['--ciphers', iana, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', cipher: iana, resumed: 'no', peer: 'CN=localhost' });
      expect(out.stdout.toString()).toContain(`New, TLSv1.2, Cipher is ${openssl}`);
    });
  }

  for (const [leaf, sigalgs, signature] of [
    ['ed25519', 'ed25519', 'ed25519'],
    ['rsa', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha384'],
    ['rsa', 'RSA+SHA512', 'rsa_pkcs1_sha512'],
  ] as const) {
    it(`checks a ServerKeyExchange signed with ${signature}`, async () => {
      const { port } = await sServer(`www-${leaf}-${sigalgs}`, ['-www', '-sigalgs', sigalgs], leaf);
      const out = await client(port, ['--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', signature });
    });
  }

  it('resumes with the ticket it kept (--sess-out, --sess-in)', async () => {
    const { port } = await sServer('www-ecdsa', ['-www'], 'ecdsa');
    const sessionFile = join(pki.dir, 'lucid-tls12.session');
    const first = await client(port, ['--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    const second = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes' });
    expect(second.stdout.toString()).toContain('Reused, TLSv1.2');
  });

  it('presents its certificate when asked, and agrees on ALPN', async () => {
    const { port } = await sServer('www-verify', ['-www', '-Verify', '2', '-CAfile', pki.rootFile, '-alpn', 'http/1.1']);
    const out = await client(port, ['--cert', pki.client.chain, '--key', pki.client.key, '--alpn', 'h2,http/1.1', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', alpn: 'http/1.1' });
    expect(out.stdout.toString()).toMatch(/Client certificate[\s\S]*lucid interop client/);
  });

  it('a client offering both versions accepts a TLS 1.2-only server (no downgrade sentinel from it)', async () => {
    const { port } = await sServer('www-ecdsa', ['-www'], 'ecdsa');
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--request', '/'], { ms: 20_000 });
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2' });
  });

  it('refuses a server without the extended master secret; --allow-no-ems lets it in', async () => {
    const { port } = await sServer('no-ems', ['-www'], 'ecdsa', { ...process.env, OPENSSL_CONF: noEmsConfig });
    const refused = await client(port, ['--request', '/']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server does not use the extended master secret \(RFC 7627\) \(sent alert handshake_failure\)$/m);
    const accepted = await client(port, ['--allow-no-ems', '--request', '/']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout.toString()).toContain('New, TLSv1.2');
  });

  it('answers the server’s HelloRequest (s_server’s r) with a no_renegotiation warning; OpenSSL then ends the connection', async () => {
    const { child: server, port } = await sServer('renegotiate', []);
    const ours = processes.lucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--max-version', '1.2', '--trace-json']);
    ours.write('hello\n');
    await server.waitFor(/hello\n/, 10_000, 'stdout');
    server.write('r\n'); // s_server: SSL_renegotiate, which sends a HelloRequest
    await ours.waitFor(/"direction":"sent","level":"warning","description":"no_renegotiation"/, 10_000, 'stderr');
    // Our warning is not the end for us (RFC 5746 §4.2); OpenSSL answers it with a fatal handshake_failure.
    const out = await ours.wait();
    expect(out.stderr).toMatch(/^error: the server sent alert handshake_failure$/m);
    await server.waitFor(/no renegotiation/, 5000, 'either');
  });

  it('sends 4 MiB from standard input, then close_notify', async () => {
    const { child: server, port } = await sServer('plain', []);
    const data = testData(4 * 1024 * 1024, 'up12');
    const mark = server.stdout.length;
    const out = await client(port, [], data as unknown as string);
    expect(out.code, out.stderr).toBe(0);
    await server.waitForOutput('DONE', mark, 10_000);
    expect(server.stdout.subarray(mark).includes(data)).toBe(true);
  });

  it('receives 4 MiB (s_server -WWW serving a file)', async () => {
    const data = testData(4 * 1024 * 1024, 'down12');
    writeFileSync(join(pki.dir, 'big12.txt'), data);
    const { port } = await sServer('files', ['-WWW']);
    const out = await client(port, ['--request', '/big12.txt']);
    expect(out.code, out.stderr).toBe(0);
    expect(summaryOf(out.stderr.split('\n').find((l) => l.startsWith('protocol='))!)).toMatchObject({ protocol: 'TLSv1.2' });
    const body = out.stdout.subarray(out.stdout.indexOf('\r\n\r\n') + 4);
    expect(body.equals(data)).toBe(true);
  });
});

describe('lucid client --max-version 1.2 --crypto noble → openssl s_server -tls1_2', () => {
  for (const [openssl, iana, leaf] of SUITES) {
    it(`negotiates ${iana}`, async () => {
      const { port } = await sServer(`www-${leaf}`, ['-www'], leaf);
      const out = await client(port, ['--crypto', 'noble', '--ciphers', iana, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', cipher: iana, crypto: 'noble' });
      expect(out.stdout.toString()).toContain(`New, TLSv1.2, Cipher is ${openssl}`);
    });
  }

  it('checks a ServerKeyExchange signed with rsa_pkcs1_sha512, and resumes with its ticket', async () => {
    const { port } = await sServer('www-rsa-RSA+SHA512', ['-www', '-sigalgs', 'RSA+SHA512'], 'rsa');
    const sessionFile = join(pki.dir, 'lucid-tls12-noble.session');
    const first = await client(port, ['--crypto', 'noble', '--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    expect(clientSummary(first.stderr)).toMatchObject({ protocol: 'TLSv1.2', signature: 'rsa_pkcs1_sha512', crypto: 'noble' });
    const second = await client(port, ['--crypto', 'noble', '--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes' });
  });
});
