/**
 * `lucid-tls client` against our own server in this process (`createServer`): what it
 * sends and prints, the summary line, traces, sessions and 0-RTT, KeyUpdate, client
 * certificates, and its errors and usage.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NamedGroupId } from '../../src/crypto/provider.js';
import { createServer, type Server, type ServerOptions, type TLSSocket } from '../../src/node/index.js';
import { testPki, type TestPki } from '../node/helpers.js';
import { killAll, run, start, startServer, tokens } from './run.js';

let pki: TestPki;
let dir: string;
let caFile: string;
let clientCertFile: string;
let clientKeyFile: string;
const servers: Server[] = [];

beforeAll(() => {
  pki = testPki();
  dir = mkdtempSync(join(tmpdir(), 'lucid-cli-client-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.certPem);
  clientCertFile = join(dir, 'client.pem');
  writeFileSync(clientCertFile, pki.client.certPem);
  clientKeyFile = join(dir, 'client.key');
  writeFileSync(clientKeyFile, pki.client.keyPem);
});
afterEach(async () => {
  await killAll();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Our server on 127.0.0.1 port 0 (certificate for localhost by default); echoes unless told otherwise. */
async function server(options: Partial<ServerOptions> = {}, onSecure: (socket: TLSSocket) => void = (s) => s.pipe(s)): Promise<{ server: Server; port: number }> {
  const srv = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ...options }, onSecure);
  srv.on('tlsClientError', () => {});
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { server: srv, port: (srv.address() as AddressInfo).port };
}

/** `lucid-tls client --connect localhost:PORT --cafile CA ARGS`. */
function client(port: number, args: string[] = [], input = '') {
  return run(['client', '--connect', `localhost:${port}`, '--cafile', caFile, ...args], input);
}

const SUMMARY = /^protocol=TLSv1\.3 cipher=TLS_\w+ group=\w+ signature=\w+ alpn=\S+ resumed=(yes|no) early_data=(accepted|rejected|none) hrr=(yes|no) crypto=(native|noble) peer=.+$/m;

