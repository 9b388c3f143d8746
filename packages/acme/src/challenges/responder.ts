/**
 * Answering challenges (RFC 8555 §8). Every challenge type asks the client to make the
 * same fact, the key authorization (§8.1), visible in a place only the identifier's owner
 * controls: a file on its web server (http-01), a certificate on its TLS server
 * (tls-alpn-01), a TXT record in its DNS zone (dns-01).
 *
 * A {@link ChallengeResponder} does that, and undoes it once the server has decided. The
 * tasks are plain data, so a responder can pass them on, to another process for instance.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { jwkThumbprint, publicJwk, type AccountKey } from '../jws.js';

/** The challenge types this client answers. */
export type ChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';

/**
 * The challenge types, in the order the CLI lists them.
 *
 * @example
 * ```ts
 * import { CHALLENGE_TYPES } from '@lucid-tls/acme';
 * console.log(CHALLENGE_TYPES.join(' ')); // → http-01 tls-alpn-01 dns-01
 * ```
 */
export const CHALLENGE_TYPES: readonly ChallengeType[] = ['http-01', 'tls-alpn-01', 'dns-01'];

/**
 * One challenge to make answerable: which type, for which domain, and what to show.
 *
 * @example
 * ```ts
 * import type { ChallengeTask } from '@lucid-tls/acme';
 * const task: ChallengeTask = { type: 'http-01', domain: 'example.com', token: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', keyAuthorization: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI' };
 * console.log(task.keyAuthorization.startsWith(task.token + '.')); // → true
 * ```
 */
export interface ChallengeTask {
  type: ChallengeType;
  /** The domain being validated (for a wildcard order, without the `*.`). */
  domain: string;
  token: string;
  /** `token.thumbprint` (§8.1). */
  keyAuthorization: string;
}

/**
 * Makes challenges answerable, and stops answering them. Implemented by
 * {@link ChallengeResponses} (http-01 and tls-alpn-01, served by a standalone listener or
 * by a running server) and {@link DnsHookResponder} (dns-01).
 *
 * @example
 * ```ts
 * import type { ChallengeResponder, ChallengeTask } from '@lucid-tls/acme';
 * // A responder that only says what it would do.
 * const dryRun: ChallengeResponder = {
 *   provision: (task: ChallengeTask) => console.log(`would answer ${task.type} for ${task.domain}`),
 *   deprovision: () => {},
 * };
 * ```
 */
export interface ChallengeResponder {
  /** Publish the answer; resolve once the server may look (§8.2: not before). */
  provision(task: ChallengeTask): void | Promise<void>;
  /** Remove it, once the challenge is valid or invalid (§8.3, §8.4: "SHOULD de-provision"). */
  deprovision(task: ChallengeTask): void | Promise<void>;
}

/**
 * The key authorization of a challenge (§8.1): its token, a dot, and the account key's
 * JWK thumbprint (RFC 7638). It binds the challenge to the account: whoever answers for
 * another account's key answers the wrong value.
 *
 * @example
 * ```ts
 * import { generateAccountKey, keyAuthorization } from '@lucid-tls/acme';
 * const value = keyAuthorization('evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA', generateAccountKey());
 * console.log(value.split('.')[1]!.length); // → 43
 * ```
 */
export function keyAuthorization(token: string, accountKey: AccountKey): string {
  return `${token}.${jwkThumbprint(publicJwk(accountKey))}`;
}

/**
 * The SHA-256 of a key authorization: what dns-01 publishes (base64url, §8.4) and
 * tls-alpn-01 puts in its certificate (RFC 8737 §3).
 *
 * @example
 * ```ts
 * import { keyAuthorizationDigest } from '@lucid-tls/acme';
 * console.log(keyAuthorizationDigest('token.thumbprint').length); // → 32
 * ```
 */
export function keyAuthorizationDigest(keyAuthorization: string): Uint8Array {
  return sha256(new TextEncoder().encode(keyAuthorization));
}

