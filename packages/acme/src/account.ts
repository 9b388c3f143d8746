/**
 * Accounts (RFC 8555 §7.3): an account is a key the server knows. newAccount registers it
 * (with contact addresses, and agreement to the terms of service when the server has
 * some), or finds the account it already has (§7.3.1); the account URL it returns signs
 * every later request as `kid`. A key rollover (§7.3.5) replaces the key of an account,
 * with the consent of both keys.
 * @module
 */
import type { AcmeClient } from './client.js';
import { resourceUrl } from './directory.js';
import { jsonObject, oneOf, stringArray, type JsonObject } from './json.js';
import { jwsAlgorithm, publicJwk, signJws, type AccountKey } from './jws.js';
import { clientError } from './problem.js';

/** The states of an account (§7.1.6). */
export type AccountStatus = 'valid' | 'deactivated' | 'revoked';

/**
 * An account object (§7.1.2) and its URL.
 *
 * @example
 * ```ts
 * import type { Account } from '@lucid-tls/acme';
 * const account: Account = { url: 'https://acme.example/acct/1', status: 'valid', contact: ['mailto:admin@example.com'], created: true };
 * console.log(account.status); // → valid
 * ```
 */
export interface Account {
  /** The account URL (the Location of the newAccount response). */
  url: string;
  status: AccountStatus;
  contact: string[];
  /** True when this request created it (201), false when the key already had an account (200). */
  created: boolean;
}

/** What newAccount sends (§7.3). */
export interface NewAccountOptions {
  /** Contact URLs, e.g. `mailto:admin@example.com`. */
  contact?: string[];
  /**
   * Agreement to the terms of service in the directory's `meta.termsOfService`. A server
   * with terms refuses accounts without it; a client SHOULD ask its user rather than agree
   * by default (§7.3), so nothing here agrees unless told to.
   */
  termsOfServiceAgreed?: boolean;
  /** Only look the account up (§7.3.1): an error `accountDoesNotExist` rather than a new account. */
  onlyReturnExisting?: boolean;
}

/**
 * Registers the client's account key, or finds its account; sets `client.accountUrl`.
 *
 * @example
 * ```ts
 * import { newAccount, type AcmeClient } from '@lucid-tls/acme';
 * declare const client: AcmeClient; // new AcmeClient({ directoryUrl, accountKey })
 * const account = await newAccount(client, { contact: ['mailto:admin@example.com'], termsOfServiceAgreed: true });
 * console.log(account.created ? 'created' : 'found', account.url, client.accountUrl === account.url);
 * ```
 */
export async function newAccount(client: AcmeClient, options: NewAccountOptions = {}): Promise<Account> {
  const directory = await client.directory();
  const payload: JsonObject = {};
  if (options.contact) payload.contact = options.contact;
  if (options.termsOfServiceAgreed !== undefined) payload.termsOfServiceAgreed = options.termsOfServiceAgreed;
  if (options.onlyReturnExisting) payload.onlyReturnExisting = true;
  const response = await client.post(directory.newAccount, payload, { signer: { key: client.accountKey, jwk: true } });
  const url = response.headers.location;
  if (url === undefined) throw clientError('malformedResponse', 'newAccount answered without the account URL (Location)', { url: response.url });
  client.accountUrl = url;
  const account = readAccount(response.json, url, response.status === 201);
  client.note(`account ${account.created ? 'created' : 'found'}: ${url}`);
  return account;
}

/**
 * Finds the account of the client's key without creating one (§7.3.1); throws an
 * {@link AcmeError} of type `accountDoesNotExist` when there is none.
 *
 * @example
 * ```ts
 * import { AcmeError, findAccount, type AcmeClient } from '@lucid-tls/acme';
 * declare const client: AcmeClient;
 * try {
 *   console.log((await findAccount(client)).url);
 * } catch (e) {
 *   if (e instanceof AcmeError && e.is('accountDoesNotExist')) console.log('this key has no account here');
 * }
 * ```
 */
export function findAccount(client: AcmeClient): Promise<Account> {
  return newAccount(client, { onlyReturnExisting: true });
}

/**
 * Replaces the account's key with `newKey` (§7.3.5). The request is signed twice: an inner
 * JWS by the new key, over the account URL and the old key ("the new key's holder asks to
 * take over this account"), inside the outer JWS of the old key ("and the account's
 * holder agrees"). From then on the client signs with the new key.
 *
 * @example
 * ```ts
 * import { changeAccountKey, generateAccountKey, type AcmeClient } from '@lucid-tls/acme';
 * declare const client: AcmeClient; // with its account (newAccount)
 * const newKey = generateAccountKey();
 * await changeAccountKey(client, newKey);
 * console.log(client.accountKey === newKey); // true: the account is now this key's
 * ```
 */
export async function changeAccountKey(client: AcmeClient, newKey: AccountKey): Promise<void> {
  const url = resourceUrl(await client.directory(), 'keyChange');
  if (client.accountUrl === undefined) await findAccount(client);
  const keyChange = { account: client.accountUrl, oldKey: publicJwk(client.accountKey) };
  // The inner JWS: a jwk header, the same url as the outer one, and no nonce (§7.3.5).
  const inner = signJws(newKey, { alg: jwsAlgorithm(newKey), jwk: publicJwk(newKey), url }, keyChange);
  await client.post(url, inner);
  client.replaceAccountKey(newKey);
  client.note('account key replaced: requests are now signed with the new key');
}

function readAccount(json: unknown, url: string, created: boolean): Account {
  const o = jsonObject(json, 'the account');
  return {
    url,
    status: oneOf(o, 'status', ['valid', 'deactivated', 'revoked'], 'the account'),
    contact: o.contact === undefined ? [] : stringArray(o, 'contact', 'the account'),
    created,
  };
}
