/**
 * `lucid-tls server` against OpenSSL's `openssl s_client`: every cipher suite, every group
 * OpenSSL 3.0 has (directly and by a HelloRetryRequest to each), ECDSA / Ed25519 / RSA-PSS
 * certificates behind an intermediate, resumption, 0-RTT accepted and rejected, client
 * certificates, ALPN, KeyUpdate both ways, megabytes each way, close_notify, and a TLS
 * 1.2-only client (served TLS 1.2); all with the default (native) crypto provider, and the
 * representative cases again with `--crypto noble`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { NOBLE_GROUPS, Processes, startLucidServer, summaryOf, testData, type Output, type RunningServer } from './processes.js';

let pki: InteropPki;
const processes = new Processes();
const servers = new Map<string, RunningServer>();

/** The groups OpenSSL 3.0 has too: our (IANA) name, OpenSSL's `-groups` name, and how s_client names the key. */
const CLASSICAL_GROUPS = [
  ['x25519', 'X25519', 'X25519, 253 bits'],
  ['secp256r1', 'P-256', 'ECDH, prime256v1, 256 bits'],
  ['secp384r1', 'P-384', 'ECDH, secp384r1, 384 bits'],
  ['secp521r1', 'P-521', 'ECDH, secp521r1, 521 bits'],
  ['x448', 'X448', 'X448, 448 bits'],
  ['ffdhe2048', 'ffdhe2048', 'DH, 2048 bits'],
  ['ffdhe3072', 'ffdhe3072', 'DH, 3072 bits'],
  ['ffdhe4096', 'ffdhe4096', 'DH, 4096 bits'],
  ['ffdhe6144', 'ffdhe6144', 'DH, 6144 bits'],
  ['ffdhe8192', 'ffdhe8192', 'DH, 8192 bits'],
] as const;

beforeAll(() => {
  pki = makePki();
});
afterEach(() => processes.killAll([...servers.values()].map((s) => s.child)));
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** A `lucid-tls server` with the given leaf (and its intermediate), started once per configuration. */
async function lucidServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startLucidServer(processes, ['--cert', files.chain, '--key', files.key, ...args]);
  servers.set(name, server);
  return server;
}

const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

/**
 * `openssl s_client` to our server, verifying it against the root. Its standard input
 * stays open (s_client would close on its end): it exits when our server closes, after
 * the --www response.
 */
async function sClient(port: number, args: string[], input = REQUEST): Promise<Output & { text: string }> {
  const child = processes.start('openssl s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.rootFile, '-verify_return_error', ...args], { cwd: pki.dir });
  child.write(input);
  const out = await child.wait(15_000);
  return { ...out, text: `${out.stdout.toString('latin1')}\n${out.stderr}` };
}

/** The `key: value` lines of our --www page. */
function page(stdout: Buffer): Record<string, string> {
  const text = stdout.toString();
  return Object.fromEntries([...text.matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** The server's log line for the `n`-th connection (1-based), parsed; waits for it. */
async function logLine(server: RunningServer, n: number): Promise<{ line: string; fields: Record<string, string> }> {
  const line = await server.child.until(`log line ${n}`, () => server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l))[n - 1], 5000);
  return { line, fields: summaryOf(line.replace(/^\S+ /, '')) };
}

/** How many connection lines the server has logged so far. */
function logged(server: RunningServer): number {
  return server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l)).length;
}

