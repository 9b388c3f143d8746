/**
 * The terminator's own certificates, from an ACME server (RFC 8555): at start, the
 * certificates stored in `acme.dir` that are still valid are served at once and the
 * missing ones are ordered; each is then renewed in the background two thirds into its
 * lifetime, with jitter (`renewalTime` of `@lucid-tls/acme`). A failed order is tried
 * again after a wait that doubles, from `acme.retryDelay` up to {@link MAX_RETRY_DELAY_MS}
 * (longer when the server says so with Retry-After, §6.6), while the old certificate keeps
 * serving.
 *
 * The manager talks to the ACME server and nothing else: where the challenges are
 * answered and where a new certificate goes are its hooks. In one process they are the
 * terminator's own listeners and certificate store; in a cluster the primary runs the
 * manager, and the hooks send challenges and certificates to every worker (cluster.ts).
 * @module
 */
import {
  AcmeClient,
  AcmeError,
  findAccount,
  newAccount,
  obtainCertificate,
  renewalTime,
  shortType,
  type ChallengeResponder,
  type ObtainedCertificate,
  type Problem,
} from '@lucid-tls/acme';
import { readFileSync } from 'node:fs';
import type { Certificate } from '@lucid-tls/tls/x509';
import type { ResolvedAcme } from './config.js';
import { AcmeStore, type ManagedCertificate } from './acme-store.js';
import type { Metrics } from './metrics.js';

/** The longest wait before a failed order is tried again. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/** The longest a timer can wait in Node (2^31 − 1 ms, about 24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long the ACME client waits between polls when the server gives no Retry-After. */
const POLL_INTERVAL_MS = 500;

/**
 * The wait before the `failures`-th retry of a failed order: `firstMs`, doubled at each
 * failure, at most {@link MAX_RETRY_DELAY_MS}, less up to 10% of jitter (so that servers
 * that failed together do not retry together); never sooner than the server's Retry-After.
 *
 * @example
 * ```ts
 * import { retryDelay } from '@lucid-tls/terminator';
 * console.log([1, 2, 3, 10].map((n) => retryDelay(n, 60_000, undefined, () => 0))); // → [ 60000, 120000, 240000, 3600000 ]
 * ```
 */
export function retryDelay(failures: number, firstMs: number, error: unknown, random: () => number = Math.random): number {
  const backoff = Math.min(firstMs * 2 ** Math.max(0, failures - 1), MAX_RETRY_DELAY_MS) * (1 - 0.1 * random());
  const serverSays = error instanceof AcmeError && error.retryAfter ? error.retryAfter.getTime() - Date.now() : 0;
  return Math.max(backoff, serverSays);
}

/**
 * One order, as the JSON log records it (a line with `"event": "acme-order"` among the
 * access log's lines).
 */
export interface AcmeOrderEntry {
  event: 'acme-order';
  /** When the order began (ISO 8601). */
  time: string;
  names: string[];
  challenge: string;
  /** `new`: no certificate to serve; `renewal`: one serves meanwhile. */
  kind: 'new' | 'renewal';
  result: 'valid' | 'failed';
  /** The order's and the certificate's URLs, when it got that far. */
  order: string | null;
  certificate: string | null;
  /** The new certificate's notAfter, and when it will be renewed. */
  notAfter: string | null;
  renewAt: string | null;
  /** The problem document of a failure (RFC 7807), and when the order is tried again. */
  error: Problem | null;
  retryAt: string | null;
  durationMs: number;
}

/** Where the manager's work goes. */
export interface AcmeHooks {
  /** Makes challenges answerable where the ACME server looks; resolves when they are. */
  responder: ChallengeResponder;
  /** Serves a certificate from now on (each one obtained, and each one loaded at start). */
  install(certificate: ManagedCertificate): void;
  /** Operational messages. */
  log(message: string): void;
  /** Each order, for the JSON log. */
  order(entry: AcmeOrderEntry): void;
  /** Where `lucid_acme_failures_total` is counted. */
  metrics: Metrics;
}

/** How the first round went: which certificates are served, which could not be had, and why. */
export interface AcmeStartResult {
  served: string[][];
  failed: { names: string[]; error: string }[];
}

