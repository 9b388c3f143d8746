/**
 * Names in certificates: the distinguished names of subject and issuer (RFC 5280
 * §4.1.2.4) and the GeneralNames of subjectAltName and nameConstraints (§4.2.1.6).
 * @module
 */
import { der, DerReader, Tag, contextTag, decodeOid, decodeString, tagName } from './der.js';
import type { DerElement } from './der.js';
import { x509Fail } from './errors.js';
import { formatIpAddress, formatIpConstraint } from './ip.js';
import { OID, attributeShortNames } from './oid.js';
import { toHex } from '../wire/bytes.js';

/** One attribute of a name, e.g. CN=example.com. */
export interface AttributeTypeAndValue {
  readonly oid: string;
  /** The short name (`"CN"`, `"O"`…) or, for an unknown attribute, the dotted OID. */
  readonly name: string;
  /** The value as text (hex, prefixed with `#`, if it is not a string type). */
  readonly value: string;
  /** The ASN.1 string type the issuer chose (UTF8String, PrintableString…). */
  readonly tag: number;
}

/**
 * A distinguished name: a sequence of relative distinguished names (RDNs), each a set
 * of attributes (almost always just one), from the most general (C=…) to the most
 * specific (CN=…).
 */
export interface DistinguishedName {
  readonly rdns: readonly (readonly AttributeTypeAndValue[])[];
  /** The DER encoding, as it appears in the certificate. */
  readonly der: Uint8Array;
}

/** Reads a Name (RFC 5280 §4.1.2.4): SEQUENCE OF SET OF AttributeTypeAndValue. */
export function readName(r: DerReader, field: string): DistinguishedName {
  const element = r.expect(Tag.SEQUENCE, field);
  return decodeName(element, r, field);
}

/** Decodes a Name from its element (used for both subject/issuer and directoryName). */
export function decodeName(element: DerElement, r: DerReader, field: string): DistinguishedName {
  const rdns = r.within(element, field, (seq) =>
    seq.list((s) =>
      s.within(s.expect(Tag.SET, 'RelativeDistinguishedName'), 'RelativeDistinguishedName', (set) => {
        const attributes = set.list((a) =>
          a.sequence('AttributeTypeAndValue', (atv) => {
            const oid = atv.oid('type');
            const valueElement = atv.read();
            const isString = [
              Tag.UTF8String, Tag.PrintableString, Tag.IA5String, Tag.TeletexString,
              Tag.BMPString, Tag.UniversalString, Tag.NumericString, Tag.VisibleString,
            ].includes(valueElement.tag as never);
            const value = isString ? decodeString(valueElement, field) : `#${toHex(valueElement.der)}`;
            return { oid, name: attributeShortNames[oid] ?? oid, value, tag: valueElement.tag };
          }),
        );
        if (attributes.length === 0) x509Fail('der_malformed', `${field}: empty RelativeDistinguishedName`);
        return attributes;
      }),
    ),
  );
  return { rdns, der: element.der };
}

/**
 * `"C=US, O=Example, CN=example.com"`: the attributes in certificate order, as OpenSSL prints them.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, formatName } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example Root', organization: 'Example' });
 * console.log(formatName(ca.certificate.subject)); // → O=Example, CN=Example Root
 * ```
 */
export function formatName(name: DistinguishedName): string {
  return name.rdns.map((rdn) => rdn.map((a) => `${a.name}=${a.value}`).join(' + ')).join(', ');
}

/**
 * The name as an object of attribute name → value, for JSON output. An attribute that
 * occurs more than once (OU, DC…) maps to an array of its values.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, nameToObject } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example Root', organization: 'Example' });
 * console.log(JSON.stringify(nameToObject(ca.certificate.subject))); // → {"O":"Example","CN":"Example Root"}
 * ```
 */
export function nameToObject(name: DistinguishedName): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const rdn of name.rdns) {
    for (const a of rdn) {
      const prior = out[a.name];
      out[a.name] = prior === undefined ? a.value : Array.isArray(prior) ? [...prior, a.value] : [prior, a.value];
    }
  }
  return out;
}

/**
 * The value of the last (most specific) attribute with this OID, e.g. the CN.
 *
 * @example
 * ```ts
 * import { OID, createCertificateAuthority, nameAttribute } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority({ commonName: 'Example Root' });
 * console.log(nameAttribute(ca.certificate.subject, OID.commonName)); // → Example Root
 * ```
 */
export function nameAttribute(name: DistinguishedName, oid: string): string | undefined {
  let found: string | undefined;
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid) found = a.value;
  return found;
}

/**
 * Whether two names are the same for chaining (RFC 5280 §7.1): attribute by attribute,
 * ignoring case and runs of white space in string values (a simplified form of the
 * RFC 4518 preparation), and the order of attributes within one RDN.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, namesEqual } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const leaf = issueCertificate(ca, { names: ['example.com'] });
 * console.log(namesEqual(leaf.certificate.issuer, ca.certificate.subject)); // → true
 * ```
 */
export function namesEqual(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdnA, i) => {
    const rdnB = b.rdns[i]!;
    if (rdnA.length !== rdnB.length) return false;
    const keysB = rdnB.map(attributeKey);
    return rdnA.every((atv) => keysB.includes(attributeKey(atv)));
  });
}

