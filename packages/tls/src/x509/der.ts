/**
 * DER: the Distinguished Encoding Rules of ASN.1 (ITU-T X.690 §10), the byte format of
 * certificates and keys.
 *
 * Every value is a TLV: a tag byte, a length, and that many content bytes. DER allows
 * exactly one encoding of each value, and this reader insists on it: definite lengths
 * only, in the fewest bytes; minimal INTEGERs; BOOLEAN true as 0xFF; no bytes after
 * the outermost value. Anything else throws an {@link X509Error} with code
 * `der_malformed`, never another kind of error.
 *
 * Lengths come from the input, so the reader never allocates from a length field: it
 * checks that the bytes are there, then hands out views (`subarray`) into the input.
 * Nesting is bounded by {@link MAX_DER_DEPTH}.
 *
 * Only the one-byte tag form is supported (tag numbers 0–30), which is all X.509 uses.
 * @module
 */
import { concat } from '../wire/bytes.js';
import { x509Fail } from './errors.js';

/**
 * Universal tags used by X.509 (X.680 §8.4), as the full identifier byte.
 *
 * @example
 * ```ts
 * import { Tag, der } from '@lucid-tls/tls/x509';
 * console.log(der.sequence(der.integer(5))[0] === Tag.SEQUENCE); // → true
 * ```
 */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8String: 0x0c,
  NumericString: 0x12,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  /** SEQUENCE and SEQUENCE OF: universal 16, constructed. */
  SEQUENCE: 0x30,
  /** SET and SET OF: universal 17, constructed. */
  SET: 0x31,
} as const;

/**
 * The deepest nesting of constructed values the reader accepts. Certificates need about 10.
 *
 * @example
 * ```ts
 * import { MAX_DER_DEPTH, X509Error, der, parseDerTree } from '@lucid-tls/tls/x509';
 * let nested = der.null();
 * for (let i = 0; i < MAX_DER_DEPTH + 1; i++) nested = der.sequence(nested);
 * try {
 *   parseDerTree(nested);
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → der_too_deep
 * }
 * ```
 */
export const MAX_DER_DEPTH = 32;

/**
 * The identifier byte of a context-specific tag `[n]`; constructed for EXPLICIT tags and SEQUENCEs.
 *
 * @example
 * ```ts
 * import { contextTag, tagName } from '@lucid-tls/tls/x509';
 * console.log(contextTag(3, true).toString(16), tagName(contextTag(3, true))); // → a3 [3]
 * ```
 */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** One decoded TLV. `contents` and `der` are views into the input. */
export interface DerElement {
  /** The identifier byte: class (2 bits), constructed flag, tag number (5 bits). */
  readonly tag: number;
  /** The content bytes (V of TLV). */
  readonly contents: Uint8Array;
  /** The whole encoding, tag and length included (what a signature covers). */
  readonly der: Uint8Array;
  /** Offset of the tag byte in the input the reader was given. */
  readonly offset: number;
  /** Nesting depth: 0 for a top-level value. */
  readonly depth: number;
}

/**
 * `"SEQUENCE"`, `"[0]"`, `"INTEGER"`…: a tag in words, for messages and dumps.
 *
 * @example
 * ```ts
 * import { Tag, tagName } from '@lucid-tls/tls/x509';
 * console.log(tagName(Tag.SEQUENCE), tagName(Tag.UTCTime)); // → SEQUENCE UTCTime
 * ```
 */
export function tagName(tag: number): string {
  const cls = tag >> 6;
  const number = tag & 0x1f;
  if (cls === 0) {
    for (const [name, value] of Object.entries(Tag)) if (value === tag) return name;
    return `UNIVERSAL ${number}`;
  }
  if (cls === 2) return `[${number}]`;
  return `${cls === 1 ? 'APPLICATION' : 'PRIVATE'} ${number}`;
}

