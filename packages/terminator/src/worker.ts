/**
 * A worker of the cluster (cluster.ts): a whole terminator, except that the primary
 * holds its ticket keys, serves the metrics, turns signals into messages, and runs the
 * ACME client: the worker answers the challenges and serves the certificates it is given.
 * @module
 */
import cluster from 'node:cluster';
import { ChallengeResponses } from '@lucid-tls/acme';
import type { ManagedCertificate } from './acme-store.js';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './cluster.js';
import { ConfigError, type TerminatorConfig } from './config.js';
import { startTerminator, type Terminator } from './terminator.js';
import { ticketKeysFromHex } from './ticket-keys.js';

/** How long a worker that has shut down may take to exit on its own before it exits anyway. */
const EXIT_GRACE_MS = 1000;

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

/** Runs this process as a worker; resolves with its exit code. */
export async function runWorker(config: TerminatorConfig, baseDir: string): Promise<number> {
  const name = `worker ${cluster.worker?.id ?? '?'}`;
  const logger = (message: string) => process.stderr.write(`lucid-terminator: ${name}: ${message}\n`);
  let terminator: Terminator | undefined;
  let stopping = false;
  let resolveStop!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  let resolveKeys!: (keys: Uint8Array[]) => void;
  const firstKeys = new Promise<Uint8Array[]>((resolve) => (resolveKeys = resolve));
  const shutDown = () => {
    stopping = true;
    resolveStop();
  };
  // Challenges are answered from the start (the terminator reads them when it exists);
  // certificates that come before the terminator does are handed to it when it starts.
  const challenges = new ChallengeResponses();
  const certificates = new Map<string, ManagedCertificate>();

  process.on('message', (message: unknown) => {
    if (!isMessage<PrimaryMessage>(message)) return;
    switch (message.type) {
      case 'ticket-keys':
        if (terminator) terminator.setTicketKeys(ticketKeysFromHex(message.keys));
        else resolveKeys(ticketKeysFromHex(message.keys));
        return;
      case 'reload':
        if (terminator) send({ type: 'reloaded', id: message.id, result: terminator.reload() });
        return;
      case 'metrics':
        if (terminator) send({ type: 'metrics', id: message.id, snapshot: terminator.metrics.snapshot() });
        return;
      case 'shutdown':
        shutDown();
        return;
      case 'acme-challenge':
        if (message.op === 'provision') challenges.provision(message.task);
        else challenges.deprovision(message.task);
        send({ type: 'acme-challenge', id: message.id });
        return;
      case 'certificate':
        certificates.set(message.certificate.names[0]!, message.certificate);
        if (terminator) install(terminator, message.certificate, logger);
        return;
    }
  });
  // The primary turns signals into messages; one sent to the whole process group (a
  // terminal's Ctrl-C) must not kill a worker mid-request, nor reload it twice.
  process.on('SIGHUP', () => {});
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
  // If the primary dies, node:cluster ends its workers at once (an unexpected disconnect).

  send({ type: 'hello' });
  const ticketKeys = await Promise.race([firstKeys, stopped.then(() => undefined)]);
  if (!ticketKeys) return exit(0);
  try {
    // The primary serves the metrics, the sum over the workers.
    const acmeFromCaller = { challenges, certificates: [...certificates.values()] };
    terminator = await startTerminator({ ...config, metrics: undefined }, { baseDir, logger, ticketKeys, acmeFromCaller });
    // Those that came while it started listening.
    for (const certificate of certificates.values()) install(terminator, certificate, logger);
  } catch (error) {
    process.stderr.write(`lucid-terminator: ${name}: ${(error as Error).message}\n`);
    return exit(error instanceof ConfigError ? 2 : 1);
  }
  if (!stopping) send({ type: 'listening', address: terminator.address, redirectAddress: terminator.redirectAddress });
  await stopped;
  await terminator.close();
  return exit(0);
}

/** Serves a certificate from the primary; one that cannot be served is logged, and the one before keeps serving. */
function install(terminator: Terminator, certificate: ManagedCertificate, logger: (message: string) => void): void {
  try {
    terminator.installCertificate(certificate);
  } catch (error) {
    logger(`cannot serve the certificate for ${certificate.names.join(', ')}: ${(error as Error).message}`);
  }
}

/**
 * Lets the process end with `code`: the IPC channel closed as cluster expects (a bare
 * `process.disconnect()` would make it exit at once with 0), and a deadline in case a
 * handle lingers.
 */
function exit(code: number): number {
  if (process.connected) cluster.worker?.disconnect();
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}
