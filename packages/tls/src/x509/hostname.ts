/**
 * Does this certificate belong to the server we meant to reach? Host name and IP
 * address matching (RFC 6125 §6, RFC 9525), against the subjectAltName extension only.
 *
 * - A DNS name matches case-insensitively, ignoring one trailing dot.
 * - A wildcard is allowed only as the whole left-most label (`*.example.com`), matches
 *   exactly one label (`a.example.com`, not `a.b.example.com` nor `example.com`), and
 *   only with at least two labels after it (`*.com` matches nothing). Partial-label
 *   wildcards (`w*.example.com`) match nothing.
 * - An IP address matches only an iPAddress SAN with the same bytes; never a DNS name,
 *   never a wildcard.
 * - The subject's CN is never consulted: RFC 6125 §6.4.4 allows it only as a fallback
 *   for certificates without DNS SANs, RFC 9525 removes that fallback, and the CA/Browser
 *   Forum Baseline Requirements put every name in the SAN. A certificate without a
 *   subjectAltName therefore matches no name.
 * @module
 */
import type { Certificate } from './certificate.js';
import { equalBytes } from '../wire/bytes.js';
import { parseIpAddress } from './ip.js';

/** A DNS name in the form names are compared in: ASCII lowercase, without a trailing dot; or null if not a name. */
function normalizeDnsName(name: string): string | null {
  const lower = name.toLowerCase();
  const trimmed = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  // Internationalized names must come as A-labels ("xn--…"), so only ASCII is valid here.
  if (trimmed === '' || !/^[\x21-\x7e]+$/.test(trimmed)) return null;
  if (trimmed.split('.').some((label) => label === '')) return null;
  return trimmed;
}

/**
 * Whether the presented DNS name `pattern` (from a SAN) matches the reference `hostname`.
 *
 * @example
 * ```ts
 * import { dnsNameMatches } from '@lucid-tls/tls/x509';
 * console.log(dnsNameMatches('*.example.com', 'www.example.com')); // → true
 * console.log(dnsNameMatches('*.example.com', 'a.b.example.com'), dnsNameMatches('*.com', 'example.com')); // → false false
 * ```
 */
export function dnsNameMatches(pattern: string, hostname: string): boolean {
  const p = normalizeDnsName(pattern);
  const h = normalizeDnsName(hostname);
  if (p === null || h === null || h.includes('*')) return false;
  if (!p.includes('*')) return p === h;
  const [first, ...rest] = p.split('.');
  // The only wildcard we accept is the whole left-most label, over at least two more labels.
  if (first !== '*' || rest.length < 2 || rest.some((label) => label.includes('*'))) return false;
  const hostLabels = h.split('.');
  return hostLabels.length === rest.length + 1 && hostLabels.slice(1).join('.') === rest.join('.');
}

/**
 * Whether `hostname` (a DNS name, not an IP address) matches one of the certificate's DNS SANs.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, matchesHostname } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['*.example.com'] });
 * console.log(matchesHostname(certificate, 'shop.example.com'), matchesHostname(certificate, 'example.com')); // → true false
 * ```
 */
export function matchesHostname(cert: Certificate, hostname: string): boolean {
  return (cert.subjectAltNames ?? []).some((n) => n.type === 'dns' && dnsNameMatches(n.value, hostname));
}

/**
 * Whether `address` (IPv4 or IPv6 text) equals one of the certificate's iPAddress SANs.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, matchesIpAddress } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['::1'] });
 * console.log(matchesIpAddress(certificate, '0:0:0:0:0:0:0:1')); // → true
 * ```
 */
export function matchesIpAddress(cert: Certificate, address: string): boolean {
  const bytes = parseIpAddress(address);
  if (!bytes) return false;
  return (cert.subjectAltNames ?? []).some((n) => n.type === 'ip' && n.bytes !== undefined && equalBytes(n.bytes, bytes));
}
