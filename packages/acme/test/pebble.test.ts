/**
 * The ACME client against a real ACME server, Pebble (see pebble.ts). Each challenge type
 * issues a certificate through the `lucid-tls acme` command (run as a process, as a user
 * runs it); OpenSSL verifies it against Pebble's root, and a lucid-tls server serves it to
 * `openssl s_client`. Then renewal, revocation, failures with Pebble's problem documents,
 * an account key rollover, alternate chains, and badNonce retries.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '@lucid-tls/tls/node';
import { encodePublicKeyInfo, parseCertificatesPem, parsePrivateKeyPem, publicKeyFromPrivateKey } from '@lucid-tls/tls/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcmeClient,
  AcmeError,
  ChallengeResponses,
  changeAccountKey,
  findAccount,
  generateAccountKey,
  httpsTransport,
  newAccount,
  obtainCertificate,
  serveHttp01,
  base64url,
  type AccountKey,
  type AcmeTraceEvent,
  type HttpTransport,
} from '../src/index.js';
import { startPebble, type Pebble } from './pebble.js';

const lucidTls = fileURLToPath(new URL('../../tls/bin/lucid-tls.js', import.meta.url));

let pebble: Pebble;
const started = performance.now();
beforeAll(async () => {
  pebble = await startPebble({ alternateRoots: 1 });
}, 60_000);
afterAll(async () => {
  await pebble?.stop();
  console.log(`pebble.test.ts: ${((performance.now() - started) / 1000).toFixed(1)} s, Pebble start included`);
});

/** Runs `lucid-tls acme ARGS` as a process. */
async function acme(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [lucidTls, 'acme', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number];
  return { code, stdout, stderr };
}

/** The options every issuance shares: Pebble, its HTTPS CA, a fresh output directory. */
function issueArgs(out: string, ...rest: string[]): string[] {
  return ['issue', '--directory', pebble.directory, '--cafile', pebble.caFile, '--email', 'admin@lucid.test', '--agree-tos', '--out', join(pebble.dir, out), ...rest];
}

/** `openssl verify` of DIR/cert.pem (leaf, then chain) against Pebble's root, for a host name. */
async function opensslVerify(certFile: string, hostname: string, rootIndex = 0): Promise<string> {
  const root = join(pebble.dir, `root-${rootIndex}.pem`);
  writeFileSync(root, await pebble.root(rootIndex));
  const result = spawnSync('openssl', ['verify', '-CAfile', root, '-untrusted', certFile, '-verify_hostname', hostname, certFile], { encoding: 'utf8' });
  return result.stdout + result.stderr;
}

