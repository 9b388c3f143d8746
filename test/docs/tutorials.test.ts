/**
 * Keeps the tutorials honest: every page of docs/tutorials/ is type-checked and run, and
 * what it prints is compared with the page's sample outputs.
 *
 * scripts/tutorials.mjs, which `pnpm tutorial N` uses too, reads a page: its ```ts blocks,
 * joined in order, are one module; a ```text output block shows what the code block before
 * it printed, with ⟨…⟩ standing for what varies from run to run. Here each page's module is
 * type-checked against the built package with the repository's strict compiler options,
 * then run; the blocks also assert the numbers they print (node:assert), so a change in the
 * library's behaviour fails here rather than silently making a tutorial wrong.
 *
 * A page whose code reads `LUCID_PEBBLE_*` variables talks to an ACME server: before the
 * pages run, Pebble is started (packages/acme/test/pebble.ts) and those variables say where
 * it is, as they would for a reader running Pebble by hand.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type Pebble } from '../../packages/acme/test/pebble.js';
import {
  compareOutput,
  findTutorial,
  lineMatches,
  moduleSource,
  outputMismatches,
  parsePage,
  readPage,
  runPage,
  tutorialFiles,
  tutorialsDir,
} from '../../scripts/tutorials.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const pages = tutorialFiles().map(readPage);

/** This run's own directory of modules to type-check (another run may be going on at the same time). */
let checkDir = '';
let pebble: Pebble | undefined;
beforeAll(async () => {
  mkdirSync(join(here, '.generated'), { recursive: true });
  checkDir = mkdtempSync(join(here, '.generated', 'run-'));
  if (pages.some((page) => page.blocks.some((b) => b.code.includes('LUCID_PEBBLE_')))) {
    pebble = await startPebble({ alternateRoots: 1 });
    Object.assign(process.env, pebble.environment());
  }
}, 60_000);
afterAll(async () => {
  if (checkDir) rmSync(checkDir, { recursive: true, force: true });
  if (pebble) {
    for (const name of Object.keys(pebble.environment())) delete process.env[name];
    await pebble.stop();
  }
});

describe('docs/tutorials', () => {
  it('has at least six tutorials, each with code, sample output, RFC references and what to try next', () => {
    expect(pages.length).toBeGreaterThanOrEqual(6);
    for (const page of pages) {
      const markdown = readFileSync(join(tutorialsDir, page.file), 'utf8');
      expect(page.blocks.length, `${page.file} has no \`\`\`ts block`).toBeGreaterThan(0);
      expect(page.outputs.length, `${page.file} shows no sample output`).toBeGreaterThan(0);
      expect(markdown, `${page.file} cites no RFC`).toMatch(/RFC \d{4}/);
      expect(markdown, `${page.file} has no "Try next" section`).toMatch(/^## Try next/m);
    }
  });

  it('type-checks every page against the built package', () => {
    const files = pages.map((page) => {
      const file = join(checkDir, page.file.replace(/\.md$/, '.ts'));
      writeFileSync(file, moduleSource(page));
      return file;
    });
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
    const program = ts.createProgram(files, compilerOptions);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
      ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }),
    );
    expect(diagnostics).toEqual([]);
  });

  describe('runs, and prints what the page shows', () => {
    for (const page of pages) {
      it(page.file, async () => {
        const run = await runPage(page);
        expect(run.printed.flat().length, `${page.file} printed nothing`).toBeGreaterThan(0);
        expect(outputMismatches(page, run)).toEqual([]);
        expect(run.seconds, `${page.file} took ${run.seconds.toFixed(1)} s`).toBeLessThan(10);
      });
    }
  });
});

