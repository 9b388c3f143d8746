/**
 * The primary process of the cluster (cluster.ts): it starts the workers and replaces
 * those that die, holds the ticket keys, answers `/metrics` with the workers' sum, runs
 * the ACME client (its challenges and certificates go to every worker), and turns SIGHUP
 * and SIGTERM into messages to every worker. It serves no connection itself.
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { clientError, type ChallengeResponder, type ChallengeTask } from '@lucid-tls/acme';
import { openAccessLog, type AccessLog } from './access-log.js';
import { AcmeManager, type AcmeStartResult } from './acme-manager.js';
import type { ManagedCertificate } from './acme-store.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RestartBudget,
  WORKER_ANSWER_TIMEOUT_MS,
  isMessage,
  type PrimaryMessage,
  type WorkerMessage,
} from './cluster.js';
import type { HostPort, ResolvedConfig } from './config.js';
import { Metrics, createMetricsServer, type MetricsSnapshot } from './metrics.js';
import { GeneratedTicketKeys, readTicketKeys, ticketKeysToHex } from './ticket-keys.js';

/** How long after `timeouts.shutdown` the workers still running are killed. */
const SHUTDOWN_GRACE_MS = 5000;

/** What the primary knows of one worker. */
interface WorkerState {
  worker: Worker;
  /** It has said hello: it has the keys, certificates and challenges, and takes new ones. */
  hello: boolean;
  listening: boolean;
  /** Its counters at the last scrape: kept if it dies, so the sums never go backwards. */
  lastSnapshot: MetricsSnapshot | undefined;
  /** Answers it owes, by request id. */
  pending: Map<number, (answer: WorkerMessage | undefined) => void>;
}

/** Where the cluster serves, once every worker listens. */
export interface ClusterAddresses {
  address: HostPort;
  redirectAddress: HostPort | undefined;
  metricsAddress: HostPort | undefined;
  pids: number[];
}

/** The primary process. */
export class Primary {
  private readonly workers = new Map<number, WorkerState>();
  private readonly restarts = new RestartBudget();
  /** The counters of workers that died, at their last scrape. */
  private readonly retired = new Metrics();
  private keys: Uint8Array[];
  private readonly generated: GeneratedTicketKeys | undefined;
  /** The ACME client's counters (the workers' are added on each scrape). */
  private readonly own = new Metrics();
  private readonly acme: AcmeManager | undefined;
  /** Where ACME orders are logged (the workers' access log target; they append to it too). */
  private readonly orderLog: AccessLog | undefined;
  /** The ACME certificates and challenges in force: what a worker that starts is given. */
  private readonly certificates = new Map<string, ManagedCertificate>();
  private readonly challenges = new Map<string, ChallengeTask>();
  /** With ACME: resolves once each certificate missing at start has been ordered once. */
  acmeStarted: Promise<AcmeStartResult> | undefined;
  private metricsServer: Server | undefined;
  private nextId = 1;
  private stopping = false;
  private stopped: Promise<number> | undefined;
  private exitCode = 0;
  /** While the first workers start: how `start` ends. */
  private starting: { resolve: (m: Extract<WorkerMessage, { type: 'listening' }>) => void; reject: (e: Error) => void } | undefined;
  private resolveExit!: (code: number) => void;
  /** Resolves with the exit code once every worker has exited. */
  readonly exited = new Promise<number>((resolve) => (this.resolveExit = resolve));

  constructor(
    private readonly config: ResolvedConfig,
    private readonly count: number,
    private readonly log: (message: string) => void,
  ) {
    if (config.ticketKeys !== undefined) {
      this.keys = readTicketKeys(config.ticketKeys);
    } else {
      this.generated = new GeneratedTicketKeys(config.tickets.rotateMs, (keys) => this.useTicketKeys(keys));
      this.keys = this.generated.keys;
    }
    if (config.acme) {
      const orderLog = openAccessLog(config.accessLog);
      this.orderLog = orderLog;
      this.acme = new AcmeManager(config.acme, {
        responder: this.challengeResponder(),
        install: (certificate) => this.installCertificate(certificate),
        log: (message) => this.log(message),
        order: (entry) => orderLog.record?.(entry),
        metrics: this.own,
      });
      this.acme.loadStored();
    }
  }

