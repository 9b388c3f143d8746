/**
 * The directory (RFC 8555 §7.1.1): the one URL a client is configured with. It lists the
 * URLs of the server's other resources, and in `meta` its terms of service and website.
 * @module
 */
import { jsonObject, optionalString, stringField, type JsonObject } from './json.js';
import { clientError } from './problem.js';

/**
 * What a directory lists.
 *
 * @example
 * ```ts
 * import { parseDirectory, type Directory } from '@lucid-tls/acme';
 * const directory: Directory = parseDirectory({
 *   newNonce: 'https://acme.example/new-nonce', newAccount: 'https://acme.example/new-account',
 *   newOrder: 'https://acme.example/new-order', revokeCert: 'https://acme.example/revoke-cert',
 *   keyChange: 'https://acme.example/key-change', meta: { termsOfService: 'https://acme.example/terms' },
 * });
 * console.log(directory.meta.termsOfService); // → https://acme.example/terms
 * ```
 */
export interface Directory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  /** Absent when the server has no pre-authorization (§7.4.1). */
  newAuthz?: string;
  revokeCert?: string;
  keyChange?: string;
  meta: {
    /** The terms a new account must agree to (§7.3). */
    termsOfService?: string;
    website?: string;
    /** The names CAA records use for this CA (RFC 8659). */
    caaIdentities?: string[];
    externalAccountRequired?: boolean;
  };
}

/** Reads a directory object; throws `lucid-tls:malformedResponse` when a required URL is missing. */
export function parseDirectory(json: unknown): Directory {
  const o = jsonObject(json, 'the directory');
  const what = 'the directory';
  const directory: Directory = {
    newNonce: stringField(o, 'newNonce', what),
    newAccount: stringField(o, 'newAccount', what),
    newOrder: stringField(o, 'newOrder', what),
    meta: {},
  };
  for (const key of ['newAuthz', 'revokeCert', 'keyChange'] as const) {
    const url = optionalString(o, key, what);
    if (url !== undefined) directory[key] = url;
  }
  if (o.meta !== undefined) {
    const meta = jsonObject(o.meta, 'the directory meta') as JsonObject;
    const termsOfService = optionalString(meta, 'termsOfService', 'the directory meta');
    if (termsOfService !== undefined) directory.meta.termsOfService = termsOfService;
    const website = optionalString(meta, 'website', 'the directory meta');
    if (website !== undefined) directory.meta.website = website;
    if (Array.isArray(meta.caaIdentities)) directory.meta.caaIdentities = meta.caaIdentities.filter((c): c is string => typeof c === 'string');
    if (typeof meta.externalAccountRequired === 'boolean') directory.meta.externalAccountRequired = meta.externalAccountRequired;
  }
  return directory;
}

/** The URL of an optional resource, or an error naming it. */
export function resourceUrl(directory: Directory, name: 'revokeCert' | 'keyChange' | 'newAuthz'): string {
  const url = directory[name];
  if (url === undefined) throw clientError('malformedResponse', `the directory has no ${name} resource`);
  return url;
}
