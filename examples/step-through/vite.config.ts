/**
 * Vite builds the page: `pnpm --filter @lucid-tls/step-through dev` serves it,
 * `… build` writes it to `dist/` (relative paths: open it from any folder or server).
 * `@lucid-tls/tls`'s `browser` field swaps its system CA store (node:fs) for a browser stub.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { target: 'es2022' },
});
