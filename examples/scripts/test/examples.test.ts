/**
 * Runs every example script the way the README says, as a child process of this Node, on
 * loopback, and checks what it prints. The scripts import the built package, so these
 * tests run after `pnpm build` (as `pnpm test` does).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToJson, createCertificateAuthority, fingerprintSha256, issueCertificate } from '@lucid-tls/tls/x509';

const SCRIPTS = fileURLToPath(new URL('..', import.meta.url));
/** No script should take anywhere near this long; a hang fails the test instead of the run. */
const TIMEOUT = 15_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node SCRIPT ARGS…` in the scripts folder and resolves when it exits. */
function run(script: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: SCRIPTS, timeout: TIMEOUT, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves when the child has exited (or after `ms`, with false). */
function exited(child: ChildProcessWithoutNullStreams, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

let dir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lucid-tls-examples-'));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    if (!(await exited(child, 3000))) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('https-server.mjs and https-get.mjs', () => {
  let server: ChildProcessWithoutNullStreams;
  let serverOutput = '';
  let port: number;
  let caFile: string;

  beforeAll(async () => {
    const caOut = join(dir, 'server-ca.pem');
    server = spawn(process.execPath, ['https-server.mjs', '--port', '0', '--ca-out', caOut], { cwd: SCRIPTS });
    children.push(server);
    server.stdout.setEncoding('utf8');
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk: string) => (serverOutput += chunk));
    // The server prints the CA file, then the URL with the port it got.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${serverOutput}`)), TIMEOUT);
      server.stdout.on('data', (chunk: string) => {
        serverOutput += chunk;
        const url = /Serving https:\/\/localhost:(\d+)\//.exec(serverOutput);
        const ca = /CA certificate: (.+)/.exec(serverOutput);
        if (url && ca) {
          clearTimeout(timer);
          port = Number(url[1]);
          caFile = ca[1]!.trim();
          resolve();
        }
      });
      server.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${serverOutput}`)));
    });
  }, TIMEOUT + 5000);

  it('writes the CA certificate where it says', () => {
    expect(caFile).toBe(join(dir, 'server-ca.pem'));
    expect(readFileSync(caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(port).toBeGreaterThan(0);
  });

  it('https-get fetches the page over TLS 1.3 with ALPN http/1.1, trusting the CA file', async () => {
    // 127.0.0.1: the server listens there, and the certificate has it as an IP address SAN.
    const result = await run('https-get.mjs', [`https://127.0.0.1:${port}/`, '--cafile', caFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/protocol\s+TLSv1\.3/);
    expect(result.stdout).toMatch(/cipher suite\s+TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)/);
    expect(result.stdout).toMatch(/ALPN\s+http\/1\.1/);
    expect(result.stdout).toMatch(/certificate\s+CN=localhost, issued by CN=lucid-tls example CA/);
    expect(result.stdout).toContain('HTTP/1.1 200 OK');
    expect(result.stdout).toMatch(/\n\nhello from lucid-tls\n$/);
    expect(serverOutput).toContain('GET / from 127.0.0.1 over TLS_');
  });

  it('https-get refuses the server when the CA file is another CA', async () => {
    const otherCa = join(dir, 'other-ca.pem');
    writeFileSync(otherCa, createCertificateAuthority({ commonName: 'Some other CA', days: 1 }).certPem);
    const result = await run('https-get.mjs', [`https://127.0.0.1:${port}/`, '--cafile', otherCa]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('hello from lucid-tls');
    expect(result.stderr).toMatch(/^error: unknown_ca: /);
  });

  it('the server stops on SIGTERM and removes its CA file', async () => {
    server.kill('SIGTERM');
    expect(await exited(server, 5000)).toBe(true);
    expect(server.exitCode).toBe(0);
    expect(serverOutput).toContain('SIGTERM: shutting down');
    expect(existsSync(caFile)).toBe(false);
  });
});