describe('lucid-tls client', () => {
  it('sends standard input, prints what comes back, and one summary line', async () => {
    const { port } = await server();
    const out = await client(port, [], 'hello lucid\n');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toBe('hello lucid\n');
    expect(out.stderr).toMatch(SUMMARY);
    expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(tokens(out.stderr)).toEqual({
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      group: 'X25519MLKEM768', // both ends are ours: the default share the server prefers
      signature: 'ecdsa_secp256r1_sha256',
      alpn: 'none',
      resumed: 'no',
      early_data: 'none',
      hrr: 'no',
      crypto: 'native',
      peer: 'O=Lucid TLS development certificate, CN=localhost',
    });
  });

  it('computes with the provider --crypto names (native by default, noble on request)', async () => {
    const { port } = await server();
    for (const crypto of ['noble', 'native']) {
      const out = await client(port, ['--crypto', crypto, '--groups', 'secp256r1'], 'over ' + crypto);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.toString()).toBe(`over ${crypto}`);
      expect(tokens(out.stderr)).toMatchObject({ crypto, group: 'secp256r1' });
    }
  });

  it('exits 0 when the server closes, even while standard input is still open', async () => {
    const { port } = await server({}, (socket) => socket.end('bye\n'));
    const command = start(['client', '--connect', `localhost:${port}`, '--cafile', caFile]);
    const out = await command.wait(); // standard input is never closed
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toBe('bye\n');
  });

  it('sends one HTTP/1.1 GET with --request and exits when the server closes', async () => {
    let request = '';
    const { port } = await server({}, (socket) => {
      socket.on('data', (d: Buffer) => {
        request += d.toString();
        if (request.endsWith('\r\n\r\n')) socket.end('HTTP/1.1 204 No Content\r\n\r\n');
      });
    });
    const out = await client(port, ['--request', '/some/path?q=1']);
    expect(out.code, out.stderr).toBe(0);
    expect(request).toBe('GET /some/path?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(out.stdout.toString()).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });

  it('honours --ciphers, --groups and --alpn', async () => {
    const { port } = await server({ ALPNProtocols: ['h2', 'http/1.1'] });
    const out = await client(port, ['--ciphers', 'TLS_CHACHA20_POLY1305_SHA256', '--groups', 'secp256r1', '--alpn', 'http/1.1,h2'], 'x');
    expect(out.code, out.stderr).toBe(0);
    // The server picks by its own preference, among what we offer (RFC 8446 §4.1.1, RFC 7301 §3.2).
    expect(tokens(out.stderr)).toMatchObject({ cipher: 'TLS_CHACHA20_POLY1305_SHA256', group: 'secp256r1', alpn: 'h2' });
  });

  it('takes every group by its IANA name in --groups', async () => {
    const { port } = await server({ groups: ['ffdhe2048'] });
    // Every name at once: a name it did not know would be a usage error (exit 2).
    const out = await client(port, ['--groups', [...Object.keys(NamedGroupId)].reverse().join(':')], 'x');
    expect(out.code, out.stderr).toBe(0);
    // The client shares X25519MLKEM768 and x25519 (both listed); the server, taking only ffdhe2048, asks for it.
    expect(tokens(out.stderr)).toMatchObject({ group: 'ffdhe2048', hrr: 'yes' });
  });

  it('--key-shares chooses the first shares: the server asks for its own group with a HelloRetryRequest', async () => {
    const { port } = await server({ groups: ['MLKEM768'] });
    const out = await client(port, ['--groups', 'x25519:MLKEM768', '--key-shares', 'x25519'], 'x');
    expect(out.code, out.stderr).toBe(0);
    expect(tokens(out.stderr)).toMatchObject({ group: 'MLKEM768', hrr: 'yes' });
    const notListed = await client(port, ['--groups', 'x25519', '--key-shares', 'MLKEM768'], 'x');
    expect(notListed.code).toBe(2);
    expect(notListed.stderr).toMatch(/--key-shares: MLKEM768 is not supported \(x25519\)/);
  });

  it('writes the trace to standard error, leaving standard output to the data', async () => {
    const { port } = await server();
    const traced = await client(port, ['--trace'], 'data only\n');
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout.toString()).toBe('data only\n');
    expect(traced.stderr).toMatch(/client sends ClientHello/);
    expect(traced.stderr).toMatch(/client_handshake_traffic_secret/);

    const json = await client(port, ['--trace-json'], 'data only\n');
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.toString()).toBe('data only\n');
    const lines = json.stderr.split('\n').filter(Boolean);
    const events = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; type?: string });
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(SUMMARY)]);
    expect(events.filter((e) => e.kind === 'message').map((e) => e.type)).toEqual(
      expect.arrayContaining(['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']),
    );
  });

  it('writes the trace as a web page with --html', async () => {
    const { port } = await server();
    const file = join(dir, 'trace.html');
    const out = await client(port, ['--html', file], 'x');
    expect(out.code, out.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('ClientHello');
    expect(html).toContain('A TLS 1.3 connection to localhost');
  });

  it('saves a session and resumes it, with 0-RTT data the server accepts', async () => {
    let early = '';
    const { port } = await server({ maxEarlyDataSize: 1024 }, (socket) => {
      socket.on('data', (d: Buffer) => (early += d.toString()));
      socket.on('end', () => socket.end());
    });
    const sessionFile = join(dir, 'session.bin');
    const first = await client(port, ['--sess-out', sessionFile], 'first ');
    expect(first.code, first.stderr).toBe(0);
    expect(tokens(first.stderr)).toMatchObject({ resumed: 'no', early_data: 'none' });

    const earlyFile = join(dir, 'early.txt');
    writeFileSync(earlyFile, 'zero-rtt ');
    const second = await client(port, ['--sess-in', sessionFile, '--early-data', earlyFile], 'one-rtt');
    expect(second.code, second.stderr).toBe(0);
    expect(tokens(second.stderr)).toMatchObject({ resumed: 'yes', early_data: 'accepted', signature: 'none', peer: 'none' });
    expect(early).toBe('first zero-rtt one-rtt');
  });

  it('--psk-modes psk_ke on both sides resumes on the PSK alone: no key exchange, group=none (§4.2.9)', async () => {
    const keyFile = join(dir, 'server.key');
    const certFile = join(dir, 'server.pem');
    writeFileSync(keyFile, pki.server.keyPem);
    writeFileSync(certFile, pki.server.certPem);
    const { port } = await startServer(['--cert', certFile, '--key', keyFile, '--www', '--psk-modes', 'psk_dhe_ke,psk_ke']);
    const sessionFile = join(dir, 'session-psk-ke.bin');
    const request = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    const first = await client(port, ['--sess-out', sessionFile], request);
    expect(first.code, first.stderr).toBe(0);
    const second = await client(port, ['--sess-in', sessionFile, '--psk-modes', 'psk_ke'], request);
    expect(second.code, second.stderr).toBe(0);
    expect(tokens(second.stderr.split('\n').find((l) => l.startsWith('protocol='))!)).toMatchObject({ resumed: 'yes', group: 'none' });
    // The same client against the default server (psk_dhe_ke only) gets a full handshake.
    const { port: strict } = await startServer(['--cert', certFile, '--key', keyFile, '--www']);
    expect((await client(strict, ['--sess-out', sessionFile], request)).code).toBe(0);
    const full = await client(strict, ['--sess-in', sessionFile, '--psk-modes', 'psk_ke'], request);
    expect(tokens(full.stderr.split('\n').find((l) => l.startsWith('protocol='))!)).toMatchObject({ resumed: 'no', group: 'X25519MLKEM768' });
  });

  it('does not offer a session to a server of another name', async () => {
    const { port } = await server();
    const sessionFile = join(dir, 'session-localhost.bin');
    expect((await client(port, ['--sess-out', sessionFile], 'x')).code).toBe(0);
    const out = await run(['client', '--connect', `127.0.0.1:${port}`, '--cafile', caFile, '--sess-in', sessionFile], 'x');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^warning: --sess-in is a session with localhost, not 127\.0\.0\.1: not resuming$/m);
    expect(tokens(out.stderr.split('\n').find((l) => l.startsWith('protocol='))!)).toMatchObject({ resumed: 'no' });
  });

  it('sends a KeyUpdate with --key-update', async () => {
    const updates: string[] = [];
    const { port } = await server({}, (socket) => {
      socket.on('keyUpdate', (direction: string) => updates.push(direction));
      socket.pipe(socket);
    });
    const out = await client(port, ['--key-update'], 'after the update');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.toString()).toBe('after the update');
    // Received ours, then sent its own (update_requested, RFC 8446 §4.6.3).
    expect(updates).toEqual(['received', 'sent']);
  });

  it('presents a client certificate with --cert and --key', async () => {
    let subject = '';
    const { port } = await server({ requestCert: true, ca: pki.ca.certPem }, (socket) => {
      subject = String(socket.getPeerCertificate().subject?.CN ?? '');
      socket.end();
    });
    const out = await client(port, ['--cert', clientCertFile, '--key', clientKeyFile]);
    expect(out.code, out.stderr).toBe(0);
    expect(subject).toBe('client@lucid.test');
  });
});