function attributeKey(a: AttributeTypeAndValue): string {
  return `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Whether `name` begins with every RDN of `prefix` (directoryName constraints, RFC 5280 §4.2.1.10). */
export function nameHasPrefix(name: DistinguishedName, prefix: DistinguishedName): boolean {
  if (prefix.rdns.length > name.rdns.length) return false;
  return namesEqual({ rdns: name.rdns.slice(0, prefix.rdns.length), der: name.der }, prefix);
}

/**
 * The DER of a Name with one attribute per RDN, in the order given. Country is a PrintableString, the rest UTF8String.
 *
 * @example
 * ```ts
 * import { OID, encodeName } from '@lucid-tls/tls/x509';
 * // SEQUENCE { SET { SEQUENCE { commonName, UTF8String "a" } } }
 * console.log(Buffer.from(encodeName([[OID.commonName, 'a']])).toString('hex')); // → 300c310a300806035504030c0161
 * ```
 */
export function encodeName(attributes: readonly (readonly [oid: string, value: string])[]): Uint8Array {
  return der.sequence(
    ...attributes.map(([oid, value]) =>
      der.set(der.sequence(der.oid(oid), oid === OID.countryName ? der.printableString(value) : der.utf8String(value))),
    ),
  );
}

// ---------------------------------------------------------------------------------
// GeneralName (RFC 5280 §4.2.1.6)

/** The forms a GeneralName takes; `dns`, `ip`, `email` and `uri` are the ones TLS cares about. */
export type GeneralNameType =
  | 'otherName'
  | 'email'
  | 'dns'
  | 'x400Address'
  | 'directoryName'
  | 'ediPartyName'
  | 'uri'
  | 'ip'
  | 'registeredId';

/**
 * One GeneralName, with its value as text.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, issueCertificate, type GeneralName } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority(), { names: ['example.com', '192.0.2.1', 'ops@example.com', 'https://example.com/'] });
 * const names: readonly GeneralName[] = certificate.subjectAltNames!;
 * console.log(names.map((n) => n.type).join(' ')); // → dns ip email uri
 * ```
 */
export interface GeneralName {
  readonly type: GeneralNameType;
  /**
   * The value: the name for dns/email/uri, the address for ip (or `address/prefix` in a
   * name constraint), the printed name for directoryName, the OID for registeredId and
   * otherName, hex for the rest.
   */
  readonly value: string;
  /** The raw bytes of an iPAddress (4/16 in a SAN, 8/32 with a mask in a constraint). */
  readonly bytes?: Uint8Array;
  /** The decoded name of a directoryName. */
  readonly directoryName?: DistinguishedName;
}

const generalNameTypes: GeneralNameType[] = [
  'otherName', 'email', 'dns', 'x400Address', 'directoryName', 'ediPartyName', 'uri', 'ip', 'registeredId',
];

/** Reads one GeneralName, a CHOICE told apart by its context tag [0]–[8]. */
export function readGeneralName(r: DerReader, field: string): GeneralName {
  const element = r.read();
  if ((element.tag & 0xc0) !== 0x80 || (element.tag & 0x1f) > 8) {
    x509Fail('der_malformed', `${field}: ${tagName(element.tag)} is not a GeneralName`);
  }
  const number = element.tag & 0x1f;
  const type = generalNameTypes[number]!;
  // otherName, x400Address, directoryName, ediPartyName are constructed; the rest primitive.
  const constructed = [0, 3, 4, 5].includes(number);
  if (element.tag !== contextTag(number, constructed)) x509Fail('der_malformed', `${field}: ${type} has the wrong constructed bit`);
  switch (type) {
    case 'email':
    case 'dns':
    case 'uri':
      return { type, value: decodeString({ ...element, tag: Tag.IA5String }, `${field} ${type}`) };
    case 'ip':
      return {
        type,
        value: element.contents.length === 8 || element.contents.length === 32
          ? formatIpConstraint(element.contents)
          : formatIpAddress(element.contents),
        bytes: element.contents,
      };
    case 'registeredId':
      return { type, value: decodeOid({ ...element, tag: Tag.OBJECT_IDENTIFIER }, field) };
    case 'directoryName': {
      // [4] is EXPLICIT because Name is itself a CHOICE (RFC 5280 Appendix A.2).
      const name = r.within(element, field, (inner) => readName(inner, field));
      return { type, value: formatName(name), directoryName: name };
    }
    case 'otherName': {
      const oid = r.within(element, field, (inner) => {
        const id = inner.oid('type-id');
        inner.expect(contextTag(0, true), 'value');
        return id;
      });
      return { type, value: oid, bytes: element.contents };
    }
    default:
      return { type, value: toHex(element.contents), bytes: element.contents };
  }
}

/**
 * The DER of a GeneralName of type dns, ip (4 or 16 bytes), email or uri.
 *
 * @example
 * ```ts
 * import { encodeGeneralName, parseIpAddress } from '@lucid-tls/tls/x509';
 * console.log(encodeGeneralName({ type: 'dns', value: 'a.example' })[0]!.toString(16)); // → 82
 * console.log(encodeGeneralName({ type: 'ip', bytes: parseIpAddress('10.0.0.1')! })); // → Uint8Array(6) [ 135, 4, 10, 0, 0, 1 ]
 * ```
 */
export function encodeGeneralName(name: { type: 'dns' | 'email' | 'uri'; value: string } | { type: 'ip'; bytes: Uint8Array }): Uint8Array {
  if (name.type === 'ip') return der.implicit(7, name.bytes);
  const number = name.type === 'email' ? 1 : name.type === 'dns' ? 2 : 6;
  const ascii = name.value;
  if (!/^[\x00-\x7f]*$/.test(ascii)) throw new RangeError(`${name.type} name "${ascii}" must be ASCII (use the A-label form)`);
  return der.implicit(number, new TextEncoder().encode(ascii));
}
