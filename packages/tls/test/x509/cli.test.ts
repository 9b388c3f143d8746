/** `lucid-tls x509 show|verify`, `ca init` and `cert issue`, called as functions. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { caCommand, certCommand, x509Command } from '../../src/cli/x509-command.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lucid-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs a command, capturing what it writes. */
async function capture(command: (args: string[]) => Promise<number>, args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await command(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('ca init and cert issue', () => {
  it('make a CA and a server certificate that OpenSSL accepts, and that we verify', async () => {
    const caDir = join(dir, 'ca');
    const out = join(dir, 'server');
    expect((await capture(caCommand, ['init', '--out', caDir])).code).toBe(0);
    expect(existsSync(join(caDir, 'ca.pem')) && existsSync(join(caDir, 'ca.key'))).toBe(true);
    expect(statSync(join(caDir, 'ca.key')).mode & 0o077).toBe(0);
    // A second init does not overwrite the CA key.
    expect((await capture(caCommand, ['init', '--out', caDir])).code).toBe(1);

    const issued = await capture(certCommand, ['issue', '--ca', caDir, '--out', out, '--name', 'localhost', '127.0.0.1', '--name', 'www.example.test']);
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain('ip:127.0.0.1');
    const verify = (...extra: string[]) =>
      execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(caDir, 'ca.pem'), ...extra, join(out, 'cert.pem')], { encoding: 'utf8' });
    expect(verify('-verify_ip', '127.0.0.1')).toContain('OK');
    expect(verify('-verify_hostname', 'www.example.test')).toContain('OK');

    const show = await capture(x509Command, ['show', '--json', join(out, 'cert.pem')]);
    expect(show.code).toBe(0);
    const json = JSON.parse(show.stdout);
    expect(json.subjectAltNames).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'www.example.test' },
    ]);
    expect(json).toMatchObject({ issuer: { CN: 'Lucid TLS local CA' }, publicKey: { algorithm: 'EC', curve: 'P-256' }, isCA: false, extendedKeyUsage: ['serverAuth'] });
    for (const key of ['subject', 'serialNumber', 'notBefore', 'notAfter', 'signatureAlgorithm', 'pathLenConstraint', 'keyUsage', 'extensions', 'fingerprintSha256']) expect(json).toHaveProperty(key);
    expect(json.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(new Date(json.notAfter).toISOString()).toBe(json.notAfter);
    const fingerprint = execFileSync('openssl', ['x509', '-in', join(out, 'cert.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(fingerprint.replace(/.*=/, '').replace(/[:\s]/g, '').toLowerCase()).toBe(json.fingerprintSha256);

    const text = await capture(x509Command, ['show', join(out, 'cert.pem')]);
    expect(text.stdout).toMatch(/Subject\s+O=Lucid TLS development certificate, CN=localhost/);
    expect(text.stdout).toContain('subjectAltName');
    expect(text.stdout).toMatch(/Role\s+leaf \(end-entity\), for TLS servers\n/);
    expect(text.stdout).toContain('the server proves it holds the private half by signing the TLS handshake');
    const caText = (await capture(x509Command, ['show', join(caDir, 'ca.pem')])).stdout;
    expect(caText).toMatch(/Role\s+root CA, self-signed\n\s+└ a trust anchor/);
    expect(caText).toContain('the root’s key signs the certificates this CA issues');
    expect(caText).not.toContain('by signing the TLS handshake');

    const caJson = JSON.parse((await capture(x509Command, ['show', '--json', join(caDir, 'ca.pem')])).stdout);
    const ok = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--hostname', 'localhost', join(out, 'cert.pem')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'OK\npath (leaf first, server certificate, profile webpki):\n' +
        `  0 leaf: O=Lucid TLS development certificate, CN=localhost | EC P-256 | expires ${json.notAfter}\n` +
        `  1 root, trust anchor, self-signed: O=Lucid TLS development CA, CN=Lucid TLS local CA | EC P-256 | expires ${caJson.notAfter}\n`,
    );
    const ip = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--ip', '127.0.0.1', '--profile', 'rfc5280', join(out, 'cert.pem')]);
    expect(ip).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK\npath \(leaf first, server certificate, profile rfc5280\):\n  0 leaf: /) });
    const wrongHost = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--hostname', 'example.org', join(out, 'cert.pem')]);
    expect(wrongHost.code).toBe(1);
    expect(wrongHost.stdout).toMatch(/^error hostname_mismatch: .*example\.org is not among the subjectAltName DNS names of .*: localhost, www\.example\.test\n$/);
    expect(wrongHost.stdout.split('\n')).toHaveLength(2);
    const early = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--at', '2001-01-01T00:00:00Z', join(out, 'cert.pem')]);
    expect(early.stdout).toMatch(/^error not_yet_valid: /);
    const client = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--purpose', 'client', join(out, 'cert.pem')]);
    expect(client.stdout).toMatch(/^error extended_key_usage: /);
  });

  it('issues client certificates and other key types', async () => {
    const caDir = join(dir, 'ca-ed');
    expect((await capture(caCommand, ['init', '--out', caDir, '--key-type', 'ed25519', '--days', '30'])).code).toBe(0);
    const out = join(dir, 'client');
    expect((await capture(certCommand, ['issue', '--ca', caDir, '--out', out, '--name', 'alice@example.com', '--client', '--key-type', 'ec', '--days', '7'])).code).toBe(0);
    const json = JSON.parse((await capture(x509Command, ['show', '--json', join(out, 'cert.pem')])).stdout);
    expect(json.extendedKeyUsage).toEqual(['clientAuth']);
    expect(json.signatureAlgorithm).toBe('ED25519');
    expect(Date.parse(json.notAfter) - Date.parse(json.notBefore)).toBe(7 * 86_400_000 + 60_000);
    const ok = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--purpose', 'client', join(out, 'cert.pem')]);
    expect(ok.stdout).toMatch(/^OK\npath \(leaf first, client certificate, profile rfc5280\):\n  0 leaf: O=Lucid TLS development client certificate, CN=alice@example\.com \| EC P-256 \| expires .*\n  1 root, trust anchor, self-signed: .* \| Ed25519 \| expires /);
    const strict = await capture(x509Command, ['verify', '--cafile', join(caDir, 'ca.pem'), '--purpose', 'client', '--profile', 'webpki', join(out, 'cert.pem')]);
    expect(strict.stdout).toMatch(/profile webpki/);
  });

  it('verify takes intermediates from --untrusted or from the leaf file', async () => {
    const work = join(dir, 'chain');
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    run(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${work}-root.key`, '-subj', '/CN=CLI Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', `${work}-root.pem`]);
    run(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${work}-int.key`, '-subj', '/CN=CLI Int', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-CA', `${work}-root.pem`, '-CAkey', `${work}-root.key`, '-out', `${work}-int.pem`]);
    run(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${work}-leaf.key`, '-subj', '/CN=leaf', '-addext', 'subjectAltName=DNS:leaf.test', '-addext', 'basicConstraints=CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth', '-CA', `${work}-int.pem`, '-CAkey', `${work}-int.key`, '-out', `${work}-leaf.pem`]);
    const base = ['verify', '--cafile', `${work}-root.pem`, '--hostname', 'leaf.test'];
    expect((await capture(x509Command, [...base, `${work}-leaf.pem`])).stdout).toMatch(/^error unknown_issuer: /);
    const expires = (file: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-enddate'], { encoding: 'utf8' }).replace('notAfter=', '').trim();
    const path =
      'OK\npath (leaf first, server certificate, profile webpki):\n' +
      `  0 leaf: CN=leaf | EC P-256 | expires ${new Date(expires(`${work}-leaf.pem`)).toISOString()}\n` +
      `  1 intermediate: CN=CLI Int | EC P-256 | expires ${new Date(expires(`${work}-int.pem`)).toISOString()}\n` +
      `  2 root, trust anchor, self-signed: CN=CLI Root | EC P-256 | expires ${new Date(expires(`${work}-root.pem`)).toISOString()}\n`;
    expect((await capture(x509Command, [...base, '--untrusted', `${work}-int.pem`, `${work}-leaf.pem`])).stdout).toBe(path);
    writeFileSync(`${work}-fullchain.pem`, readFileSync(`${work}-leaf.pem`, 'utf8') + readFileSync(`${work}-int.pem`, 'utf8'));
    expect((await capture(x509Command, [...base, `${work}-fullchain.pem`])).stdout).toBe(path);
    // --max-depth counts leaf and anchor: 3 certificates fit, 2 do not.
    expect((await capture(x509Command, [...base, '--max-depth', '3', `${work}-fullchain.pem`])).stdout).toBe(path);
    expect((await capture(x509Command, [...base, '--max-depth', '2', `${work}-fullchain.pem`])).stdout).toMatch(/^error path_too_long: .*at most 2 certificates\n$/);
    // The intermediate, trusted by itself, ends the path.
    expect((await capture(x509Command, ['verify', '--cafile', `${work}-int.pem`, '--hostname', 'leaf.test', `${work}-leaf.pem`])).stdout).toMatch(/\n  1 intermediate, trust anchor: CN=CLI Int \| /);
    const intText = (await capture(x509Command, ['show', `${work}-int.pem`])).stdout;
    expect(intText).toMatch(/Role\s+intermediate CA\n/);
    expect(intText).toContain('this CA’s key signs the certificates below it');
    // A DER file works too.
    run(['x509', '-in', `${work}-root.pem`, '-outform', 'DER', '-out', `${work}-root.der`]);
    expect(JSON.parse((await capture(x509Command, ['show', '--json', `${work}-root.der`])).stdout)).toMatchObject({ isCA: true, subject: { CN: 'CLI Root' } });
  });

  it('--help works for every subcommand, exit 0, on standard output', async () => {
    const cases: [(args: string[]) => Promise<number>, string[], RegExp][] = [
      [x509Command, ['show', '--help'], /^usage: lucid-tls x509 show \[--json\] FILE\n[^]*--json/],
      [x509Command, ['verify', '--help'], /^usage: lucid-tls x509 verify [^]*--profile rfc5280\|webpki[^]*--max-depth N/],
      [x509Command, ['verify', '-h'], /^usage: lucid-tls x509 verify /],
      [x509Command, ['--help'], /^usage: lucid-tls x509 show [^]*x509 verify --help/],
      [caCommand, ['init', '--help'], /^usage: lucid-tls ca init --out DIR[^]*--force/],
      [caCommand, ['--help'], /^usage: lucid-tls ca init /],
      [certCommand, ['issue', '--help'], /^usage: lucid-tls cert issue [^]*--client/],
      [certCommand, ['--help'], /^usage: lucid-tls cert issue /],
    ];
    for (const [command, args, expected] of cases) {
      const result = await capture(command, args);
      expect(result, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout, args.join(' ')).toMatch(expected);
    }
    // --help wins over anything else on the line, and writes nothing.
    expect((await capture(caCommand, ['init', '--out', join(dir, 'never'), '--help'])).code).toBe(0);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('usage errors exit 2; unreadable or malformed files exit 1', async () => {
    expect((await capture(x509Command, [])).code).toBe(2);
    expect((await capture(x509Command, ['show'])).code).toBe(2);
    expect((await capture(x509Command, ['verify', join(dir, 'x.pem')])).code).toBe(2);
    expect((await capture(x509Command, ['show', '--bogus', 'x'])).code).toBe(2);
    expect((await capture(certCommand, ['issue', '--ca', dir])).code).toBe(2);
    expect((await capture(caCommand, ['init', '--out', join(dir, 'k'), '--key-type', 'dsa'])).code).toBe(2);
    const ca = join(dir, 'ca', 'ca.pem');
    expect((await capture(x509Command, ['verify', '--cafile', ca, '--profile', 'browser', ca])).code).toBe(2);
    for (const depth of ['0', '-1', 'ten', '1000']) expect((await capture(x509Command, ['verify', '--cafile', ca, '--max-depth', depth, ca])).code, depth).toBe(2);
    const missing = await capture(x509Command, ['show', join(dir, 'missing.pem')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing.pem');
    writeFileSync(join(dir, 'junk.pem'), '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n');
    const junk = await capture(x509Command, ['show', join(dir, 'junk.pem')]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/error certificate_malformed/);
  });
});