/** What the manager knows of one certificate. */
interface Managed {
  names: string[];
  /** The certificate served now, if any. */
  current: Certificate | undefined;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  /** The error of the last order, if it failed. */
  lastError: string | undefined;
}

/** The ACME client of a terminator: one account, the certificates of `settings.certificates`. */
export class AcmeManager {
  private readonly store: AcmeStore;
  private readonly managed: Managed[];
  private client: AcmeClient | undefined;
  private account: Promise<AcmeClient> | undefined;
  private stopped = false;

  constructor(
    private readonly settings: ResolvedAcme,
    private readonly hooks: AcmeHooks,
  ) {
    this.store = new AcmeStore(settings.dir, settings.directory);
    this.store.prepare();
    this.managed = settings.certificates.map((names) => ({ names, current: undefined, failures: 0, timer: undefined, lastError: undefined }));
  }

  /**
   * Serves the stored certificates that can be (from this ACME server, naming every
   * name, not expired), before anything listens: the ACME server is not needed for them.
   */
  loadStored(): void {
    for (const managed of this.managed) {
      const stored = this.store.load(managed.names);
      if ('missing' in stored) {
        this.hooks.log(`acme: no certificate for ${managed.names.join(', ')} yet (${stored.missing})`);
        continue;
      }
      this.hooks.install(stored.certificate);
      managed.current = stored.loaded.leaf;
      this.hooks.log(`acme: serving the stored certificate for ${managed.names.join(', ')}, valid until ${stored.loaded.leaf.notAfter.toISOString()}`);
    }
  }

  /**
   * Once the listeners are up: orders the certificates {@link loadStored} did not find,
   * and schedules the renewal of the others. Resolves once each missing one has been
   * tried, saying what is served. Renewals and retries go on in the background until
   * {@link stop}.
   */
  async start(): Promise<AcmeStartResult> {
    const missing = this.managed.filter((managed) => !managed.current);
    for (const managed of this.managed) {
      if (!managed.current) continue;
      const at = this.renewAt(managed.current);
      this.hooks.log(`acme: the certificate for ${managed.names.join(', ')} is renewed ${at <= Date.now() ? 'now' : `at ${new Date(at).toISOString()}`}`);
      this.schedule(managed, at);
    }
    await Promise.all(missing.map((managed) => this.renew(managed)));
    return {
      served: this.managed.filter((m) => m.current).map((m) => m.names),
      failed: this.managed.filter((m) => !m.current).map((m) => ({ names: m.names, error: m.lastError ?? 'not obtained' })),
    };
  }

  /** Stops renewing (an order under way finishes, but what it gets is not installed). */
  stop(): void {
    this.stopped = true;
    for (const managed of this.managed) clearTimeout(managed.timer);
  }

  /** When to renew a certificate: two thirds into its lifetime, with jitter, or `renewAfter` (tests) from now. */
  private renewAt(leaf: { notBefore: Date; notAfter: Date }): number {
    if (this.settings.renewAfterMs !== undefined) return Date.now() + this.settings.renewAfterMs;
    return renewalTime(leaf).getTime();
  }

