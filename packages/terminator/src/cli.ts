/**
 * `lucid-terminator`: the command line. Reads the flags and the config file, starts the
 * terminator, and turns signals into actions: SIGHUP reloads the certificates, SIGTERM
 * and SIGINT shut down gracefully (a second one exits at once).
 * @module
 */
import { ConfigError, USAGE, parseCommandLine } from './config.js';
import { startTerminator } from './terminator.js';

/** Runs the command line; resolves with the exit code once the terminator has stopped. */
export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`lucid-terminator: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let terminator;
  try {
    terminator = await startTerminator(command.config, { baseDir: command.baseDir });
  } catch (error) {
    process.stderr.write(`lucid-terminator: ${(error as Error).message}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  const { address, redirectAddress, metricsAddress } = terminator;
  const where = (a: { host: string; port: number }) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);
  process.stderr.write(
    `lucid-terminator: listening on https://${where(address)} → ${terminator.config.upstream.origin}` +
      (redirectAddress ? `; redirecting http://${where(redirectAddress)}` : '') +
      (metricsAddress ? `; metrics at http://${where(metricsAddress)}/metrics` : '') +
      '\n',
  );

  return new Promise<number>((resolve) => {
    const onHangup = () => terminator.reload();
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`lucid-terminator: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`lucid-terminator: ${signal}: finishing the requests in flight\n`);
      terminator.close().then(() => {
        process.off('SIGHUP', onHangup);
        resolve(0);
      });
    };
    process.on('SIGHUP', onHangup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}
