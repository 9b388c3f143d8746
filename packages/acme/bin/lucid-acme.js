#!/usr/bin/env node
// `lucid-acme` is `lucid-tls acme` on its own; the TypeScript sources are compiled to dist/ by `pnpm build`.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
