/**
 * When to renew. A certificate is renewed when two thirds of its lifetime have passed
 * (day 60 of 90, as Let's Encrypt advises), so a failed renewal has a third of the lifetime
 * to be noticed and retried. A little random jitter, always earlier, keeps many servers
 * that got their certificates at the same moment from all renewing at the same moment.
 * @module
 */

/** The fraction of the lifetime after which a certificate is renewed. */
export const RENEWAL_POINT = 2 / 3;

/**
 * The largest jitter, as a fraction of the lifetime: renewal happens somewhere in the
 * last 5% before the two-thirds point (three days of a 90-day certificate).
 *
 * @example
 * ```ts
 * import { RENEWAL_JITTER } from '@lucid-tls/acme';
 * console.log(Math.round(RENEWAL_JITTER * 90 * 24)); // → 108
 * ```
 */
export const RENEWAL_JITTER = 0.05;

/**
 * The time to renew a certificate: notBefore + two thirds of the lifetime, minus up to
 * {@link RENEWAL_JITTER} of it. `random` (in [0, 1)) chooses where in the jitter window;
 * pass `() => 0` for the two-thirds point exactly.
 *
 * @example
 * ```ts
 * import { renewalTime } from '@lucid-tls/acme';
 * const certificate = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') }; // 90 days
 * console.log(renewalTime(certificate, () => 0).toISOString()); // → 2026-03-02T00:00:00.000Z
 * console.log(renewalTime(certificate, () => 0.5).toISOString()); // → 2026-02-27T18:00:00.000Z
 * ```
 */
export function renewalTime(certificate: { notBefore: Date; notAfter: Date }, random: () => number = Math.random): Date {
  const start = certificate.notBefore.getTime();
  const lifetime = certificate.notAfter.getTime() - start;
  return new Date(start + lifetime * (RENEWAL_POINT - RENEWAL_JITTER * random()));
}

/**
 * Whether a certificate is due for renewal at `now`: with `daysBefore`, when fewer days than
 * that are left; otherwise from the two-thirds point (no jitter: a command run from cron
 * should give the same answer twice).
 *
 * @example
 * ```ts
 * import { isDueForRenewal } from '@lucid-tls/acme';
 * const certificate = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') };
 * const march10 = new Date('2026-03-10T00:00:00Z'); // 22 days left
 * console.log(isDueForRenewal(certificate, march10), isDueForRenewal(certificate, march10, 14)); // → true false
 * ```
 */
export function isDueForRenewal(certificate: { notBefore: Date; notAfter: Date }, now: Date = new Date(), daysBefore?: number): boolean {
  if (daysBefore !== undefined) return certificate.notAfter.getTime() - now.getTime() < daysBefore * 86_400_000;
  return now.getTime() >= renewalTime(certificate, () => 0).getTime();
}