describe('lucid-tls client: failures', () => {
  it('exits 1 with one error line naming the alert', async () => {
    const rogue = await server({ cert: pki.rogue.certPem, key: pki.rogue.keyPem });
    const untrusted = await client(rogue.port, [], 'x');
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^error: .+ \(sent alert unknown_ca\)\n$/);

    const other = await server({ cert: pki.other.certPem, key: pki.other.keyPem });
    const wrongName = await client(other.port, [], 'x');
    expect(wrongName.code).toBe(1);
    expect(wrongName.stderr).toMatch(/^error: hostname_mismatch: .+ \(sent alert certificate_unknown\)\n$/);

    const alpn = await server({ ALPNProtocols: ['h2'] });
    const refused = await client(alpn.port, ['--alpn', 'http/1.1'], 'x');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: the server sent alert no_application_protocol\n');
  });

  it('accepts any certificate with --insecure', async () => {
    const rogue = await server({ cert: pki.rogue.certPem, key: pki.rogue.keyPem });
    const out = await run(['client', '--connect', `localhost:${rogue.port}`, '--insecure'], 'x');
    expect(out.code, out.stderr).toBe(0);
    expect(tokens(out.stderr)).toMatchObject({ peer: 'O=Lucid TLS development certificate, CN=localhost' });
  });

  it('reports a refused connection', async () => {
    const { server: srv, port } = await server();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    const out = await client(port, [], 'x');
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`error: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('exits 2 with the usage text for a wrong call', async () => {
    for (const args of [
      [],
      ['--connect', 'localhost'],
      ['--connect', 'localhost:1', '--cafile', caFile, '--insecure'],
      ['--connect', 'localhost:1', '--trace', '--trace-json'],
      ['--connect', 'localhost:1', '--early-data', caFile],
      ['--connect', 'localhost:1', '--ciphers', 'TLS_AES_128_CCM_SHA256'],
      ['--connect', 'localhost:1', '--cert', clientCertFile],
      ['--connect', 'localhost:1', '--request', 'no-slash'],
      ['--connect', 'localhost:1', '--bogus'],
      ['--connect', 'localhost:1', '--crypto', 'openssl'],
    ]) {
      const out = await run(['client', ...args]);
      expect({ args, code: out.code }).toEqual({ args, code: 2 });
      expect(out.stderr).toMatch(/^lucid-tls client: .+\nusage: lucid-tls client --connect HOST:PORT/);
    }
    const help = await run(['client', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/^usage: lucid-tls client/);
  });
});