/**
 * A cursor over a run of DER values (the contents of a SEQUENCE, or a whole input).
 * `what` names the structure being read and appears in error messages.
 *
 * @example
 * ```ts
 * import { DerReader, Tag, der } from '@lucid-tls/tls/x509';
 * // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
 * const bytes = der.sequence(der.boolean(true), der.integer(0));
 * const outer = new DerReader(bytes, 'BasicConstraints');
 * const inner = outer.enter(outer.expect(Tag.SEQUENCE, 'BasicConstraints'), 'BasicConstraints');
 * const cA = inner.peekTag() === Tag.BOOLEAN ? inner.boolean('cA') : false;
 * const pathLen = inner.optional(Tag.INTEGER);
 * inner.end();
 * outer.end();
 * console.log(cA, pathLen?.contents[0]); // → true 0
 * ```
 */
export class DerReader {
  private pos = 0;

  constructor(
    private readonly input: Uint8Array,
    readonly what: string,
    /** Depth of the values read by this reader. */
    readonly depth = 0,
    /** Offset of `input[0]` in the outermost input, for error messages. */
    private readonly base = 0,
  ) {
    if (depth > MAX_DER_DEPTH) x509Fail('der_too_deep', `${what} nests more than ${MAX_DER_DEPTH} levels`);
  }

  /** True when every byte has been read. */
  get done(): boolean {
    return this.pos >= this.input.length;
  }

  /** The tag of the next value, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.input[this.pos];
  }

  /** Reads the next TLV, checking that its length is definite, minimal and in bounds. */
  read(): DerElement {
    const start = this.pos;
    const at = this.base + start;
    const input = this.input;
    if (start >= input.length) x509Fail('der_malformed', `${this.what}: expected a value at offset ${at}, found the end`);
    const tag = input[start]!;
    if ((tag & 0x1f) === 0x1f) x509Fail('der_malformed', `${this.what}: multi-byte tag at offset ${at} is not supported`);
    if (start + 1 >= input.length) x509Fail('der_malformed', `${this.what}: no length byte at offset ${at + 1}`);
    const first = input[start + 1]!;
    let length: number;
    let headerLength: number;
    if (first < 0x80) {
      // Short form: the byte is the length (X.690 §8.1.3.4).
      length = first;
      headerLength = 2;
    } else {
      const count = first & 0x7f;
      // 0x80 is the indefinite form, forbidden in DER (X.690 §10.1); 0xFF is reserved.
      if (count === 0) x509Fail('der_malformed', `${this.what}: indefinite length at offset ${at + 1}`);
      if (count > 4) x509Fail('der_malformed', `${this.what}: length of ${count} bytes at offset ${at + 1} is too large`);
      if (start + 2 + count > input.length) x509Fail('der_malformed', `${this.what}: truncated length at offset ${at + 1}`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + input[start + 2 + i]!;
      // DER: the long form only when needed, with no leading zero byte (X.690 §10.1).
      if (input[start + 2] === 0 || length < 0x80) {
        x509Fail('der_malformed', `${this.what}: length at offset ${at + 1} is not in its shortest form`);
      }
      headerLength = 2 + count;
    }
    const end = start + headerLength + length;
    if (end > input.length) {
      x509Fail('der_malformed', `${this.what}: ${tagName(tag)} at offset ${at} claims ${length} bytes, only ${input.length - start - headerLength} remain`);
    }
    this.pos = end;
    return {
      tag,
      contents: input.subarray(start + headerLength, end),
      der: input.subarray(start, end),
      offset: at,
      depth: this.depth,
    };
  }

  /** Reads the next value and requires its tag to be `tag`. */
  expect(tag: number, field: string): DerElement {
    const next = this.peekTag();
    if (next !== tag) {
      const found = next === undefined ? 'the end' : tagName(next);
      x509Fail('der_malformed', `${this.what}: ${field} should be ${tagName(tag)}, found ${found}`);
    }
    return this.read();
  }

  /** Reads the next value if its tag is `tag` (for OPTIONAL and DEFAULT fields). */
  optional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.read() : undefined;
  }

