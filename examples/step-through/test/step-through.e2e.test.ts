/**
 * The step-through page, end to end: Vite builds it, a small static server serves it on
 * loopback, and headless Chromium (Debian's, /usr/bin/chromium) clicks through handshakes
 * and reads what is on screen. Set STEP_THROUGH_SCREENSHOTS=DIR to keep screenshots.
 *
 * Without Chromium the tests are skipped on a developer's machine, but fail in CI (CI=true).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const PAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const VITE = join(PAGE_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
const screenshots = process.env.STEP_THROUGH_SCREENSHOTS;
/** How long to wait for the page to show something (a slow CI machine makes keys slowly). */
const POLL = { timeout: 10_000 };

const runnable = existsSync(CHROMIUM) || !!process.env.CI;

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

describe.skipIf(!runnable)('the step-through page in Chromium', () => {
  let outDir: string;
  let server: Server | undefined;
  let url: string;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'step-through-'));
    await promisify(execFile)(process.execPath, [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: PAGE_DIR,
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 120_000,
    });
    ({ server, url } = await serve(outDir));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    if (screenshots) mkdirSync(screenshots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    rmSync(outDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    errors = [];
    page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
  });

  afterEach(async () => {
    await page.close();
    expect(errors).toEqual([]);
  });

  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

  /** Clicks "next" until it is disabled (nothing more to deliver); returns how many times it clicked. */
  async function clickThrough(shot?: string): Promise<number> {
    const before = await byTestId('step').count();
    for (let clicks = 0; clicks < 20; clicks++) {
      if (await byTestId('next').isDisabled()) return clicks;
      await byTestId('next').click();
      await expect.poll(() => byTestId('step').count(), POLL).toBe(before + clicks + 1);
      if (shot && screenshots && clicks === 1) await page.screenshot({ path: join(screenshots, `${shot}-flight-2.png`) });
    }
    throw new Error('the handshake did not end within 20 flights');
  }

  /** The titles of the flights on screen. */
  const titles = () => byTestId('step-title').allTextContents();

  it('steps through a full handshake, flight by flight', async () => {
    expect(await byTestId('in-flight').textContent()).toMatch(/^On the wire: client → server, \d+ bytes: ClientHello\. Press next to deliver it\.$/);
    await byTestId('next').click();
    // The first flight: the client's ClientHello, and the server taking it in.
    const first = byTestId('step').first();
    await expect.poll(() => first.locator('[data-testid="step-title"]').textContent(), POLL).toBe('Flight 1 client → server ClientHello');
    expect(await first.textContent()).toContain('client sends ClientHello');
    expect(await first.locator('.lt-message[data-type="ClientHello"] .name', { hasText: 'legacy_version' }).count()).toBe(1);
    expect(await byTestId('handshake-status').textContent()).toBe('handshake in progress');
    // The server answered at once: its flight is on the wire, and it waits for the client's Finished.
    expect(await byTestId('in-flight').textContent()).toMatch(/server → client, \d+ bytes: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished\./);
    expect(await byTestId('server-state').textContent()).toBe('ExpectFinished');
    expect(await byTestId('client-state').textContent()).toBe('ExpectServerHello');

    const flights = 1 + (await clickThrough('full'));
    expect(flights).toBe(6);
    expect(await titles()).toEqual([
      'Flight 1 client → server ClientHello',
      'Flight 2 server → client ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
      'Flight 3 client → server Finished',
      'Flight 4 server → client NewSessionTicket',
      'Flight 5 client → server application data',
      'Flight 6 server → client application data',
    ]);
    // EncryptedExtensions (§4.3.1): the extensions that are not needed to establish the keys,
    // explained as such and shown field by field, as the server wrote them.
    const flight2 = byTestId('step').nth(1);
    const eeExplanation = await flight2.locator('.explanations li', { hasText: /^EncryptedExtensions:/ }).innerText();
    expect(eeExplanation).toMatch(/^EncryptedExtensions: The server’s answers to the client’s extensions that are not needed to establish the keys: .*ALPN.*\(§4\.3\.1\)\.$/);
    const ee = flight2.locator('.lt-message[data-type="EncryptedExtensions"]').first();
    expect(await ee.locator('summary').first().innerText()).toMatch(/^server sends EncryptedExtensions 25 bytes RFC 8446 §4\.3\.1$/);
    const rows = await ee.locator('.row:not(.raw-row)').evaluateAll((all) =>
      all.map((row) => [row.querySelector('.name')?.textContent, (row.querySelector('.hex') ?? row.querySelector('.size'))?.textContent, row.querySelector('.value')?.textContent ?? ''].join(' | ')),
    );
    expect(rows).toEqual([
      'msg_type | 08 | encrypted_extensions (8)',
      'length | 00 00 15 | 21',
      'extensions | 21 bytes | ',
      'length | 00 13 | 19',
      'Extension | 4 bytes | server_name',
      'extension_type | 00 00 | server_name',
      'extension_data | 2 bytes | ',
      'length | 00 00 | 0',
      'Extension | 15 bytes | application_layer_protocol_negotiation',
      'extension_type | 00 10 | application_layer_protocol_negotiation',
      'extension_data | 13 bytes | ',
      'length | 00 0b | 11',
      'protocol_name_list | 11 bytes | ',
      'length | 00 09 | 9',
      'ProtocolName | 9 bytes | http/1.1',
      'length | 08 | 8',
      'data | 68 74 74 70 2f 31 2e 31 | ',
    ]);
    const eeText = (await ee.textContent()) ?? '';
    expect(eeText).toContain('Empty: the server tells the client it used the name the client sent.');
    expect(eeText).toContain('The one application protocol the server chose from the client’s list.');

    // Each event is one line until opened: what is folded is in the page, not on screen.
    const text = (await byTestId('steps').textContent()) ?? '';
    for (const message of ['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'NewSessionTicket']) {
      expect(text).toContain(`sends ${message}`);
    }
    for (const label of ['“c hs traffic”', '“s hs traffic”', '“c ap traffic”', '“s ap traffic”', '“finished”']) expect(text).toContain(label);
    expect(text).toContain('Decrypted: handshake content');
    expect(text).toContain('Decrypted: application_data content');
    expect(text).toContain('client state: ExpectServerHello → ExpectEncryptedExtensions');
    // The data each side read, decrypted.
    const delivered = await byTestId('delivered').allInnerTexts();
    expect(delivered[0]).toMatch(/^The server read application data:\s+GET \/ HTTP\/1\.1\s+Host: server\.example/);
    expect(delivered[1]).toContain('Hello from a TLS 1.3 server running in your browser!');

    expect(await byTestId('handshake-status').textContent()).toBe('handshake complete');
    expect(await byTestId('client-state').textContent()).toBe('Connected');
    expect(await byTestId('server-state').textContent()).toBe('Connected');
    const summary = await byTestId('summary').innerText();
    expect(summary).toContain('TLS_AES_128_GCM_SHA256');
    expect(summary).toContain('x25519');
    expect(summary).toContain('ecdsa_secp256r1_sha256');
    expect(summary).toMatch(/application protocol \(ALPN\)\s+http\/1\.1/);
    expect(await byTestId('ladder').locator('li').count()).toBe(6);
    expect(await byTestId('step-counter').textContent()).toBe('6 flights delivered · nothing more to send');
    if (screenshots) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(screenshots, 'full-top.png') });
    }

    // Reset starts again.
    await byTestId('reset').click();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    expect(await byTestId('step').count()).toBe(0);
  });

  it('shows what the handshake costs in time, for the round trip the reader picks', async () => {
    const box = byTestId('timeline-box');
    const summaryText = () => box.locator('.lt-timeline-summary').textContent();
    expect(await summaryText()).toBe('The first application byte can leave the client at 200 ms; the first byte of the answer arrives after 300 ms: 3 round trips, TCP’s included.');
    // Nothing delivered yet: every flight is still to come.
    expect(await box.locator('.flight.pending').count()).toBe(3);
    await byTestId('next').click();
    await expect.poll(() => box.locator('.flight.pending').count(), POLL).toBe(2);
    // A satellite link: the same round trips, three times the time.
    await box.locator('[data-rtt-slider]').fill('3');
    expect(await box.locator('output').textContent()).toBe('300 ms: a satellite link');
    expect(await summaryText()).toContain('the first byte of the answer arrives after 900 ms');
    const rows = await byTestId('modes').locator('tbody tr').evaluateAll((all) => all.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent).join(' | ')));
    expect(rows).toEqual(['full handshake (this one) | 3 | 900 ms', 'with a HelloRetryRequest | 4 | 1200 ms', 'resumed | 3 | 900 ms', 'resumed with 0-RTT data | 2 | 600 ms', 'TLS 1.2, full handshake | 4 | 1200 ms', 'TLS 1.2, resumed | 3 | 900 ms']);
    // The slider stays where it was as the flights go on.
    await byTestId('next').click();
    await expect.poll(() => box.locator('.flight.pending').count(), POLL).toBe(1);
    expect(await box.locator('output').textContent()).toBe('300 ms: a satellite link');
  });

  it('folds every event to one line, shows keys, certificates and commands when opened', async () => {
    await byTestId('run-all').click();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('handshake complete');
    const steps = byTestId('steps');
    const openEvents = () => steps.locator('details.lt-event[open], details.lt-secrets[open]').count();
    expect(await openEvents()).toBe(0);
    // The server makes its key share in the flight that carries it.
    expect(await byTestId('step').nth(0).locator('[data-name="server_x25519_private"]').count()).toBe(0);
    expect(await byTestId('step').nth(1).locator('[data-name="server_x25519_private"]').count()).toBe(1);
    await byTestId('expand-all').click();
    expect(await openEvents()).toBeGreaterThan(20);
    const certificate = steps.locator('.lt-message[data-type="Certificate"]').first();
    expect(await certificate.innerText()).toMatch(/subjectAltName\s+30 [0-9a-f\s]+dns:server\.example/);
    expect(await certificate.innerText()).toMatch(/issuer\s+30 [0-9a-f\s]+O=Lucid TLS step-through, CN=Step-through demo CA/);
    const record = steps.locator('.lt-record[data-protected="true"]').first();
    expect(await record.innerText()).toMatch(/sealed with\s+AES-128-GCM\s+keys from server_handshake_traffic_secret/);
    expect(await steps.locator('pre.command').count()).toBeGreaterThan(20);
    await byTestId('collapse-all').click();
    expect(await steps.locator('details[open]').count()).toBe(0);
  });

  it('reads on a phone: 400 px wide, nothing wider than the screen, even opened', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await byTestId('run-all').click();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('handshake complete');
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(400);
    await byTestId('expand-all').click();
    expect(await width()).toBeLessThanOrEqual(400);
    // Folded, the page is a few screens long; the flights' ladder gives way to the timeline.
    await byTestId('collapse-all').click();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(10 * 800);
    expect(await page.locator('nav.flights').isVisible()).toBe(false);
  });

  it('shows a HelloRetryRequest when the client guesses the wrong group', async () => {
    await byTestId('hello-retry').check();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    await clickThrough('hrr');
    const all = await titles();
    expect(all.slice(0, 4)).toEqual([
      'Flight 1 client → server ClientHello',
      'Flight 2 server → client HelloRetryRequest',
      'Flight 3 client → server ClientHello',
      'Flight 4 server → client ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
    ]);
    expect(await byTestId('steps').textContent()).toContain('server sends HelloRetryRequest');
    expect(await byTestId('handshake-status').textContent()).toBe('handshake complete');
    expect(await byTestId('summary').innerText()).toMatch(/HelloRetryRequest\s+yes/);
  });

  it('resumes a session with 0-RTT data, under the chosen suite and group', async () => {
    await byTestId('cipher-suite').selectOption('TLS_CHACHA20_POLY1305_SHA256');
    await byTestId('group').selectOption('secp256r1');
    await byTestId('resumption').check();
    await byTestId('early-data').check();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    await byTestId('run-all').click();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('handshake complete');
    const all = await titles();
    expect(all[0]).toBe('Flight 1 client → server ClientHello, early data');
    expect(all[1]).toBe('Flight 2 server → client ServerHello, EncryptedExtensions, Finished, application data');
    expect(all[2]).toBe('Flight 3 client → server EndOfEarlyData, Finished');
    const text = (await byTestId('steps').textContent()) ?? '';
    expect(text).toContain('“c e traffic”');
    expect(text).toContain('The server read 0-RTT early data:');
    const summary = await byTestId('summary').innerText();
    expect(summary).toContain('TLS_CHACHA20_POLY1305_SHA256');
    expect(summary).toContain('secp256r1');
    expect(summary).toMatch(/resumed\s+yes/);
    expect(summary).toMatch(/early data\s+accepted/);
  });

  it('sends a client certificate when the server asks for one', async () => {
    await byTestId('client-certificate').check();
    await byTestId('server-key').selectOption('ed25519');
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    await clickThrough();
    const all = await titles();
    expect(all[1]).toBe('Flight 2 server → client ServerHello, EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished');
    expect(all[2]).toBe('Flight 3 client → server Certificate, CertificateVerify, Finished');
    const summary = await byTestId('summary').innerText();
    expect(summary).toMatch(/client certificate\s+sent and verified/);
    expect(summary).toContain('ed25519');
  });

  it('steps through a TLS 1.2 handshake, flight by flight, with its own explanations', async () => {
    await byTestId('version').selectOption('TLSv1.2');
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    expect(await byTestId('hello-retry').isDisabled()).toBe(true);
    expect(await byTestId('early-data').isDisabled()).toBe(true);
    await clickThrough('tls12');
    expect(await titles()).toEqual([
      'Flight 1 client → server ClientHello',
      'Flight 2 server → client ServerHello, Certificate, ServerKeyExchange, ServerHelloDone',
      'Flight 3 client → server ClientKeyExchange, change_cipher_spec, Finished',
      'Flight 4 server → client NewSessionTicket, change_cipher_spec, Finished',
      'Flight 5 client → server application data',
      'Flight 6 server → client application data',
    ]);
    const flight2 = byTestId('step').nth(1);
    expect(await flight2.locator('.explanations li', { hasText: /^ServerKeyExchange:/ }).innerText()).toMatch(/the round trip TLS 1\.3 saves\.$/);
    expect(await flight2.locator('.explanations li', { hasText: /^Certificate:/ }).innerText()).toMatch(/in plaintext/);
    await byTestId('expand-all').click(); // the events are folded to a line each
    // The HTML trace reads TLS 1.2 records: the real type in the header, no inner type.
    expect(await byTestId('step').nth(2).innerText()).toContain('TLS 1.2 shows the real type, even in a protected record.');
    // The secrets of RFC 5246 and RFC 7627, under their labels, in the flight that makes them.
    const flight3 = await byTestId('step').nth(2).innerText();
    for (const label of ['“extended master secret”', '“key expansion”']) expect(flight3).toContain(label);
    const summary = await byTestId('summary').innerText();
    expect(summary).toMatch(/protocol\s+TLSv1\.2/);
    expect(summary).toContain('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  });

  it('resumes a TLS 1.2 session from its ticket with an RSA certificate: one round trip, no certificate, no key exchange', async () => {
    await byTestId('version').selectOption('TLSv1.2');
    await byTestId('server-key').selectOption('rsa');
    await byTestId('cipher-suite').selectOption('TLS_AES_256_GCM_SHA384');
    await byTestId('resumption').check();
    await expect.poll(() => byTestId('handshake-status').textContent(), POLL).toBe('ready: press next');
    await clickThrough('tls12-resumed');
    expect(await titles()).toEqual([
      'Flight 1 client → server ClientHello',
      'Flight 2 server → client ServerHello, change_cipher_spec, Finished',
      'Flight 3 client → server change_cipher_spec, Finished',
      'Flight 4 client → server application data',
      'Flight 5 server → client application data',
    ]);
    await byTestId('expand-all').click();
    const text = await byTestId('steps').innerText();
    expect(text).toContain('“key expansion”');
    expect(text).not.toContain('sends ServerKeyExchange');
    const summary = await byTestId('summary').innerText();
    expect(summary).toMatch(/protocol\s+TLSv1\.2/);
    expect(summary).toContain('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(summary).toMatch(/resumed\s+yes/);
    expect(summary).toMatch(/server signature\s+none: resumed with the session’s master secret/);
  });
});
