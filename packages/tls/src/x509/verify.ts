/**
 * Certificate path building and validation (RFC 5280 §6): why a client trusts a
 * server's certificate.
 *
 * A TLS peer sends its certificate and, usually, intermediates (RFC 8446 §4.4.2). We
 * look for a path leaf → intermediate… → trust anchor in which each certificate is
 * signed by the next, trying the candidates in turn:
 * - intermediates may come in any order, and unused ones are ignored;
 * - a candidate issuer must have the child's issuer name as its subject, a key
 *   identifier that does not contradict the child's authorityKeyIdentifier, and a
 *   valid signature on the child;
 * - every certificate in the trust store is an anchor: the path ends at the first one
 *   reached (so a trusted intermediate is enough, as with OpenSSL's -partial_chain);
 * - when a complete path fails a check below, the search goes on, so an alternative
 *   path (e.g. a second cross-signed intermediate) can still succeed;
 * - a path has at most `maxDepth` certificates, not counting self-issued
 *   intermediates (key rollover certificates; RFC 5280 §6.1.4 (l)).
 *
 * A complete path then passes, in this order (the first failure is reported):
 * 1. no certificate has a critical extension we do not understand (RFC 5280 §4.2);
 * 2. every issuer is a CA: basicConstraints cA set (§4.2.1.9; a trust anchor without
 *    basicConstraints is accepted for v1 roots, and under the 'rfc5280' profile for
 *    v3 ones too) and keyUsage, when present, has keyCertSign (§4.2.1.3);
 * 3. no pathLenConstraint is exceeded (self-issued intermediates do not count);
 * 3b. under the 'webpki' profile, the rules of `webpki.ts` (serial numbers, key
 *    identifiers, criticality, names, the leaf's extendedKeyUsage and key, TLS
 *    signature algorithms);
 * 4. the purpose: every extendedKeyUsage in the path, when present, contains serverAuth
 *    or clientAuth (anyExtendedKeyUsage is not enough, as in OpenSSL and the CA/Browser
 *    Forum requirements); the leaf's keyUsage, when present, has digitalSignature,
 *    since TLS 1.3 keys sign (RFC 8446 §4.4.2.2);
 * 5. the host name or IP address is in the leaf's subjectAltName (see `hostname.ts`;
 *    the CN is never used);
 * 6. every certificate, the anchor included, is valid at the given time (inclusive);
 * 7. every name in each certificate lies within the nameConstraints of the CAs above it
 *    (see `name-constraints.ts`).
 * Not done: revocation (CRL, OCSP), certificate policies (critical policy extensions
 * other than certificatePolicies fail check 1).
 * @module
 */
