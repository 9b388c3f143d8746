/**
 * A worker of the cluster (cluster.ts): a whole terminator, except that the primary
 * holds its ticket keys, serves the metrics, and turns signals into messages.
 * @module
 */
import cluster from 'node:cluster';
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
    terminator = await startTerminator({ ...config, metrics: undefined }, { baseDir, logger, ticketKeys });
  } catch (error) {
    process.stderr.write(`lucid-terminator: ${name}: ${(error as Error).message}\n`);
    return exit(error instanceof ConfigError ? 2 : 1);
  }
  if (!stopping) send({ type: 'listening', address: terminator.address, redirectAddress: terminator.redirectAddress });
  await stopped;
  await terminator.close();
  return exit(0);
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