describe('how a page is read and its sample outputs compared', () => {
  const page = [
    '# A page',
    '```ts',
    "console.log('one');",
    '```',
    '## Second',
    '```text',
    'a diagram, not run and not compared',
    '```',
    '```typescript',
    "console.log('two\\nthree  ');",
    '```',
    'Prose between a block and its output.',
    '```text output',
    'two',
    'three',
    '```',
  ].join('\n');

  it('finds code blocks, their sections, and the output blocks that follow them', () => {
    const parsed = parsePage(page, 'page.md');
    expect(parsed.blocks.map((b) => [b.number, b.line, b.section, b.code])).toEqual([
      [1, 2, '', "console.log('one');"],
      [2, 9, 'Second', "console.log('two\\nthree  ');"],
    ]);
    expect(parsed.outputs).toEqual([{ after: 2, line: 13, text: 'two\nthree' }]);
    expect(moduleSource(parsed)).toContain('tutorialBlock(2);\nconsole.log');
    expect(moduleSource(parsed, { marks: false })).not.toContain('tutorialBlock');
  });

  it('rejects what it cannot place: an unclosed fence, an output before any code, two outputs for one block', () => {
    expect(() => parsePage('```ts\nconsole.log(1);\n', 'p.md')).toThrow('p.md:1: a fence that is never closed');
    expect(() => parsePage('```text output\n1\n```\n', 'p.md')).toThrow('p.md:1: an output block before any code block');
    expect(() => parsePage('```ts\nx\n```\n```text output\n1\n```\n```text output\n1\n```\n', 'p.md')).toThrow('p.md:7: a second output block for code block 1');
  });

  it('compares line by line, ignoring trailing spaces and blank lines at either end', () => {
    expect(compareOutput('\nflight 1\n  done\n', ['', 'flight 1   ', '  done', ''])).toBeUndefined();
    expect(compareOutput('flight 1', ['flight 2'])).toBe('line 1 of the sample: "flight 1", printed: "flight 2"');
    expect(compareOutput('a\nb', ['a'])).toBe('printed fewer lines than the sample shows, none for: "b"');
    expect(compareOutput('a', ['a', 'b'])).toBe('printed more lines than the sample shows, from: "b"');
    expect(compareOutput('  indented', ['indented'])).toBeDefined(); // leading spaces count
  });

  it('lets ⟨…⟩ stand for what varies, and ⟨N..M⟩ for a number in a range', () => {
    expect(lineMatches('key_share x25519: ⟨random⟩…', 'key_share x25519: d80b7d45a354d1ef…')).toBe(true);
    expect(lineMatches('key_share x25519: ⟨random⟩…', 'key_share x25519: …')).toBe(false); // not empty
    expect(lineMatches('key_share x25519: ⟨random⟩…', 'key_share secp256r1: d80b…')).toBe(false);
    expect(lineMatches('flight 2: ⟨770..780⟩ bytes', 'flight 2: 774 bytes')).toBe(true);
    expect(lineMatches('flight 2: ⟨770..780⟩ bytes', 'flight 2: 770 bytes')).toBe(true);
    expect(lineMatches('flight 2: ⟨770..780⟩ bytes', 'flight 2: 781 bytes')).toBe(false);
    expect(lineMatches('flight 2: ⟨770..780⟩ bytes', 'flight 2: many bytes')).toBe(false);
    expect(lineMatches('a (b) [c] *d* $e ^f ⟨x⟩ g.h', 'a (b) [c] *d* $e ^f anything g.h')).toBe(true); // the rest is literal
    expect(lineMatches('a.c', 'abc')).toBe(false);
  });

  it('finds a tutorial by number or name', () => {
    expect(findTutorial('2')).toBe('02-key-schedule.md');
    expect(findTutorial('02')).toBe('02-key-schedule.md');
    expect(findTutorial('key-schedule')).toBe('02-key-schedule.md');
    expect(findTutorial('02-key-schedule.md')).toBe('02-key-schedule.md');
    expect(findTutorial('99')).toBeUndefined();
  });

  it('names the block and the page line of a failure', async () => {
    const failing = parsePage("```ts\nconsole.log('fine');\n```\n\n```ts\nthrow new Error('broken');\n```\n", '99-failing.md');
    await expect(runPage(failing)).rejects.toThrow('block 2, docs/tutorials/99-failing.md:5: broken');
  });
});
