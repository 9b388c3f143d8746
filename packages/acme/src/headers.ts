/**
 * The HTTP headers ACME gives meaning to, besides Replay-Nonce (`nonces.ts`) and
 * Location: `Link` (RFC 8288), which points to a certificate's alternate chains
 * (RFC 8555 §7.4.2), the directory (`rel="index"`) and new terms of service; and
 * `Retry-After` (RFC 9110 §10.2.3), which says when to poll again (§7.5.1, §7.4) or when
 * a rate limit lifts (§6.6). Both come from the server, so neither parser throws: what does
 * not parse is ignored.
 * @module
 */

/** One link of a Link header: its target, resolved against the request URL, and its relation types. */
export interface Link {
  url: string;
  rel: string[];
}

/** The most links read from one header; an ACME server sends a handful. */
export const MAX_LINKS = 32;

// `<target>` followed by `; name=value` or `; name="quoted"` parameters (RFC 8288 §3).
const LINK = /^\s*<([^>]*)>/;
const PARAMETER = /^\s*;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?/;

/**
 * The links of a Link header value (several headers joined with `, ` are one value).
 * Parsing stops at the first thing that is not a link; links with unusable targets are skipped.
 *
 * @example
 * ```ts
 * import { parseLinks } from '@lucid-tls/acme';
 * const links = parseLinks('<https://acme.example/dir>;rel="index", </cert/1/alt/1>; rel=alternate', 'https://acme.example/cert/1');
 * console.log(links.map((l) => `${l.rel.join()} ${l.url}`).join(' | ')); // → index https://acme.example/dir | alternate https://acme.example/cert/1/alt/1
 * console.log(parseLinks('<https://a.example/>; rel=up, garbage', 'https://a.example/').length); // → 1
 * ```
 */
export function parseLinks(header: string | undefined, base: string): Link[] {
  const links: Link[] = [];
  let rest = header ?? '';
  while (links.length < MAX_LINKS) {
    const target = LINK.exec(rest);
    if (!target) break;
    rest = rest.slice(target[0].length);
    let rel: string[] = [];
    for (let p = PARAMETER.exec(rest); p; p = PARAMETER.exec(rest)) {
      if (p[1]!.toLowerCase() === 'rel' && rel.length === 0) rel = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1').toLowerCase().split(/\s+/).filter(Boolean);
      rest = rest.slice(p[0].length);
    }
    const url = resolve(target[1]!, base);
    if (url !== undefined) links.push({ url, rel });
    const separator = /^\s*,/.exec(rest);
    if (!separator) break;
    rest = rest.slice(separator[0].length);
  }
  return links;
}

function resolve(reference: string, base: string): string | undefined {
  try {
    return new URL(reference, base).href;
  } catch {
    return undefined;
  }
}

/**
 * The URLs of the links with relation `rel`.
 *
 * @example
 * ```ts
 * import { linksWithRel } from '@lucid-tls/acme';
 * console.log(linksWithRel('<https://a.example/1>;rel="alternate", <https://a.example/2>;rel="alternate"', 'alternate', 'https://a.example/')); // → [ 'https://a.example/1', 'https://a.example/2' ]
 * ```
 */
export function linksWithRel(header: string | undefined, rel: string, base: string): string[] {
  return parseLinks(header, base)
    .filter((l) => l.rel.includes(rel))
    .map((l) => l.url);
}

/**
 * The wait a Retry-After value asks for, in milliseconds from `now`: either whole seconds
 * or an HTTP date (RFC 9110 §10.2.3). A date in the past is 0; anything else is undefined.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from '@lucid-tls/acme';
 * const now = new Date('2026-01-01T00:00:00Z');
 * console.log(parseRetryAfter('3', now), parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), parseRetryAfter('soon', now)); // → 3000 60000 undefined
 * ```
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7).
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
