/**
 * Certificate extensions (RFC 5280 §4.2): what a CA adds to say how the key may be
 * used, which names it covers, and where to find more. Each extension is an OID, a
 * `critical` flag, and a DER value in an OCTET STRING. A validator must refuse a
 * certificate with a critical extension it does not understand (§4.2), so
 * {@link UNDERSTOOD_EXTENSIONS} lists exactly the ones this module decodes.
 * @module
 */
import { der, DerReader, Tag, bitIsSet, contextTag, decodeBitString, decodeBoolean, decodeString } from './der.js';
import { readGeneralName } from './name.js';
import type { GeneralName } from './name.js';
import { X509Error, x509Fail } from './errors.js';
import { OID, oidName } from './oid.js';
import { toHex } from '../wire/bytes.js';

/** One extension as it appears in the certificate. */
export interface Extension {
  readonly oid: string;
  /** `"basicConstraints"`, or the dotted OID when unknown. */
  readonly name: string;
  readonly critical: boolean;
  /** The DER inside the extnValue OCTET STRING. */
  readonly value: Uint8Array;
}

/** basicConstraints (§4.2.1.9): may this key sign certificates, and how many CAs may follow? */
export interface BasicConstraints {
  readonly cA: boolean;
  /** The most non-self-issued intermediate CAs allowed below this one; absent = no limit. */
  readonly pathLenConstraint?: number;
}

/**
 * The keyUsage bits in order (§4.2.1.3); the index is the bit number.
 *
 * @example
 * ```ts
 * import { KEY_USAGE_BITS } from '@lucid-tls/tls/x509';
 * console.log(KEY_USAGE_BITS[0], KEY_USAGE_BITS.indexOf('keyCertSign')); // → digitalSignature 5
 * ```
 */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'contentCommitment', // once "nonRepudiation"
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
/** A keyUsage bit name. */
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

/** One subtree of nameConstraints (§4.2.1.10). `minimum` is always 0 and `maximum` absent in practice. */
export interface GeneralSubtree {
  readonly base: GeneralName;
  readonly minimum: number;
  readonly maximum?: number;
}

/** nameConstraints (§4.2.1.10): the name spaces a CA's descendants must stay within. */
export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[];
  readonly excluded: readonly GeneralSubtree[];
}

/** authorityKeyIdentifier (§4.2.1.1): which of the issuer's keys signed this. */
export interface AuthorityKeyIdentifier {
  readonly keyIdentifier?: Uint8Array;
  readonly authorityCertIssuer?: readonly GeneralName[];
  /** Hex of the issuer's certificate serial number. */
  readonly authorityCertSerialNumber?: string;
}

/** One authorityInfoAccess entry (§4.2.2.1): OCSP responder or the issuer's certificate. */
export interface AccessDescription {
  readonly method: string;
  readonly methodName: string;
  readonly location: GeneralName;
}

/** One CRL distribution point (§4.2.1.13). */
export interface DistributionPoint {
  readonly fullName?: readonly GeneralName[];
  /** Hex of a nameRelativeToCRLIssuer, which is rare. */
  readonly nameRelativeToCRLIssuer?: string;
  readonly reasons?: Uint8Array;
  readonly cRLIssuer?: readonly GeneralName[];
}

/** One certificatePolicies entry (§4.2.1.4), with its CPS URIs and user-notice texts. */
export interface PolicyInformation {
  readonly policyIdentifier: string;
  readonly qualifiers: readonly { readonly id: string; readonly value: string }[];
}

/**
 * The extensions this module decodes, by OID: a critical one of any other OID fails validation.
 *
 * @example
 * ```ts
 * import { OID, UNDERSTOOD_EXTENSIONS } from '@lucid-tls/tls/x509';
 * console.log(UNDERSTOOD_EXTENSIONS.has(OID.nameConstraints), UNDERSTOOD_EXTENSIONS.has(OID.policyConstraints)); // → true false
 * ```
 */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
  OID.authorityKeyIdentifier,
  OID.subjectKeyIdentifier,
  OID.authorityInfoAccess,
  OID.cRLDistributionPoints,
  OID.certificatePolicies,
  OID.signedCertificateTimestampList,
]);

