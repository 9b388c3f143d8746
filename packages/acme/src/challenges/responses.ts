/**
 * The answers to http-01 and tls-alpn-01 challenges, kept in memory for whatever serves
 * them: the standalone listeners of `http-01.ts` and `tls-alpn-01.ts`, or a running
 * server that consults them (its plain-HTTP listener for http-01, its certificate chooser
 * for tls-alpn-01). The tls-alpn-01 certificate is made when the challenge is provisioned.
 * @module
 */
import type { CertifiedKey } from '@lucid-tls/tls';
import { clientError } from '../problem.js';
import type { Http01Source } from './http-01.js';
import type { ChallengeResponder, ChallengeTask } from './responder.js';
import { tlsAlpn01Certificate, type TlsAlpn01Source } from './tls-alpn-01.js';

/**
 * The http-01 and tls-alpn-01 answers in effect.
 *
 * @example
 * ```ts
 * import { ChallengeResponses } from '@lucid-tls/acme';
 * const responses = new ChallengeResponses();
 * const task = { type: 'http-01', domain: 'example.com', token: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', keyAuthorization: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.thumbprint' } as const;
 * responses.provision(task);
 * console.log(responses.http01KeyAuthorization(task.token)); // → LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.thumbprint
 * responses.deprovision(task);
 * console.log(responses.http01KeyAuthorization(task.token)); // → undefined
 * ```
 */
export class ChallengeResponses implements ChallengeResponder, Http01Source, TlsAlpn01Source {
  private readonly http01 = new Map<string, string>();
  private readonly tlsAlpn01 = new Map<string, CertifiedKey>();

  /** Starts answering an http-01 or tls-alpn-01 challenge; dns-01 belongs to the DNS (see {@link DnsHookResponder}). */
  provision(task: ChallengeTask): void {
    if (task.type === 'http-01') this.http01.set(task.token, task.keyAuthorization);
    else if (task.type === 'tls-alpn-01') this.tlsAlpn01.set(task.domain.toLowerCase(), tlsAlpn01Certificate(task.domain, task.keyAuthorization));
    else throw clientError('provisioningFailed', 'dns-01 is answered in the DNS: use a DnsHookResponder');
  }

  /** Stops answering it. */
  deprovision(task: ChallengeTask): void {
    if (task.type === 'http-01') this.http01.delete(task.token);
    else if (task.type === 'tls-alpn-01') this.tlsAlpn01.delete(task.domain.toLowerCase());
  }

  /** The key authorization to serve at `/.well-known/acme-challenge/<token>`. */
  http01KeyAuthorization(token: string): string | undefined {
    return this.http01.get(token);
  }

  /** The challenge certificate for a validation handshake's SNI name. */
  tlsAlpn01Certificate(serverName: string): CertifiedKey | undefined {
    return this.tlsAlpn01.get(serverName.toLowerCase());
  }
}
