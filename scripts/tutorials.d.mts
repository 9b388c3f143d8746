// Types of tutorials.mjs (a plain ES module, so that `pnpm tutorial` needs no build step).

/** A ```ts block of a page. */
export interface CodeBlock {
  /** 1-based, in page order. */
  number: number;
  /** The page line of the opening fence. */
  line: number;
  /** The `## ` heading the block is under ('' before the first). */
  section: string;
  code: string;
}

/** A ```text output block: what the code block before it printed. */
export interface OutputBlock {
  /** The number of the code block whose output it shows. */
  after: number;
  /** The page line of the opening fence. */
  line: number;
  text: string;
}

/** A tutorial page as a program. */
export interface Page {
  /** E.g. `01-first-handshake.md`. */
  file: string;
  blocks: CodeBlock[];
  outputs: OutputBlock[];
}

/** What a run printed, block by block (index 0: block 1), and how long it took. */
export interface RunResult {
  printed: string[][];
  seconds: number;
}

export const root: string;
export const tutorialsDir: string;
export function tutorialFiles(): string[];
export function findTutorial(which: string): string | undefined;
export function parsePage(markdown: string, file?: string): Page;
export function readPage(file: string): Page;
export function moduleSource(page: Page, options?: { marks?: boolean }): string;
export function runDirectory(): string;
export function runPage(page: Page, options?: { onPrint?: (text: string, block: CodeBlock) => void }): Promise<RunResult>;
export function lineMatches(sample: string, line: string): boolean;
export function compareOutput(sample: string, printed: string[]): string | undefined;
export function outputMismatches(page: Page, run: RunResult): string[];
