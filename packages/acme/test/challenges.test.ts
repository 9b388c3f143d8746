/**
 * The challenge responders on their own, with real peers: `openssl s_client -alpn acme-tls/1`
 * plays the ACME server's tls-alpn-01 check (RFC 8737 §3), `openssl x509` reads the
 * challenge certificate, Node's HTTP client fetches http-01 answers, and a shell script is
 * the dns-01 hook.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '@lucid-tls/tls';
import { encodePem, parseCertificate, pemBlocks } from '@lucid-tls/tls/x509';
import {
  AcmeError,
  ChallengeResponses,
  ClientErrorType,
  DnsHookResponder,
  dns01RecordName,
  dns01TxtValue,
  keyAuthorizationDigest,
  serveHttp01,
  serveTlsAlpn01,
  tlsAlpn01Certificate,
  type ChallengeTask,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lucid-acme-challenges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
const task = (type: ChallengeTask['type'], domain = 'a.lucid.test'): ChallengeTask => ({ type, domain, token: TOKEN, keyAuthorization: `${TOKEN}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI` });

/** `openssl s_client` against 127.0.0.1:port: its output and the certificate it was shown. */
async function sClient(port: number, serverName: string, alpn: string): Promise<{ output: string; certificate?: Uint8Array }> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', serverName, '-alpn', alpn, '-tls1_3', '-showcerts'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  await once(child, 'close');
  const [certificate] = pemBlocks(output, 'CERTIFICATE');
  return certificate ? { output, certificate } : { output };
}

describe('tls-alpn-01 (RFC 8737)', () => {
  it('the challenge certificate: one dNSName, and the critical acmeIdentifier holding SHA-256(key authorization)', () => {
    const { chain } = tlsAlpn01Certificate('a.lucid.test', task('tls-alpn-01').keyAuthorization);
    const file = join(dir, 'challenge.pem');
    writeFileSync(file, encodePem('CERTIFICATE', chain[0]!));
    const text = spawnSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:a\.lucid\.test\n/);
    expect(text).toContain('1.3.6.1.5.5.7.1.31: critical');
    // The extnValue is the DER of OCTET STRING (SIZE (32)), 04 20 …, holding the digest (§3).
    const digest = Buffer.from(keyAuthorizationDigest(task('tls-alpn-01').keyAuthorization)).toString('hex').toUpperCase();
    const asn1 = spawnSync('openssl', ['asn1parse', '-in', file], { encoding: 'utf8' }).stdout;
    expect(asn1).toMatch(new RegExp(`:1\\.3\\.6\\.1\\.5\\.5\\.7\\.1\\.31\\n.*BOOLEAN +:255\\n.*OCTET STRING +\\[HEX DUMP\\]:0420${digest}\\n`));
    // Critical "so that the certificate isn't inadvertently used by non-ACME software" (§3):
    // OpenSSL will not validate it even as its own trust anchor.
    const verify = spawnSync('openssl', ['verify', '-CAfile', file, file], { encoding: 'utf8' });
    expect(verify.stdout + verify.stderr).toContain('unhandled critical extension');
  });

  it('is answered only for acme-tls/1 and a provisioned name, by the lucid-tls engine, and traced', async () => {
    const responses = new ChallengeResponses();
    const events: TraceEvent[] = [];
    const listener = await serveTlsAlpn01(responses, { host: '127.0.0.1', port: 0 }, { trace: () => (e) => events.push(e) });
    try {
      responses.provision(task('tls-alpn-01', 'A.Lucid.Test'));
      const good = await sClient(listener.address.port, 'a.lucid.test', 'acme-tls/1');
      expect(good.output).toContain('ALPN protocol: acme-tls/1');
      expect(good.certificate).toEqual(responses.tlsAlpn01Certificate('a.lucid.test')!.chain[0]);
      expect(parseCertificate(good.certificate!).extensions.find((e) => e.name === 'acmeIdentifier')?.critical).toBe(true);
      const messages = events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? `${e.direction} ${e.type}` : ''));
      expect(messages.slice(0, 3)).toEqual(['received ClientHello', 'sent ServerHello', 'sent EncryptedExtensions']);

      // Any other protocol: no certificate at all (RFC 7301 §3.2: no_application_protocol).
      expect((await sClient(listener.address.port, 'a.lucid.test', 'http/1.1')).output).toMatch(/no application protocol/i);
      // A name not provisioned, then the name once deprovisioned: unrecognized_name.
      expect((await sClient(listener.address.port, 'b.lucid.test', 'acme-tls/1')).output).toMatch(/unrecognized name/i);
      responses.deprovision(task('tls-alpn-01'));
      expect((await sClient(listener.address.port, 'a.lucid.test', 'acme-tls/1')).output).toMatch(/unrecognized name/i);
    } finally {
      await listener.close();
    }
  });
});

