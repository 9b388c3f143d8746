/**
 * `lucid-tls client` against GnuTLS's `gnutls-serv`: every cipher suite and group,
 * HelloRetryRequest, ECDSA / Ed25519 / RSA-PSS server certificates behind an
 * intermediate, resumption, 0-RTT accepted and rejected, client certificates, ALPN
 * (gnutls-serv --alpn-fatal sends no_application_protocol), KeyUpdate both ways,
 * megabytes each way and close_notify.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { clientSummary, NOBLE_GROUPS, Processes, startGnutlsServer, testData, type RunningServer } from './processes.js';

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

/** TLS 1.3 only, GnuTLS's defaults otherwise. */
const TLS13 = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';

/** A `gnutls-serv` with the given leaf and its intermediate, started once per configuration. */
async function gnutlsServer(name: string, args: string[], leaf: LeafKind = 'ecdsa', priority = TLS13): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startGnutlsServer(processes, ['--x509certfile', files.chain, '--x509keyfile', files.key, '--priority', priority, ...args]);
  servers.set(name, server);
  return server;
}

function client(port: number, args: string[], input = '') {
  return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, ...args], { input, ms: 20_000 });
}

/** gnutls-serv --http's page: its "Description" line, `(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM)`. */
function description(stdout: Buffer): string {
  const m = /Description:(?:<\/TD><TD>)?\s*(\(TLS1\.3[^<\n]*)/.exec(stdout.toString());
  if (!m) throw new Error(`no Description in:\n${stdout.toString().slice(0, 2000)}`);
  return m[1]!.trim();
}

function tracedMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { kind: string; direction?: string; type?: string; description?: string; innerType?: string })
    .filter((e) => e.kind === 'message' || e.kind === 'alert')
    .map((e) => `${e.direction} ${e.kind === 'alert' ? `alert ${e.description}` : e.type}`);
}

