/**
 * `lucid-tls acme` as a user meets it: through the `lucid-tls` command of @lucid-tls/tls,
 * which loads this package; usage mistakes (exit 2); and the message when the package is
 * not installed. (Issuance itself is in pebble.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const tlsPackage = fileURLToPath(new URL('../../tls/', import.meta.url));
const lucidTls = join(tlsPackage, 'bin', 'lucid-tls.js');
const dir = mkdtempSync(join(tmpdir(), 'lucid-acme-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [lucidTls, ...args], { encoding: 'utf8' });

describe('lucid-tls acme', () => {
  it('is listed by lucid-tls, and explains itself', () => {
    expect(run('--help').stdout).toContain('acme issue|renew|revoke');
    const help = run('acme', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--challenge http-01|tls-alpn-01|dns-01');
  });

  const mistakes: [string, string[], RegExp][] = [
    ['no command', ['acme'], /usage: lucid-tls acme/],
    ['an unknown command', ['acme', 'order'], /unknown command order/],
    ['issue without --out', ['acme', 'issue', '--directory', 'https://a.test/dir', '--domain', 'a.test', '--challenge', 'http-01'], /--out DIR is needed/],
    ['an unknown challenge', ['acme', 'issue', '--out', 'x', '--directory', 'https://a.test/dir', '--domain', 'a.test', '--challenge', 'http-02'], /--challenge must be http-01, tls-alpn-01, dns-01/],
    ['dns-01 without a hook', ['acme', 'issue', '--out', 'x', '--directory', 'https://a.test/dir', '--domain', 'a.test', '--challenge', 'dns-01'], /dns-01 needs --dns-hook/],
    ['a listen address that is not one', ['acme', 'issue', '--out', 'x', '--directory', 'https://a.test/dir', '--domain', 'a.test', '--challenge', 'http-01', '--http-listen', 'localhost'], /--http-listen wants \[HOST:\]PORT/],
    ['an unknown option', ['acme', 'revoke', '--out', 'x', '--force'], /unknown option --force/],
    ['a reason code out of range', ['acme', 'revoke', '--out', 'x', '--reason', '11'], /--reason wants a whole number from 0 to 10/],
  ];
  for (const [what, args, message] of mistakes) {
    it(`exits 2 on ${what}`, () => {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stdout + result.stderr).toMatch(message);
    });
  }

  it('exits 1 when renew finds no issued certificate', () => {
    const result = run('acme', 'renew', '--out', join(dir, 'nothing'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('renewal.json does not exist: run lucid-tls acme issue --out');
  });

  it('says which package to install when @lucid-tls/acme is missing', () => {
    // @lucid-tls/tls alone: its dist, and the @noble packages it depends on, nothing else.
    const alone = join(dir, 'tls-alone');
    cpSync(join(tlsPackage, 'dist'), join(alone, 'dist'), { recursive: true });
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: '@lucid-tls/tls', type: 'module' }));
    mkdirSync(join(alone, 'node_modules'));
    symlinkSync(join(tlsPackage, 'node_modules', '@noble'), join(alone, 'node_modules', '@noble'));
    writeFileSync(join(alone, 'run.mjs'), "import { main } from './dist/cli/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
    const result = spawnSync(process.execPath, [join(alone, 'run.mjs'), 'acme', 'issue'], { encoding: 'utf8', cwd: dirname(alone) });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('lucid-tls acme needs the @lucid-tls/acme package, which is not installed: npm install @lucid-tls/acme\n');
  });
});
