/**
 * `lucid-tls client` against OpenSSL's `openssl s_server`: every cipher suite, every group
 * OpenSSL 3.0 has (directly and by a HelloRetryRequest to each), ECDSA / Ed25519 / RSA-PSS
 * server certificates behind an intermediate, resumption, 0-RTT accepted and rejected,
 * client certificates, ALPN, KeyUpdate both ways, megabytes each way and close_notify; all
 * with the default (native) crypto provider, and the representative cases again with
 * `--crypto noble`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { clientSummary, NOBLE_GROUPS, Processes, startOpensslServer, testData, type RunningServer } from './processes.js';

let pki: InteropPki;
const processes = new Processes();

/** The groups OpenSSL 3.0 has too: our (IANA) name and OpenSSL's `-groups` name. */
const CLASSICAL_GROUPS = [
  ['x25519', 'X25519'],
  ['secp256r1', 'P-256'],
  ['secp384r1', 'P-384'],
  ['secp521r1', 'P-521'],
  ['x448', 'X448'],
  ['ffdhe2048', 'ffdhe2048'],
  ['ffdhe3072', 'ffdhe3072'],
  ['ffdhe4096', 'ffdhe4096'],
  ['ffdhe6144', 'ffdhe6144'],
  ['ffdhe8192', 'ffdhe8192'],
] as const;
/** Servers that live for the whole file (one per configuration), by name. */
const servers = new Map<string, RunningServer>();

beforeAll(() => {
  pki = makePki();
});
// After each test, whatever it started; the shared servers stay up until the end.
afterEach(() => processes.killAll([...servers.values()].map((s) => s.child)));
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** An `s_server` with the given leaf (and its intermediate), started once per configuration. */
async function sServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startOpensslServer(processes, ['-cert', files.cert, '-key', files.key, '-cert_chain', pki.intermediateFile, ...args], { cwd: pki.dir });
  servers.set(name, server);
  return server;
}

/** Runs `lucid-tls client --connect localhost:PORT --cafile ROOT ARGS`. */
function client(port: number, args: string[], input = '') {
  return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, ...args], { input, ms: 20_000 });
}

/** The handshake messages a `--trace-json` trace shows, as `sent KeyUpdate` / `received Finished`. */
function tracedMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { kind: string; direction?: string; type?: string; description?: string })
    .filter((e) => e.kind === 'message' || e.kind === 'alert')
    .map((e) => `${e.direction} ${e.kind === 'alert' ? `alert ${e.description}` : e.type}`);
}