/** Serves DIR's certificate with lucid-tls; `openssl s_client` connects, checks it and its name. */
async function serveAndConnect(dir: string, hostname: string): Promise<string> {
  const server = createServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, (socket) => socket.end('hello from lucid-tls\n'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const root = join(pebble.dir, 'root-0.pem');
  writeFileSync(root, await pebble.root(0));
  try {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${(server.address() as AddressInfo).port}`, '-servername', hostname, '-verify_hostname', hostname, '-CAfile', root, '-verify_return_error'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    await once(child, 'close');
    return output;
  } finally {
    server.close();
  }
}

function expectKeyMatches(dir: string): void {
  const [leaf] = parseCertificatesPem(readFileSync(join(dir, 'cert.pem'), 'utf8'));
  const key = parsePrivateKeyPem(readFileSync(join(dir, 'key.pem'), 'utf8'));
  expect(encodePublicKeyInfo(publicKeyFromPrivateKey(key))).toEqual(leaf!.subjectPublicKeyInfo);
}

describe('lucid-tls acme issue, against Pebble', () => {
  it('refuses to agree to the terms of service for the user', async () => {
    const args = issueArgs('no-tos', '--domain', 'tos.lucid.test', '--challenge', 'http-01', '--http-listen', `127.0.0.1:${pebble.httpPort}`).filter((a) => a !== '--agree-tos');
    const result = await acme(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the CA's terms of service are at data:text/plain,Do%20what%20thou%20wilt: read them, then add --agree-tos");
  });

  it('http-01: a certificate OpenSSL verifies against Pebble’s root, served by lucid-tls', async () => {
    const dir = join(pebble.dir, 'http');
    const result = await acme(...issueArgs('http', '--domain', 'http.lucid.test', 'www.http.lucid.test', '--challenge', 'http-01', '--http-listen', `127.0.0.1:${pebble.httpPort}`));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Certificate for http.lucid.test, www.http.lucid.test');
    const chain = parseCertificatesPem(readFileSync(join(dir, 'cert.pem'), 'utf8'));
    expect(chain.length).toBe(2); // the leaf, then Pebble's intermediate
    expect(chain[0]!.subjectAltNames!.map((n) => n.value).sort()).toEqual(['http.lucid.test', 'www.http.lucid.test']);
    expectKeyMatches(dir);
    for (const file of ['key.pem', 'account.key']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(await opensslVerify(join(dir, 'cert.pem'), 'www.http.lucid.test')).toContain(': OK');
    const served = await serveAndConnect(dir, 'http.lucid.test');
    expect(served).toContain('Verify return code: 0 (ok)');
    expect(served).toContain('hello from lucid-tls');
  });

  it('tls-alpn-01: answered by the lucid-tls engine with the acmeIdentifier certificate', async () => {
    const dir = join(pebble.dir, 'alpn');
    const result = await acme(...issueArgs('alpn', '--domain', 'alpn.lucid.test', '--challenge', 'tls-alpn-01', '--tls-listen', `127.0.0.1:${pebble.tlsPort}`));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectKeyMatches(dir);
    expect(await opensslVerify(join(dir, 'cert.pem'), 'alpn.lucid.test')).toContain(': OK');
    expect(await serveAndConnect(dir, 'alpn.lucid.test')).toContain('Verify return code: 0 (ok)');
  });

  it('dns-01: a wildcard and its domain, through the hook', async () => {
    const dir = join(pebble.dir, 'dns');
    const result = await acme(...issueArgs('dns', '--domain', 'dns.lucid.test', '*.dns.lucid.test', '--challenge', 'dns-01', '--dns-hook', pebble.dnsHook));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectKeyMatches(dir);
    expect(await opensslVerify(join(dir, 'cert.pem'), 'any.dns.lucid.test')).toContain(': OK');
    expect(await serveAndConnect(dir, 'shop.dns.lucid.test')).toContain('Verify return code: 0 (ok)');
  });

  it('renews only when due (or --days before expiry), with a new key; revokes', async () => {
    const dir = join(pebble.dir, 'http');
    const before = parseCertificatesPem(readFileSync(join(dir, 'cert.pem'), 'utf8'))[0]!;
    const keyBefore = readFileSync(join(dir, 'key.pem'), 'utf8');
    const notDue = await acme('renew', '--out', dir);
    expect(notDue.code).toBe(0);
    expect(notDue.stdout).toMatch(/^Not due: .* it will be renewed from /);
    // Pebble's certificates last five years: any renewal before that is "--days" early.
    const renewed = await acme('renew', '--out', dir, '--days', '3650');
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    const after = parseCertificatesPem(readFileSync(join(dir, 'cert.pem'), 'utf8'))[0]!;
    expect(after.serialNumberHex).not.toBe(before.serialNumberHex);
    expect(readFileSync(join(dir, 'key.pem'), 'utf8')).not.toBe(keyBefore);
    expectKeyMatches(dir);

    expect((await pebble.certificateStatus(after.serialNumberHex)).Status).toBe('Valid');
    const revoked = await acme('revoke', '--out', dir, '--reason', '4');
    expect(revoked.code).toBe(0);
    expect((await pebble.certificateStatus(after.serialNumberHex)).Status).toBe('Revoked');
    const again = await acme('revoke', '--out', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('problem type: urn:ietf:params:acme:error:alreadyRevoked');
  });
});

describe('failures end with Pebble’s problem document and a non-zero exit', () => {
  it('a wrong key authorization', async () => {
    // Something else answers on the port Pebble checks; the command's own listener is elsewhere.
    const impostor = createHttpServer((_req, res) => res.end('not-the-token.not-the-thumbprint'));
    impostor.listen(pebble.httpPort, '127.0.0.1');
    await once(impostor, 'listening');
    try {
      const result = await acme(...issueArgs('wrong', '--domain', 'wrong.lucid.test', '--challenge', 'http-01', '--http-listen', '127.0.0.1:0'));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('problem type: urn:ietf:params:acme:error:unauthorized');
      expect(result.stderr).toMatch(/did not match this challenge.*\(dns wrong\.lucid\.test\)/);
    } finally {
      impostor.close();
    }
  });

  it('a name that points where nothing listens', async () => {
    await pebble.addA('unreachable.lucid.test', ['127.0.0.2']);
    const result = await acme(...issueArgs('unreachable', '--domain', 'unreachable.lucid.test', '--challenge', 'http-01', '--http-listen', `127.0.0.1:${pebble.httpPort}`));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('problem type: urn:ietf:params:acme:error:connection');
    expect(result.stderr).toContain('127.0.0.2');
  });
});

describe('the API, against Pebble', () => {
  /** Every event of the test's clients, and every account key they used. */
  const events: AcmeTraceEvent[] = [];
  const keys: AccountKey[] = [];

  function client(accountKey = generateAccountKey(), transport: HttpTransport = httpsTransport({ ca: pebble.caPem })) {
    keys.push(accountKey);
    return new AcmeClient({ directoryUrl: pebble.directory, accountKey, transport, trace: (e) => events.push(e), pollInterval: 250 });
  }

  it('an EdDSA account key: Pebble 2.4 answers badPublicKey, surfaced as a typed error', async () => {
    // RFC 8555 §6.2: servers SHOULD implement EdDSA; this Pebble does not (jws.test.ts checks our EdDSA signatures with node:crypto).
    const error = await newAccount(client(generateAccountKey('EdDSA')), { termsOfServiceAgreed: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcmeError);
    expect((error as AcmeError).is('badPublicKey')).toBe(true);
    expect((error as AcmeError).status).toBe(400);
    expect((error as AcmeError).detail).toContain('ed25519');
  });

  it('an account rolls its key over, and then gets a certificate with alternate chains', async () => {
    const oldKey = generateAccountKey();
    const acmeClient = client(oldKey);
    const account = await newAccount(acmeClient, { contact: ['mailto:rollover@lucid.test'], termsOfServiceAgreed: true });
    expect(account.created).toBe(true);
    const newKey = generateAccountKey('ES256');
    await changeAccountKey(acmeClient, newKey);
    // The old key no longer names an account; the new one names the same account.
    const withOldKey = await findAccount(client(oldKey)).catch((e: unknown) => e);
    expect(withOldKey).toBeInstanceOf(AcmeError);
    expect((withOldKey as AcmeError).is('accountDoesNotExist')).toBe(true);
    expect((await findAccount(client(newKey))).url).toBe(account.url);

    const responses = new ChallengeResponses();
    const listener = await serveHttp01(responses, { host: '127.0.0.1', port: pebble.httpPort });
    let obtained;
    try {
      obtained = await obtainCertificate(acmeClient, { domains: ['rollover.lucid.test'], challenge: 'http-01', responder: responses });
    } finally {
      await listener.close();
    }
    expect(responses.http01KeyAuthorization('anything')).toBeUndefined();
    const file = join(pebble.dir, 'rollover.pem');
    writeFileSync(file, obtained.certificatePem);
    expect(await opensslVerify(file, 'rollover.lucid.test', 0)).toContain(': OK');
    // PEBBLE_ALTERNATE_ROOTS=1: one more chain, the same leaf, to the second root.
    expect(obtained.alternateChains.length).toBe(1);
    const alternate = join(pebble.dir, 'rollover-alternate.pem');
    writeFileSync(alternate, obtained.alternateChains[0]!);
    expect(parseCertificatesPem(obtained.alternateChains[0]!)[0]!.der).toEqual(obtained.chain[0]);
    expect(await opensslVerify(alternate, 'rollover.lucid.test', 1)).toContain(': OK');
    expect(await opensslVerify(alternate, 'rollover.lucid.test', 0)).not.toContain(': OK');
  });

  it('retries with the nonce of a badNonce response', async () => {
    // A nonce Pebble never issued, slipped in as if a response had carried it: the next
    // request uses it, Pebble answers badNonce with a fresh one, and the retry goes through.
    const inner = httpsTransport({ ca: pebble.caPem });
    let forged = false;
    const forging: HttpTransport = async (request) => {
      const response = await inner(request);
      if (!forged && request.method === 'POST' && response.headers['replay-nonce']) {
        forged = true;
        response.headers['replay-nonce'] = 'bm90LWEtcGViYmxlLW5vbmNl';
      }
      return response;
    };
    const acmeClient = client(generateAccountKey(), forging);
    const before = events.length;
    await newAccount(acmeClient, { termsOfServiceAgreed: true });
    await findAccount(acmeClient);
    const mine = events.slice(before);
    const rejected = mine.filter((e) => e.kind === 'acme-response' && e.problem?.type === 'urn:ietf:params:acme:error:badNonce');
    expect(rejected.some((e) => e.kind === 'acme-response' && e.problem?.detail?.includes('bm90LWEtcGViYmxlLW5vbmNl'))).toBe(true);
    expect(mine.filter((e) => e.kind === 'acme-step' && e.text.startsWith('badNonce: sending the request again'))).not.toHaveLength(0);
  });

  it('traces requests with their JWS decoded, and never a private key', () => {
    const posts = events.filter((e) => e.kind === 'acme-request' && e.method === 'POST');
    expect(posts.length).toBeGreaterThan(10);
    for (const e of posts) {
      if (e.kind !== 'acme-request') continue;
      expect(e.protected?.nonce).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(e.protected?.url).toBe(e.url);
      expect((e.protected?.jwk === undefined) !== (e.protected?.kid === undefined)).toBe(true);
    }
    const text = JSON.stringify(events);
    for (const key of keys) {
      const secret = key.type === 'ec' ? key.d : key.seed;
      expect(text).not.toContain(base64url(secret));
      expect(text).not.toContain(Buffer.from(secret).toString('hex'));
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(text).not.toContain('"signature":');
    const badNonces = events.filter((e) => e.kind === 'acme-step' && e.text.startsWith('badNonce')).length;
    console.log(`the API tests sent ${posts.length} POSTs; ${badNonces} were retried after badNonce`);
  });
});