/** Reads the Extensions SEQUENCE (§4.1): each OID at most once. */
export function readExtensions(r: DerReader): Extension[] {
  const extensions = r.sequence('extensions', (seq) =>
    seq.list((s) =>
      s.sequence('Extension', (e) => {
        const oid = e.oid('extnID');
        // critical BOOLEAN DEFAULT FALSE: absent means non-critical.
        const flag = e.optional(Tag.BOOLEAN);
        const critical = flag ? decodeBoolean(flag, 'critical') : false;
        const value = e.octetString('extnValue');
        return { oid, name: oidName(oid), critical, value };
      }),
    ),
  );
  if (extensions.length === 0) x509Fail('certificate_malformed', 'an empty extensions field');
  const seen = new Set<string>();
  for (const ext of extensions) {
    if (seen.has(ext.oid)) x509Fail('duplicate_extension', ext.name);
    seen.add(ext.oid);
  }
  return extensions;
}

/** Decodes the value of `ext` with `body`, turning DER errors into `extension_malformed`. */
function decodeValue<T>(ext: Extension, body: (r: DerReader) => T): T {
  try {
    const r = new DerReader(ext.value, ext.name, 3);
    const value = body(r);
    r.end();
    return value;
  } catch (e) {
    if (e instanceof X509Error && e.code !== 'extension_malformed') x509Fail('extension_malformed', `${ext.name}: ${e.reason}`);
    throw e;
  }
}

function readGeneralNames(r: DerReader, field: string): GeneralName[] {
  const names = r.sequence(field, (seq) => seq.list((s) => readGeneralName(s, field)));
  if (names.length === 0) x509Fail('der_malformed', `${field}: empty GeneralNames`);
  return names;
}

/** basicConstraints (§4.2.1.9). */
export function decodeBasicConstraints(ext: Extension): BasicConstraints {
  return decodeValue(ext, (r) =>
    r.sequence('BasicConstraints', (s) => {
      const cA = s.peekTag() === Tag.BOOLEAN ? s.boolean('cA') : false;
      const pathLenConstraint = s.done ? undefined : s.smallInteger('pathLenConstraint');
      if (pathLenConstraint !== undefined && !cA) x509Fail('der_malformed', 'pathLenConstraint without cA (RFC 5280 §4.2.1.9)');
      return pathLenConstraint === undefined ? { cA } : { cA, pathLenConstraint };
    }),
  );
}

/** keyUsage (§4.2.1.3): the names of the bits that are set. */
export function decodeKeyUsage(ext: Extension): KeyUsage[] {
  return decodeValue(ext, (r) => {
    const bits = r.bitString('KeyUsage');
    return KEY_USAGE_BITS.filter((_, i) => bitIsSet(bits, i));
  });
}

/** extKeyUsage (§4.2.1.12): the purpose OIDs. */
export function decodeExtendedKeyUsage(ext: Extension): string[] {
  return decodeValue(ext, (r) => {
    const oids = r.sequence('ExtKeyUsageSyntax', (s) => s.list((i) => i.oid('KeyPurposeId')));
    if (oids.length === 0) x509Fail('der_malformed', 'empty ExtKeyUsageSyntax');
    return oids;
  });
}

/** subjectAltName / issuerAltName (§4.2.1.6, §4.2.1.7). iPAddress must be 4 or 16 bytes here. */
export function decodeAltNames(ext: Extension): GeneralName[] {
  return decodeValue(ext, (r) => {
    const names = readGeneralNames(r, ext.name);
    for (const n of names) {
      if (n.type === 'ip' && n.bytes!.length !== 4 && n.bytes!.length !== 16) {
        x509Fail('der_malformed', `iPAddress of ${n.bytes!.length} bytes (must be 4 or 16)`);
      }
    }
    return names;
  });
}

