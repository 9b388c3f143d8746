/**
 * Shared session ticket keys (`ticketKeys`): the file format and every way it can be
 * wrong (never showing a key), its mode, and two terminators with the same file
 * resuming each other's sessions, through a rotation done by reload (SIGHUP).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_TICKET_KEYS, TicketKeysError, formatTicketKeys, parseTicketKeys, readTicketKeys, startTerminator, type Terminator } from '../src/index.js';
import { makePki, startUpstream, type TestPki, type Upstream } from './helpers.js';

const key = (byte: number) => new Uint8Array(32).fill(byte);
const hex = (byte: number) => Buffer.from(key(byte)).toString('hex');

let pki: TestPki;
let upstream: Upstream;

beforeAll(async () => {
  pki = makePki();
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream?.close();
  pki?.cleanup();
});

/** Writes a keys file as an operator should: a new file with mode 0600, renamed over the old. */
function writeKeys(file: string, keys: Uint8Array[], mode = 0o600): void {
  writeFileSync(`${file}.new`, formatTicketKeys(keys), { mode });
  chmodSync(`${file}.new`, mode);
  renameSync(`${file}.new`, file);
}

describe('the file format', () => {
  test('the version line, then one key per line; comments, blank lines and CRLF are fine', () => {
    const text = `# shared by the eu-west terminators\r\n\nlucid-ticket-keys v1\r\n${hex(1)}\n  ${hex(2).toUpperCase()}  \n# the end\n`;
    expect(parseTicketKeys(text)).toEqual([key(1), key(2)]);
    expect(parseTicketKeys(formatTicketKeys([key(3)]))).toEqual([key(3)]);
  });

  test.each([
    ['no version line', `${hex(1)}\n`, /the first line must be "lucid-ticket-keys v1"/],
    ['another version', `lucid-ticket-keys v2\n${hex(1)}\n`, /the first line must be/],
    ['no key', 'lucid-ticket-keys v1\n# nothing yet\n', /no key/],
    ['a short key', `lucid-ticket-keys v1\n${hex(1).slice(2)}\n`, /line 2: a key is 64 hex digits/],
    ['a long key', `lucid-ticket-keys v1\n${hex(1)}00\n`, /line 2: a key is 64 hex digits/],
    ['not hex', `lucid-ticket-keys v1\n${hex(1).slice(1)}g\n`, /line 2: a key is 64 hex digits/],
    ['base64', `lucid-ticket-keys v1\n${Buffer.from(key(1)).toString('base64')}\n`, /line 2: a key is 64 hex digits/],
    ['the same key twice', `lucid-ticket-keys v1\n${hex(1)}\n\n${hex(1)}\n`, /line 4: the same key twice/],
    ['too many keys', `lucid-ticket-keys v1\n${Array.from({ length: MAX_TICKET_KEYS + 1 }, (_, i) => hex(i + 1)).join('\n')}\n`, /17 keys, at most 16/],
  ])('refused: %s, and the message shows no key', (_, text, message) => {
    let error: unknown;
    try {
      parseTicketKeys(text, 'keys.txt');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TicketKeysError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^keys\.txt/);
    // Not a single byte of any key, in hex or base64.
    for (const line of text.split('\n').filter((l) => l.length >= 16 && !l.startsWith('lucid'))) {
      expect((error as Error).message).not.toContain(line.trim().slice(0, 16));
    }
  });

  test('the file: mode 0600 required (group or other access refused), a regular file, read whole', () => {
    const dir = join(pki.dir, 'modes');
    mkdirSync(dir);
    const file = join(dir, 'keys');
    writeKeys(file, [key(1), key(2)]);
    expect(readTicketKeys(file)).toEqual([key(1), key(2)]);
    for (const mode of [0o644, 0o640, 0o604]) {
      writeKeys(file, [key(1)], mode);
      expect(() => readTicketKeys(file)).toThrow(new RegExp(`mode is 0${mode.toString(8)}; make it 0600`));
    }
    expect(() => readTicketKeys(dir)).toThrow(/not a regular file/);
    expect(() => readTicketKeys(join(dir, 'absent'))).toThrow(/cannot open: ENOENT/);
  });
});

describe('terminators sharing a keys file', () => {
  /** A TLS session from `port` (Node's client), or whether `session` was resumed there. */
  function connect(port: number, session?: Buffer): Promise<{ session: Buffer; reused: boolean }> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.certPem, ...(session ? { session } : {}) });
      socket.once('session', (s: Buffer) => {
        resolve({ session: s, reused: socket.isSessionReused() });
        socket.destroy();
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no session ticket')), 5000).unref();
    });
  }

  const start = (ticketKeys: string | undefined): Promise<Terminator> =>
    startTerminator(
      { listen: '127.0.0.1:0', upstream: upstream.url, certificates: [{ cert: pki.localhost.cert, key: pki.localhost.key }], accessLog: false, watchCertificates: false, ...(ticketKeys ? { ticketKeys } : {}) },
      { logger: () => {} },
    );

  test('a session from one resumes on the other; a rotation by reload keeps old tickets until their key goes', async () => {
    const file = join(pki.dir, 'shared-keys');
    writeKeys(file, [key(1)]);
    const [a, b, stranger] = await Promise.all([start(file), start(file), start(undefined)]);
    try {
      const fromA = await connect(a.address.port);
      expect((await connect(b.address.port, fromA.session)).reused).toBe(true);
      expect((await connect(stranger.address.port, fromA.session)).reused).toBe(false);

      // Step 1 and 2 of a rotation at once on A, B still on the old key alone: A seals with key 2.
      writeKeys(file, [key(2), key(1)]);
      expect(a.reload()).toMatchObject({ ok: true, ticketKeys: 2 });
      expect((await connect(a.address.port, fromA.session)).reused).toBe(true); // key 1 still opens
      const fromRotatedA = await connect(a.address.port);
      expect((await connect(b.address.port, fromRotatedA.session)).reused).toBe(false); // B lacks key 2: why step 1 comes first everywhere
      expect(b.reload()).toMatchObject({ ok: true, ticketKeys: 2 });
      expect((await connect(b.address.port, fromRotatedA.session)).reused).toBe(true);

      // A broken file: the reload fails and the keys in use stay.
      writeFileSync(file, 'lucid-ticket-keys v1\nnot a key\n', { mode: 0o600 });
      const failed = b.reload();
      expect(failed.ok).toBe(false);
      expect(failed.error).toMatch(/line 2: a key is 64 hex digits/);
      expect((await connect(b.address.port, fromA.session)).reused).toBe(true);

      // Step 3: key 1 retired.
      writeKeys(file, [key(2)]);
      b.reload();
      expect((await connect(b.address.port, fromA.session)).reused).toBe(false);
      expect((await connect(b.address.port, fromRotatedA.session)).reused).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), stranger.close()]);
    }
  });

  test('a terminator does not start with an unusable keys file', async () => {
    const file = join(pki.dir, 'open-keys');
    writeKeys(file, [randomBytes(32)], 0o644);
    await expect(start(file)).rejects.toThrow(TicketKeysError);
  });
});