import { equalBytes } from '../wire/bytes.js';
import { isSelfIssued, parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { X509Error, X509ErrorMessages } from './errors.js';
import type { X509ErrorCode } from './errors.js';
import { UNDERSTOOD_EXTENSIONS } from './extensions.js';
import { matchesHostname, matchesIpAddress } from './hostname.js';
import { parseIpAddress } from './ip.js';
import { checkNameConstraints } from './name-constraints.js';
import { formatName, namesEqual } from './name.js';
import { OID } from './oid.js';
import { signatureAlgorithm, verifySignature, type SignatureAlgorithm } from './signature-algorithm.js';
import type { PublicKey } from '../crypto/provider.js';
import type { TrustStore } from './trust-store.js';
import { checkWebPkiProfile } from './webpki.js';
import type { Profile } from './webpki.js';

/** What a certificate is checked for. */
export type Purpose = 'server' | 'client';

/**
 * Options of {@link verifyChain}.
 *
 * @example
 * ```ts
 * import { TrustStore, verifyChain, type VerifyOptions } from '@lucid-tls/tls/x509';
 * const options: VerifyOptions = { trustStore: new TrustStore(), purpose: 'client', profile: 'webpki', at: new Date('2025-06-01T00:00:00Z'), maxDepth: 4 };
 * const result = verifyChain([], options);
 * console.log(result.ok ? 'valid' : result.code); // → empty_chain
 * ```
 */
export interface VerifyOptions {
  /** The trust anchors. */
  trustStore: TrustStore;
  /** `server` (default): the leaf authenticates a TLS server; `client`: a TLS client. */
  purpose?: Purpose;
  /**
   * `webpki` adds the rules of `webpki.ts` to RFC 5280 path validation; `rfc5280` is
   * path validation alone. By default, {@link defaultProfile} of the purpose: `webpki`
   * for servers, `rfc5280` for clients.
   */
  profile?: Profile;
  /** The DNS name the leaf must carry. An IP address given here is matched as `ip`. */
  hostname?: string;
  /** The IP address (v4 or v6 text) the leaf must carry in an iPAddress SAN. */
  ip?: string;
  /** The time of validation; now by default. */
  at?: Date;
  /**
   * The most certificates a path may have, leaf and anchor included, self-issued
   * intermediates not counted (RFC 5280 §6.1.4 (l)); 10 by default.
   */
  maxDepth?: number;
  /**
   * Checks one signature of the chain; {@link verifySignature} (JavaScript, noble and our
   * RSA) by default. The Node adapters pass `verifyCertificateSignature` (OpenSSL) when
   * they compute natively.
   */
  verifySignature?: CertificateSignatureVerifier;
}

/** A check of one certificate's signature by its issuer's key (RFC 5280 §6.1.3 (a)(1)). */
export type CertificateSignatureVerifier = (algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array) => boolean;

/** The outcome: the path from leaf to anchor (and the profile it satisfies), or why there is none. */
export type VerifyResult =
  | { readonly ok: true; readonly path: readonly Certificate[]; readonly profile: Profile }
  | { readonly ok: false; readonly code: X509ErrorCode; readonly message: string };

/**
 * The default limit on path length (certificates, leaf and anchor included).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_DEPTH } from '@lucid-tls/tls/x509';
 * console.log(DEFAULT_MAX_DEPTH); // → 10
 * ```
 */
export const DEFAULT_MAX_DEPTH = 10;

/**
 * The profile {@link verifyChain} uses when none is given: `webpki` for TLS server
 * authentication, the case the CA/Browser Forum's rules govern; `rfc5280` for client
 * certificates, which come from private CAs (companies, service meshes) that no such
 * rules bind. Pass `profile: 'webpki'` to hold client certificates to them as well.
 *
 * @example
 * ```ts
 * import { defaultProfile } from '@lucid-tls/tls/x509';
 * console.log(defaultProfile('server'), defaultProfile('client')); // → webpki rfc5280
 * ```
 */
export function defaultProfile(purpose: Purpose): Profile {
  return purpose === 'server' ? 'webpki' : 'rfc5280';
}

/** Signature checks allowed while searching, so crafted chains cannot make the search explode. */
const SIGNATURE_BUDGET = 64;

interface Failure {
  code: X509ErrorCode;
  message: string;
  /** Higher ranks are more informative: a complete path that failed beats "no issuer found". */
  rank: number;
}

/**
 * Validates `chain` (DER or parsed, leaf first, as sent in a TLS Certificate message).
 * Never throws for bad input: a malformed certificate is reported as a failure.
 *
 * @example
 * ```ts
 * import { TrustStore, alertForX509Error, createCertificateAuthority, formatName, issueCertificate, verifyChain } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example CA', organization: 'Example' });
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * const trustStore = TrustStore.fromCertificates([ca.certificate]);
 * const result = verifyChain([leaf.certificate.der], { trustStore, purpose: 'server', hostname: 'example.com' });
 * if (result.ok) console.log(result.path.map((c) => formatName(c.subject)).join(' → ')); // → O=Lucid TLS development certificate, CN=example.com → O=Example, CN=Example CA
 * const later = verifyChain([leaf.certificate.der], { trustStore, hostname: 'example.com', at: new Date(Date.now() + 1000 * 86_400_000) });
 * if (!later.ok) console.log(later.code, alertForX509Error(later.code)); // → expired certificate_expired
 * ```
 */
export function verifyChain(chain: readonly (Uint8Array | Certificate)[], options: VerifyOptions): VerifyResult {
  if (chain.length === 0) return failure('empty_chain', 'the chain has no certificate');
  let certs: Certificate[];
  try {
    certs = chain.map((c, i) => {
      try {
        return c instanceof Uint8Array ? parseCertificate(c) : c;
      } catch (e) {
        if (e instanceof X509Error) throw new X509Error(e.code, `certificate ${i}: ${e.reason}`);
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof X509Error) return { ok: false, code: e.code, message: e.reason };
    throw e;
  }
  const purpose = options.purpose ?? 'server';
  const context: SearchContext = {
    options: {
      trustStore: options.trustStore,
      purpose,
      profile: options.profile ?? defaultProfile(purpose),
      at: options.at ?? new Date(),
      maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.ip !== undefined ? { ip: options.ip } : {}),
    },
    intermediates: certs.slice(1),
    best: null,
    budget: SIGNATURE_BUDGET,
    verifySignature: options.verifySignature ?? verifySignature,
  };
  const path = search([certs[0]!], context);
  if (path) return { ok: true, path, profile: context.options.profile };
  const best = context.best ?? { code: 'unknown_issuer', message: `no issuer found for "${formatName(certs[0]!.issuer)}"`, rank: 0 };
  return failure(best.code, best.message);
}

function failure(code: X509ErrorCode, detail: string): VerifyResult {
  return { ok: false, code, message: `${X509ErrorMessages[code]}: ${detail}` };
}

interface SearchContext {
  options: Required<Pick<VerifyOptions, 'trustStore' | 'purpose' | 'profile' | 'at' | 'maxDepth'>> & Pick<VerifyOptions, 'hostname' | 'ip'>;
  intermediates: Certificate[];
  best: Failure | null;
  budget: number;
  verifySignature: CertificateSignatureVerifier;
}

function record(context: SearchContext, f: Failure): void {
  if (!context.best || f.rank > context.best.rank) context.best = f;
}

/** Depth-first search for a valid path extending `path` (leaf first). */
function search(path: Certificate[], context: SearchContext): Certificate[] | null {
  const current = path[path.length - 1]!;
  const { trustStore, maxDepth } = context.options;
  // A certificate in the trust store is an anchor: the path is complete.
  if (trustStore.contains(current)) return complete(path, context);
  // Room for the candidate: an anchor ends the path; an intermediate must leave room for
  // an anchor after it, and counts only when it is not self-issued (§6.1.4 (l)).
  const depth = countedDepth(path);
  const fits = (c: Certificate, isAnchor: boolean) => (isAnchor ? depth + 1 : depth + (isSelfIssued(c) ? 0 : 1) + 1) <= maxDepth;
  // Anchors first (the shortest path), then the intermediates the peer sent.
  const inPath = (c: Certificate) => path.some((p) => equalBytes(p.der, c.der));
  const anchors = trustStore.issuersOf(current);
  const intermediates = context.intermediates.filter(
    (c) => namesEqual(c.subject, current.issuer) && !inPath(c) && !trustStore.contains(c),
  );
  for (const candidate of [...anchors, ...intermediates]) {
    if (!fits(candidate, anchors.includes(candidate))) {
      record(context, { code: 'path_too_long', message: `no path of at most ${maxDepth} certificates`, rank: 1 });
      continue;
    }
    if (!keyIdentifiersAgree(current, candidate)) continue;
    if (!signedBy(current, candidate, context)) continue;
    const found = anchors.includes(candidate) ? complete([...path, candidate], context) : search([...path, candidate], context);
    if (found) return found;
  }
  return null;
}

/** The certificates of `path` that count against maxDepth: all but self-issued intermediates (RFC 5280 §6.1.4 (l)). */
function countedDepth(path: readonly Certificate[]): number {
  return path.filter((c, i) => i === 0 || !isSelfIssued(c)).length;
}

/** RFC 5280 §4.2.1.1: when both are present, the child's authorityKeyIdentifier names the issuer's subjectKeyIdentifier. */
function keyIdentifiersAgree(child: Certificate, issuer: Certificate): boolean {
  const aki = child.authorityKeyIdentifier?.keyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || equalBytes(aki, ski);
}

/** Whether `issuer`'s key verifies `child`'s signature; records why not. */
function signedBy(child: Certificate, issuer: Certificate, context: SearchContext): boolean {
  const where = `"${formatName(child.subject)}" by "${formatName(issuer.subject)}"`;
  if (context.budget-- <= 0) {
    record(context, { code: 'path_too_long', message: 'too many candidate issuers to try', rank: 1 });
    return false;
  }
  if (!issuer.publicKey) {
    record(context, { code: 'unsupported_key', message: `the key of "${formatName(issuer.subject)}"`, rank: 2 });
    return false;
  }
  let ok: boolean;
  try {
    ok = context.verifySignature(signatureAlgorithm(child.signatureAlgorithm), issuer.publicKey, child.tbsDer, child.signatureValue);
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
    record(context, { code: e.code, message: `${where}: ${e.reason}`, rank: 2 });
    return false;
  }
  if (!ok) record(context, { code: 'bad_signature', message: where, rank: 2 });
  return ok;
}

/** Checks a complete path (leaf … anchor); returns it when valid, else records the failure. */
function complete(path: Certificate[], context: SearchContext): Certificate[] | null {
  const problem = checkPath(path, context.options);
  if (!problem) return path;
  record(context, { ...problem, rank: 3 });
  return null;
}

const subjectOf = (c: Certificate) => `"${formatName(c.subject)}"`;

/** "is not among …": the subjectAltName entries of that type that were compared (the CN never is). */
function notAmong(leaf: Certificate, type: 'dns' | 'ip'): string {
  const checked = (leaf.subjectAltNames ?? []).filter((n) => n.type === type).map((n) => n.value);
  const kind = type === 'dns' ? 'DNS names' : 'IP addresses';
  if (checked.length === 0) return `is not in ${subjectOf(leaf)}: its subjectAltName has no ${kind}`;
  return `is not among the subjectAltName ${kind} of ${subjectOf(leaf)}: ${checked.join(', ')}`;
}

function checkPath(path: Certificate[], options: SearchContext['options']): { code: X509ErrorCode; message: string } | null {
  const leaf = path[0]!;
  const last = path.length - 1;
  // 1. Critical extensions we do not understand (RFC 5280 §4.2).
  for (const cert of path) {
    const unknown = cert.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
    if (unknown) return { code: 'unknown_critical_extension', message: `${unknown.name} in ${subjectOf(cert)}` };
  }
  // 2–3. Issuers are CAs allowed to sign certificates, within their path length.
  for (let i = 1; i <= last; i++) {
    const ca = path[i]!;
    const isAnchor = i === last;
    if (isAnchor && ca.basicConstraints === undefined) {
      // A v1 root has no extensions to say it is a CA; a v3 one could have said so (§4.2.1.9).
      if (options.profile === 'webpki' && ca.version === 3) return { code: 'trust_anchor_without_basic_constraints', message: subjectOf(ca) };
    } else if (!ca.basicConstraints?.cA) {
      return { code: 'not_a_ca', message: subjectOf(ca) };
    }
    if (ca.keyUsage && !ca.keyUsage.includes('keyCertSign')) return { code: 'ca_key_usage', message: subjectOf(ca) };
    const limit = ca.basicConstraints?.pathLenConstraint;
    if (limit !== undefined) {
      // Intermediates between this CA and the leaf, not counting self-issued ones (§6.1.4 (l)).
      const below = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
      if (below > limit) return { code: 'path_length_exceeded', message: `${subjectOf(ca)} allows ${limit}, ${below} follow` };
    }
  }
  // 3b. The WebPKI profile.
  if (options.profile === 'webpki') {
    const problem = checkWebPkiProfile(path);
    if (problem) return problem;
  }
  // 4. Purpose: extendedKeyUsage all along the path, keyUsage of the leaf.
  const purposeOid = options.purpose === 'server' ? OID.serverAuth : OID.clientAuth;
  const purposeName = options.purpose === 'server' ? 'serverAuth' : 'clientAuth';
  for (const cert of path) {
    if (cert.extendedKeyUsage && !cert.extendedKeyUsage.includes(purposeOid)) {
      return { code: 'extended_key_usage', message: `${subjectOf(cert)} lacks ${purposeName}` };
    }
  }
  if (leaf.keyUsage && !leaf.keyUsage.includes('digitalSignature')) return { code: 'leaf_key_usage', message: subjectOf(leaf) };
  // 5. Identity: the name we wanted to reach.
  const hostIsIp = options.hostname !== undefined && parseIpAddress(options.hostname) !== null;
  const ip = options.ip ?? (hostIsIp ? options.hostname : undefined);
  if (ip !== undefined && !matchesIpAddress(leaf, ip)) return { code: 'ip_address_mismatch', message: `${ip} ${notAmong(leaf, 'ip')}` };
  if (options.hostname !== undefined && !hostIsIp && !matchesHostname(leaf, options.hostname)) {
    return { code: 'hostname_mismatch', message: `${options.hostname} ${notAmong(leaf, 'dns')}` };
  }
  // 6. Validity period (§4.1.2.5), for every certificate, anchor included.
  const at = options.at.getTime();
  for (const cert of path) {
    if (at < cert.notBefore.getTime()) return { code: 'not_yet_valid', message: `${subjectOf(cert)} is valid from ${cert.notBefore.toISOString()}` };
    if (at > cert.notAfter.getTime()) return { code: 'expired', message: `${subjectOf(cert)} expired at ${cert.notAfter.toISOString()}` };
  }
  // 7. Name constraints of each CA apply to every certificate below it, except
  //    self-issued intermediates (§6.1.3 (b)–(c)).
  for (let i = 1; i <= last; i++) {
    const constraints = path[i]!.nameConstraints;
    if (!constraints) continue;
    for (let j = 0; j < i; j++) {
      if (j > 0 && isSelfIssued(path[j]!)) continue;
      const problem = checkNameConstraints(path[j]!, constraints);
      if (problem) return { code: problem.code, message: `${subjectOf(path[j]!)} under ${subjectOf(path[i]!)}: ${problem.detail}` };
    }
  }
  return null;
}