/** nameConstraints (§4.2.1.10). iPAddress here is an address and a mask: 8 or 32 bytes. */
export function decodeNameConstraints(ext: Extension): NameConstraints {
  const subtrees = (r: DerReader, tag: number, field: string): GeneralSubtree[] => {
    const element = r.optional(tag);
    if (!element) return [];
    const list = r.within(element, field, (s) =>
      s.list((i) =>
        i.sequence('GeneralSubtree', (t) => {
          const base = readGeneralName(t, 'base');
          if (base.type === 'ip' && base.bytes!.length !== 8 && base.bytes!.length !== 32) {
            x509Fail('der_malformed', `iPAddress constraint of ${base.bytes!.length} bytes (must be 8 or 32)`);
          }
          const min = t.optional(contextTag(0, false));
          const max = t.optional(contextTag(1, false));
          const minimum = min ? smallInt(min.contents) : 0;
          const maximum = max ? smallInt(max.contents) : undefined;
          return maximum === undefined ? { base, minimum } : { base, minimum, maximum };
        }),
      ),
    );
    if (list.length === 0) x509Fail('der_malformed', `${field}: empty GeneralSubtrees`);
    return list;
  };
  return decodeValue(ext, (r) =>
    r.sequence('NameConstraints', (s) => {
      const permitted = subtrees(s, contextTag(0, true), 'permittedSubtrees');
      const excluded = subtrees(s, contextTag(1, true), 'excludedSubtrees');
      // §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence."
      if (permitted.length === 0 && excluded.length === 0) x509Fail('der_malformed', 'empty NameConstraints');
      return { permitted, excluded };
    }),
  );
}

function smallInt(contents: Uint8Array): number {
  if (contents.length === 0 || contents.length > 4 || contents[0]! >= 0x80 || (contents.length > 1 && contents[0] === 0 && contents[1]! < 0x80)) {
    x509Fail('der_malformed', 'BaseDistance is not a small non-negative INTEGER');
  }
  let v = 0;
  for (const b of contents) v = v * 256 + b;
  return v;
}

/** subjectKeyIdentifier (§4.2.1.2): an opaque identifier of the subject's key. */
export function decodeSubjectKeyIdentifier(ext: Extension): Uint8Array {
  return decodeValue(ext, (r) => r.octetString('SubjectKeyIdentifier'));
}

/** authorityKeyIdentifier (§4.2.1.1). */
export function decodeAuthorityKeyIdentifier(ext: Extension): AuthorityKeyIdentifier {
  return decodeValue(ext, (r) =>
    r.sequence('AuthorityKeyIdentifier', (s) => {
      const out: { keyIdentifier?: Uint8Array; authorityCertIssuer?: GeneralName[]; authorityCertSerialNumber?: string } = {};
      const keyId = s.optional(contextTag(0, false));
      if (keyId) out.keyIdentifier = keyId.contents;
      const issuer = s.optional(contextTag(1, true));
      if (issuer) out.authorityCertIssuer = s.within(issuer, 'authorityCertIssuer', (g) => g.list((i) => readGeneralName(i, 'authorityCertIssuer')));
      const serial = s.optional(contextTag(2, false));
      if (serial) out.authorityCertSerialNumber = toHex(serial.contents);
      return out;
    }),
  );
}

/** authorityInfoAccess (§4.2.2.1): where to find OCSP and the issuer's certificate. */
export function decodeAuthorityInfoAccess(ext: Extension): AccessDescription[] {
  return decodeValue(ext, (r) =>
    r.sequence('AuthorityInfoAccessSyntax', (s) =>
      s.list((i) =>
        i.sequence('AccessDescription', (a) => {
          const method = a.oid('accessMethod');
          return { method, methodName: oidName(method), location: readGeneralName(a, 'accessLocation') };
        }),
      ),
    ),
  );
}