  /** A reader over the contents of a constructed element, one level deeper. */
  enter(element: DerElement, what: string): DerReader {
    if ((element.tag & 0x20) === 0) x509Fail('der_malformed', `${what}: ${tagName(element.tag)} is not constructed`);
    const headerLength = element.der.length - element.contents.length;
    return new DerReader(element.contents, what, element.depth + 1, element.offset + headerLength);
  }

  /** Reads a SEQUENCE and runs `body` on its contents, which it must consume entirely. */
  sequence<T>(field: string, body: (r: DerReader) => T): T {
    return this.within(this.expect(Tag.SEQUENCE, field), field, body);
  }

  /** Runs `body` on the contents of a constructed `element`; every byte must be read. */
  within<T>(element: DerElement, what: string, body: (r: DerReader) => T): T {
    const inner = this.enter(element, what);
    const value = body(inner);
    inner.end();
    return value;
  }

  /** Reads values until the end (the items of a SEQUENCE OF / SET OF). */
  list<T>(item: (r: DerReader) => T): T[] {
    const items: T[] = [];
    while (!this.done) items.push(item(this));
    return items;
  }

  /** Requires that every byte was read. */
  end(): void {
    if (!this.done) x509Fail('der_malformed', `${this.what}: ${this.input.length - this.pos} unexpected bytes at offset ${this.base + this.pos}`);
  }

  /** Reads an INTEGER (minimally encoded, X.690 §8.3.2). */
  integer(field: string): bigint {
    return decodeInteger(this.expect(Tag.INTEGER, field), field);
  }
  /** An INTEGER that must fit a small non-negative number (versions, path lengths). */
  smallInteger(field: string, max = 2 ** 31): number {
    const value = this.integer(field);
    if (value < 0n || value > BigInt(max)) x509Fail('der_malformed', `${this.what}: ${field} = ${value} is out of range`);
    return Number(value);
  }
  /** Reads a BOOLEAN (DER: 0x00 or 0xff only). */
  boolean(field: string): boolean {
    return decodeBoolean(this.expect(Tag.BOOLEAN, field), field);
  }
  /** Reads an OBJECT IDENTIFIER, as dotted text (e.g. `"2.5.29.17"`). */
  oid(field: string): string {
    return decodeOid(this.expect(Tag.OBJECT_IDENTIFIER, field), field);
  }
  /** Reads an OCTET STRING: its contents. */
  octetString(field: string): Uint8Array {
    return this.expect(Tag.OCTET_STRING, field).contents;
  }
  /** Reads a BIT STRING, with its count of unused bits. */
  bitString(field: string): BitString {
    return decodeBitString(this.expect(Tag.BIT_STRING, field), field);
  }
  /** Reads a NULL (empty contents). */
  null(field: string): void {
    decodeNull(this.expect(Tag.NULL, field), field);
  }
}

/**
 * Reads exactly one DER value from `bytes`: trailing bytes are an error.
 *
 * @example
 * ```ts
 * import { X509Error, der, readDer } from '@lucid-tls/tls/x509';
 * console.log(readDer(der.integer(300), 'n').contents); // → Uint8Array(2) [ 1, 44 ]
 * try {
 *   readDer(Uint8Array.of(0x02, 0x02, 0x00, 0x05), 'n'); // 5 with a needless leading zero: not DER
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → der_malformed
 * }
 * ```
 */
export function readDer(bytes: Uint8Array, what: string): DerElement {
  const r = new DerReader(bytes, what);
  const element = r.read();
  r.end();
  return element;
}

/** A decoded DER value tree (for dumps and tests): children for constructed values. */
export interface DerNode {
  readonly tag: number;
  readonly offset: number;
  readonly contents: Uint8Array;
  readonly children?: DerNode[];
}

/**
 * Decodes a whole DER value into a tree, descending into every constructed value.
 * The recursion is bounded by {@link MAX_DER_DEPTH}.
 *
 * @example
 * ```ts
 * import { der, parseDerTree, tagName } from '@lucid-tls/tls/x509';
 * const tree = parseDerTree(der.sequence(der.oid('2.5.4.3'), der.utf8String('example.com')));
 * console.log(tagName(tree.tag), tree.children!.map((c) => tagName(c.tag)).join(' ')); // → SEQUENCE OBJECT_IDENTIFIER UTF8String
 * ```
 */
