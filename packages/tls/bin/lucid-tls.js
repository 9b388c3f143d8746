#!/usr/bin/env node
// The `lucid-tls` command. The TypeScript sources are compiled to dist/ by `pnpm build`
// (run automatically by `pnpm install` at the repository root).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
