/**
 * The terminator on every core (`--workers N`): a primary process and N workers
 * (`node:cluster`), and the messages between them over cluster's IPC channel.
 *
 * ```
 *                 ┌─ SIGHUP, SIGTERM, /metrics, ticket keys ─┐
 *   primary ──────┤ ticket-keys · reload · metrics · shutdown ├────► worker 1..N
 *   (no TLS)  ◄───┤ hello · listening · reloaded · metrics   ├───── (TLS, HTTP, proxying)
 *                 └──────────────────────────────────────────┘
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
 *
 * Every message names its `type`; requests that expect an answer carry an `id` the
 * answer repeats. A change the primary pushes to every worker (ticket keys; certificates
 * obtained by one process, as ACME will) is one message type sent to each.
 * @module
 */
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
  | { type: 'shutdown' };

/** What a worker tells the primary. */
export type WorkerMessage =
  /** Started, and listening for messages: send the ticket keys. */
  | { type: 'hello' }
  /** Serving. */
  | { type: 'listening'; address: HostPort; redirectAddress: HostPort | undefined }
  | { type: 'reloaded'; id: number; result: ReloadResult }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot };

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
