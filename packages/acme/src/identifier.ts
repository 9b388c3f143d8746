/**
 * Identifiers (RFC 8555 §9.7.7): what a certificate is for. ACME defines one type, `dns`,
 * whose value is a domain name in its ASCII (A-label) form; a wildcard order asks for
 * `*.example.com` and is authorized by proving control of `example.com` (§7.1.3).
 * @module
 */
import { clientError } from './problem.js';
import { stringField, type JsonObject } from './json.js';

/**
 * An ACME identifier.
 *
 * @example
 * ```ts
 * import { dnsIdentifier, type Identifier } from '@lucid-tls/acme';
 * const id: Identifier = dnsIdentifier('WWW.Example.com');
 * console.log(id); // → { type: 'dns', value: 'www.example.com' }
 * ```
 */
export interface Identifier {
  type: string;
  value: string;
}

/** A domain name's labels: letters, digits and hyphens, not at either end (RFC 1123 §2.1); a leading `*.` for a wildcard. */
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The longest domain name in text form (RFC 1035 §2.3.4: 255 octets on the wire). */
export const MAX_DOMAIN_LENGTH = 253;

/**
 * The `dns` identifier of a domain name, lower-cased; throws a RangeError for anything
 * that is not a domain name in ASCII (IDNs must be given as A-labels, `xn--…`).
 *
 * @example
 * ```ts
 * import { dnsIdentifier } from '@lucid-tls/acme';
 * console.log(dnsIdentifier('*.example.com').value); // → *.example.com
 * try {
 *   dnsIdentifier('exa mple.com');
 * } catch (e) {
 *   console.log((e as Error).message); // → not a domain name: "exa mple.com"
 * }
 * ```
 */
export function dnsIdentifier(name: string): Identifier {
  const value = name.toLowerCase();
  if (value.length > MAX_DOMAIN_LENGTH || !DOMAIN.test(value)) throw new RangeError(`not a domain name: ${JSON.stringify(name)}`);
  return { type: 'dns', value };
}

/** Reads an identifier object of a server response. */
export function readIdentifier(o: unknown, what: string): Identifier {
  if (typeof o !== 'object' || o === null) throw clientError('malformedResponse', `${what}: the identifier is not an object`);
  return { type: stringField(o as JsonObject, 'type', what), value: stringField(o as JsonObject, 'value', what) };
}
