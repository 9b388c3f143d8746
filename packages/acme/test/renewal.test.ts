/** When to renew: two thirds into the lifetime, jittered earlier only; and the files written atomically. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RENEWAL_JITTER, RENEWAL_POINT, isDueForRenewal, renewalTime, writeFileAtomic } from '../src/index.js';

const DAY = 86_400_000;

describe('renewalTime', () => {
  it('lies in the last 5% of the lifetime before the two-thirds point, whatever the lifetime and the dice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1, max: 4000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (start, days, dice) => {
        const certificate = { notBefore: new Date(start), notAfter: new Date(start + days * DAY) };
        const at = (renewalTime(certificate, () => dice).getTime() - start) / (days * DAY);
        // A Date keeps whole milliseconds: allow one millisecond of the lifetime.
        const oneMs = 1 / (days * DAY);
        expect(at).toBeLessThanOrEqual(RENEWAL_POINT + 1e-9);
        expect(at).toBeGreaterThanOrEqual(RENEWAL_POINT - RENEWAL_JITTER - oneMs - 1e-9);
      }),
    );
  });

  it('spreads renewals with the default random source', () => {
    const certificate = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') };
    const times = new Set(Array.from({ length: 20 }, () => renewalTime(certificate).getTime()));
    expect(times.size).toBeGreaterThan(15);
  });

  it('isDueForRenewal: from the two-thirds point, or N days before expiry', () => {
    const certificate = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') };
    expect(isDueForRenewal(certificate, new Date('2026-03-01T23:59:59Z'))).toBe(false);
    expect(isDueForRenewal(certificate, new Date('2026-03-02T00:00:00Z'))).toBe(true);
    expect(isDueForRenewal(certificate, new Date('2026-03-20T00:00:00Z'), 10)).toBe(false);
    expect(isDueForRenewal(certificate, new Date('2026-03-23T00:00:01Z'), 9)).toBe(true);
  });
});

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-acme-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes with the mode asked for, replaces the old file whole, and leaves no temporary file', () => {
    const path = join(dir, 'key.pem');
    writeFileAtomic(path, 'first', 0o600);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileAtomic(path, 'second', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('fails without leaving anything when the directory does not exist', () => {
    expect(() => writeFileAtomic(join(dir, 'missing', 'cert.pem'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });
});