describe('openssl s_client → lucid server --www', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
      const n = logged(server) + 1;
      const out = await sClient(server.port, ['-ciphersuites', suite]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`New, TLSv1.3, Cipher is ${suite}`);
      expect(out.text).toContain('Verify return code: 0 (ok)');
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.3', cipher: suite, sni: 'localhost', resumed: 'no', crypto: 'native' });
      expect((await logLine(server, n)).fields).toMatchObject({ cipher: suite, sni: 'localhost' });
    });
  }

  for (const [group, openssl, tempKey] of CLASSICAL_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
      const out = await sClient(server.port, ['-groups', openssl]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`Server Temp Key: ${tempKey}`);
      expect(page(out.stdout)).toMatchObject({ group, hrr: 'no' });
    });
  }

  for (const [group, openssl, tempKey] of CLASSICAL_GROUPS) {
    // s_client sends one key share, for its first group, which this server does not take.
    const first = group === 'x25519' ? 'P-256' : 'X25519';
    it(`asks for ${group} (HelloRetryRequest) when the client's key share is ${first}`, async () => {
      const server = await lucidServer(`only-${group}`, ['--www', '--groups', group]);
      const out = await sClient(server.port, ['-groups', `${first}:${openssl}`]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`Server Temp Key: ${tempKey}`);
      expect(page(out.stdout)).toMatchObject({ group, hrr: 'yes' });
    });
  }

  for (const [leaf, signature, peerType] of [['ed25519', 'ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS']] as const) {
    it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
      const server = await lucidServer(`www-${leaf}`, ['--www'], leaf);
      const out = await sClient(server.port, []);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`Peer signature type: ${peerType}`);
      expect(out.text).toContain('Verify return code: 0 (ok)');
      expect(out.text).toMatch(/depth=1 CN = Lucid Interop Intermediate/);
      expect(page(out.stdout)).toMatchObject({ signature });
    });
  }

  it('resumes a session (s_client -sess_out, -sess_in)', async () => {
    const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
    const sessionFile = join(pki.dir, 'resume.sess');
    const first = await sClient(server.port, ['-sess_out', sessionFile]);
    expect(first.code, first.text).toBe(0);
    const second = await sClient(server.port, ['-sess_in', sessionFile]);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toContain('Reused, TLSv1.3');
    expect(page(second.stdout)).toMatchObject({ resumed: 'yes', signature: 'none', early_data: 'none' });
  });

  it('accepts 0-RTT data once per ticket, and rejects it on a second use (RFC 8446 §8.1)', async () => {
    const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
    const sessionFile = join(pki.dir, 'early.sess');
    const earlyFile = join(pki.dir, 'early-request.txt');
    writeFileSync(earlyFile, REQUEST);
    const first = await sClient(server.port, ['-sess_out', sessionFile]);
    expect(first.code, first.text).toBe(0);

    // The request itself travels as early data; the page is the answer to it.
    const accepted = await sClient(server.port, ['-sess_in', sessionFile, '-early_data', earlyFile], '');
    expect(accepted.code, accepted.text).toBe(0);
    expect(accepted.text).toContain('Early data was accepted');
    expect(page(accepted.stdout)).toMatchObject({ resumed: 'yes', early_data: 'accepted' });

    // The same ticket again: still resumed, but the early data is refused (s_client does not resend it).
    const rejected = await sClient(server.port, ['-sess_in', sessionFile, '-early_data', earlyFile], REQUEST);
    expect(rejected.code, rejected.text).toBe(0);
    expect(rejected.text).toContain('Early data was rejected');
    expect(page(rejected.stdout)).toMatchObject({ resumed: 'yes', early_data: 'rejected' });
  });

  it('resumes after its HelloRetryRequest, rejecting the early data sent before it (RFC 8446 §4.2.10)', async () => {
    // The first share is P-384's, which this server does not take.
    const server = await lucidServer('www-x25519', ['--www', '--groups', 'x25519', '--early-data', '16384']);
    const sessionFile = join(pki.dir, 'hrr.sess');
    const earlyFile = join(pki.dir, 'hrr-early-request.txt');
    writeFileSync(earlyFile, REQUEST);
    expect((await sClient(server.port, ['-sess_out', sessionFile])).code).toBe(0);
    const out = await sClient(server.port, ['-sess_in', sessionFile, '-groups', 'P-384:X25519', '-early_data', earlyFile], REQUEST);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('Reused, TLSv1.3');
    expect(out.text).toContain('Early data was rejected');
    expect(page(out.stdout)).toMatchObject({ resumed: 'yes', hrr: 'yes', early_data: 'rejected', group: 'x25519' });
  });

  it('selects the ALPN protocol both offer', async () => {
    const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
    const out = await sClient(server.port, ['-alpn', 'http/1.1']);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('ALPN protocol: http/1.1');
    expect(page(out.stdout)).toMatchObject({ alpn: 'http/1.1' });
  });

  it('ends the handshake with no_application_protocol when no ALPN protocol is shared (RFC 7301 §3.2)', async () => {
    const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
    const n = logged(server) + 1;
    const out = await sClient(server.port, ['-alpn', 'spdy/3']);
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/no application protocol/);
    expect((await logLine(server, n)).line).toMatch(/error: .*\(sent alert no_application_protocol\)$/);
  });

  it('serves a TLS 1.2-only client TLS 1.2 (tls12-openssl.test.ts has the rest), and the next one TLS 1.3', async () => {
    const server = await lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);
    const old = await sClient(server.port, ['-tls1_2']);
    expect(old.code, old.text).toBe(0);
    expect(page(old.stdout)).toMatchObject({ protocol: 'TLSv1.2' });
    const next = await sClient(server.port, []);
    expect(next.code, next.text).toBe(0);
    expect(page(next.stdout)).toMatchObject({ protocol: 'TLSv1.3' });
  });
});

