/**
 * `lucid-tls acme` (and `lucid-acme`): certificates from an ACME server (RFC 8555).
 * `@lucid-tls/tls`'s `lucid-tls` command loads this module when it is installed.
 * @module
 */
import { AcmeError } from '../problem.js';
import { UsageError } from './args.js';
import { issueCommand, renewCommand } from './issue.js';
import { revokeCommand } from './revoke.js';

/** The usage text of `lucid-tls acme`. */
export const USAGE = `usage: lucid-tls acme <command> [options]

  issue --directory URL [--cafile FILE] [--email ADDR] --domain NAME... --out DIR
        --challenge http-01|tls-alpn-01|dns-01 [--http-listen [HOST:]PORT] [--tls-listen [HOST:]PORT]
        [--dns-hook CMD] [--agree-tos] [--account-key-type es256|eddsa] [--trace]
      Obtain a certificate. http-01 is answered on --http-listen (default :80), tls-alpn-01
      on --tls-listen (default :443); dns-01 runs "CMD add NAME VALUE" and "CMD remove NAME
      VALUE" (NAME is _acme-challenge.<domain>), which must exit 0. --agree-tos agrees to the
      CA's terms of service when an account is created.
  renew --out DIR [--days N] [issue's options, to change them] [--trace]
      Obtain a new certificate with the settings saved by issue, when two thirds of the
      current one's lifetime have passed (or, with --days N, when fewer than N days are left).
  revoke --out DIR [--reason N] [--trace]
      Revoke the certificate (N: an RFC 5280 reason code, e.g. 1 keyCompromise, 4 superseded).

DIR holds cert.pem (the certificate, then its chain), key.pem (its key, 0600),
account.key (the ACME account key, 0600) and renewal.json (the settings, no secrets).
Every file is written atomically. --trace prints each ACME request and response.
`;

/** Runs `lucid-tls acme ARGS`; returns the exit status (0, 1 on failure, 2 on a usage mistake). */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'issue':
        return await issueCommand(rest);
      case 'renew':
        return await renewCommand(rest);
      case 'revoke':
        return await revokeCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lucid-tls acme: ${e.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`lucid-tls acme ${command}: ${describeFailure(e)}\n`);
    return 1;
  }
}

/** The failure for a person: a problem document's type, detail and subproblems, or the error's message. */
function describeFailure(e: unknown): string {
  if (!(e instanceof AcmeError)) return e instanceof Error ? e.message : String(e);
  const lines = [`failed: ${e.message}`, `  problem type: ${e.type}${e.status ? ` (HTTP ${e.status})` : ''}`];
  if (e.url) lines.push(`  at: ${e.url}`);
  return lines.join('\n');
}
