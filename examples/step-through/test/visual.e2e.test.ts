/**
 * Visual regression: the step-through page in headless Chromium (Debian's, /usr/bin/chromium)
 * at 400 px and 1280 px wide, screenshotted before the first flight and after each of the six
 * flights of a full handshake, compared with the images committed in test/screenshots/.
 *
 * The comparison is tolerant, because a handshake's keys, signatures and so a few byte counts
 * on screen change from run to run, and a font can render a little differently from one
 * machine to another: a pixel differs when one of its channels is more than PIXEL_THRESHOLD
 * off, and a screenshot fails when more than MAX_DIFFERING of its pixels differ. Layout
 * breakage (a column that overflows, a section gone, text that no longer wraps) moves far
 * more than that. A failure writes the screenshot and a diff image (differing pixels in red
 * over a faded copy) to test/screenshots/failures/ and names them.
 *
 * The images are decoded and compared by Chromium itself (in a canvas), so the test needs no
 * image library. To make the reference images again, on Debian 12 with its chromium package
 * (as CI runs):
 *
 *     UPDATE_SCREENSHOTS=1 pnpm exec vitest run examples/step-through/test/visual.e2e.test.ts
 *
 * Without Chromium the test is skipped, except in CI (CI=true), where it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--hide-scrollbars', '--font-render-hinting=none'];
const PAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const VITE = join(PAGE_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
const REFERENCES = join(PAGE_DIR, 'test', 'screenshots');
const FAILURES = join(REFERENCES, 'failures');
const update = process.env.UPDATE_SCREENSHOTS === '1';
const runnable = existsSync(CHROMIUM) || !!process.env.CI;

/** A pixel differs when a channel (0–255) is further off than this: antialiasing stays under it. */
const PIXEL_THRESHOLD = 48;
/** A screenshot fails when more than this fraction of its pixels differ (a few changed digits stay well under it). */
const MAX_DIFFERING = 0.005;
const WIDTHS = [400, 1280];
const HEIGHT = 900;
const FLIGHTS = 6;

/** Serves the files of `root` on 127.0.0.1, on a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** How two PNGs compare: the share of differing pixels, and an image of where they differ. */
interface Comparison {
  differing: number;
  total: number;
  sameSize: boolean;
  diffPng: Buffer;
}

/**
 * Compares two PNGs in the browser: both are drawn on canvases of the larger size (what
 * one image lacks counts as differing), pixel by pixel.
 */
async function compare(page: Page, actual: Buffer, expected: Buffer, threshold: number): Promise<Comparison> {
  const result = await page.evaluate(
    async ({ actual, expected, threshold }) => {
      const load = (b64: string) =>
        new Promise<HTMLImageElement>((done, fail) => {
          const image = new Image();
          image.onload = () => done(image);
          image.onerror = () => fail(new Error('not a PNG'));
          image.src = `data:image/png;base64,${b64}`;
        });
      const [a, e] = await Promise.all([load(actual), load(expected)]);
      const width = Math.max(a.width, e.width);
      const height = Math.max(a.height, e.height);
      const pixels = (image: HTMLImageElement) => {
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        return context.getImageData(0, 0, width, height).data;
      };
      const [pa, pe] = [pixels(a), pixels(e)];
      const diff = new OffscreenCanvas(width, height);
      const context = diff.getContext('2d')!;
      const out = context.createImageData(width, height);
      let differing = 0;
      for (let i = 0; i < pa.length; i += 4) {
        const off = Math.max(Math.abs(pa[i]! - pe[i]!), Math.abs(pa[i + 1]! - pe[i + 1]!), Math.abs(pa[i + 2]! - pe[i + 2]!), Math.abs(pa[i + 3]! - pe[i + 3]!));
        if (off > threshold) {
          differing++;
          out.data.set([230, 0, 0, 255], i);
        } else {
          // A faded grey copy of the screenshot, for orientation.
          const grey = 255 - (255 - (pa[i]! + pa[i + 1]! + pa[i + 2]!) / 3) * 0.25;
          out.data.set([grey, grey, grey, 255], i);
        }
      }
      context.putImageData(out, 0, 0);
      const blob = await diff.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { differing, total: width * height, sameSize: a.width === e.width && a.height === e.height, diff: btoa(binary) };
    },
    { actual: actual.toString('base64'), expected: expected.toString('base64'), threshold },
  );
  return { differing: result.differing, total: result.total, sameSize: result.sameSize, diffPng: Buffer.from(result.diff, 'base64') };
}

describe.skipIf(!runnable)('the step-through page looks as it did', () => {
  let outDir: string;
  let server: Server | undefined;
  let url: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'step-through-visual-'));
    await promisify(execFile)(process.execPath, [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: PAGE_DIR,
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 120_000,
    });
    ({ server, url } = await serve(outDir));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    mkdirSync(REFERENCES, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    rmSync(outDir, { recursive: true, force: true });
  });

  for (const width of WIDTHS) {
    it(`at ${width} px, before the first flight and after each one`, async () => {
      const page = await browser!.newPage({ viewport: { width, height: HEIGHT }, deviceScaleFactor: 1 });
      const comparer = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        page.setDefaultTimeout(15_000);
        await page.goto(url);
        const status = page.locator('[data-testid="handshake-status"]');
        await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('ready: press next');
        const failures: string[] = [];
        for (let flight = 0; flight <= FLIGHTS; flight++) {
          if (flight > 0) {
            await page.locator('[data-testid="next"]').click();
            await expect.poll(() => page.locator('[data-testid="step"]').count(), { timeout: 15_000 }).toBe(flight);
          }
          const name = `${width}-flight-${flight}.png`;
          const actual = await page.screenshot({ animations: 'disabled', caret: 'hide' });
          const reference = join(REFERENCES, name);
          if (update) {
            writeFileSync(reference, actual);
            continue;
          }
          if (!existsSync(reference)) {
            failures.push(`${name}: no reference image; make them with UPDATE_SCREENSHOTS=1 (see this file's header)`);
            continue;
          }
          const { differing, total, sameSize, diffPng } = await compare(comparer, actual, readFileSync(reference), PIXEL_THRESHOLD);
          if (differing / total > MAX_DIFFERING || !sameSize) {
            mkdirSync(FAILURES, { recursive: true });
            const [shot, diff] = [join(FAILURES, name), join(FAILURES, name.replace('.png', '-diff.png'))];
            writeFileSync(shot, actual);
            writeFileSync(diff, diffPng);
            failures.push(`${name}: ${differing} of ${total} pixels differ (${((100 * differing) / total).toFixed(2)}%, at most ${100 * MAX_DIFFERING}% allowed)${sameSize ? '' : ', and the size changed'}; see ${relative(process.cwd(), diff)} and ${relative(process.cwd(), shot)}`);
          }
        }
        expect(failures).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await comparer.close();
      }
    }, 120_000);
  }
});