describe('lucid client → openssl s_server -www', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const { port } = await sServer('www', ['-www']);
      const out = await client(port, ['--ciphers', suite, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.3', cipher: suite, resumed: 'no', hrr: 'no', crypto: 'native', peer: 'CN=localhost' });
      // The server's own account of the connection.
      expect(out.stdout.toString()).toContain(`New, TLSv1.3, Cipher is ${suite}`);
    });
  }

  for (const [group] of CLASSICAL_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const { port } = await sServer('www', ['-www']);
      const out = await client(port, ['--groups', group, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no' });
      expect(out.stdout.toString()).toContain(`Supported groups: ${group}\n`);
    });
  }

  for (const [group, openssl] of CLASSICAL_GROUPS) {
    // Our first key share is in another group; this server takes only `group` (RFC 8446 §4.1.4).
    const first = group === 'x25519' ? 'secp256r1' : 'x25519';
    it(`is sent a HelloRetryRequest to ${group} when its key share is ${first}`, async () => {
      const { port } = await sServer(`only-${group}`, ['-www', '-groups', openssl]);
      const out = await client(port, ['--groups', `${first}:${group}`, '--key-shares', first, '--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'yes' });
      expect(out.stdout.toString()).toContain(`Shared groups: ${group}\n`);
    });
  }

  it('shares X25519MLKEM768 and x25519 by default, and takes x25519 from a server without ML-KEM', async () => {
    const { port } = await sServer('www', ['-www']);
    const out = await client(port, ['--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ group: 'x25519', hrr: 'no' });
    // OpenSSL 3.0 lists what we offered, the five ML-KEM groups it does not know as <NULL>.
    expect(out.stdout.toString()).toContain(
      'Supported groups: <NULL>:<NULL>:<NULL>:x25519:secp256r1:secp384r1:secp521r1:x448:<NULL>:<NULL>:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192\n',
    );
  });

  it('resumes after a HelloRetryRequest (the binder covers the retried transcript, RFC 8446 §4.2.11.2)', async () => {
    // Without -early_data: with it, s_server treats tickets as single-use and spends the
    // ticket on the first ClientHello, so after its own HelloRetryRequest it falls back to a
    // full handshake (OpenSSL 3.0 does the same with its own s_client).
    const { port } = await sServer('only-secp256r1', ['-www', '-groups', 'P-256']);
    const sessionFile = join(pki.dir, 'openssl-hrr.session');
    const first = await client(port, ['--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    const second = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes', hrr: 'yes', group: 'secp256r1' });
    expect(second.stdout.toString()).toContain('Reused, TLSv1.3');
  });

  for (const [leaf, signature] of [['ecdsa', 'ecdsa_secp256r1_sha256'], ['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
    it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
      const { port } = await sServer(`www-${leaf}`, ['-www'], leaf);
      const out = await client(port, ['--request', '/']);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
    });
  }

  it('refuses a server whose chain does not lead to its CA (unknown_ca)', async () => {
    const { port } = await sServer('www', ['-www']);
    const out = await processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rogueRootFile, '--request', '/'], { ms: 20_000 });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error: .*\(sent alert unknown_ca\)$/m);
  });

  it('resumes a session saved with --sess-out', async () => {
    const { port } = await sServer('www', ['-www']);
    const sessionFile = join(pki.dir, 'openssl-www.session');
    const first = await client(port, ['--sess-out', sessionFile, '--request', '/']);
    expect(first.code, first.stderr).toBe(0);
    expect(clientSummary(first.stderr)).toMatchObject({ resumed: 'no' });
    const second = await client(port, ['--sess-in', sessionFile, '--request', '/']);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes', signature: 'none', peer: 'none' });
    expect(second.stdout.toString()).toContain('Reused, TLSv1.3');
  });

  it('offers ALPN and takes the server\'s choice', async () => {
    const { port } = await sServer('www-alpn', ['-www', '-alpn', 'http/1.1']);
    const out = await client(port, ['--alpn', 'h2,http/1.1', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ alpn: 'http/1.1' });
  });

  it('fails with no_application_protocol when the server shares no protocol', async () => {
    // RFC 7301 §3.2: the server ends the handshake with this alert.
    const { port } = await sServer('www-alpn', ['-www', '-alpn', 'http/1.1']);
    const out = await client(port, ['--alpn', 'h2', '--request', '/']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error: the server sent alert no_application_protocol$/m);
  });

  it('sends a KeyUpdate that makes the server update too, then reads its response', async () => {
    const { port } = await sServer('www', ['-www']);
    const out = await client(port, ['--key-update', '--trace-json', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('sent KeyUpdate');
    // §4.6.3: update_requested obliges the server to answer with its own KeyUpdate.
    expect(messages).toContain('received KeyUpdate');
    expect(out.stdout.toString()).toContain('New, TLSv1.3');
  });

  it('exits 0 on the server\'s close_notify, and answers it with its own', async () => {
    const { port } = await sServer('www', ['-www']);
    const out = await client(port, ['--trace-json', '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('received alert close_notify');
    expect(messages).toContain('sent alert close_notify');
    expect(out.stdout.toString()).toContain('</HTML>');
  });
});

describe('lucid client --crypto noble → openssl s_server -www', () => {
  const noble = (port: number, args: string[]) => client(port, ['--crypto', 'noble', ...args, '--request', '/']);

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const { port } = await sServer('www', ['-www']);
      const out = await noble(port, ['--ciphers', suite]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ cipher: suite, crypto: 'noble', peer: 'CN=localhost' });
      expect(out.stdout.toString()).toContain(`New, TLSv1.3, Cipher is ${suite}`);
    });
  }

  for (const { group } of NOBLE_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const { port } = await sServer('www', ['-www']);
      const out = await noble(port, ['--groups', group]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
      expect(out.stdout.toString()).toContain(`Supported groups: ${group}\n`);
    });
  }

  it('is sent a HelloRetryRequest, and resumes after one (the binder covers the retried transcript)', async () => {
    const { port } = await sServer('only-secp256r1', ['-www', '-groups', 'P-256']);
    const sessionFile = join(pki.dir, 'openssl-hrr-noble.session');
    const first = await noble(port, ['--groups', 'x25519:secp256r1', '--key-shares', 'x25519', '--sess-out', sessionFile]);
    expect(first.code, first.stderr).toBe(0);
    expect(clientSummary(first.stderr)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
    const second = await noble(port, ['--groups', 'x25519:secp256r1', '--key-shares', 'x25519', '--sess-in', sessionFile]);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes', hrr: 'yes', group: 'secp256r1' });
  });

  for (const [leaf, signature] of [['ecdsa', 'ecdsa_secp256r1_sha256'], ['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
    it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
      const { port } = await sServer(`www-${leaf}`, ['-www'], leaf);
      const out = await noble(port, []);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
    });
  }
});