  /** Starts the workers and the metrics listener; rejects (having stopped them) if a worker fails to start. */
  async start(): Promise<ClusterAddresses> {
    const first = await new Promise<Extract<WorkerMessage, { type: 'listening' }>>((resolve, reject) => {
      this.starting = { resolve, reject };
      for (let i = 0; i < this.count; i++) this.fork();
    }).catch(async (error: Error) => {
      await this.stop(1);
      throw error;
    });
    this.starting = undefined;
    let metricsAddress: HostPort | undefined;
    if (this.config.metrics) {
      this.metricsServer = createMetricsServer({ render: () => this.renderMetrics() });
      metricsAddress = await listenOn(this.metricsServer, this.config.metrics).catch(async (error: Error) => {
        await this.stop(1);
        throw error;
      });
    }
    const pids = [...this.workers.values()].map((s) => s.worker.process.pid!);
    // Once every worker listens: the ACME server validates on their listeners.
    this.acmeStarted = this.acme?.start();
    return { address: first.address, redirectAddress: first.redirectAddress, metricsAddress, pids };
  }

  // ---- Workers --------------------------------------------------------------------------

  /** Starts a worker. */
  private fork(): void {
    const worker = cluster.fork();
    const state: WorkerState = { worker, hello: false, listening: false, lastSnapshot: undefined, pending: new Map() };
    this.workers.set(worker.id, state);
    worker.on('message', (message: unknown) => {
      if (!isMessage<WorkerMessage>(message)) return;
      if (message.type === 'hello') this.welcome(state);
      else if (message.type === 'listening') this.listening(state, message);
      else state.pending.get(message.id)?.(message);
    });
    worker.on('error', () => {}); // an IPC failure shows as its exit
    worker.once('exit', (code, signal) => {
      this.workers.delete(worker.id);
      for (const answer of state.pending.values()) answer(undefined);
      this.exitedWorker(state, code, signal);
    });
  }

  /** A worker that starts gets what the others have: the ticket keys, the ACME certificates and challenges. */
  private welcome(state: WorkerState): void {
    state.hello = true;
    this.sendTo(state, { type: 'ticket-keys', keys: ticketKeysToHex(this.keys) });
    for (const certificate of this.certificates.values()) this.sendTo(state, { type: 'certificate', certificate });
    // Id 0: no answer awaited; it has them before it listens.
    for (const task of this.challenges.values()) this.sendTo(state, { type: 'acme-challenge', id: 0, op: 'provision', task });
  }

  /** A worker serves: the cluster has started once all do. */
  private listening(state: WorkerState, message: Extract<WorkerMessage, { type: 'listening' }>): void {
    state.listening = true;
    const all = [...this.workers.values()];
    if (this.starting) {
      if (all.length === this.count && all.every((s) => s.listening)) this.starting.resolve(message);
    } else {
      this.log(`worker ${state.worker.id} (pid ${state.worker.process.pid}) listens`);
    }
  }

  /** A worker exited: the last one ends a shutdown; an unexpected exit is replaced, within bounds. */
  private exitedWorker(state: WorkerState, code: number | null, signal: string | null): void {
    // Its counters are kept; its gauges (connections, certificate expiry) were its own.
    if (state.lastSnapshot) this.retired.add({ ...state.lastSnapshot, activeConnections: 0, certificateExpiry: {} });
    if (this.stopping) {
      if (this.workers.size === 0) this.finish();
      return;
    }
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const { id, process: { pid } } = state.worker;
    if (this.starting) {
      // Failing to start is a configuration or environment problem: restarting will not help.
      this.starting.reject(Object.assign(new Error(`worker ${id} (pid ${pid}) ${how} before it listened`), { exitCode: code || 1 }));
    } else if (!this.restarts.allow()) {
      this.log(`worker ${id} (pid ${pid}) ${how}; too many restarts, stopping`);
      void this.stop(1);
    } else {
      this.log(`worker ${id} (pid ${pid}) ${how}; starting another`);
      this.fork();
    }
  }

  private sendTo(state: WorkerState, message: PrimaryMessage): void {
    if (state.worker.isConnected()) state.worker.send(message);
  }

  private broadcast(message: PrimaryMessage): void {
    for (const state of this.workers.values()) this.sendTo(state, message);
  }

  /**
   * Sends a request to every listening worker (or every one that said hello, with
   * `started`); each answer, or undefined for a worker that exited or did not answer in time.
   */
  private ask(make: (id: number) => PrimaryMessage, started = false): Promise<{ state: WorkerState; answer: WorkerMessage | undefined }[]> {
    const asked = [...this.workers.values()].filter((s) => (started ? s.hello : s.listening));
    return Promise.all(
      asked.map(
        (state) =>
          new Promise<{ state: WorkerState; answer: WorkerMessage | undefined }>((resolve) => {
            const id = this.nextId++;
            const timer = setTimeout(() => settle(undefined), WORKER_ANSWER_TIMEOUT_MS);
            const settle = (answer: WorkerMessage | undefined) => {
              clearTimeout(timer);
              state.pending.delete(id);
              resolve({ state, answer });
            };
            state.pending.set(id, settle);
            this.sendTo(state, make(id));
          }),
      ),
    );
  }

