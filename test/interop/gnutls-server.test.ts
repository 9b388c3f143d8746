/**
 * `lucid-tls server` against GnuTLS's `gnutls-cli`: every cipher suite and group,
 * HelloRetryRequest, ECDSA / Ed25519 / RSA-PSS certificates behind an intermediate,
 * resumption, 0-RTT accepted and rejected, client certificates, ALPN, KeyUpdate both
 * ways, megabytes each way and close_notify.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { NOBLE_GROUPS, Processes, startLucidServer, summaryOf, testData, type Output, type RunningServer } from './processes.js';

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

const TLS13 = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

async function lucidServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
  const running = servers.get(name);
  if (running?.child.running) return running;
  const files = pki.servers[leaf];
  const server = await startLucidServer(processes, ['--cert', files.chain, '--key', files.key, ...args]);
  servers.set(name, server);
  return server;
}

/**
 * `gnutls-cli` to our server, verifying it against the root, with `input` on its standard
 * input, which stays open: gnutls-cli exits when our server closes (after the --www page).
 */
async function gnutlsCli(port: number, args: string[], input = REQUEST, priority = TLS13): Promise<Output & { text: string }> {
  const child = processes.start('gnutls-cli', 'gnutls-cli', ['--x509cafile', pki.rootFile, '-p', String(port), '--priority', priority, ...args, 'localhost']);
  child.write(input);
  const out = await child.wait(15_000);
  return { ...out, text: `${out.stdout.toString('latin1')}\n${out.stderr}` };
}