describe('openssl s_client → lucid server --crypto noble', () => {
  const www = () => lucidServer('www-noble', ['--www', '--crypto', 'noble']);

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const server = await www();
      const out = await sClient(server.port, ['-ciphersuites', suite]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`New, TLSv1.3, Cipher is ${suite}`);
      expect(page(out.stdout)).toMatchObject({ cipher: suite, crypto: 'noble' });
    });
  }

  for (const { group, openssl, tempKey } of NOBLE_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const server = await www();
      const out = await sClient(server.port, ['-groups', openssl]);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`Server Temp Key: ${tempKey}`);
      expect(page(out.stdout)).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
    });
  }

  it('asks for another key share (HelloRetryRequest) when the first is in a group it does not take', async () => {
    const server = await lucidServer('www-x25519-noble', ['--www', '--groups', 'x25519', '--crypto', 'noble']);
    const out = await sClient(server.port, ['-groups', 'P-384:X25519']);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('Server Temp Key: X25519');
    expect(page(out.stdout)).toMatchObject({ group: 'x25519', hrr: 'yes' });
  });

  for (const [leaf, signature, peerType] of [['ed25519', 'ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS']] as const) {
    it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
      const server = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
      const out = await sClient(server.port, []);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`Peer signature type: ${peerType}`);
      expect(out.text).toContain('Verify return code: 0 (ok)');
      expect(page(out.stdout)).toMatchObject({ signature });
    });
  }

  it('resumes a session (s_client -sess_out, -sess_in)', async () => {
    const server = await www();
    const sessionFile = join(pki.dir, 'resume-noble.sess');
    expect((await sClient(server.port, ['-sess_out', sessionFile])).code).toBe(0);
    const second = await sClient(server.port, ['-sess_in', sessionFile]);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toContain('Reused, TLSv1.3');
    expect(page(second.stdout)).toMatchObject({ resumed: 'yes', crypto: 'noble' });
  });
});

describe('openssl s_client → lucid server (client certificates)', () => {
  const clientCert = () => ['-cert', pki.client.cert, '-key', pki.client.key, '-cert_chain', pki.intermediateFile];

  it('accepts a client certificate chain it requires', async () => {
    const server = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const out = await sClient(server.port, clientCert());
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ client_cert: 'CN=lucid interop client' });
  });

  it('sends certificate_required to a client without one when it requires one', async () => {
    const server = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const n = logged(server) + 1;
    const out = await sClient(server.port, []);
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/alert certificate required/);
    expect((await logLine(server, n)).line).toMatch(/\(sent alert certificate_required\)$/);
  });

  it('lets a client without a certificate in when one is optional', async () => {
    const server = await lucidServer('optional', ['--www', '--verify-client', pki.rootFile]);
    const out = await sClient(server.port, []);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ client_cert: 'none' });
  });

  it('refuses a client certificate from a CA it does not trust (unknown_ca)', async () => {
    const server = await lucidServer('optional', ['--www', '--verify-client', pki.rootFile]);
    const n = logged(server) + 1;
    const out = await sClient(server.port, ['-cert', pki.rogueClient.cert, '-key', pki.rogueClient.key]);
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/alert unknown ca/);
    expect((await logLine(server, n)).line).toMatch(/\(sent alert unknown_ca\)$/);
  });
});

describe('openssl s_client → lucid server (echo)', () => {
  it('answers a KeyUpdate asking for one with its own, and goes on echoing', async () => {
    const server = await lucidServer('echo', []);
    const child = processes.start('openssl s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-CAfile', pki.rootFile, '-msg'], { cwd: pki.dir });
    child.write('before\n');
    await child.waitFor(/^before$/m, 10_000, 'stdout');
    const mark = child.stdout.length;
    // s_client's command K: SSL_key_update(SSL_KEY_UPDATE_REQUESTED). It must be a read of its own.
    child.write('K\n');
    await child.waitForOutput('KeyUpdate', mark, 5000);
    child.write('after\n');
    await child.waitForOutput('\nafter\n', mark, 5000);
    const after = child.stdout.subarray(mark).toString();
    expect(after).toMatch(/>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate\n\s+18 00 00 01 01/); // update_requested
    expect(after).toMatch(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate\n\s+18 00 00 01 00/); // ours: update_not_requested
    child.end();
    const out = await child.wait();
    expect(out.code, child.text).toBe(0);
    // s_client ends with close_notify (RFC 8446 §6.1) and exits without waiting for ours,
    // so our answer is checked against peers that wait for it (gnutls, Node).
    expect(out.stdout.toString()).toMatch(/>>> TLS 1\.3, Alert \[length 0002\], warning close_notify/);
    expect(server.child.stderr).not.toMatch(/error/);
  });

  it('echoes 4 MiB back', async () => {
    const server = await lucidServer('echo', []);
    const data = testData(4 * 1024 * 1024, 'echo');
    // -nbio: a blocking s_client would stop reading while its write blocks, and our
    // server, honouring backpressure, stops reading too. -nocommands: data is data.
    // -brief: nothing but the data on standard output, and standard input's end closes.
    const child = processes.start('openssl s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-CAfile', pki.rootFile, '-brief', '-nbio', '-nocommands'], { cwd: pki.dir });
    child.write(data);
    await child.until('all the data back', () => child.stdoutBytes >= data.length, 30_000);
    child.end();
    const out = await child.wait();
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.equals(data)).toBe(true);
  });
});
