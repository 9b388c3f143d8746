/**
 * The `lucid-tls` command line.
 * @module
 */
import { TlsError } from '../alert.js';
import { acmeCommand } from './acme-command.js';
import { clientCommand } from './client-command.js';
import { latencyCommand } from './latency-command.js';
import { compareCommand } from './compare-command.js';
import { rfc8448Command } from './rfc8448-command.js';
import { serverCommand } from './server-command.js';
import { caCommand, certCommand, x509Command } from './x509-command.js';

const USAGE = `usage: lucid-tls <command> [options]

commands:
  client --connect HOST:PORT [...]                       connect to a TLS 1.3 or 1.2 server (client --help)
  server --accept [HOST:]PORT --cert FILE --key FILE     serve TLS 1.3 and 1.2: echo, or --www (server --help)
  rfc8448 [SCENARIO] [--json] [--trace | --trace-json]   run the engines on RFC 8448's inputs (rfc8448 --help)
  rfc8448 SCENARIO --html FILE                           write the trace as an illustrated web page
  compare [--rtt MS] [--all] [--json]                    TLS 1.2 beside TLS 1.3 over a simulated link
  latency [--rtt MS]                                     measure each kind of handshake over a slow link
  x509 show [--json] FILE                                explain a certificate
  x509 verify --cafile FILE [...] LEAF                   validate a certificate chain
  ca init --out DIR                                      create a local certificate authority
  cert issue --ca DIR --out DIR --name NAME...           issue a certificate from it
  acme issue|renew|revoke [...]                          certificates from an ACME CA (acme --help)

lucid-tls <command> --help (or lucid-tls help <command>) explains a command's options.
`;

let outputGuarded = false;

/**
 * A reader may stop early: `lucid-tls rfc8448 --trace | head` closes the pipe, and the next
 * write fails with EPIPE. The reader has seen what it wanted, so every command ends there,
 * quietly and with status 0, rather than with a stack trace.
 */
function endQuietlyWhenOutputCloses(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}

/** Runs the command line; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  endQuietlyWhenOutputCloses();
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'client':
        return await clientCommand(rest);
      case 'server':
        return await serverCommand(rest);
      case 'rfc8448':
        return rfc8448Command(rest);
      case 'compare':
        return await compareCommand(rest);
      case 'latency':
        return await latencyCommand(rest);
      case 'x509':
        return await x509Command(rest);
      case 'ca':
        return await caCommand(rest);
      case 'cert':
        return await certCommand(rest);
      case 'acme':
        return await acmeCommand(rest);
      case 'help':
        // `lucid-tls help rfc8448` is `lucid-tls rfc8448 --help`.
        if (rest.length > 0) return await main([...rest, '--help']);
        process.stdout.write(USAGE);
        return 0;
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`lucid-tls: unknown command ${command}\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    const reason = e instanceof TlsError ? `${e.alert}: ${e.reason}` : e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${reason}\n`);
    return 1;
  }
}