export function parseDerTree(bytes: Uint8Array, what = 'DER'): DerNode {
  const toNode = (element: DerElement, reader: DerReader): DerNode => {
    if ((element.tag & 0x20) === 0) return { tag: element.tag, offset: element.offset, contents: element.contents };
    const inner = reader.enter(element, what);
    return { tag: element.tag, offset: element.offset, contents: element.contents, children: inner.list((r) => toNode(r.read(), r)) };
  };
  const top = new DerReader(bytes, what);
  const node = toNode(top.read(), top);
  top.end();
  return node;
}

// ---------------------------------------------------------------------------------
// Primitive values (X.690 §8 with the DER restrictions of §10–11).

/**
 * An INTEGER: two's complement, big-endian, in the fewest bytes (X.690 §8.3).
 *
 * @example
 * ```ts
 * import { decodeInteger, der, readDer } from '@lucid-tls/tls/x509';
 * console.log(decodeInteger(readDer(der.integer(-129), 'n'), 'n')); // → -129n
 * ```
 */
export function decodeInteger(element: DerElement, field: string): bigint {
  const c = element.contents;
  if (c.length === 0) x509Fail('der_malformed', `${field}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    x509Fail('der_malformed', `${field}: INTEGER is not in its shortest form`);
  }
  let value = 0n;
  for (const b of c) value = (value << 8n) | BigInt(b);
  if (c[0]! >= 0x80) value -= 1n << BigInt(8 * c.length);
  return value;
}

/**
 * A BOOLEAN: one byte, 0x00 or 0xFF in DER (X.690 §11.1).
 *
 * @example
 * ```ts
 * import { decodeBoolean, der, readDer } from '@lucid-tls/tls/x509';
 * console.log(decodeBoolean(readDer(der.boolean(true), 'b'), 'b')); // → true
 * ```
 */
export function decodeBoolean(element: DerElement, field: string): boolean {
  const c = element.contents;
  if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) x509Fail('der_malformed', `${field}: BOOLEAN must be one byte, 00 or FF`);
  return c[0] === 0xff;
}

/**
 * NULL: no content bytes.
 *
 * @example
 * ```ts
 * import { decodeNull, der, readDer } from '@lucid-tls/tls/x509';
 * decodeNull(readDer(der.null(), 'parameters'), 'parameters'); // throws unless it is 05 00
 * ```
 */
export function decodeNull(element: DerElement, field: string): void {
  if (element.contents.length !== 0) x509Fail('der_malformed', `${field}: NULL has content bytes`);
}

/**
 * An OBJECT IDENTIFIER as dotted text, e.g. `"1.2.840.10045.2.1"` (X.690 §8.19): the
 * first two arcs share one sub-identifier, each sub-identifier is base 128 with the
 * high bit meaning "more follows", and no sub-identifier starts with a 0x80 byte.
 *
 * @example
 * ```ts
 * import { decodeOid, der, readDer } from '@lucid-tls/tls/x509';
 * console.log(decodeOid(readDer(der.oid('1.2.840.10045.4.3.2'), 'algorithm'), 'algorithm')); // → 1.2.840.10045.4.3.2
 * ```
 */
export function decodeOid(element: DerElement, field: string): string {
  const c = element.contents;
  if (c.length === 0) x509Fail('der_malformed', `${field}: empty OBJECT IDENTIFIER`);
  if (c.length > 128) x509Fail('der_malformed', `${field}: OBJECT IDENTIFIER longer than 128 bytes`);
  const arcs: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const b of c) {
    if (fresh && b === 0x80) x509Fail('der_malformed', `${field}: OBJECT IDENTIFIER arc with a leading 0x80`);
    value = (value << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (!fresh) x509Fail('der_malformed', `${field}: OBJECT IDENTIFIER ends inside an arc`);
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** A BIT STRING: its bytes and how many bits of the last byte are unused. */
export interface BitString {
  readonly bytes: Uint8Array;
  readonly unusedBits: number;
}

/**
 * A BIT STRING (X.690 §8.6): primitive, unused-bit count 0–7, unused bits zero (§11.2.1).
 *
 * @example
 * ```ts
 * import { bitIsSet, decodeBitString, der, readDer } from '@lucid-tls/tls/x509';
 * const keyUsage = decodeBitString(readDer(der.namedBits([0, 5]), 'keyUsage'), 'keyUsage'); // digitalSignature, keyCertSign
 * console.log(bitIsSet(keyUsage, 0), bitIsSet(keyUsage, 1), bitIsSet(keyUsage, 5)); // → true false true
 * ```
 */
export function decodeBitString(element: DerElement, field: string): BitString {
  const c = element.contents;
  if (c.length === 0) x509Fail('der_malformed', `${field}: empty BIT STRING`);
  const unusedBits = c[0]!;
  if (unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) x509Fail('der_malformed', `${field}: bad BIT STRING unused-bit count`);
  if (unusedBits > 0 && (c[c.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    x509Fail('der_malformed', `${field}: BIT STRING has unused bits that are not zero`);
  }
  return { bytes: c.subarray(1), unusedBits };
}

/**
 * Whether bit `n` (0 = the most significant bit of the first byte) is set.
 *
 * @example
 * ```ts
 * import { bitIsSet, decodeBitString, der, readDer } from '@lucid-tls/tls/x509';
 * const bits = decodeBitString(readDer(der.namedBits([2]), 'bits'), 'bits');
 * console.log(bitIsSet(bits, 2), bitIsSet(bits, 40)); // → true false
 * ```
 */
export function bitIsSet(bits: BitString, n: number): boolean {
  const byte = bits.bytes[n >> 3];
  return byte !== undefined && (byte & (0x80 >> (n & 7))) !== 0;
}

const printableCharacters = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * The text of a character-string value, checking that its bytes fit its type.
 *
 * @example
 * ```ts
 * import { decodeString, der, readDer } from '@lucid-tls/tls/x509';
 * console.log(decodeString(readDer(der.printableString('FR'), 'C'), 'C')); // → FR
 * ```
 */
export function decodeString(element: DerElement, field: string): string {
  const c = element.contents;
  switch (element.tag) {
    case Tag.UTF8String:
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(c);
      } catch {
        return x509Fail('der_malformed', `${field}: UTF8String is not valid UTF-8`);
      }
    case Tag.PrintableString: {
      const s = latin1(c);
      if (!printableCharacters.test(s)) x509Fail('der_malformed', `${field}: PrintableString has a character outside its set`);
      return s;
    }
    case Tag.NumericString: {
      const s = latin1(c);
      if (!/^[0-9 ]*$/.test(s)) x509Fail('der_malformed', `${field}: NumericString has a character outside its set`);
      return s;
    }
    case Tag.IA5String:
    case Tag.VisibleString: {
      for (const b of c) if (b > 0x7f) x509Fail('der_malformed', `${field}: ${tagName(element.tag)} has a non-ASCII byte`);
      return latin1(c);
    }
    case Tag.TeletexString:
      // T.61 in theory; in practice CAs put Latin-1 here, which is how everyone reads it.
      return latin1(c);
    case Tag.BMPString: {
      if (c.length % 2 !== 0) x509Fail('der_malformed', `${field}: BMPString has an odd length`);
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case Tag.UniversalString: {
      if (c.length % 4 !== 0) x509Fail('der_malformed', `${field}: UniversalString length is not a multiple of 4`);
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = ((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0;
        if (cp > 0x10ffff) x509Fail('der_malformed', `${field}: UniversalString has an invalid code point`);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return x509Fail('der_malformed', `${field}: ${tagName(element.tag)} is not a character string`);
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * A UTCTime or GeneralizedTime in the form RFC 5280 §4.1.2.5 requires: UTC ("Z"),
 * seconds present, no fractions. UTCTime years 50–99 are 1950–1999, 00–49 are 2000–2049.
 *
 * @example
 * ```ts
 * import { decodeTime, der, readDer } from '@lucid-tls/tls/x509';
 * const notAfter = der.time(new Date('2030-01-01T00:00:00Z')); // UTCTime 300101000000Z
 * console.log(decodeTime(readDer(notAfter, 'notAfter'), 'notAfter').toISOString()); // → 2030-01-01T00:00:00.000Z
 * ```
 */
export function decodeTime(element: DerElement, field: string): Date {
  const s = latin1(element.contents);
  let match: RegExpExecArray | null;
  let year: number;
  if (element.tag === Tag.UTCTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!match) x509Fail('der_malformed', `${field}: UTCTime "${s}" is not YYMMDDHHMMSSZ`);
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (element.tag === Tag.GeneralizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!match) x509Fail('der_malformed', `${field}: GeneralizedTime "${s}" is not YYYYMMDDHHMMSSZ`);
    year = Number(match[1]);
  } else {
    return x509Fail('der_malformed', `${field}: expected UTCTime or GeneralizedTime, found ${tagName(element.tag)}`);
  }
  const [month, day, hour, minute, second] = match.slice(2).map(Number) as [number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // (Date.UTC would map years 0–99 to 1900–1999)
  date.setUTCHours(hour, minute, second, 0);
  // Reject fields out of range (Date would silently roll "Feb 30" into March).
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
    date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day
  ) {
    x509Fail('der_malformed', `${field}: "${s}" is not a valid date and time`);
  }
  return date;
}

// ---------------------------------------------------------------------------------
// Writing. Each function returns the complete TLV encoding of one value.

/**
 * A TLV with the given identifier byte and contents, its length in DER's shortest form.
 *
 * @example
 * ```ts
 * import { Tag, encodeTlv } from '@lucid-tls/tls/x509';
 * console.log(encodeTlv(Tag.OCTET_STRING, new Uint8Array(200)).subarray(0, 3)); // → Uint8Array(3) [ 4, 129, 200 ]
 * ```
 */
export function encodeTlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const lengthBytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) lengthBytes.unshift(v & 0xff);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(contents, header.length);
  return out;
}

/**
 * DER encoders for the types X.509 uses.
 *
 * @example
 * ```ts
 * import { OID, der, encodeExtension } from '@lucid-tls/tls/x509';
 * // basicConstraints: critical, cA TRUE, pathLenConstraint 0
 * const ext = encodeExtension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0)));
 * console.log(Buffer.from(ext).toString('hex')); // → 30120603551d130101ff040830060101ff020100
 * ```
 */
export const der = {
  /** A SEQUENCE (or SEQUENCE OF) of already-encoded items, in order. */
  sequence: (...items: Uint8Array[]): Uint8Array => encodeTlv(Tag.SEQUENCE, concat(...items)),
  /** A SET OF, its elements sorted by their encodings as DER requires (X.690 §11.6). */
  set: (...items: Uint8Array[]): Uint8Array => encodeTlv(Tag.SET, concat(...[...items].sort(compareBytes))),
  /** An INTEGER in two's complement, minimally encoded. */
  integer(value: bigint | number): Uint8Array {
    let v = BigInt(value);
    const bytes: number[] = [];
    // Emit bytes until the remaining value is just the sign extension of the last byte.
    for (;;) {
      const byte = Number(v & 0xffn);
      bytes.unshift(byte);
      v >>= 8n;
      if ((v === 0n && byte < 0x80) || (v === -1n && byte >= 0x80)) break;
    }
    return encodeTlv(Tag.INTEGER, new Uint8Array(bytes));
  },
  /** An unsigned big-endian number (e.g. an RSA modulus) as an INTEGER. */
  unsignedInteger(bytes: Uint8Array): Uint8Array {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.subarray(i);
    return encodeTlv(Tag.INTEGER, trimmed.length > 0 && trimmed[0]! >= 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed);
  },
  /** A BOOLEAN: 0xff for true, 0x00 for false (X.690 §11.1). */
  boolean: (value: boolean): Uint8Array => encodeTlv(Tag.BOOLEAN, new Uint8Array([value ? 0xff : 0x00])),
  /** NULL. */
  null: (): Uint8Array => encodeTlv(Tag.NULL, new Uint8Array(0)),
  /** An OBJECT IDENTIFIER from dotted text, e.g. `der.oid('2.5.29.17')`. */
  oid(dotted: string): Uint8Array {
    const arcs = dotted.split('.').map((a) => BigInt(a));
    if (arcs.length < 2) throw new RangeError(`OID ${dotted} needs at least two arcs`);
    const subs = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
    const bytes: number[] = [];
    for (const sub of subs) {
      const chunk = [Number(sub & 0x7fn)];
      for (let v = sub >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
      bytes.push(...chunk);
    }
    return encodeTlv(Tag.OBJECT_IDENTIFIER, new Uint8Array(bytes));
  },
  /** An OCTET STRING holding `bytes`. */
  octetString: (bytes: Uint8Array): Uint8Array => encodeTlv(Tag.OCTET_STRING, bytes),
  /** A BIT STRING of `bytes`, the last `unusedBits` bits of which are padding. */
  bitString: (bytes: Uint8Array, unusedBits = 0): Uint8Array => encodeTlv(Tag.BIT_STRING, concat(new Uint8Array([unusedBits]), bytes)),
  /**
   * A named bit list such as keyUsage, from the numbers of the bits that are set. DER
   * drops trailing zero bits (X.690 §11.2.2).
   */
  namedBits(bits: number[]): Uint8Array {
    if (bits.length === 0) return encodeTlv(Tag.BIT_STRING, new Uint8Array([0]));
    const highest = Math.max(...bits);
    const bytes = new Uint8Array((highest >> 3) + 1);
    for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
    return der.bitString(bytes, 7 - (highest & 7));
  },
  /** A UTF8String. */
  utf8String: (s: string): Uint8Array => encodeTlv(Tag.UTF8String, new TextEncoder().encode(s)),
  /** A PrintableString (letters, digits, space and `'()+,-./:=?`); throws RangeError otherwise. */
  printableString(s: string): Uint8Array {
    if (!printableCharacters.test(s)) throw new RangeError(`"${s}" has characters PrintableString cannot hold`);
    return encodeTlv(Tag.PrintableString, asciiBytes(s));
  },
  /** An IA5String (ASCII), as DNS names, e-mail addresses and URIs are encoded; throws RangeError otherwise. */
  ia5String(s: string): Uint8Array {
    if (!/^[\x00-\x7f]*$/.test(s)) throw new RangeError(`"${s}" is not ASCII`);
    return encodeTlv(Tag.IA5String, asciiBytes(s));
  },
  /** A time as RFC 5280 §4.1.2.5 says: UTCTime through 2049, GeneralizedTime from 2050. */
  time(date: Date): Uint8Array {
    const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
    const year = date.getUTCFullYear();
    if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be encoded`);
    return year >= 1950 && year < 2050
      ? encodeTlv(Tag.UTCTime, asciiBytes(digits.slice(2)))
      : encodeTlv(Tag.GeneralizedTime, asciiBytes(digits));
  },
  /** `[n] EXPLICIT`: the whole encoding of `inner` wrapped in a constructed context tag. */
  explicit: (n: number, inner: Uint8Array): Uint8Array => encodeTlv(contextTag(n, true), inner),
  /** `[n] IMPLICIT` of a primitive type: the contents under a context tag. */
  implicit: (n: number, contents: Uint8Array): Uint8Array => encodeTlv(contextTag(n, false), contents),
  /** `[n] IMPLICIT` of a SEQUENCE: the items under a constructed context tag. */
  implicitSequence: (n: number, ...items: Uint8Array[]): Uint8Array => encodeTlv(contextTag(n, true), concat(...items)),
};

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
