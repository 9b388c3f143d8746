/**
 * Name constraints (RFC 5280 §4.2.1.10): a CA may restrict the names its descendants
 * certify, e.g. "only names under example.com, never 10.0.0.0/8". Each name in a
 * certificate below the CA must fall within some permitted subtree of its type (when
 * the CA lists any of that type) and within no excluded subtree.
 *
 * Checked: dNSName, iPAddress, rfc822Name, uniformResourceIdentifier (by host) and
 * directoryName (the subject and directoryName SANs). Constraints of the other forms
 * (otherName, x400Address, ediPartyName, registeredID) cannot be checked; a
 * certificate with a name of such a form under them fails with
 * `unsupported_name_constraint`. The subject's CN is not checked against DNS
 * constraints, since it is never used as a host name here (see `hostname.ts`).
 * @module
 */
import type { Certificate } from './certificate.js';
import type { GeneralSubtree, NameConstraints } from './extensions.js';
import { nameHasPrefix } from './name.js';
import type { GeneralName, GeneralNameType } from './name.js';

/** Why a certificate's names fail a CA's constraints, or null when they satisfy them. */
export type NameConstraintFailure = { code: 'name_constraints_violation' | 'unsupported_name_constraint'; detail: string } | null;

const checkedTypes: ReadonlySet<GeneralNameType> = new Set(['dns', 'ip', 'email', 'uri', 'directoryName']);

/**
 * Checks every name of `cert` against `constraints`.
 *
 * @example
 * ```ts
 * import { checkNameConstraints, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['www.other.example'] });
 * const constraints = { permitted: [{ base: { type: 'dns' as const, value: 'shop.example' }, minimum: 0 }], excluded: [] };
 * console.log(checkNameConstraints(certificate, constraints)?.code); // → name_constraints_violation
 * ```
 */
export function checkNameConstraints(cert: Certificate, constraints: NameConstraints): NameConstraintFailure {
  const names: GeneralName[] = [...(cert.subjectAltNames ?? [])];
  // The subject is a directoryName too (§4.2.1.10), unless it is empty.
  if (cert.subject.rdns.length > 0) names.push({ type: 'directoryName', value: '', directoryName: cert.subject });
  for (const name of names) {
    const permitted = constraints.permitted.filter((s) => s.base.type === name.type);
    const excluded = constraints.excluded.filter((s) => s.base.type === name.type);
    if (permitted.length === 0 && excluded.length === 0) continue;
    if (!checkedTypes.has(name.type)) {
      return { code: 'unsupported_name_constraint', detail: `${name.type} name under ${name.type} constraints` };
    }
    const shown = name.type === 'directoryName' ? 'the subject name' : `${name.type} "${name.value}"`;
    if (permitted.length > 0 && !permitted.some((s) => withinSubtree(name, s))) {
      return { code: 'name_constraints_violation', detail: `${shown} is not in any permitted subtree` };
    }
    const hit = excluded.find((s) => withinSubtree(name, s));
    if (hit) return { code: 'name_constraints_violation', detail: `${shown} is in the excluded subtree ${hit.base.value}` };
  }
  return null;
}

/** Whether `name` lies within `subtree` (both of the same type). */
export function withinSubtree(name: GeneralName, subtree: GeneralSubtree): boolean {
  const base = subtree.base;
  switch (name.type) {
    case 'dns':
      return dnsWithin(name.value, base.value);
    case 'ip':
      return ipWithin(name.bytes!, base.bytes!);
    case 'email':
      return emailWithin(name.value, base.value);
    case 'uri': {
      const host = uriHost(name.value);
      // A URI without a host cannot satisfy a constraint (§4.2.1.10).
      return host !== null && hostWithin(host, base.value);
    }
    case 'directoryName':
      return nameHasPrefix(name.directoryName!, base.directoryName!);
    default:
      return false;
  }
}

/**
 * A DNS name is within a dNSName constraint when adding labels on the left of the
 * constraint gives the name: `example.com` covers `example.com` and `a.example.com`,
 * not `badexample.com`. A constraint with a leading dot (`.example.com`, a common
 * variant) covers only names below it. The empty constraint covers every name.
 */
export function dnsWithin(name: string, constraint: string): boolean {
  const n = labels(name);
  const c = labels(constraint.startsWith('.') ? constraint.slice(1) : constraint);
  if (n === null || c === null) return false;
  if (c.length > n.length) return false;
  if (constraint.startsWith('.') && c.length === n.length) return false;
  return c.every((label, i) => n[n.length - c.length + i] === label);
}

/** The lowercase labels of a DNS name (one trailing dot ignored; `""` has none), or null if a label is empty. */
function labels(name: string): string[] | null {
  const lower = name.toLowerCase();
  const trimmed = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (trimmed === '') return [];
  const parts = trimmed.split('.');
  return parts.some((p) => p === '') ? null : parts;
}

/** An address is within an iPAddress constraint (address and mask) of its own family when the masked bits agree. */
function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  if (constraint.length !== 2 * address.length) return false;
  const half = address.length;
  for (let i = 0; i < half; i++) {
    const mask = constraint[half + i]!;
    if ((address[i]! & mask) !== (constraint[i]! & mask)) return false;
  }
  return true;
}

/** rfc822Name constraints: a mailbox (exact), a host (`example.com`), or a domain (`.example.com`, hosts below it). */
function emailWithin(address: string, constraint: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  if (constraint.includes('@')) return address.slice(0, at) === constraint.slice(0, constraint.lastIndexOf('@')) && address.slice(at + 1).toLowerCase() === constraint.slice(constraint.lastIndexOf('@') + 1).toLowerCase();
  return hostWithin(address.slice(at + 1), constraint);
}

/** The host constraint of rfc822Name and URI forms: exact host, or `.domain` for any host below it. */
function hostWithin(host: string, constraint: string): boolean {
  const h = host.toLowerCase();
  const c = constraint.toLowerCase();
  return c.startsWith('.') ? h.endsWith(c) && h.length > c.length : h === c;
}

/** The host of a URI (`scheme://[user@]host[:port]/…`), or null when it has none. */
function uriHost(uri: string): string | null {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(uri);
  return m && m[1] ? m[1] : null;
}
