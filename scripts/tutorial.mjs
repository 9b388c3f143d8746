#!/usr/bin/env node
// `pnpm tutorial N`: runs tutorial N of docs/tutorials/, printing as it runs, then checks what
// it printed against the page's sample outputs. scripts/tutorials.mjs does the work; the test
// suite (test/docs/tutorials.test.ts) runs every page the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTutorial, moduleSource, outputMismatches, readPage, runPage, tutorialFiles, tutorialsDir } from './tutorials.mjs';

function title(file) {
  const heading = /^# (.*)$/m.exec(readFileSync(join(tutorialsDir, file), 'utf8'));
  return heading ? heading[1] : file;
}

function usage() {
  const list = tutorialFiles().map((f) => `  ${String(Number(f.split('-')[0])).padStart(2)}  ${title(f)}`);
  return `usage: pnpm tutorial N [--source]

Runs tutorial N's code blocks in order (the build must be done: pnpm install does it),
printing as they run, then checks the output against the page's sample outputs.
  --source   print the tutorial's program instead of running it

tutorials:
${list.join('\n')}
`;
}

// `pnpm tutorial 1 | head`: the reader has seen enough; stop quietly.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const args = process.argv.slice(2);
const which = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage());
  process.exit(0);
}
const file = which.length === 1 ? findTutorial(which[0]) : undefined;
if (file === undefined || flags.some((f) => f !== '--source')) {
  process.stderr.write(`${which.length === 1 && file === undefined ? `no tutorial ${which[0]}\n` : ''}${usage()}`);
  process.exit(2);
}

const page = readPage(file);
if (flags.includes('--source')) {
  process.stdout.write(moduleSource(page, { marks: false }));
  process.exit(0);
}

const dim = (text, stream = process.stdout) => (stream.isTTY ? `\x1b[2m${text}\x1b[22m` : text);
let shownSection;
try {
  const run = await runPage(page, {
    onPrint(text, block) {
      if (block.section !== shownSection) {
        shownSection = block.section;
        process.stdout.write(dim(`\n── ${block.section || title(file)} ──\n`));
      }
      process.stdout.write(`${text}\n`);
    },
  });
  await new Promise((resolve) => setImmediate(resolve)); // a closed stdout (EPIPE, above) ends here
  const mismatches = outputMismatches(page, run);
  if (mismatches.length > 0) {
    process.stderr.write(`\nThis run printed something other than the page's sample output:\n${mismatches.map((m) => `  ${m}`).join('\n')}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(dim(`\n${file}: ran in ${run.seconds.toFixed(1)} s; what it printed matches the page's ${page.outputs.length} sample output(s).\n`, process.stderr));
  }
} catch (e) {
  process.stderr.write(`\n${file} failed in ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof Error && e.cause instanceof Error && !(e.cause.name === 'AssertionError')) process.stderr.write(`${e.cause.stack}\n`);
  process.exitCode = 1;
}