/** cRLDistributionPoints (§4.2.1.13): where the CRLs that may revoke this certificate are. */
export function decodeCrlDistributionPoints(ext: Extension): DistributionPoint[] {
  return decodeValue(ext, (r) =>
    r.sequence('CRLDistributionPoints', (s) =>
      s.list((i) =>
        i.sequence('DistributionPoint', (d) => {
          const out: { fullName?: GeneralName[]; nameRelativeToCRLIssuer?: string; reasons?: Uint8Array; cRLIssuer?: GeneralName[] } = {};
          const point = d.optional(contextTag(0, true));
          if (point) {
            // distributionPoint is [0] EXPLICIT around the CHOICE DistributionPointName.
            d.within(point, 'distributionPoint', (p) => {
              const choice = p.read();
              if (choice.tag === contextTag(0, true)) out.fullName = p.within(choice, 'fullName', (g) => g.list((n) => readGeneralName(n, 'fullName')));
              else if (choice.tag === contextTag(1, true)) out.nameRelativeToCRLIssuer = toHex(choice.contents);
              else x509Fail('der_malformed', 'DistributionPointName is neither fullName nor nameRelativeToCRLIssuer');
            });
          }
          const reasons = d.optional(contextTag(1, false));
          if (reasons) out.reasons = decodeBitString(reasons, 'reasons').bytes;
          const issuer = d.optional(contextTag(2, true));
          if (issuer) out.cRLIssuer = d.within(issuer, 'cRLIssuer', (g) => g.list((n) => readGeneralName(n, 'cRLIssuer')));
          return out;
        }),
      ),
    ),
  );
}

/** certificatePolicies (§4.2.1.4): the policy OIDs, with CPS pointers and user notices as text. */
export function decodeCertificatePolicies(ext: Extension): PolicyInformation[] {
  const displayTextTags: number[] = [Tag.IA5String, Tag.VisibleString, Tag.BMPString, Tag.UTF8String];
  return decodeValue(ext, (r) =>
    r.sequence('certificatePolicies', (s) =>
      s.list((i) =>
        i.sequence('PolicyInformation', (p) => {
          const policyIdentifier = p.oid('policyIdentifier');
          const qualifiers = p.done
            ? []
            : p.sequence('policyQualifiers', (q) =>
                q.list((qi) =>
                  qi.sequence('PolicyQualifierInfo', (pq) => {
                    const id = pq.oid('policyQualifierId');
                    const qualifier = pq.read();
                    let value: string;
                    if (id === OID.cps && qualifier.tag === Tag.IA5String) value = decodeString(qualifier, 'cPSuri');
                    else if (id === OID.unotice && qualifier.tag === Tag.SEQUENCE) {
                      value = pq.within(qualifier, 'UserNotice', (u) => {
                        const texts: string[] = [];
                        u.optional(Tag.SEQUENCE); // noticeRef: an organization and numbers, shown by few
                        const explicit = u.done ? undefined : u.read();
                        if (explicit) {
                          if (!displayTextTags.includes(explicit.tag)) x509Fail('der_malformed', 'explicitText is not a DisplayText');
                          texts.push(decodeString(explicit, 'explicitText'));
                        }
                        return texts.join('');
                      });
                    } else value = toHex(qualifier.der);
                    return { id, value };
                  }),
                ),
              );
          return { policyIdentifier, qualifiers };
        }),
      ),
    ),
  );
}

/**
 * The SignedCertificateTimestampList (RFC 6962 §3.3), kept opaque: the bytes of the TLS
 * structure inside the extension's OCTET STRING.
 */
export function decodeSctList(ext: Extension): Uint8Array {
  return decodeValue(ext, (r) => r.octetString('SignedCertificateTimestampList'));
}

// Writers used when issuing certificates.

/**
 * The DER of one Extension.
 *
 * @example
 * ```ts
 * import { OID, der, encodeExtension } from '@lucid-tls/tls/x509';
 * // extKeyUsage, not critical: serverAuth
 * const ext = encodeExtension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth)));
 * console.log(ext.length); // → 21
 * ```
 */
export function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(oid), der.octetString(value));
}
