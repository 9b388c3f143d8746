/**
 * `lucid-terminator`: the command line. Reads the flags and the config file, starts the
 * terminator, and turns signals into actions: SIGHUP reloads the certificates (and the
 * ticket keys file), SIGTERM and SIGINT shut down gracefully (a second one exits at once).
 *
 * With `--workers N` above 1 (the default is the number of CPUs) this process becomes
 * the primary of a cluster (primary.ts) and runs the terminator in N workers
 * (worker.ts), which run this same command; `--workers 1` runs it here, in one process.
 *
 * With `--acme-*` and no `--cert`, a terminator whose first orders all failed has nothing
 * to serve: it stops with exit code 1 and the ACME server's problem documents, rather
 * than listen for handshakes it can only refuse. Once it serves, a failed order never
 * stops it: it is tried again later while the certificate in place keeps serving.
 * @module
 */
import cluster from 'node:cluster';
import type { AcmeStartResult } from './acme-manager.js';
import { ConfigError, USAGE, parseCommandLine, resolveConfig, type HostPort, type ResolvedConfig } from './config.js';
import { Primary } from './primary.js';
import { startTerminator } from './terminator.js';
import { runWorker } from './worker.js';

const log = (message: string) => process.stderr.write(`lucid-terminator: ${message}\n`);
const where = (a: HostPort) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

/** Runs the command line; resolves with the exit code once the terminator has stopped. */
export async function main(argv: readonly string[]): Promise<number> {
  let command;
  let config: ResolvedConfig;
  try {
    command = parseCommandLine(argv);
    if (command.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cluster.isWorker) return runWorker(command.config, command.baseDir);
    config = resolveConfig(command.config, command.baseDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`lucid-terminator: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  return config.workers > 1 ? runCluster(config) : runSingle(command.config, command.baseDir);
}

/** The "listening on" line. */
function announce(addresses: { address: HostPort; redirectAddress?: HostPort | undefined; metricsAddress?: HostPort | undefined }, config: ResolvedConfig, extra = ''): void {
  const { address, redirectAddress, metricsAddress } = addresses;
  log(
    `listening on https://${where(address)} → ${config.upstream.origin}` +
      (redirectAddress ? `; redirecting http://${where(redirectAddress)}` : '') +
      (metricsAddress ? `; metrics at http://${where(metricsAddress)}/metrics` : '') +
      extra,
  );
}

/**
 * SIGHUP runs `reload`; the first SIGTERM or SIGINT runs `stop`, whose exit code the
 * returned promise resolves with; a second one runs `kill` and exits at once.
 */
function onSignals(actions: { reload: () => void; stop: () => Promise<number>; kill?: () => void }): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again, exiting now`);
        actions.kill?.();
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: finishing the requests in flight`);
      void actions.stop().then((code) => {
        process.off('SIGHUP', actions.reload);
        resolve(code);
      });
    };
    process.on('SIGHUP', actions.reload);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}

/** The terminator in this process (`--workers 1`). */
async function runSingle(input: Parameters<typeof startTerminator>[0], baseDir: string): Promise<number> {
  let terminator;
  try {
    terminator = await startTerminator(input, { baseDir });
  } catch (error) {
    log((error as Error).message);
    return error instanceof ConfigError ? 2 : 1;
  }
  announce(terminator, terminator.config);
  const signalled = onSignals({
    reload: () => void terminator.reload(),
    stop: () => terminator.close().then(() => 0),
  });
  return Promise.race([signalled, nothingToServe(terminator.config, terminator.acmeStarted, () => terminator.close().then(() => 1))]);
}

/**
 * Resolves with `stop()`'s exit code when the first ACME orders leave nothing to serve
 * (no `--cert` either); otherwise never.
 */
function nothingToServe(config: ResolvedConfig, started: Promise<AcmeStartResult> | undefined, stop: () => Promise<number>): Promise<number> {
  const never = new Promise<number>(() => {});
  if (!started || config.certificates.length > 0) return never;
  return started.then(
    (result) => {
      if (result.served.length > 0) return never;
      for (const { names, error } of result.failed) log(`no certificate for ${names.join(', ')}: ${error}`);
      log('nothing to serve: stopping');
      return stop();
    },
    (error: unknown) => {
      log(`acme: ${(error as Error).message}`);
      return stop();
    },
  );
}

/** The terminator in `config.workers` processes, this one their primary. */
async function runCluster(config: ResolvedConfig): Promise<number> {
  let primary: Primary;
  try {
    // node:cluster gives every listen(0) on one address the same port: two would collide.
    if (config.redirectFrom && config.redirectFrom.port === 0 && config.listen.port === 0 && config.redirectFrom.host === config.listen.host) {
      throw new ConfigError('with --workers above 1, --listen and --redirect-from cannot both be port 0 on the same address');
    }
    primary = new Primary(config, config.workers, log);
  } catch (error) {
    log((error as Error).message);
    return error instanceof ConfigError ? 2 : 1;
  }
  let addresses;
  try {
    addresses = await primary.start();
  } catch (error) {
    log((error as Error).message);
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
  announce(addresses, config, `; ${config.workers} workers (pids ${addresses.pids.join(' ')})`);
  const signalled = onSignals({
    reload: () => void primary.reload(),
    stop: () => primary.stop(),
    kill: () => primary.kill(),
  });
  // The primary may also stop on its own (workers dying over and over).
  return Promise.race([signalled, primary.exited, nothingToServe(config, primary.acmeStarted, () => primary.stop(1))]);
}
