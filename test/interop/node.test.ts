/**
 * `lucid-tls client` and `lucid-tls server` against Node's own `node:tls` (OpenSSL inside
 * Node), both ways, with the default (native) crypto provider and, for the representative
 * cases, `--crypto noble`: cipher suites, groups, HelloRetryRequest, ECDSA / Ed25519 / RSA-PSS
 * certificates behind an intermediate, resumption, client certificates, ALPN,
 * KeyUpdate, megabytes each way and close_notify.
 *
 * Not here: 0-RTT, since `node:tls` has no early-data API on either side (the OpenSSL
 * and GnuTLS suites cover it); and a KeyUpdate that Node starts, since `node:tls` cannot
 * send one (ours, with update_requested, makes Node answer with its own).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki, type LeafKind } from './pki.js';
import { clientSummary, NOBLE_GROUPS, Processes, startLucidServer, testData, type RunningServer } from './processes.js';

let pki: InteropPki;
const processes = new Processes();
const lucidServers = new Map<string, RunningServer>();
const nodeServers: tls.Server[] = [];
const nodeSockets = new Set<tls.TLSSocket>();

beforeAll(() => {
  pki = makePki();
});
afterEach(async () => {
  await processes.killAll([...lucidServers.values()].map((s) => s.child));
  for (const socket of nodeSockets) socket.destroy();
  nodeSockets.clear();
  await Promise.all(nodeServers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

const read = (file: string) => readFileSync(file);

function tracedMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { kind: string; direction?: string; type?: string; description?: string })
    .filter((e) => e.kind === 'message' || e.kind === 'alert')
    .map((e) => `${e.direction} ${e.kind === 'alert' ? `alert ${e.description}` : e.type}`);
}

describe('lucid client → node:tls server', () => {
  /**
   * A Node TLS 1.3 server on 127.0.0.1 port 0. `onSecure` handles each connection; the
   * default answers one line with what Node negotiated, then ends (close_notify).
   */
  async function nodeServer(options: tls.TlsOptions & { leaf?: LeafKind } = {}, onSecure?: (socket: tls.TLSSocket) => void) {
    const files = pki.servers[options.leaf ?? 'ecdsa'];
    const server = tls.createServer({ cert: read(files.chain), key: read(files.key), minVersion: 'TLSv1.3', ...options }, (socket) => {
      nodeSockets.add(socket);
      socket.on('error', () => {});
      if (onSecure) return onSecure(socket);
      socket.end(`node: cipher=${socket.getCipher().standardName} alpn=${socket.alpnProtocol || 'none'} reused=${socket.isSessionReused()} client=${(socket.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN ?? 'none'} authorized=${socket.authorized}\n`);
    });
    server.on('tlsClientError', () => {});
    nodeServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  function client(port: number, args: string[], input = '') {
    return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, ...args], { input, ms: 20_000 });
  }

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const port = await nodeServer();
      const out = await client(port, ['--ciphers', suite]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ cipher: suite, peer: 'CN=localhost' });
      expect(out.stdout.toString()).toContain(`node: cipher=${suite} `);
    });
  }

  for (const group of ['x25519', 'secp256r1']) {
    it(`agrees on ${group}`, async () => {
      const port = await nodeServer();
      const out = await client(port, ['--groups', group]);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no' });
    });
  }

  it('is sent a HelloRetryRequest when its key share is in a group the server lacks', async () => {
    const port = await nodeServer({ ecdhCurve: 'P-256' });
    const out = await client(port, []);
    expect(out.code, out.stderr).toBe(0);
    expect(clientSummary(out.stderr)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
  });

  for (const [leaf, signature] of [['ecdsa', 'ecdsa_secp256r1_sha256'], ['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
    it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
      const port = await nodeServer({ leaf });
      const out = await client(port, []);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
    });
  }

  it('resumes a session', async () => {
    const port = await nodeServer();
    const sessionFile = join(pki.dir, 'node.session');
    const first = await client(port, ['--sess-out', sessionFile]);
    expect(first.code, first.stderr).toBe(0);
    const second = await client(port, ['--sess-in', sessionFile]);
    expect(second.code, second.stderr).toBe(0);
    expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes' });
    expect(second.stdout.toString()).toContain('reused=true');
  });

  describe('with --crypto noble', () => {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
      it(`negotiates ${suite}`, async () => {
        const port = await nodeServer();
        const out = await client(port, ['--crypto', 'noble', '--ciphers', suite]);
        expect(out.code, out.stderr).toBe(0);
        expect(clientSummary(out.stderr)).toMatchObject({ cipher: suite, crypto: 'noble' });
        expect(out.stdout.toString()).toContain(`node: cipher=${suite} `);
      });
    }

    for (const { group, openssl } of NOBLE_GROUPS) {
      it(`agrees on ${group}`, async () => {
        const port = await nodeServer({ ecdhCurve: openssl });
        const out = await client(port, ['--crypto', 'noble', '--groups', group]);
        expect(out.code, out.stderr).toBe(0);
        expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
      });
    }

    it('is sent a HelloRetryRequest, then resumes', async () => {
      const port = await nodeServer({ ecdhCurve: 'P-256' });
      const sessionFile = join(pki.dir, 'node-noble.session');
      const first = await client(port, ['--crypto', 'noble', '--groups', 'x25519:secp256r1', '--key-shares', 'x25519', '--sess-out', sessionFile]);
      expect(first.code, first.stderr).toBe(0);
      expect(clientSummary(first.stderr)).toMatchObject({ group: 'secp256r1', hrr: 'yes' });
      const second = await client(port, ['--crypto', 'noble', '--sess-in', sessionFile]);
      expect(second.code, second.stderr).toBe(0);
      expect(clientSummary(second.stderr)).toMatchObject({ resumed: 'yes' });
    });

    for (const [leaf, signature] of [['ecdsa', 'ecdsa_secp256r1_sha256'], ['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
      it(`verifies a ${leaf} server certificate behind an intermediate (${signature})`, async () => {
        const port = await nodeServer({ leaf });
        const out = await client(port, ['--crypto', 'noble']);
        expect(out.code, out.stderr).toBe(0);
        expect(clientSummary(out.stderr)).toMatchObject({ signature, peer: 'CN=localhost' });
      });
    }
  });

  it('sends its certificate when required; is refused (certificate_required) without one', async () => {
    const port = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: read(pki.rootFile) });
    const ok = await client(port, ['--cert', pki.client.chain, '--key', pki.client.key]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toContain('client=lucid interop client authorized=true');
    const refused = await client(port, []);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server sent alert certificate_required$/m);
  });

  it('connects without a certificate when one is optional', async () => {
    const port = await nodeServer({ requestCert: true, rejectUnauthorized: false, ca: read(pki.rootFile) });
    const out = await client(port, []);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toContain('client=none authorized=false');
  });

  it('agrees on ALPN, and gets no_application_protocol when nothing is shared', async () => {
    const port = await nodeServer({ ALPNProtocols: ['http/1.1'] });
    const ok = await client(port, ['--alpn', 'h2,http/1.1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(clientSummary(ok.stderr)).toMatchObject({ alpn: 'http/1.1' });
    expect(ok.stdout.toString()).toContain('alpn=http/1.1');
    const refused = await client(port, ['--alpn', 'h2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server sent alert no_application_protocol$/m);
  });

  it('sends a KeyUpdate Node answers, and carries 4 MiB each way (echo), closing with close_notify both ways', async () => {
    let serverSawEnd = false;
    const port = await nodeServer({}, (socket) => {
      socket.on('end', () => (serverSawEnd = true));
      socket.pipe(socket); // echo; our close_notify ends Node's side, which answers with its own
    });
    const data = testData(4 * 1024 * 1024, 'node');
    const out = await client(port, ['--key-update', '--trace-json'], data as unknown as string);
    expect(out.code, out.stderr.slice(-2000)).toBe(0);
    expect(out.stdout.length).toBe(data.length);
    expect(out.stdout.equals(data)).toBe(true);
    const messages = tracedMessages(out.stderr);
    expect(messages).toContain('sent KeyUpdate');
    expect(messages).toContain('received KeyUpdate');
    expect(messages.slice(-2)).toEqual(['sent alert close_notify', 'received alert close_notify']);
    expect(serverSawEnd).toBe(true);
  });
});

describe('node:tls client → lucid server', () => {
  async function lucidServer(name: string, args: string[], leaf: LeafKind = 'ecdsa'): Promise<RunningServer> {
    const running = lucidServers.get(name);
    if (running?.child.running) return running;
    const files = pki.servers[leaf];
    const server = await startLucidServer(processes, ['--cert', files.chain, '--key', files.key, ...args]);
    lucidServers.set(name, server);
    return server;
  }

  const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

  /** Connects with node:tls (TLS 1.3, verifying against the root), sends a request and reads to the end. */
  function nodeClient(port: number, options: tls.ConnectionOptions = {}, request = REQUEST) {
    return new Promise<{ socket: tls.TLSSocket; body: string; page: Record<string, string> }>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read(pki.rootFile), minVersion: 'TLSv1.3', ...options });
      nodeSockets.add(socket);
      const timer = setTimeout(() => reject(new Error('node client timed out')), 10_000);
      const chunks: Buffer[] = [];
      socket.on('secureConnect', () => socket.write(request));
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString();
        resolve({ socket, body, page: Object.fromEntries([...body.matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()])) });
      });
    });
  }

  const www = () => lucidServer('www', ['--www', '--alpn', 'h2,http/1.1']);

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`negotiates ${suite}`, async () => {
      const { port } = await www();
      const { socket, page } = await nodeClient(port, { ciphers: suite });
      expect(socket.authorized).toBe(true);
      expect(socket.getCipher().standardName).toBe(suite);
      expect(page).toMatchObject({ protocol: 'TLSv1.3', cipher: suite, sni: 'localhost' });
    });
  }

  for (const [group, curve] of [['x25519', 'X25519'], ['secp256r1', 'P-256']] as const) {
    it(`agrees on ${group}`, async () => {
      const { port } = await www();
      const { socket, page } = await nodeClient(port, { ecdhCurve: curve });
      expect(page).toMatchObject({ group, hrr: 'no' });
      expect(socket.getEphemeralKeyInfo()).toMatchObject({ name: curve === 'P-256' ? 'prime256v1' : 'X25519' });
    });
  }

  it('asks for another key share (HelloRetryRequest) when Node\'s first is in a group it lacks', async () => {
    // Node shares P-384 only, its first group; this server takes x25519 alone.
    const { port } = await lucidServer('www-x25519', ['--www', '--groups', 'x25519']);
    const { socket, page } = await nodeClient(port, { ecdhCurve: 'P-384:X25519' });
    expect(page).toMatchObject({ group: 'x25519', hrr: 'yes' });
    expect(socket.getEphemeralKeyInfo()).toMatchObject({ name: 'X25519' });
  });

  for (const [leaf, signature] of [['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
    it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
      const { port } = await lucidServer(`www-${leaf}`, ['--www'], leaf);
      const { socket, page } = await nodeClient(port);
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate(true).issuer.CN).toBe('Lucid Interop Intermediate');
      expect(page).toMatchObject({ signature });
    });
  }

  it('resumes a session from its ticket', async () => {
    const { port } = await www();
    const first = await new Promise<Buffer>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read(pki.rootFile) });
      nodeSockets.add(socket);
      socket.once('session', (session: Buffer) => {
        resolve(session);
        socket.end();
      });
      socket.on('error', reject);
    });
    const { socket, page } = await nodeClient(port, { session: first });
    expect(socket.isSessionReused()).toBe(true);
    expect(page).toMatchObject({ resumed: 'yes', signature: 'none' });
  });

  describe('with --crypto noble', () => {
    const noble = () => lucidServer('www-noble', ['--www', '--crypto', 'noble']);

    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
      it(`negotiates ${suite}`, async () => {
        const { port } = await noble();
        const { socket, page } = await nodeClient(port, { ciphers: suite });
        expect(socket.getCipher().standardName).toBe(suite);
        expect(page).toMatchObject({ cipher: suite, crypto: 'noble' });
      });
    }

    for (const { group, openssl } of NOBLE_GROUPS) {
      it(`agrees on ${group}`, async () => {
        const { port } = await noble();
        const { page } = await nodeClient(port, { ecdhCurve: openssl });
        expect(page).toMatchObject({ group, hrr: 'no', crypto: 'noble' });
      });
    }

    it('asks for another key share (HelloRetryRequest) when Node\'s first is in a group it does not take', async () => {
      const { port } = await lucidServer('www-x25519-noble', ['--www', '--groups', 'x25519', '--crypto', 'noble']);
      const { page } = await nodeClient(port, { ecdhCurve: 'P-384:X25519' });
      expect(page).toMatchObject({ group: 'x25519', hrr: 'yes' });
    });

    for (const [leaf, signature] of [['ed25519', 'ed25519'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
      it(`presents a ${leaf} certificate behind an intermediate (${signature})`, async () => {
        const { port } = await lucidServer(`www-${leaf}-noble`, ['--www', '--crypto', 'noble'], leaf);
        const { socket, page } = await nodeClient(port);
        expect(socket.authorized).toBe(true);
        expect(page).toMatchObject({ signature });
      });
    }

    it('resumes a session from its ticket', async () => {
      const { port } = await noble();
      const first = await new Promise<Buffer>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read(pki.rootFile) });
        nodeSockets.add(socket);
        socket.once('session', (session: Buffer) => {
          resolve(session);
          socket.end();
        });
        socket.on('error', reject);
      });
      const { socket, page } = await nodeClient(port, { session: first });
      expect(socket.isSessionReused()).toBe(true);
      expect(page).toMatchObject({ resumed: 'yes', crypto: 'noble' });
    });
  });

  it('verifies a client certificate it requires; refuses a client without one', async () => {
    const { port } = await lucidServer('require', ['--www', '--verify-client', pki.rootFile, '--require-client-cert']);
    const { page } = await nodeClient(port, { cert: read(pki.client.chain), key: read(pki.client.key) });
    expect(page).toMatchObject({ client_cert: 'CN=lucid interop client' });
    await expect(nodeClient(port)).rejects.toThrow(/certificate required/i);
  });

  it('lets a client without a certificate in when one is optional', async () => {
    const { port } = await lucidServer('optional', ['--www', '--verify-client', pki.rootFile]);
    const { page } = await nodeClient(port);
    expect(page).toMatchObject({ client_cert: 'none' });
  });

  it('selects the shared ALPN protocol, and sends no_application_protocol when there is none', async () => {
    const { port } = await www();
    const { socket, page } = await nodeClient(port, { ALPNProtocols: ['http/1.1'] });
    expect(socket.alpnProtocol).toBe('http/1.1');
    expect(page).toMatchObject({ alpn: 'http/1.1' });
    await expect(nodeClient(port, { ALPNProtocols: ['spdy/3'] })).rejects.toThrow(/no application protocol/i);
  });

  it('echoes 4 MiB, and answers close_notify with its own', async () => {
    const { port } = await lucidServer('echo', []);
    const data = testData(4 * 1024 * 1024, 'node client');
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read(pki.rootFile), minVersion: 'TLSv1.3' });
    nodeSockets.add(socket);
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => reject(new Error('timed out')), 30_000);
      socket.on('secureConnect', () => socket.end(data)); // all of it, then close_notify
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', reject);
      // 'end': our close_notify arrived after the echo.
      socket.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
    });
    expect(received.length).toBe(data.length);
    expect(received.equals(data)).toBe(true);
  });
});