  /** Runs `renew` at `at` (chaining timers past Node's longest). */
  private schedule(managed: Managed, at: number): void {
    clearTimeout(managed.timer);
    if (this.stopped) return;
    const wait = at - Date.now();
    const fire = wait > MAX_TIMER_MS ? () => this.schedule(managed, at) : () => void this.renew(managed);
    managed.timer = setTimeout(fire, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    // Nothing but these timers left means the terminator has shut down.
    managed.timer.unref();
  }

  /** One order for `managed`; on success the new certificate is saved and served, on failure retried later. */
  private async renew(managed: Managed): Promise<void> {
    if (this.stopped) return;
    const began = Date.now();
    const kind = managed.current ? 'renewal' : 'new';
    const names = managed.names.join(', ');
    this.hooks.log(`acme: ordering a certificate for ${names} (${this.settings.challenge}${kind === 'renewal' ? ', a renewal: the current one serves meanwhile' : ''})`);
    let obtained: ObtainedCertificate;
    let certificate: ManagedCertificate;
    try {
      const client = await this.ensureAccount();
      obtained = await obtainCertificate(client, { domains: managed.names, challenge: this.settings.challenge, responder: this.hooks.responder });
      if (this.stopped) return;
      certificate = this.store.save(managed.names, obtained);
      this.hooks.install(certificate);
    } catch (error) {
      if (!this.stopped) this.failed(managed, error, began, kind);
      return;
    }
    managed.current = obtained.certificate;
    managed.failures = 0;
    managed.lastError = undefined;
    const at = this.renewAt(obtained.certificate);
    this.schedule(managed, at);
    this.hooks.log(`acme: certificate for ${names} obtained in ${((Date.now() - began) / 1000).toFixed(1)} s, valid until ${obtained.certificate.notAfter.toISOString()}; renewal at ${new Date(at).toISOString()}`);
    this.hooks.order({
      ...this.entry(managed, began, kind),
      result: 'valid',
      order: obtained.orderUrl,
      certificate: obtained.certificateUrl,
      notAfter: obtained.certificate.notAfter.toISOString(),
      renewAt: new Date(at).toISOString(),
    });
  }

  /** A failed order: counted, logged with the server's problem document, tried again later. */
  private failed(managed: Managed, error: unknown, began: number, kind: 'new' | 'renewal'): void {
    managed.failures += 1;
    const reason = error instanceof AcmeError ? shortType(error.type) : 'other';
    this.hooks.metrics.acmeFailures.inc(reason);
    const message = error instanceof Error ? error.message : String(error);
    managed.lastError = message;
    const at = Date.now() + retryDelay(managed.failures, this.settings.retryMs, error);
    this.schedule(managed, at);
    const keeping = managed.current ? `; the current certificate (valid until ${managed.current.notAfter.toISOString()}) keeps serving` : '';
    this.hooks.log(`acme: the order for ${managed.names.join(', ')} failed (${managed.failures} in a row): ${message}${keeping}; trying again at ${new Date(at).toISOString()}`);
    this.hooks.order({
      ...this.entry(managed, began, kind),
      result: 'failed',
      error: error instanceof AcmeError ? error.problem : { type: 'about:blank', detail: message },
      retryAt: new Date(at).toISOString(),
    });
  }

  private entry(managed: Managed, began: number, kind: 'new' | 'renewal'): AcmeOrderEntry {
    return {
      event: 'acme-order',
      time: new Date(began).toISOString(),
      names: managed.names,
      challenge: this.settings.challenge,
      kind,
      result: 'failed',
      order: null,
      certificate: null,
      notAfter: null,
      renewAt: null,
      error: null,
      retryAt: null,
      durationMs: Date.now() - began,
    };
  }

  /** The client, with its account: looked up for a stored key (§7.3.1), created for a new one. */
  private ensureAccount(): Promise<AcmeClient> {
    this.account ??= this.openAccount().catch((error: unknown) => {
      this.account = undefined; // tried again at the next order
      throw error;
    });
    return this.account;
  }

  private async openAccount(): Promise<AcmeClient> {
    const { settings } = this;
    const { key, existed } = this.store.accountKey();
    this.client ??= new AcmeClient({
      directoryUrl: settings.directory,
      accountKey: key,
      pollInterval: POLL_INTERVAL_MS,
      // Waits that never keep a terminator that has shut down alive.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      ...(settings.cafile ? { ca: readFileSync(settings.cafile) } : {}),
    });
    const client = this.client;
    if (existed) {
      try {
        await findAccount(client);
        return client;
      } catch (error) {
        if (!(error instanceof AcmeError && error.is('accountDoesNotExist'))) throw error;
      }
    }
    const terms = (await client.directory()).meta.termsOfService;
    // RFC 8555 §7.3: a client SHOULD NOT agree to the terms for its user by default.
    if (terms !== undefined && !settings.agreeTos) throw new Error(`the ACME server's terms of service are at ${terms}: read them, then add --acme-agree-tos`);
    const account = await newAccount(client, { contact: settings.email.map((e) => `mailto:${e}`), ...(terms !== undefined ? { termsOfServiceAgreed: true } : {}) });
    this.hooks.log(`acme: account ${account.created ? 'created' : 'found'}: ${account.url}`);
    return client;
  }
}
