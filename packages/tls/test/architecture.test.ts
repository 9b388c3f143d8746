// The layers of ARCHITECTURE.md, enforced: every import line under packages/tls/src is read,
// and a folder may import only from the folders below it. The engine (everything but node/,
// cli/ and the system trust store) imports no `node:` module, so it runs in a browser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Each layer, and what it may import (besides itself). Root files (alert.ts, index.ts) are named by their file. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  alert: [],
  wire: ['alert'],
  crypto: ['alert', 'wire'],
  record: ['alert', 'wire', 'crypto'],
  trace: ['alert', 'wire'],
  x509: ['alert', 'wire', 'crypto'],
  handshake: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509'],
  connection: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509', 'handshake'],
  rfc8448: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509', 'handshake', 'connection'],
  compare: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509', 'handshake', 'connection'],
  node: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509', 'handshake', 'connection'],
  cli: ['alert', 'wire', 'crypto', 'record', 'trace', 'x509', 'handshake', 'connection', 'rfc8448', 'compare', 'node'],
  // The package's entry points gather what they export.
  index: ['*'],
  learn: ['*'],
};

/** Inside handshake/: a protocol version's folder never reaches into another version's. */
const VERSION_FOLDERS = ['tls12', 'tls13'];

/** Files that may use `node:` modules: the Node adapters, the command line, and the system trust store's loader. */
const NODE_ALLOWED = [/^node\//, /^cli\//, /^x509\/system-store\.ts$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The specifiers of a file's static and dynamic imports and re-exports. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!);
  return found;
}

/** `handshake` for `handshake/tls13/key-schedule.ts`, `alert` for `alert.ts`. */
const layerOf = (path: string): string => path.split('/')[0]!.replace(/\.[jt]s$/, '');

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path).split('\\').join('/'), source: readFileSync(path, 'utf8') }));

describe('the layers of packages/tls/src (ARCHITECTURE.md)', () => {
  it('finds the source', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(Object.keys(MAY_IMPORT).sort()).toEqual([...new Set(files.map((f) => layerOf(f.path)))].sort());
  });

  it('every folder imports only from the layers below it', () => {
    const violations: string[] = [];
    for (const { path, source } of files) {
      const from = layerOf(path);
      for (const spec of importsOf(source)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, join(SRC, path, '..', spec)).split('\\').join('/');
        const to = layerOf(target);
        const allowed = MAY_IMPORT[from] ?? [];
        if (to !== from && !allowed.includes('*') && !allowed.includes(to)) violations.push(`${path} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('nothing under handshake/ imports connection/, and versions stay in their own folders', () => {
    const violations: string[] = [];
    for (const { path, source } of files.filter((f) => f.path.startsWith('handshake/'))) {
      const version = VERSION_FOLDERS.find((v) => path.startsWith(`handshake/${v}/`));
      for (const spec of importsOf(source).filter((s) => s.startsWith('.'))) {
        const target = relative(SRC, join(SRC, path, '..', spec)).split('\\').join('/');
        if (target.startsWith('connection/')) violations.push(`${path} imports ${target}`);
        const other = VERSION_FOLDERS.find((v) => v !== version && target.startsWith(`handshake/${v}/`));
        if (version && other) violations.push(`${path} (${version}) imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the engine imports no node: module (it runs in a browser)', () => {
    const violations = files
      .filter((f) => !NODE_ALLOWED.some((re) => re.test(f.path)))
      .flatMap((f) => importsOf(f.source).filter((s) => s.startsWith('node:')).map((s) => `${f.path} imports ${s}`));
    expect(violations).toEqual([]);
  });

  it('the import reader sees real import lines (it would catch a violation)', () => {
    const sample = "import { fail } from '../alert.js';\nimport type { X } from './x.js';\nexport { y } from '../y.js';\nconst m = await import('../z.js');";
    expect(importsOf(sample)).toEqual(['../alert.js', './x.js', '../y.js', '../z.js']);
  });
});
