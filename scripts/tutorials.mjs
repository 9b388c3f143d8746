/**
 * The tutorials of docs/tutorials/ as programs. One implementation serves `pnpm tutorial N`
 * (scripts/tutorial.mjs), which runs a page and prints as it runs, and the test that keeps
 * the pages honest (test/docs/tutorials.test.ts), which type-checks and runs every page and
 * compares what it printed with the page's sample outputs.
 *
 * A page is a program: its ```ts blocks, joined in order, are one module, so a later block
 * uses what an earlier one defined. A ```text output block shows what the code block before
 * it printed (with console.log), line for line; trailing spaces and blank lines at either
 * end do not count. Where a value legitimately differs from run to run (a random, a key, a
 * signature's length), the sample says so in angle brackets:
 *
 *   ⟨770..790⟩    a whole number from 770 to 790
 *   ⟨anything⟩    any text on that line (the words say what it stands for: ⟨random⟩, ⟨hex⟩)
 *
 * Every other fence (```text without `output`, ```sh, …) is not run: a diagram, a command.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const tutorialsDir = join(root, 'docs', 'tutorials');
/** Where runs write their modules: inside the repository, so that `@lucid-tls/tls` resolves. */
const cacheDir = join(root, 'node_modules', '.cache', 'lucid-tls-tutorials');

/** The global function the generated module calls as each block begins. */
const BLOCK_MARK = 'tutorialBlock';

// The shapes of pages, blocks and runs are declared in tutorials.d.mts.

/** The tutorial pages, in order (the index, README.md, is not one). */
export function tutorialFiles() {
  return readdirSync(tutorialsDir)
    .filter((f) => /^\d+-.*\.md$/.test(f))
    .sort();
}

/**
 * Finds a page by its number (`2`, `02`) or its file name, with or without `.md`.
 * @param {string} which
 * @returns {string | undefined}
 */
export function findTutorial(which) {
  const files = tutorialFiles();
  if (/^\d+$/.test(which)) return files.find((f) => Number(f.split('-')[0]) === Number(which));
  const name = basename(which).replace(/\.md$/, '');
  return files.find((f) => f === `${name}.md` || f.replace(/^\d+-/, '') === `${name}.md`);
}

/**
 * The code blocks and output blocks of a Markdown page.
 * @param {string} markdown
 * @param {string} file the page's name, for messages
 */
