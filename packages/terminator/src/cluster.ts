/**
 * The terminator on every core (`--workers N`): a primary process and N workers
 * (`node:cluster`), and the messages between them over cluster's IPC channel.
 *
 * ```
 *                 ┌─ SIGHUP, SIGTERM, /metrics, ticket keys, ACME ─┐
 *   primary ──────┤ ticket-keys · reload · metrics · shutdown       ├────► worker 1..N
 *   (no TLS,      │ acme-challenge · certificate                    │      (TLS, HTTP, proxying)
 *   ACME client) ◄┤ hello · listening · reloaded · metrics          ├─────
 *                 │ acme-challenge (done)                           │
 *                 └────────────────────────────────────────────────┘
 * ```
 *
 * The workers share the listening ports (cluster hands each accepted connection to one
 * of them in turn) and do all the work. The primary holds what must be one for all:
 *
 * - the session ticket keys (from `--ticket-keys`, else made and rotated by it), sent to
 *   each worker when it starts and whenever they change, so a ticket sealed by any worker
 *   opens on any other;
 * - the signals: SIGHUP becomes `reload` in every worker, SIGTERM becomes `shutdown`;
 * - `/metrics`: on each scrape it asks every worker for its counters and adds them up.
 *   Asking at the moment of the request is exact, where periodic reports would be as old
 *   as their period, and it costs nothing between scrapes.
 * - with ACME, the ACME client: one account, one order per certificate however many
 *   workers there are. Each challenge goes to every worker, and only once all have
 *   answered that they serve it is the ACME server told to validate (RFC 8555 §8.2: not
 *   before), since its validation connection may reach any of them. Each certificate
 *   obtained goes to every worker; a worker that starts later gets the certificates and
 *   the challenges in force with the ticket keys.
 *
 * Every message names its `type`; requests that expect an answer carry an `id` the
 * answer repeats. A change the primary pushes to every worker (ticket keys, certificates)
 * is one message type sent to each.
 * @module
 */
import type { ChallengeTask } from '@lucid-tls/acme';
import type { ManagedCertificate } from './acme-store.js';
import type { HostPort } from './config.js';
import type { MetricsSnapshot } from './metrics.js';
import type { ReloadResult } from './terminator.js';

/** What the primary tells a worker. */
export type PrimaryMessage =
  /** The session ticket keys, hex: the first seals, all open. The answer to `hello`, and every change. */
  | { type: 'ticket-keys'; keys: string[] }
  /** Reload the certificates (SIGHUP); answered by `reloaded`. */
  | { type: 'reload'; id: number }
  /** Send your counters; answered by `metrics`. */
  | { type: 'metrics'; id: number }
  /** Finish what you accepted and exit (SIGTERM). */
  | { type: 'shutdown' }
  /** Answer this ACME challenge (`provision`), or stop (`deprovision`); answered by `acme-challenge` with the id. */
  | { type: 'acme-challenge'; id: number; op: 'provision' | 'deprovision'; task: ChallengeTask }
  /** Serve this certificate for its names from the next handshake on. */
  | { type: 'certificate'; certificate: ManagedCertificate };

/** What a worker tells the primary. */
export type WorkerMessage =
  /** Started, and listening for messages: send the ticket keys. */
  | { type: 'hello' }
  /** Serving. */
  | { type: 'listening'; address: HostPort; redirectAddress: HostPort | undefined }
  | { type: 'reloaded'; id: number; result: ReloadResult }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot }
  /** The challenge is answered (or withdrawn) here. */
  | { type: 'acme-challenge'; id: number };

/** Whether a value received over IPC is a message of ours (cluster has messages of its own). */
export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** How long the primary waits for a worker's answer (metrics, reload) before giving up on it. */
export const WORKER_ANSWER_TIMEOUT_MS = 5000;

/** A worker that dies unexpectedly is replaced, but not more than this many times… */
export const MAX_RESTARTS = 5;
/** …within this window: beyond, something is wrong with every worker, and the primary stops. */
export const RESTART_WINDOW_MS = 60_000;

/**
 * The bound on restart loops: remembers when workers were replaced and says whether
 * one more replacement is within {@link MAX_RESTARTS} per {@link RESTART_WINDOW_MS}.
 */
export class RestartBudget {
  private times: number[] = [];

  constructor(
    private readonly max = MAX_RESTARTS,
    private readonly windowMs = RESTART_WINDOW_MS,
  ) {}

  /** Records a restart at `now`; false when it is one too many. */
  allow(now = Date.now()): boolean {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    if (this.times.length >= this.max) return false;
    this.times.push(now);
    return true;
  }
}