describe('lucid client → openssl s_server (client certificates)', () => {
  it('sends its certificate chain when the server requires one', async () => {
    const { port } = await sServer('www-require', ['-www', '-Verify', '2', '-CAfile', pki.rootFile]);
    const out = await client(port, ['--cert', pki.client.chain, '--key', pki.client.key, '--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    // The page shows the certificate the server received, as PEM.
    const page = out.stdout.toString();
    expect(page).toContain('Client certificate');
    expect(page.replace(/\r/g, '')).toContain(readFileSync(pki.client.cert, 'utf8').trim());
  });

  it('connects without a certificate when the server only asks for one', async () => {
    const { port } = await sServer('www-optional', ['-www', '-verify', '2', '-CAfile', pki.rootFile]);
    const out = await client(port, ['--request', '/']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toContain('no client certificate available');
  });

  it('fails with the server\'s certificate_required alert when it has none to send', async () => {
    const { port } = await sServer('www-require', ['-www', '-Verify', '2', '-CAfile', pki.rootFile]);
    const out = await client(port, ['--request', '/']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error: the server sent alert certificate_required$/m);
  });
});

describe('lucid client → openssl s_server (0-RTT, KeyUpdate from the server, megabytes)', () => {
  it('sends 0-RTT data the server accepts, then is rejected when the ticket is used again', async () => {
    const { child, port } = await sServer('early', ['-early_data']);
    const sessionFile = join(pki.dir, 'openssl-early.session');
    const earlyFile = join(pki.dir, 'early.txt');
    writeFileSync(earlyFile, 'early data from lucid\n');

    const first = await client(port, ['--sess-out', sessionFile], 'first connection\n');
    expect(first.code, first.stderr).toBe(0);
    await child.waitFor(/first connection\n/, 5000, 'stdout');

    const accepted = await client(port, ['--sess-in', sessionFile, '--early-data', earlyFile], 'after the handshake\n');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(clientSummary(accepted.stderr)).toMatchObject({ resumed: 'yes', early_data: 'accepted' });
    await child.waitFor(/Early data received:[\s\S]*End of early data[\s\S]*after the handshake/, 5000, 'stdout');
    expect(child.stdout.toString()).toContain('early data from lucid');

    // s_server keeps single-use tickets for 0-RTT (RFC 8446 §8.1): the same ticket again is
    // refused, and our client sends the data again once the handshake is complete (§4.2.10).
    const mark = child.stdout.length;
    const rejected = await client(port, ['--sess-in', sessionFile, '--early-data', earlyFile], 'third\n');
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(clientSummary(rejected.stderr)).toMatchObject({ early_data: 'rejected' });
    await child.waitForOutput('third', mark);
    const after = child.stdout.subarray(mark).toString();
    expect(after).toContain('Early data was rejected');
    expect(after.indexOf('early data from lucid')).toBeGreaterThanOrEqual(0);
    expect(after.indexOf('early data from lucid')).toBeLessThan(after.indexOf('third'));
  });

  it('follows a KeyUpdate the server sends (s_server\'s K command), and updates its own keys', async () => {
    const { child: server, port } = await sServer('plain', []);
    const ours = processes.lucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, '--trace-json']);
    ours.write('hello server\n');
    await server.waitFor(/hello server\n/, 10_000, 'stdout');
    const mark = server.stdout.length;
    server.write('K\n'); // s_server: SSL_key_update(SSL_KEY_UPDATE_REQUESTED), then SSL_do_handshake
    await server.waitForOutput('SSL_do_handshake -> 1', mark, 5000);
    server.write('after the update\n');
    await ours.waitFor(/after the update/, 5000, 'stdout');
    ours.write('and back\n');
    await server.waitFor(/and back\n/, 5000, 'stdout');
    ours.end();
    const out = await ours.wait();
    expect(out.code, out.stderr).toBe(0);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('received KeyUpdate');
    expect(messages).toContain('sent KeyUpdate'); // the answer update_requested asks for
  });

  it('sends 4 MiB from standard input, then close_notify', async () => {
    const { child: server, port } = await sServer('plain', []);
    const data = testData(4 * 1024 * 1024, 'up');
    const mark = server.stdout.length;
    const out = await client(port, [], data as unknown as string);
    expect(out.code, out.stderr).toBe(0);
    await server.waitForOutput('DONE', mark, 10_000);
    expect(server.stdout.subarray(mark).includes(data)).toBe(true);
  });

  it('receives 4 MiB (s_server -WWW serving a file)', async () => {
    const data = testData(4 * 1024 * 1024, 'down');
    writeFileSync(join(pki.dir, 'big.txt'), data);
    const { port } = await sServer('files', ['-WWW']);
    const out = await client(port, ['--request', '/big.txt']);
    expect(out.code, out.stderr).toBe(0);
    const body = out.stdout.subarray(out.stdout.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBe(data.length);
    expect(body.equals(data)).toBe(true);
  });
});
