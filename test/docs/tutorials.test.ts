/**
 * Keeps the tutorials honest: every ```ts block of every page in docs/tutorials/ runs.
 *
 * A page's blocks are joined in order into one module (so a later block can use what an
 * earlier one defined), written to test/docs/.generated/tutorials/<page>.ts, type-checked against
 * the built package with the repository's strict compiler options, and imported. What the
 * page's code prints with console.log is kept next to it as <page>.out.txt. The blocks
 * assert the numbers they print (node:assert), so a change in the library's behaviour
 * fails here rather than silently making a tutorial wrong.
 *
 * Fences in another language (```text, ```sh, …) are not run: that is how a page shows
 * a command or an output.
 *
 * A page whose code reads `LUCID_PEBBLE_*` variables talks to an ACME server: before the
 * pages run, Pebble is started (packages/acme/test/pebble.ts) and those variables say where
 * it is, as a reader running Pebble by hand would set them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPebble, type Pebble } from '../../packages/acme/test/pebble.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tutorialsDir = join(root, 'docs', 'tutorials');
/** Where each page's code and output are left for readers. */
const generatedDir = join(here, '.generated', 'tutorials');
/** This run's own directory of modules to import. */
let runDir = '';

/** The code of every ```ts (or ```typescript) fence of a Markdown page, in order. */
export function typescriptBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (current === undefined) {
      if (/^```(ts|typescript)\s*$/.test(line)) current = [];
    } else if (/^```\s*$/.test(line)) {
      blocks.push(current.join('\n'));
      current = undefined;
    } else {
      current.push(line);
    }
  }
  if (current !== undefined) throw new Error('a ```ts fence is never closed');
  return blocks;
}

/** The tutorial pages (the index, README.md, is not one). */
const pages = readdirSync(tutorialsDir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .sort();

/**
 * Writes each page's code as one module, in a directory of this run's own (another run may
 * be going on at the same time), and returns the file names, by page.
 */
function generate(): Map<string, string> {
  mkdirSync(generatedDir, { recursive: true });
  runDir = mkdtempSync(join(here, '.generated', 'run-'));
  const files = new Map<string, string>();
  for (const page of pages) {
    const blocks = typescriptBlocks(readFileSync(join(tutorialsDir, page), 'utf8'));
    const header = `// Generated from docs/tutorials/${page} by test/docs/tutorials.test.ts: edit the page, not this file.\n`;
    const body = blocks.map((code, i) => `// ---- block ${i + 1} of ${blocks.length}\n${code}\n`).join('\n');
    const file = join(runDir, page.replace(/\.md$/, '.ts'));
    // `export {}` makes a page without imports a module too (top-level await needs one).
    const code = `${header}\n${body}\nexport {};\n`;
    writeFileSync(file, code);
    writeFileSync(join(generatedDir, page.replace(/\.md$/, '.ts')), code);
    files.set(page, file);
  }
  return files;
}

let files: Map<string, string>;
let pebble: Pebble | undefined;
beforeAll(async () => {
  files = generate();
  const needsPebble = pages.some((page) => /LUCID_PEBBLE_/.test(readFileSync(join(tutorialsDir, page), 'utf8')));
  if (needsPebble) {
    pebble = await startPebble({ alternateRoots: 1 });
    Object.assign(process.env, pebble.environment());
  }
}, 60_000);
afterAll(async () => {
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  if (pebble) {
    for (const name of Object.keys(pebble.environment())) delete process.env[name];
    await pebble.stop();
  }
});

describe('docs/tutorials', () => {
  it('has at least six tutorials, each with code, RFC references and what to try next', () => {
    expect(pages.length).toBeGreaterThanOrEqual(6);
    for (const page of pages) {
      const markdown = readFileSync(join(tutorialsDir, page), 'utf8');
      expect(typescriptBlocks(markdown).length, `${page} has no \`\`\`ts block`).toBeGreaterThan(0);
      expect(markdown, `${page} cites no RFC`).toMatch(/RFC \d{4}/);
      expect(markdown, `${page} has no "Try next" section`).toMatch(/^## Try next/m);
    }
  });

  it('type-checks every page against the built package', () => {
    const compilerOptions: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noUnusedLocals: true, // a tutorial imports and defines only what it uses
    };
    const program = ts.createProgram([...files.values()], compilerOptions);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
      ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }),
    );
    expect(diagnostics).toEqual([]);
  });

  describe('runs', () => {
    let printed: string[] = [];
    afterEach(() => {
      vi.restoreAllMocks();
    });

    for (const page of pages) {
      it(page, async () => {
        printed = [];
        vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
          printed.push(format(...args));
        });
        const file = files.get(page)!;
        const started = performance.now();
        await import(pathToFileURL(file).href);
        const seconds = (performance.now() - started) / 1000;
        writeFileSync(join(generatedDir, page.replace(/\.md$/, '.out.txt')), printed.join('\n') + '\n');
        expect(printed.length, `${page} printed nothing`).toBeGreaterThan(0);
        expect(seconds, `${page} took ${seconds.toFixed(1)} s`).toBeLessThan(10);
      });
    }
  });
});
