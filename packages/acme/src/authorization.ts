/**
 * Authorizations (RFC 8555 §7.5): the server's record that an account controls an
 * identifier. Each offers challenges, ways to prove that control (§8); the client
 * provisions one, tells the server it is ready by POSTing `{}` to the challenge URL
 * (§7.5.1), and polls the authorization until the server has validated it:
 *
 * ```
 * authorization  pending ─────────────────────────────► valid | invalid
 * challenge      pending ──(client: {})──► processing ──► valid | invalid (with an error)
 * ```
 * @module
 */
import { isBase64url } from './base64url.js';
import type { AcmeClient, AcmeResponse } from './client.js';
import { readIdentifier, type Identifier } from './identifier.js';
import { jsonObject, objectArray, oneOf, optionalString, optionalTime, stringField, type JsonObject } from './json.js';
import { AcmeError, clientError, parseProblem, type Problem } from './problem.js';

/** The states of an authorization (§7.1.6). */
export type AuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
/** The states of a challenge (§7.1.6). */
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/**
 * A challenge object (§7.1.5, §8).
 *
 * @example
 * ```ts
 * import type { Challenge } from '@lucid-tls/acme';
 * const challenge: Challenge = { type: 'http-01', url: 'https://acme.example/chall/1', status: 'pending', token: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0' };
 * console.log(challenge.type); // → http-01
 * ```
 */
export interface Challenge {
  /** `http-01`, `dns-01`, `tls-alpn-01`, or a type this client does not know. */
  type: string;
  url: string;
  status: ChallengeStatus;
  /** The random token of the three challenge types above (base64url, §8.3). */
  token?: string;
  validated?: Date;
  /** Why validation failed (§8.2). */
  error?: Problem;
}

/**
 * An authorization object (§7.1.4) and its URL.
 *
 * @example
 * ```ts
 * import type { Authorization } from '@lucid-tls/acme';
 * const authorization: Authorization = { url: 'https://acme.example/authz/1', status: 'pending', identifier: { type: 'dns', value: 'example.com' }, challenges: [], wildcard: false };
 * console.log(authorization.identifier.value); // → example.com
 * ```
 */
export interface Authorization {
  url: string;
  status: AuthorizationStatus;
  /** For a wildcard order (`*.example.com`), the domain without `*.`, and `wildcard` true. */
  identifier: Identifier;
  challenges: Challenge[];
  wildcard: boolean;
  expires?: Date;
}

const AUTHORIZATION_STATUSES: readonly AuthorizationStatus[] = ['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'];
const CHALLENGE_STATUSES: readonly ChallengeStatus[] = ['pending', 'processing', 'valid', 'invalid'];
/** A token must carry at least 128 bits (§8.3): 22 base64url characters. */
const MIN_TOKEN_LENGTH = 22;

/**
 * Reads an authorization (POST-as-GET, §7.5).
 *
 * @example
 * ```ts
 * import { fetchAuthorization, type AcmeClient, type Order } from '@lucid-tls/acme';
 * declare const client: AcmeClient, order: Order;
 * for (const url of order.authorizations) {
 *   const authorization = await fetchAuthorization(client, url);
 *   console.log(authorization.identifier.value, authorization.challenges.map((c) => c.type));
 * }
 * ```
 */
export async function fetchAuthorization(client: AcmeClient, url: string): Promise<Authorization> {
  return readAuthorization(await client.postAsGet(url), url);
}

/**
 * Tells the server the challenge is ready to be validated: a POST of `{}` to its URL (§7.5.1).
 *
 * @example
 * ```ts
 * import { respondToChallenge, type AcmeClient, type Challenge } from '@lucid-tls/acme';
 * declare const client: AcmeClient, challenge: Challenge;
 * console.log((await respondToChallenge(client, challenge)).status); // "processing", or already "valid"
 * ```
 */
export async function respondToChallenge(client: AcmeClient, challenge: Challenge): Promise<Challenge> {
  const response = await client.post(challenge.url, {});
  return readChallenge(jsonObject(response.json, 'the challenge'), 'the challenge');
}

/**
 * Polls the authorization until the server has decided; throws the failed challenge's
 * problem document (with the identifier) when it is not `valid`.
 *
 * @example
 * ```ts
 * import { waitForAuthorization, type AcmeClient, type Authorization } from '@lucid-tls/acme';
 * declare const client: AcmeClient, authorization: Authorization;
 * const done = await waitForAuthorization(client, authorization);
 * console.log(done.status); // → valid
 * ```
 */
export async function waitForAuthorization(client: AcmeClient, authorization: Authorization): Promise<Authorization> {
  const what = `authorization of ${authorization.identifier.value}`;
  const final = await client.poll(authorization.url, (r) => readAuthorization(r, authorization.url), (a) => a.status !== 'pending', (a) => `${what} is "${a.status}"`);
  if (final.status === 'valid') return final;
  const failed = final.challenges.find((c) => c.status === 'invalid' && c.error);
  const problem: Problem = failed?.error ?? { type: 'about:blank', detail: `the ${what} is "${final.status}"` };
  throw new AcmeError({ ...problem, identifier: problem.identifier ?? final.identifier }, { url: failed?.url ?? final.url });
}

function readAuthorization(response: AcmeResponse, url: string): Authorization {
  const o = jsonObject(response.json, 'the authorization');
  const what = 'the authorization';
  const authorization: Authorization = {
    url,
    status: oneOf(o, 'status', AUTHORIZATION_STATUSES, what),
    identifier: readIdentifier(o.identifier, what),
    challenges: objectArray(o, 'challenges', what).map((c, i) => readChallenge(c, `${what}: challenge ${i}`)),
    wildcard: o.wildcard === true,
  };
  const expires = optionalTime(o, 'expires', what);
  if (expires !== undefined) authorization.expires = expires;
  return authorization;
}

function readChallenge(o: JsonObject, what: string): Challenge {
  const challenge: Challenge = {
    type: stringField(o, 'type', what),
    url: stringField(o, 'url', what),
    status: oneOf(o, 'status', CHALLENGE_STATUSES, what),
  };
  const token = optionalString(o, 'token', what);
  if (token !== undefined) {
    // The token ends up in a URL path, a DNS name's record and a certificate: only base64url, as §8.3 requires.
    if (!isBase64url(token) || token.length < MIN_TOKEN_LENGTH) throw clientError('malformedResponse', `${what}: the token is not ${MIN_TOKEN_LENGTH}+ characters of base64url`);
    challenge.token = token;
  }
  const validated = optionalTime(o, 'validated', what);
  if (validated !== undefined) challenge.validated = validated;
  if (o.error !== undefined) challenge.error = parseProblem(o.error);
  return challenge;
}
