/**
 * The README's promises about running the tests hold: its one apt command installs exactly
 * what CI installs (`APT_PACKAGES` in .ci/run), so the list a reader follows and the list CI
 * uses cannot drift apart; and the root scripts it names exist.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const ciRun = readFileSync(join(root, '.ci', 'run'), 'utf8');

/** The packages of `APT_PACKAGES=(…)` in .ci/run. */
function ciPackages(): string[] {
  const m = /^APT_PACKAGES=\(([^)]*)\)$/m.exec(ciRun);
  if (!m) throw new Error('.ci/run has no APT_PACKAGES=(…) line');
  return m[1]!.trim().split(/\s+/);
}

/** The packages of the README's `sudo apt-get install -y …` command (there must be one). */
function readmePackages(): string[] {
  const commands = [...readme.matchAll(/^sudo apt-get install -y (.+)$/gm)];
  if (commands.length !== 1) throw new Error(`README.md has ${commands.length} apt-get install commands, not one`);
  return commands[0]![1]!.trim().split(/\s+/);
}

describe('README.md', () => {
  it('gives one apt command that installs exactly the packages CI installs', () => {
    expect(ciPackages().length).toBeGreaterThan(0);
    expect([...readmePackages()].sort()).toEqual([...ciPackages()].sort());
  });

  it('names next to `pnpm test` every program the packages bring', () => {
    const section = readme.slice(readme.indexOf('pnpm test'), readme.indexOf('sudo apt-get install'));
    for (const program of ['GnuTLS', 'tshark', 'Chromium', 'curl', 'wrk', 'nginx', 'HAProxy', 'Pebble']) expect(section).toContain(program);
  });

  it('names root scripts that exist', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const [, name] of readme.matchAll(/`pnpm (?:run )?([a-z]+)(?: [^`]*)?`/g)) {
      if (['install', 'exec'].includes(name!)) continue; // pnpm's own commands
      expect(scripts, `README.md mentions pnpm ${name}`).toHaveProperty(name!);
    }
  });
});
