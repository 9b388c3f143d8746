/**
 * TLS 1.2 against GnuTLS, both ways, with a priority string that stops at TLS 1.2:
 * `gnutls-cli` → `lucid-tls server`, and `lucid-tls client` → `gnutls-serv`. Suites,
 * signatures (ECDSA, Ed25519, RSA-PSS, RSA PKCS#1), resumption with tickets, client
 * certificates, ALPN, megabytes, close_notify; a peer without the extended master secret
 * (`%NO_SESSION_HASH`) refused, and accepted with `--allow-no-ems`; renegotiation refused. All
 * with the default (native) crypto provider, representative cases again with `--crypto noble`.
 */

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { clientSummary, Processes, startGnutlsServer, startLucidServer, testData, type Output, type RunningServer } from './processes.js';

let pki: InteropPki;
const processes = new Processes();
const servers = new Map<string, RunningServer>();

beforeAll(() => {
  pki = makePki();
});
afterEach(() => processes.killAll([...servers.values()].map((s) => s.child)));
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** TLS 1.2 only, GnuTLS's defaults otherwise (which include the extended master secret). */
const TLS12 = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

// ---- gnutls-cli → lucid-tls server --------------------------------------------------------

async function lucidServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startLucidServer(processes, ['--cert', files.chain, '--key', files.key, ...args]);
  servers.set(name, server);
  return server;
}

async function gnutlsCli(port: number, args: string[], priority = TLS12, input = REQUEST): Promise<Output & { text: string }> {
  const child = processes.start('gnutls-cli', 'gnutls-cli', ['--x509cafile', pki.rootFile, '-p', String(port), '--priority', priority, ...args, 'localhost']);
  child.write(input);
  const out = await child.wait(15_000);
  return { ...out, text: `${out.stdout.toString('latin1')}\n${out.stderr}` };
}

function page(stdout: Buffer): Record<string, string> {
  return Object.fromEntries([...stdout.toString().matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('gnutls-cli (TLS 1.2 only) → lucid server --www', () => {
  for (const [leaf, cipher, suite, signature] of [
    ['ecdsa', 'AES-128-GCM', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDSA-SHA256'],
    ['ecdsa', 'CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDSA-SHA256'],
    ['ed25519', 'AES-256-GCM', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'EdDSA-Ed25519'],
    ['rsa', 'AES-256-GCM', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'RSA-PSS-RSAE-SHA256'],
  ] as const) {
    it(`negotiates ${suite} with a ${leaf} certificate`, async () => {
      const server = await lucidServer(`www-${leaf}`, ['--www', '--alpn', 'h2,http/1.1'], leaf);
      const out = await gnutlsCli(server.port, [], `${TLS12}:-CIPHER-ALL:+${cipher}`);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`(${signature})-(${cipher})`);
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', cipher: suite, crypto: 'native' });
    });
  }

  it('signs with RSA PKCS#1 v1.5 when that is what the client allows', async () => {
    const server = await lucidServer('www-rsa', ['--www', '--alpn', 'h2,http/1.1'], 'rsa');
    const out = await gnutlsCli(server.port, [], `${TLS12}:-SIGN-ALL:+SIGN-RSA-SHA384`);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ signature: 'rsa_pkcs1_sha384' });
  });

  it('resumes with a session ticket (--resume)', async () => {
    const server = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
    const out = await gnutlsCli(server.port, ['--resume']);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('*** This is a resumed session');
    expect(out.stdout.toString()).toMatch(/resumed: yes/);
  });

  it('sends its certificate when asked, and gets its ALPN protocol', async () => {
    const server = await lucidServer('require', ['--www', '--alpn', 'h2,http/1.1', '--verify-client', pki.rootFile, '--require-client-cert']);
    const out = await gnutlsCli(server.port, ['--x509certfile', pki.client.chain, '--x509keyfile', pki.client.key, '--alpn', 'http/1.1']);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', alpn: 'http/1.1', client_cert: 'CN=lucid interop client' });
  });

  it('refuses a client without the extended master secret (%NO_SESSION_HASH); --allow-no-ems lets it in', async () => {
    const strict = await lucidServer('www-ecdsa', ['--www', '--alpn', 'h2,http/1.1']);
    const refused = await gnutlsCli(strict.port, [], `${TLS12}:%NO_SESSION_HASH`);
    expect(refused.code).not.toBe(0);
    expect(refused.text).toMatch(/Received alert \[40\]/);
    const lenient = await lucidServer('no-ems', ['--www', '--allow-no-ems']);
    const accepted = await gnutlsCli(lenient.port, [], `${TLS12}:%NO_SESSION_HASH`);
    expect(accepted.code, accepted.text).toBe(0);
    expect(page(accepted.stdout)).toMatchObject({ protocol: 'TLSv1.2' });
  });

  it('refuses renegotiation (gnutls-cli --rehandshake) with no_renegotiation warnings, the connection going on, until the limit', async () => {
    const server = await lucidServer('echo-trace', ['--trace-json']);
    const out = await gnutlsCli(server.port, ['--rehandshake'], TLS12, '');
    // GnuTLS takes each warning as non-fatal and asks again; after 8 we answer handshake_failure (RFC 5746 §4.4).
    expect(out.text).toMatch(/Received alert \[100\]: No renegotiation is allowed/);
    const warnings = server.child.stderr.split('\n').filter((l) => /"direction":"sent","level":"warning","description":"no_renegotiation"/.test(l));
    expect(warnings).toHaveLength(8);
    await server.child.waitFor(/"direction":"sent","level":"fatal","description":"handshake_failure"/, 5000, 'stderr');
  });
});

// ---- lucid-tls client → gnutls-serv -------------------------------------------------------

async function gnutlsServer(name: string, args: string[], leaf: LeafKind = 'ecdsa', priority = TLS12): Promise<RunningServer> {
  const running = servers.get(`gnutls-${name}`);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startGnutlsServer(processes, ['--x509certfile', files.chain, '--x509keyfile', files.key, '--priority', priority, ...args]);
  servers.set(`gnutls-${name}`, server);
  return server;
}

function client(port: number, args: string[], input = '') {
  return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, ...args], { input, ms: 20_000 });
}

