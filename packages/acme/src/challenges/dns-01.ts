/**
 * dns-01 (RFC 8555 §8.4): proof by DNS. The client publishes a TXT record at
 * `_acme-challenge.DOMAIN` holding the base64url SHA-256 of the key authorization, and the
 * ACME server looks it up. It is the only challenge that works for wildcard names, and for
 * hosts the ACME server cannot reach.
 *
 * DNS providers each have their own API, so the publishing is a hook: a command run as
 * `CMD add NAME VALUE` and `CMD remove NAME VALUE`, which must exit 0. It should return
 * only when the record is visible to the ACME server (propagation can take a while).
 * @module
 */
import { execFile } from 'node:child_process';
import { base64url } from '../base64url.js';
import { clientError } from '../problem.js';
import { keyAuthorizationDigest, type ChallengeResponder, type ChallengeTask } from './responder.js';

/**
 * The name of the TXT record for a domain: `_acme-challenge.` in front (a wildcard's `*.` dropped).
 *
 * @example
 * ```ts
 * import { dns01RecordName } from '@lucid-tls/acme';
 * console.log(dns01RecordName('www.example.org'), dns01RecordName('*.example.org')); // → _acme-challenge.www.example.org _acme-challenge.example.org
 * ```
 */
export function dns01RecordName(domain: string): string {
  return `_acme-challenge.${domain.replace(/^\*\./, '')}`;
}

/**
 * The TXT record's value: base64url(SHA-256(key authorization)), 43 characters.
 *
 * @example
 * ```ts
 * import { dns01TxtValue } from '@lucid-tls/acme';
 * console.log(dns01TxtValue('token.thumbprint').length); // → 43
 * ```
 */
export function dns01TxtValue(keyAuthorization: string): string {
  return base64url(keyAuthorizationDigest(keyAuthorization));
}

/**
 * How long the hook may run, by default (it may wait for DNS propagation).
 *
 * @example
 * ```ts
 * import { DNS_HOOK_TIMEOUT_MS } from '@lucid-tls/acme';
 * console.log(DNS_HOOK_TIMEOUT_MS / 1000); // → 300
 * ```
 */
export const DNS_HOOK_TIMEOUT_MS = 300_000;

/** The most of the hook's standard error kept in an error message. */
const MAX_HOOK_OUTPUT = 500;

/**
 * Answers dns-01 by running a hook command (through `/bin/sh`, so `CMD` may have
 * arguments of its own; NAME and VALUE are passed as separate arguments, never
 * interpolated into the command line).
 *
 * @example
 * ```ts
 * import { DnsHookResponder } from '@lucid-tls/acme';
 * const responder = new DnsHookResponder('/usr/local/bin/dns-hook --zone example.org');
 * // provision() runs: /usr/local/bin/dns-hook --zone example.org add _acme-challenge.www.example.org <value>
 * ```
 */
export class DnsHookResponder implements ChallengeResponder {
  constructor(
    readonly command: string,
    private readonly timeout: number = DNS_HOOK_TIMEOUT_MS,
  ) {}

  provision(task: ChallengeTask): Promise<void> {
    return this.run('add', task);
  }

  deprovision(task: ChallengeTask): Promise<void> {
    return this.run('remove', task);
  }

  private run(action: 'add' | 'remove', task: ChallengeTask): Promise<void> {
    if (task.type !== 'dns-01') return Promise.reject(clientError('provisioningFailed', `a DNS hook answers dns-01, not ${task.type}`));
    const name = dns01RecordName(task.domain);
    const value = dns01TxtValue(task.keyAuthorization);
    return new Promise((resolve, reject) => {
      execFile('/bin/sh', ['-c', `${this.command} "$@"`, 'dns-hook', action, name, value], { timeout: this.timeout }, (error, _stdout, stderr) => {
        if (!error) return resolve();
        const status = error.killed ? `was stopped after ${this.timeout} ms` : `exited with ${error.code ?? error.signal}`;
        reject(clientError('provisioningFailed', `the dns-01 hook "${this.command} ${action} ${name} ${value}" ${status}: ${String(stderr).trim().slice(-MAX_HOOK_OUTPUT)}`));
      });
    });
  }
}