export function parsePage(markdown, file = 'page') {
  const blocks = [];
  const outputs = [];
  let section = '';
  /** @type {{ kind: 'code' | 'output' | 'other', line: number, lines: string[] } | undefined} */
  let open;
  const lines = markdown.split('\n');
  lines.forEach((line, i) => {
    if (open === undefined) {
      const fence = /^```(.*)$/.exec(line);
      if (!fence) {
        const heading = /^## (.*)$/.exec(line);
        if (heading) section = heading[1].trim();
        return;
      }
      const info = fence[1].trim().split(/\s+/);
      const kind = /^(ts|typescript)$/.test(info[0]) ? 'code' : info[0] === 'text' && info.includes('output') ? 'output' : 'other';
      open = { kind, line: i + 1, lines: [] };
    } else if (/^```\s*$/.test(line)) {
      const text = open.lines.join('\n');
      if (open.kind === 'code') blocks.push({ number: blocks.length + 1, line: open.line, section, code: text });
      if (open.kind === 'output') {
        const after = blocks.length;
        if (after === 0) throw new Error(`${file}:${open.line}: an output block before any code block`);
        if (outputs.at(-1)?.after === after) throw new Error(`${file}:${open.line}: a second output block for code block ${after}`);
        outputs.push({ after, line: open.line, text });
      }
      open = undefined;
    } else {
      open.lines.push(line);
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: a fence that is never closed`);
  return { file, blocks, outputs };
}

/**
 * A page as one TypeScript module. With `marks`, each block begins by calling
 * `tutorialBlock(n)`, so that a run can tell which block printed what.
 * @param {{ marks?: boolean }} [options]
 */
export function moduleSource(page, { marks = true } = {}) {
  const header = `// Generated from docs/tutorials/${page.file}: edit the page, not this file.\n`;
  const declaration = marks ? `declare function ${BLOCK_MARK}(block: number): void; // marks where each block begins\n` : '';
  const body = page.blocks
    .map((b) => `// ---- block ${b.number} of ${page.blocks.length} (line ${b.line})\n${marks ? `${BLOCK_MARK}(${b.number});\n` : ''}${b.code}\n`)
    .join('\n');
  // `export {}` makes a page without imports a module too (top-level await needs one).
  return `${header}${declaration}\n${body}\nexport {};\n`;
}

/** A fresh directory inside the repository for one run's files (runs may overlap). */
export function runDirectory() {
  mkdirSync(cacheDir, { recursive: true });
  return mkdtempSync(join(cacheDir, 'run-'));
}

/**
 * Runs a page: transpiles its module (types are only removed, as a test's type-check
 * is what checks them), imports it, and collects what each block prints with
 * console.log. `onPrint` sees each printed text as it comes. A failure names the block
 * and its line in the page.
 */
export async function runPage(page, { onPrint } = {}) {
  const dir = runDirectory();
  const file = join(dir, page.file.replace(/\.md$/, '.mjs'));
  const js = ts.transpileModule(moduleSource(page), {
    fileName: page.file.replace(/\.md$/, '.ts'),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  writeFileSync(file, js);

  /** @type {string[][]} */
  const printed = page.blocks.map(() => []);
  let current = 0;
  const log = console.log;
  const globals = /** @type {Record<string, unknown>} */ (globalThis);
  globals[BLOCK_MARK] = (/** @type {number} */ n) => (current = n);
  console.log = (...args) => {
    const text = format(...args);
    const index = Math.max(current, 1) - 1; // imports run before block 1 begins
    printed[index].push(...text.split('\n'));
    onPrint?.(text, page.blocks[index]);
  };
  const started = performance.now();
  try {
    await import(pathToFileURL(file).href);
  } catch (e) {
    const block = page.blocks[current - 1];
    const where = block ? `block ${block.number}, docs/tutorials/${page.file}:${block.line}` : page.file;
    throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    console.log = log;
    delete globals[BLOCK_MARK];
    rmSync(dir, { recursive: true, force: true });
  }
  return { printed, seconds: (performance.now() - started) / 1000 };
}

/** Lines without trailing spaces, and without blank lines at either end. */
function trimmed(/** @type {string[]} */ lines) {
  const out = lines.map((l) => l.trimEnd());
  while (out.length && out[0] === '') out.shift();
  while (out.length && out.at(-1) === '') out.pop();
  return out;
}

/** `⟨…⟩` placeholders, as in the module comment. */
const PLACEHOLDER = /⟨([^⟩]*)⟩/g;

/**
 * Whether a printed line matches a sample line (see the module comment for placeholders).
 * @param {string} sample
 * @param {string} line
 */
export function lineMatches(sample, line) {
  /** @type {([number, number] | undefined)[]} */
  const ranges = [];
  let pattern = '';
  let last = 0;
  for (const m of sample.matchAll(PLACEHOLDER)) {
    pattern += escapeRegExp(sample.slice(last, m.index));
    const range = /^(\d+)\.\.(\d+)$/.exec(m[1]);
    pattern += range ? '(\\d+)' : '(.+?)';
    ranges.push(range ? [Number(range[1]), Number(range[2])] : undefined);
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(sample.slice(last));
  const match = new RegExp(`^${pattern}$`, 'u').exec(line);
  if (!match) return false;
  return ranges.every((range, i) => range === undefined || (Number(match[i + 1]) >= range[0] && Number(match[i + 1]) <= range[1]));
}

function escapeRegExp(/** @type {string} */ text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compares a sample output with what a block printed; undefined when they match, else
 * what differs first.
 * @param {string} sample
 * @param {string[]} printed
 * @returns {string | undefined}
 */
export function compareOutput(sample, printed) {
  const want = trimmed(sample.split('\n'));
  const got = trimmed(printed);
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === undefined) return `printed more lines than the sample shows, from: ${JSON.stringify(got[i])}`;
    if (got[i] === undefined) return `printed fewer lines than the sample shows, none for: ${JSON.stringify(want[i])}`;
    if (!lineMatches(want[i], got[i])) return `line ${i + 1} of the sample: ${JSON.stringify(want[i])}, printed: ${JSON.stringify(got[i])}`;
  }
  return undefined;
}

/**
 * Every sample output of a page that differs from a run, as `page:line: what differs`.
 */
export function outputMismatches(page, run) {
  return page.outputs.flatMap((o) => {
    const difference = compareOutput(o.text, run.printed[o.after - 1]);
    return difference === undefined ? [] : [`docs/tutorials/${page.file}:${o.line} (output of block ${o.after}): ${difference}`];
  });
}

/**
 * Reads and parses a page of docs/tutorials/.
 * @param {string} file
 */
export function readPage(file) {
  return parsePage(readFileSync(join(tutorialsDir, file), 'utf8'), file);
}