/** gnutls-serv --http's "Description" line. */
function description(stdout: Buffer): string {
  const m = /Description:(?:<\/TD><TD>)?\s*(\(TLS1\.2[^<\n]*)/.exec(stdout.toString());
  if (!m) throw new Error(`no Description in:\n${stdout.toString().slice(0, 2000)}`);
  return m[1]!.trim();
}

describe('lucid client → gnutls-serv (TLS 1.2 only) --http', () => {
  for (const [leaf, suite, gnutls] of [
    ['ecdsa', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', '(ECDHE-X25519)-(ECDSA-SHA256)-(AES-256-GCM)'],
    ['ed25519', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', '(ECDHE-X25519)-(EdDSA-Ed25519)-(CHACHA20-POLY1305)'],
    ['rsa', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '(ECDHE-X25519)-(RSA-PSS-RSAE-SHA256)-(AES-128-GCM)'],
  ] as const) {
    it(`negotiates ${suite} with a ${leaf} certificate`, async () => {
      const { port } = await gnutlsServer(`http-${leaf}`, ['--http'], leaf);
      // Our client offers both versions: the server's is TLS 1.2 alone, without a downgrade sentinel.
      const out = await client(port, ['--ciphers', `TLS_AES_128_GCM_SHA256:${suite}`, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', cipher: suite, peer: 'CN=localhost' });
      expect(description(out.stdout)).toBe(`(TLS1.2-X.509)-${gnutls}`);
    });
  }

  it('checks an RSA PKCS#1 v1.5 signature (a server limited to SIGN-RSA-SHA256)', async () => {
    const { port } = await gnutlsServer('http-rsa-pkcs1', ['--http'], 'rsa', `${TLS12}:-SIGN-ALL:+SIGN-RSA-SHA256`);
    const out = await client(port, ['--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', signature: 'rsa_pkcs1_sha256' });
  });

  it('agrees on secp256r1', async () => {
    const { port } = await gnutlsServer('http-ecdsa', ['--http']);
    const out = await client(port, ['--groups', 'secp256r1', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', group: 'secp256r1' });
  });

  it('resumes with the server’s ticket', async () => {
    const { port } = await gnutlsServer('http-ecdsa', ['--http']);
    const sessionFile = join(pki.dir, 'gnutls12.session');
    expect((await client(port, ['--sess-out', sessionFile, '--request', '/'])).code).toBe(0);
    const out = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes', signature: 'none' });
  });

  it('presents its certificate when asked, and agrees on ALPN', async () => {
    const { port } = await gnutlsServer('http-verify', ['--http', '--require-client-cert', '--x509cafile', pki.rootFile, '--alpn', 'http/1.1']);
    const out = await client(port, ['--cert', pki.client.chain, '--key', pki.client.key, '--alpn', 'h2,http/1.1', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.2', alpn: 'http/1.1' });
  });

  it('refuses a server without the extended master secret; --allow-no-ems lets it in', async () => {
    const { port } = await gnutlsServer('http-no-ems', ['--http'], 'ecdsa', `${TLS12}:%NO_SESSION_HASH`);
    const refused = await client(port, ['--request', '/']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/extended master secret.*\(sent alert handshake_failure\)$/m);
    const accepted = await client(port, ['--allow-no-ems', '--request', '/']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(clientSummary(accepted.stderr)).toMatchObject({ protocol: 'TLSv1.2' });
  });

  it('sends 4 MiB to gnutls-serv’s echo and reads it back, then close_notify', async () => {
    const { port } = await gnutlsServer('echo', ['--echo']);
    const data = testData(4 * 1024 * 1024, 'gnutls12');
    const out = await client(port, ['--max-version', '1.2'], data as unknown as string);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.length).toBe(data.length);
    expect(out.stdout.equals(data)).toBe(true);
  });
});

describe('TLS 1.2 with GnuTLS on the noble provider (--crypto noble)', () => {
  for (const [leaf, cipher, suite] of [
    ['ecdsa', 'CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
    ['rsa', 'AES-256-GCM', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  ] as const) {
    it(`gnutls-cli → lucid server: ${suite} with a ${leaf} certificate`, async () => {
      const server = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
      const out = await gnutlsCli(server.port, [], `${TLS12}:-CIPHER-ALL:+${cipher}`);
      expect(out.code, out.text).toBe(0);
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.2', cipher: suite, crypto: 'noble' });
    });
  }

  it('lucid client → gnutls-serv: AES-128-GCM with an RSA PKCS#1 v1.5 signature, then resumption', async () => {
    const { port } = await gnutlsServer('http-rsa-pkcs1', ['--http'], 'rsa', `${TLS12}:-SIGN-ALL:+SIGN-RSA-SHA256`);
    const sessionFile = join(pki.dir, 'gnutls12-noble.session');
    const first = await client(port, ['--crypto', 'noble', '--ciphers', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    expect(clientSummary(first.stderr)).toMatchObject({ protocol: 'TLSv1.2', signature: 'rsa_pkcs1_sha256', crypto: 'noble' });
    const second = await client(port, ['--crypto', 'noble', '--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ protocol: 'TLSv1.2', resumed: 'yes', crypto: 'noble' });
  });
});