describe('http-01 (RFC 8555 §8.3)', () => {
  function fetch(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves the key authorization at /.well-known/acme-challenge/TOKEN, and 404 elsewhere', async () => {
    const responses = new ChallengeResponses();
    const listener = await serveHttp01(responses, { host: '127.0.0.1', port: 0 });
    const port = listener.address.port;
    try {
      expect((await fetch(port, `/.well-known/acme-challenge/${TOKEN}`)).status).toBe(404);
      responses.provision(task('http-01'));
      expect(await fetch(port, `/.well-known/acme-challenge/${TOKEN}`)).toEqual({ status: 200, type: 'application/octet-stream', body: task('http-01').keyAuthorization });
      expect(await fetch(port, `/.well-known/acme-challenge/${TOKEN}`, 'HEAD')).toMatchObject({ status: 200, body: '' });
      expect((await fetch(port, `/.well-known/acme-challenge/${TOKEN}`, 'POST')).status).toBe(404);
      expect((await fetch(port, '/.well-known/acme-challenge/other')).status).toBe(404);
      expect((await fetch(port, '/')).status).toBe(404);
      responses.deprovision(task('http-01'));
      expect((await fetch(port, `/.well-known/acme-challenge/${TOKEN}`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it('a challenge store does not answer dns-01', () => {
    expect(() => new ChallengeResponses().provision(task('dns-01'))).toThrow(AcmeError);
  });
});

describe('dns-01 (RFC 8555 §8.4) through a hook', () => {
  const hook = (body: string) => {
    const file = join(dir, `hook-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };

  it('runs CMD add NAME VALUE and CMD remove NAME VALUE, NAME and VALUE as separate arguments', async () => {
    const log = join(dir, 'hook.log');
    const responder = new DnsHookResponder(`${hook(`printf '%s|' "$@" >> ${log}; echo >> ${log}`)} --zone 'lucid test'`);
    await responder.provision(task('dns-01', '*.lucid.test'));
    await responder.deprovision(task('dns-01', '*.lucid.test'));
    const value = dns01TxtValue(task('dns-01').keyAuthorization);
    expect(readFileSync(log, 'utf8')).toBe(`--zone|lucid test|add|_acme-challenge.lucid.test|${value}|\n--zone|lucid test|remove|_acme-challenge.lucid.test|${value}|\n`);
    expect(dns01RecordName('www.lucid.test')).toBe('_acme-challenge.www.lucid.test');
    expect(value).toBe(Buffer.from(keyAuthorizationDigest(task('dns-01').keyAuthorization)).toString('base64url'));
  });

  it('a hook that fails, or hangs, is a provisioningFailed error with what it said', async () => {
    const failing = new DnsHookResponder(hook('echo "no such zone" >&2; exit 3'));
    const error = await failing.provision(task('dns-01')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcmeError);
    expect((error as AcmeError).type).toBe(ClientErrorType.provisioningFailed);
    expect((error as AcmeError).detail).toMatch(/exited with 3: no such zone$/);
    const hanging = new DnsHookResponder(hook('exec sleep 10'), 200);
    expect(((await hanging.provision(task('dns-01')).catch((e: unknown) => e)) as AcmeError).detail).toContain('was stopped after 200 ms');
  });
});