function page(stdout: Buffer): Record<string, string> {
  return Object.fromEntries([...stdout.toString().matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

function logged(server: RunningServer): string[] {
  return server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l));
}

async function logLine(server: RunningServer, n: number): Promise<string> {
  return server.child.until(`log line ${n}`, () => logged(server)[n - 1], 5000);
}

describe('gnutls-cli → lucid server --www', () => {
  const www = () => lucidServer('www', ['--www', '--alpn', 'h2,http/1.1', '--early-data', '16384']);

  for (const [suite, gnutlsName] of [['TLS_AES_128_GCM_SHA256', 'AES-128-GCM'], ['TLS_AES_256_GCM_SHA384', 'AES-256-GCM'], ['TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305']] as const) {
    it(`negotiates ${suite}`, async () => {
      const server = await www();
      const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-CIPHER-ALL:+${gnutlsName}`);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toMatch(new RegExp(`- Description: \\(TLS1\\.3-X\\.509\\)-\\(ECDHE-X25519\\)-\\(ECDSA-SECP256R1-SHA256\\)-\\(${gnutlsName}\\)`));
      expect(page(out.stdout)).toMatchObject({ protocol: 'TLSv1.3', cipher: suite, sni: 'localhost', crypto: 'native' });
    });
  }

  for (const [group, gnutlsName] of [['x25519', 'X25519'], ['secp256r1', 'SECP256R1']] as const) {
    it(`agrees on ${group}`, async () => {
      const server = await www();
      const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-GROUP-ALL:+GROUP-${gnutlsName}`);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`(ECDHE-${gnutlsName})`);
      expect(page(out.stdout)).toMatchObject({ group, hrr: 'no' });
    });
  }

  it('asks for another key share (HelloRetryRequest) when the client\'s is in a group it lacks', async () => {
    // GnuTLS sends one share per kind of group: here only secp384r1's, which this server does not take.
    const server = await lucidServer('www-p256', ['--www', '--groups', 'secp256r1']);
    const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-SECP256R1`);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('(ECDHE-SECP256R1)');
    expect(page(out.stdout)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
  });

  for (const [leaf, signature, gnutlsName] of [['ed25519', 'ed25519', 'EdDSA-Ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS-RSAE-SHA256']] as const) {
    it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
      const server = await lucidServer(`www-${leaf}`, ['--www'], leaf);
      const out = await gnutlsCli(server.port, []);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`(${gnutlsName})`);
      expect(out.text).toContain('- Status: The certificate is trusted.');
      expect(out.text).toContain('- Got a certificate list of 2 certificates.');
      expect(page(out.stdout)).toMatchObject({ signature });
    });
  }

  it('resumes, and accepts 0-RTT data (gnutls-cli --resume --earlydata)', async () => {
    const server = await www();
    const earlyFile = join(pki.dir, 'gnutls-early-request.txt');
    writeFileSync(earlyFile, REQUEST);
    const before = logged(server).length;
    // The first connection is closed by gnutls-cli once it has a ticket; the second resumes
    // with the request as early data, and our page is the answer to it.
    const out = await gnutlsCli(server.port, ['--resume', '--waitresumption', `--earlydata=${earlyFile}`], '');
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('*** This is a resumed session');
    expect(page(out.stdout)).toMatchObject({ resumed: 'yes', early_data: 'accepted', signature: 'none' });
    expect(summaryOf((await logLine(server, before + 2)).replace(/^\S+ /, ''))).toMatchObject({ resumed: 'yes', early_data: 'accepted' });
  });

  it('rejects 0-RTT data on a ticket it cannot open, and answers the 1-RTT request', async () => {
    // gnutls-cli resumes within one run only, to the same address. A proxy sends its first
    // connection to one server and the second to another with other ticket keys, as after
    // a restart: that server rejects the early data and completes a full handshake (§4.2.10).
    const first = await www();
    const second = await lucidServer('www-other', ['--www', '--early-data', '16384']);
    const proxy = await splitProxy([first.port, second.port]);
    try {
      const earlyFile = join(pki.dir, 'gnutls-early-request.txt');
      writeFileSync(earlyFile, REQUEST);
      const out = await gnutlsCli(proxy.port, ['--resume', '--waitresumption', `--earlydata=${earlyFile}`], REQUEST);
      expect(out.code, out.text).toBe(0);
      expect(page(out.stdout)).toMatchObject({ resumed: 'no', early_data: 'rejected' });
    } finally {
      proxy.close();
    }
  });

  it('selects the ALPN protocol both offer', async () => {
    const server = await www();
    const out = await gnutlsCli(server.port, ['--alpn', 'http/1.1']);
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('- Application protocol: http/1.1');
    expect(page(out.stdout)).toMatchObject({ alpn: 'http/1.1' });
  });

  it('ends the handshake with no_application_protocol when none is shared', async () => {
    const server = await www();
    const n = logged(server).length + 1;
    const out = await gnutlsCli(server.port, ['--alpn', 'spdy/3']);
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/Received alert \[120\]/);
    expect(await logLine(server, n)).toMatch(/\(sent alert no_application_protocol\)$/);
  });
});

describe('gnutls-cli → lucid server --www --crypto noble', () => {
  const www = () => lucidServer('www-noble', ['--www', '--early-data', '16384', '--crypto', 'noble']);

  for (const [suite, gnutlsName] of [['TLS_AES_128_GCM_SHA256', 'AES-128-GCM'], ['TLS_AES_256_GCM_SHA384', 'AES-256-GCM'], ['TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305']] as const) {
    it(`negotiates ${suite}`, async () => {
      const server = await www();
      const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-CIPHER-ALL:+${gnutlsName}`);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`-(${gnutlsName})`);
      expect(page(out.stdout)).toMatchObject({ cipher: suite, crypto: 'noble' });
    });
  }

  for (const { group, gnutls } of NOBLE_GROUPS) {
    it(`agrees on ${group}`, async () => {
      const server = await www();
      const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-GROUP-ALL:+GROUP-${gnutls}`);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`-${gnutls})`);
      expect(page(out.stdout)).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
    });
  }

  it('asks for another key share (HelloRetryRequest) when the client\'s is in a group it does not take', async () => {
    const server = await lucidServer('www-p256-noble', ['--www', '--groups', 'secp256r1', '--crypto', 'noble']);
    const out = await gnutlsCli(server.port, [], REQUEST, `${TLS13}:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-SECP256R1`);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
  });

  for (const [leaf, signature, gnutlsName] of [['ed25519', 'ed25519', 'EdDSA-Ed25519'], ['rsa', 'rsa_pss_rsae_sha256', 'RSA-PSS-RSAE-SHA256']] as const) {
    it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
      const server = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
      const out = await gnutlsCli(server.port, []);
      expect(out.code, out.text).toBe(0);
      expect(out.text).toContain(`(${gnutlsName})`);
      expect(out.text).toContain('- Status: The certificate is trusted.');
      expect(page(out.stdout)).toMatchObject({ signature });
    });
  }

  it('resumes, and accepts 0-RTT data (gnutls-cli --resume --earlydata)', async () => {
    const server = await www();
    const earlyFile = join(pki.dir, 'gnutls-early-request-noble.txt');
    writeFileSync(earlyFile, REQUEST);
    const out = await gnutlsCli(server.port, ['--resume', '--waitresumption', `--earlydata=${earlyFile}`], '');
    expect(out.code, out.text).toBe(0);
    expect(out.text).toContain('*** This is a resumed session');
    expect(page(out.stdout)).toMatchObject({ resumed: 'yes', early_data: 'accepted', crypto: 'noble' });
  });
});

describe('gnutls-cli → lucid server (client certificates)', () => {
  const withCert = () => ['--x509certfile', pki.client.chain, '--x509keyfile', pki.client.key];

  it('accepts a client certificate chain it requires', async () => {
    const server = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const out = await gnutlsCli(server.port, withCert());
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ client_cert: 'CN=lucid interop client' });
  });

  it('sends certificate_required to a client without one', async () => {
    const server = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const n = logged(server).length + 1;
    const out = await gnutlsCli(server.port, []);
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/Received alert \[116\]/);
    expect(await logLine(server, n)).toMatch(/\(sent alert certificate_required\)$/);
  });

  it('lets a client without a certificate in when one is optional', async () => {
    const server = await lucidServer('optional', ['--www', '--verify-client', pki.rootFile]);
    const out = await gnutlsCli(server.port, []);
    expect(out.code, out.text).toBe(0);
    expect(page(out.stdout)).toMatchObject({ client_cert: 'none' });
  });
});

describe('gnutls-cli → lucid server (echo)', () => {
  it('answers the client\'s KeyUpdate (^rekey^) with its own, then close_notify with its own', async () => {
    const server = await lucidServer('echo-traced', ['--trace-json']);
    const child = processes.start('gnutls-cli', 'gnutls-cli', ['--x509cafile', pki.rootFile, '-p', String(server.port), '--priority', TLS13, '--inline-commands', 'localhost']);
    child.write('one\n');
    await child.waitFor(/^one$/m, 10_000, 'stdout');
    child.write('^rekey^\n'); // gnutls_session_key_update(GNUTLS_KU_PEER): update_requested
    await child.waitFor(/Rekey was completed/, 5000);
    child.write('two\n');
    await child.waitFor(/^two$/m, 5000, 'stdout');
    child.end(); // gnutls-cli sends close_notify and waits for ours
    const out = await child.wait();
    expect(out.code, child.text).toBe(0);
    expect(child.text).toContain('- Peer has closed the GnuTLS connection');

    const events = server.child.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { kind: string; direction?: string; type?: string; description?: string });
    const seen = events.filter((e) => e.kind === 'message' || e.kind === 'alert').map((e) => `${e.direction} ${e.type ?? e.description}`);
    expect(seen).toContain('received KeyUpdate');
    expect(seen).toContain('sent KeyUpdate');
    expect(seen.slice(-2)).toEqual(['received close_notify', 'sent close_notify']);
  });

  it('echoes 2 MiB back', async () => {
    // 2 MiB, not 4: gnutls-cli's own loop moves only about 400 KB/s between its standard
    // input and the connection (the same against gnutls-serv --echo).
    const server = await lucidServer('echo', []);
    const data = testData(2 * 1024 * 1024, 'gnutls-cli');
    const child = processes.start('gnutls-cli', 'gnutls-cli', ['--x509cafile', pki.rootFile, '-p', String(server.port), '--priority', TLS13, '--logfile', join(pki.dir, 'gnutls-cli.log'), 'localhost']);
    child.write(data);
    await child.until('all the data back', () => child.stdoutBytes >= data.length, 50_000);
    child.end();
    const out = await child.wait();
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.equals(data)).toBe(true);
  }, 60_000);
});

/** A TCP proxy on 127.0.0.1 that sends its n-th connection to `ports[n]` (the last one for the rest). */
async function splitProxy(ports: number[]): Promise<{ port: number; close(): void }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port: ports[Math.min(count++, ports.length - 1)]! });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