describe('mutual-tls.mjs', () => {
  it('the server sees the client certificate, and refuses a client without one', async () => {
    const result = await run('mutual-tls.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('server: client authenticated as CN=alice@example.com (email:alice@example.com), issued by CN=lucid-tls example CA');
    expect(result.stdout).toContain('client 1 (with a certificate): server said "hello, alice@example.com"');
    expect(result.stdout).toContain('server: refused a client: certificate_required');
    expect(result.stdout).toContain('client 2 (no certificate): refused with alert certificate_required, sent by the server');
  });
});

describe('resumption-0rtt.mjs', () => {
  it('resumes with early data once, and rejects early data on the ticket’s second use', async () => {
    const result = await run('resumption-0rtt.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      'connection 1 (full handshake): resumed=no, no early data offered',
      '  server: got "GET / HTTP/1.1", 0 byte(s) of it as 0-RTT early data',
      '  received 2 session ticket(s)',
      'connection 2 (resumed, 0-RTT): resumed=yes, early data accepted',
      '  server: got "GET / HTTP/1.1", 14 byte(s) of it as 0-RTT early data',
      'connection 3 (the same ticket, used again): resumed=yes, early data rejected',
      '  server: got "GET / HTTP/1.1", 0 byte(s) of it as 0-RTT early data',
      '  early data rejected: this ticket already carried 0-RTT data once (single-use tickets, RFC 8446 §8.1)',
    ]);
  });
});

describe('read-certificate.mjs', () => {
  const ca = createCertificateAuthority({ commonName: 'Reading Test CA', days: 30 });
  const leaf = issueCertificate(ca, { names: ['example.test', '192.0.2.1'], keyType: 'ed25519', days: 10 });
  const colons = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');

  it('explains every part of a certificate', async () => {
    const file = join(dir, 'leaf.pem');
    writeFileSync(file, leaf.certPem);
    const result = await run('read-certificate.mjs', [file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Subject\s+O=Lucid TLS development certificate, CN=example\.test/);
    expect(out).toMatch(/Issuer\s+O=Lucid TLS development CA, CN=Reading Test CA/);
    expect(out).toMatch(new RegExp(`Not before\\s+${leaf.certificate.notBefore.toISOString()}`));
    expect(out).toMatch(new RegExp(`Not after\\s+${leaf.certificate.notAfter.toISOString()}`));
    expect(out).toMatch(/valid now, \d+ day\(s\) left/);
    expect(out).toContain('dns: example.test');
    expect(out).toContain('ip: 192.0.2.1');
    expect(out).toMatch(/Public key\s+Ed25519/);
    expect(out).toContain('Extensions (6)');
    for (const name of ['basicConstraints [critical]', 'keyUsage [critical]', 'extKeyUsage', 'subjectAltName', 'authorityKeyIdentifier', 'subjectKeyIdentifier']) {
      expect(out).toContain(`    ${name}\n`);
    }
    expect(out).toMatch(new RegExp(`SHA-256 fingerprint\\s+${colons(fingerprintSha256(leaf.certificate))}`));
  });

  it('reads a chain, and prints JSON with --json', async () => {
    const file = join(dir, 'chain.pem');
    writeFileSync(file, leaf.certPem + ca.certPem);
    const text = await run('read-certificate.mjs', [file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('#1 of 2');
    expect(text.stdout).toContain('#2 of 2');
    expect(text.stdout).toContain('CA: yes, at most 0 intermediate CA(s) below');
    const json = await run('read-certificate.mjs', [file, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([certificateToJson(leaf.certificate), certificateToJson(ca.certificate)]);
  });

  it('reads a DER certificate, and reports a file that is not one', async () => {
    const der = join(dir, 'leaf.der');
    writeFileSync(der, leaf.certificate.der);
    const result = await run('read-certificate.mjs', [der]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dns: example.test');
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'not a certificate\n');
    const bad = await run('read-certificate.mjs', [junk]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/junk\.txt: certificate_malformed: /);
  });
});