describe('lucid client → gnutls-serv --http', () => {
  for (const [suite, gnutlsName] of [['TLS_AES_128_GCM_SHA256', 'AES-128-GCM'], ['TLS_AES_256_GCM_SHA384', 'AES-256-GCM'], ['TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305']] as const) {
    it(`negotiates ${suite}`, async () => {
      const { port } = await gnutlsServer('http', ['--http']);
      const out = await client(port, ['--ciphers', suite, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.3', cipher: suite, crypto: 'native', peer: 'CN=localhost' });
      expect(description(out.stdout)).toMatch(new RegExp(`-\\(${gnutlsName}\\)$`));
    });
  }

  for (const [group, gnutlsName] of [['x25519', 'X25519'], ['secp256r1', 'SECP256R1']] as const) {
    it(`agrees on ${group}`, async () => {
      const { port } = await gnutlsServer('http', ['--http']);
      const out = await client(port, ['--groups', group, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no' });
      expect(description(out.stdout)).toContain(`(ECDHE-${gnutlsName})`);
    });
  }

  it('is sent a HelloRetryRequest when its key share is in a group the server lacks', async () => {
    const { port } = await gnutlsServer('http-p256', ['--http'], 'ecdsa', `${TLS13}:-GROUP-ALL:+GROUP-SECP256R1`);
    const out = await client(port, ['--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
    expect(description(out.stdout)).toContain('(ECDHE-SECP256R1)');
  });

  it('resumes after a HelloRetryRequest (the binder covers the retried transcript, RFC 8446 §4.2.11.2)', async () => {
    const { port } = await gnutlsServer('http-p256', ['--http'], 'ecdsa', `${TLS13}:-GROUP-ALL:+GROUP-SECP256R1`);
    const sessionFile = join(pki.dir, 'gnutls-hrr.session');
    expect((await client(port, ['--sess-out', sessionFile, '--request', '/'])).code).toBe(0);
    const out = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ resumed: 'yes', hrr: 'yes', group: 'secp256r1' });
  });

  for (const [leaf, signature, gnutlsName] of [['ecdsa', 'ecdsa_secp256r1_sha256', 'ECDSA-SECP256R1-SHA256'], ['ed25519', 'ed25519', 'EdDSA-Ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS-RSAE-SHA256']] as const) {
    it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
      const { port } = await gnutlsServer(`http-${leaf}`, ['--http'], leaf);
      const out = await client(port, ['--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
      expect(description(out.stdout)).toContain(`(${gnutlsName})`);
    });
  }

  it('resumes a session', async () => {
    const { port } = await gnutlsServer('http', ['--http']);
    const sessionFile = join(pki.dir, 'gnutls-http.session');
    const first = await client(port, ['--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    const second = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes', signature: 'none' });
    // A resumed TLS 1.3 handshake has no certificate: GnuTLS leaves the signature out.
    expect(description(second.stdout)).toBe('(TLS1.3-X.509)--(AES-128-GCM)');
  });

  it('sends a KeyUpdate that makes the server update too, then reads its response', async () => {
    const { port } = await gnutlsServer('http', ['--http']);
    const out = await client(port, ['--key-update', '--trace-json', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('sent KeyUpdate');
    expect(messages).toContain('received KeyUpdate');
    expect(description(out.stdout)).toContain('TLS1.3');
  });

  it('exits 0 on the server\'s close_notify, answering it with its own', async () => {
    const { port } = await gnutlsServer('http', ['--http']);
    const out = await client(port, ['--trace-json', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('received alert close_notify');
    expect(messages).toContain('sent alert close_notify');
  });
});

describe('lucid client --crypto noble → gnutls-serv --http', () => {
  const noble = (port: number, args: string[]) => client(port, ['--crypto', 'noble', ...args, '--request', '/']);

  for (const [suite, gnutlsName] of [['TLS_AES_128_GCM_SHA256', 'AES-128-GCM'], ['TLS_AES_256_GCM_SHA384', 'AES-256-GCM'], ['TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305']] as const) {
    it(`negotiates ${suite}`, async () => {
      const { port } = await gnutlsServer('http', ['--http']);
      const out = await noble(port, ['--ciphers', suite]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ cipher: suite, crypto: 'noble', peer: 'CN=localhost' });
      expect(description(out.stdout)).toMatch(new RegExp(`-\\(${gnutlsName}\\)$`));
    });
  }

  for (const { group, gnutls } of NOBLE_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const { port } = await gnutlsServer('http', ['--http']);
      const out = await noble(port, ['--groups', group]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
      expect(description(out.stdout)).toContain(`-${gnutls})`);
    });
  }

  it('is sent a HelloRetryRequest, and resumes after one', async () => {
    const { port } = await gnutlsServer('http-p256', ['--http'], 'ecdsa', `${TLS13}:-GROUP-ALL:+GROUP-SECP256R1`);
    const sessionFile = join(pki.dir, 'gnutls-hrr-noble.session');
    const first = await noble(port, ['--groups', 'x25519:secp256r1', '--key-shares', 'x25519', '--sess-out', sessionFile]);
    expect(first.code, first.stderr).toBe(0);
    expect(clientSummary(first.stderr)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
    const second = await noble(port, ['--groups', 'x25519:secp256r1', '--key-shares', 'x25519', '--sess-in', sessionFile]);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes', hrr: 'yes', group: 'secp256r1' });
  });

  for (const [leaf, signature, gnutlsName] of [['ecdsa', 'ecdsa_secp256r1_sha256', 'ECDSA-SECP256R1-SHA256'], ['ed25519', 'ed25519', 'EdDSA-Ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS-RSAE-SHA256']] as const) {
    it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
      const { port } = await gnutlsServer(`http-${leaf}`, ['--http'], leaf);
      const out = await noble(port, []);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
      expect(description(out.stdout)).toContain(`(${gnutlsName})`);
    });
  }
});

describe('lucid client → gnutls-serv (ALPN, client certificates)', () => {
  it('takes the ALPN protocol the server selects', async () => {
    const { port } = await gnutlsServer('http-alpn', ['--http', '--alpn', 'http/1.1', '--alpn-fatal']);
    const out = await client(port, ['--alpn', 'h2,http/1.1', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ alpn: 'http/1.1' });
  });

  it('fails with the server\'s no_application_protocol when none is shared', async () => {
    const { port } = await gnutlsServer('http-alpn', ['--http', '--alpn', 'http/1.1', '--alpn-fatal']);
    const out = await client(port, ['--alpn', 'h2', '--request', '/']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error: the server sent alert no_application_protocol$/m);
  });

  it('sends its certificate chain when the server requires one', async () => {
    const { port } = await gnutlsServer('http-require', ['--http', '--require-client-cert', '--x509cafile', pki.rootFile]);
    const out = await client(port, ['--cert', pki.client.chain, '--key', pki.client.key, '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    // The page describes the client's certificate, which GnuTLS verified against the root.
    expect(out.stdout.toString()).toContain('Subject: CN=lucid interop client');
  });

  it('fails with the server\'s alert when a required certificate is missing', async () => {
    const { port } = await gnutlsServer('http-require', ['--http', '--require-client-cert', '--x509cafile', pki.rootFile]);
    const out = await client(port, ['--request', '/']);
    expect(out.code).toBe(1);
    // GnuTLS 3.7 answers an empty Certificate with certificate_required (RFC 8446 §4.4.2.4).
    expect(out.stderr).toMatch(/^error: the server sent alert certificate_required$/m);
  });

  it('connects without a certificate when the server only asks for one', async () => {
    const { port } = await gnutlsServer('http-optional', ['--http', '--verify-client-cert', '--x509cafile', pki.rootFile]);
    const out = await client(port, ['--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).not.toContain('Subject: CN=lucid interop client');
    expect(description(out.stdout)).toContain('TLS1.3');
  });
});

describe('lucid client → gnutls-serv --echo (0-RTT, megabytes)', () => {
  it('sends 0-RTT data the server accepts; a server that cannot open the ticket rejects it', async () => {
    const { port } = await gnutlsServer('echo', ['--echo', '--earlydata', '--maxearlydata', '16384']);
    const sessionFile = join(pki.dir, 'gnutls-echo.session');
    const earlyFile = join(pki.dir, 'gnutls-early.txt');
    writeFileSync(earlyFile, 'early data from lucid\n');
    const first = await client(port, ['--sess-out', sessionFile], 'first\n');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.toString()).toBe('first\n');

    const accepted = await client(port, ['--sess-in', sessionFile, '--early-data', earlyFile, '--trace-json'], 'after the handshake\n');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(clientSummary(accepted.stderr)).toMatchObject({ resumed: 'yes', early_data: 'accepted' });
    expect(tracedMessages(accepted.stderr)).toContain('sent EndOfEarlyData');
    // gnutls-serv accepts early data but never reads it (it does not call
    // gnutls_record_recv_early_data), so only the 1-RTT data is echoed back.
    expect(accepted.stdout.toString()).toBe('after the handshake\n');

    // Another gnutls-serv has other ticket keys: the ticket does not open there, so the
    // handshake is a full one, the early data is rejected, and we send it again (§4.2.10).
    // (gnutls-serv has no anti-replay store: the same ticket to the same server is accepted again.)
    const other = await gnutlsServer('echo-2', ['--echo', '--earlydata', '--maxearlydata', '16384']);
    const rejected = await client(other.port, ['--sess-in', sessionFile, '--early-data', earlyFile], 'after the handshake\n');
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(clientSummary(rejected.stderr)).toMatchObject({ resumed: 'no', early_data: 'rejected' });
    expect(rejected.stdout.toString()).toBe('early data from lucid\nafter the handshake\n');
  });

  it('carries 4 MiB each way (echoed), then closes', async () => {
    const { port } = await gnutlsServer('echo', ['--echo', '--earlydata', '--maxearlydata', '16384']);
    const data = testData(4 * 1024 * 1024, 'gnutls');
    const out = await client(port, [], data as unknown as string);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.length).toBe(data.length);
    expect(out.stdout.equals(data)).toBe(true);
  });
});