  // ---- What the primary holds for all -----------------------------------------------------

  private useTicketKeys(keys: Uint8Array[]): void {
    this.keys = keys;
    this.broadcast({ type: 'ticket-keys', keys: ticketKeysToHex(keys) });
  }

  /**
   * The ACME client's challenges, answered by every worker: `provision` resolves once
   * every worker serves it, so that the ACME server is told to validate only then.
   */
  private challengeResponder(): ChallengeResponder {
    const key = (task: ChallengeTask) => `${task.type} ${task.domain} ${task.token}`;
    return {
      provision: async (task) => {
        this.challenges.set(key(task), task);
        const answers = await this.ask((id) => ({ type: 'acme-challenge', id, op: 'provision', task }), true);
        const silent = answers.filter(({ state, answer }) => answer === undefined && this.workers.has(state.worker.id));
        if (silent.length > 0) throw clientError('provisioningFailed', `worker ${silent.map((s) => s.state.worker.id).join(', ')} did not take the ${task.type} challenge for ${task.domain}`);
      },
      deprovision: async (task) => {
        this.challenges.delete(key(task));
        await this.ask((id) => ({ type: 'acme-challenge', id, op: 'deprovision', task }), true);
      },
    };
  }

  /** A certificate the ACME client obtained (or loaded at start): to every worker, now and when it starts. */
  private installCertificate(certificate: ManagedCertificate): void {
    this.certificates.set(certificate.names[0]!, certificate);
    for (const state of this.workers.values()) if (state.hello) this.sendTo(state, { type: 'certificate', certificate });
  }

  /** The sum of every worker's metrics (and of those that died); fails rather than give a partial sum. */
  private async renderMetrics(): Promise<string> {
    const total = new Metrics();
    total.add(this.retired.snapshot());
    total.add(this.own.snapshot());
    for (const { state, answer } of await this.ask((id) => ({ type: 'metrics', id }))) {
      if (answer?.type === 'metrics') {
        state.lastSnapshot = answer.snapshot;
        total.add(answer.snapshot);
      } else if (this.workers.has(state.worker.id)) {
        throw new Error(`worker ${state.worker.id} did not answer`);
      } // else it exited meanwhile, and its last counters are among the retired
    }
    return total.render();
  }

  // ---- Signals ------------------------------------------------------------------------------

  /** SIGHUP: the ticket keys file read again, and the certificates reloaded in every worker. */
  async reload(): Promise<void> {
    if (this.config.ticketKeys !== undefined) {
      try {
        this.useTicketKeys(readTicketKeys(this.config.ticketKeys));
        this.log(`ticket keys reloaded: ${this.keys.length}`);
      } catch (error) {
        this.log(`ticket key reload failed, keeping the previous ones: ${(error as Error).message}`);
      }
    }
    const answers = await this.ask((id) => ({ type: 'reload', id }));
    const results = answers.map(({ state, answer }) => ({ id: state.worker.id, result: answer?.type === 'reloaded' ? answer.result : undefined }));
    const failed = results.filter((r) => !r.result?.ok);
    if (failed.length === 0) {
      const names = results[0]?.result?.certificates ?? [];
      this.log(`certificates reloaded in ${results.length} workers: ${names.map((n) => n.join(' ')).join('; ')}`);
    } else {
      for (const { id, result } of failed) this.log(`certificate reload failed in worker ${id}: ${result?.error ?? 'no answer'}`);
    }
  }

  /** SIGTERM: every worker finishes what it accepted; resolves with the exit code when all have exited. */
  stop(code = 0): Promise<number> {
    this.stopped ??= this.stopWorkers(code);
    return this.stopped;
  }

  private async stopWorkers(code: number): Promise<number> {
    this.stopping = true;
    this.generated?.stop();
    this.acme?.stop();
    this.exitCode = code;
    this.broadcast({ type: 'shutdown' });
    const kill = setTimeout(() => this.kill(), this.config.timeouts.shutdown + SHUTDOWN_GRACE_MS);
    if (this.workers.size === 0) this.finish();
    const result = await this.exited;
    clearTimeout(kill);
    return result;
  }

  private finish(): void {
    void this.orderLog?.close();
    const server = this.metricsServer;
    server?.closeAllConnections();
    if (server?.listening) server.close(() => this.resolveExit(this.exitCode));
    else this.resolveExit(this.exitCode);
  }

  /** A second SIGTERM, or workers past their deadline: ended at once. */
  kill(): void {
    for (const state of this.workers.values()) state.worker.process.kill('SIGKILL');
  }
}

function listenOn(server: Server, where: HostPort): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}
