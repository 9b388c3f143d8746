import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  der, DerReader, MAX_DER_DEPTH, parseDerTree, readDer, decodeInteger, decodeOid, decodeTime, decodeBitString,
  decodeString, Tag, encodeTlv,
} from '../../src/x509/der.js';
import { X509Error } from '../../src/x509/errors.js';
import { decodePem, encodePem } from '../../src/x509/pem.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parsePrivateKeyDer, parsePublicKeyInfo } from '../../src/x509/keys.js';
import { fromHex, toHex } from '../../src/wire/bytes.js';

const h = (hex: string) => fromHex(hex);
/** Runs `f` and returns the X509Error code it throws (fails the test if it throws anything else). */
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof X509Error) return e.code;
    throw e;
  }
}

describe('DER reader: strict rules', () => {
  it('reads a definite short-form and long-form length', () => {
    expect(toHex(readDer(h('0403010203'), 't').contents)).toBe('010203');
    const long = new Uint8Array(2 + 1 + 200);
    long.set([0x04, 0x81, 200]);
    expect(readDer(long, 't').contents.length).toBe(200);
  });
  it('refuses the indefinite length', () => {
    expect(codeOf(() => readDer(h('3080020100' + '0000'), 't'))).toBe('der_malformed');
  });
  it('refuses non-minimal lengths', () => {
    expect(codeOf(() => readDer(h('04810100'), 't'))).toBe('der_malformed'); // 1 in long form
    expect(codeOf(() => readDer(h('0482000100'), 't'))).toBe('der_malformed'); // leading zero length byte
  });
  it('refuses a length past the end and trailing bytes', () => {
    expect(codeOf(() => readDer(h('0405010203'), 't'))).toBe('der_malformed');
    expect(codeOf(() => readDer(h('040101ff'), 't'))).toBe('der_malformed');
    expect(codeOf(() => readDer(h('04'), 't'))).toBe('der_malformed');
    expect(codeOf(() => readDer(h(''), 't'))).toBe('der_malformed');
  });
  it('refuses a huge length without allocating it', () => {
    expect(codeOf(() => readDer(h('3084ffffffff00'), 't'))).toBe('der_malformed');
    expect(codeOf(() => readDer(h('3085ffffffffff00'), 't'))).toBe('der_malformed');
  });
  it('INTEGER must be minimal and non-empty', () => {
    const int = (hex: string) => decodeInteger(readDer(h(hex), 't'), 'i');
    expect(int('020100')).toBe(0n);
    expect(int('02020080')).toBe(128n);
    expect(int('0201ff')).toBe(-1n);
    expect(int('020280ff')).toBe(-32513n);
    expect(codeOf(() => int('02020001'))).toBe('der_malformed');
    expect(codeOf(() => int('0202ff80'))).toBe('der_malformed');
    expect(codeOf(() => int('0200'))).toBe('der_malformed');
  });
  it('BOOLEAN is 00 or FF', () => {
    const r = (hex: string) => new DerReader(h(hex), 't').boolean('b');
    expect(r('0101ff')).toBe(true);
    expect(r('010100')).toBe(false);
    expect(codeOf(() => r('010101'))).toBe('der_malformed');
    expect(codeOf(() => r('01020000'))).toBe('der_malformed');
  });
  it('OBJECT IDENTIFIER arcs are minimal base-128', () => {
    const oid = (hex: string) => decodeOid(readDer(h(hex), 't'), 'o');
    expect(oid('06082a8648ce3d030107')).toBe('1.2.840.10045.3.1.7');
    expect(oid('0603550403')).toBe('2.5.4.3');
    expect(codeOf(() => oid('0603558003'))).toBe('der_malformed'); // leading 0x80
    expect(codeOf(() => oid('06025586'))).toBe('der_malformed'); // ends mid-arc
    expect(codeOf(() => oid('0600'))).toBe('der_malformed');
  });
  it('BIT STRING unused bits are 0–7 and zero', () => {
    const bits = (hex: string) => decodeBitString(readDer(h(hex), 't'), 'b');
    expect(bits('03020780').unusedBits).toBe(7);
    expect(codeOf(() => bits('03020781'))).toBe('der_malformed');
    expect(codeOf(() => bits('030208ff'))).toBe('der_malformed');
    expect(codeOf(() => bits('030107'))).toBe('der_malformed');
  });
  it('times follow RFC 5280 §4.1.2.5', () => {
    const t = (tag: number, s: string) => decodeTime(readDer(encodeTlv(tag, new TextEncoder().encode(s)), 't'), 't');
    expect(t(Tag.UTCTime, '491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(t(Tag.UTCTime, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(t(Tag.GeneralizedTime, '20500101000000Z').toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(codeOf(() => t(Tag.UTCTime, '4912312359Z'))).toBe('der_malformed'); // no seconds
    expect(codeOf(() => t(Tag.UTCTime, '491231235959+0100'))).toBe('der_malformed');
    expect(codeOf(() => t(Tag.GeneralizedTime, '20500101000000.5Z'))).toBe('der_malformed');
    expect(codeOf(() => t(Tag.UTCTime, '490230000000Z'))).toBe('der_malformed'); // Feb 30
  });
  it('string types check their character sets', () => {
    const s = (tag: number, bytes: number[]) => decodeString(readDer(encodeTlv(tag, new Uint8Array(bytes)), 't'), 's');
    expect(s(Tag.UTF8String, [0xc3, 0xa9])).toBe('é');
    expect(codeOf(() => s(Tag.UTF8String, [0xc3]))).toBe('der_malformed');
    expect(codeOf(() => s(Tag.PrintableString, [0x40]))).toBe('der_malformed'); // '@'
    expect(codeOf(() => s(Tag.IA5String, [0x80]))).toBe('der_malformed');
    expect(s(Tag.BMPString, [0x00, 0x41])).toBe('A');
  });
  it('bounds nesting depth', () => {
    let nested = der.null();
    for (let i = 0; i < MAX_DER_DEPTH + 5; i++) nested = der.sequence(nested);
    expect(codeOf(() => parseDerTree(nested))).toBe('der_too_deep');
    let ok = der.null();
    for (let i = 0; i < 10; i++) ok = der.sequence(ok);
    expect(parseDerTree(ok).children).toHaveLength(1);
  });
});

describe('DER writer round trips', () => {
  it('integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (n) => {
        expect(decodeInteger(readDer(der.integer(n), 't'), 'i')).toBe(n);
      }),
    );
  });
  it('OIDs', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.nat(39), fc.array(fc.bigInt({ min: 0n, max: 2n ** 70n }), { maxLength: 8 }), (a, b, rest) => {
        const text = [a, b, ...rest].join('.');
        expect(decodeOid(readDer(der.oid(text), 't'), 'o')).toBe(text);
      }),
    );
  });
  it('times', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(decodeTime(readDer(der.time(whole), 't'), 't').getTime()).toBe(whole.getTime());
      }),
    );
  });
  it('named bits drop trailing zeros', () => {
    expect(toHex(der.namedBits([0]))).toBe('03020780');
    expect(toHex(der.namedBits([0, 5]))).toBe('03020284');
    expect(toHex(der.namedBits([8]))).toBe('0303070080');
  });
  it('long lengths', () => {
    const big = der.octetString(new Uint8Array(70000));
    expect(toHex(big.subarray(0, 5))).toBe('0483011170');
    expect(readDer(big, 't').contents.length).toBe(70000);
  });
});

describe('PEM', () => {
  it('round trips and ignores text between blocks', () => {
    const a = encodePem('CERTIFICATE', h('3000'));
    const b = encodePem('PRIVATE KEY', new Uint8Array(100).fill(7));
    const blocks = decodePem(`# a comment\n${a}\nexplanatory text\n${b}`);
    expect(blocks.map((x) => x.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
    expect(toHex(blocks[0]!.der)).toBe('3000');
    expect(blocks[1]!.der).toEqual(new Uint8Array(100).fill(7));
    expect(b.split('\n')[1]!.length).toBe(64);
  });
  it('rejects a mismatched END, a missing END and bad base64', () => {
    expect(codeOf(() => decodePem('-----BEGIN A-----\nAAAA\n-----END B-----\n'))).toBe('pem_malformed');
    expect(codeOf(() => decodePem('-----BEGIN A-----\nAAAA\n'))).toBe('pem_malformed');
    expect(codeOf(() => decodePem('-----BEGIN A-----\nAA!A\n-----END A-----\n'))).toBe('pem_malformed');
  });
});

/** A value tree of random DER: used as a seed that mutations then break. */
const derValue: fc.Arbitrary<Uint8Array> = fc.letrec<{ v: Uint8Array }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map((n) => der.integer(n)),
    fc.uint8Array({ maxLength: 40 }).map((b) => der.octetString(b)),
    fc.boolean().map((b) => der.boolean(b)),
    fc.constant(der.null()),
    fc.constant(der.oid('1.2.840.10045.2.1')),
    fc.array(tie('v'), { maxLength: 4 }).map((items) => der.sequence(...items)),
    fc.array(tie('v'), { maxLength: 3 }).map((items) => der.explicit(0, der.sequence(...items))),
  ),
})).v;

/** Mutations of a byte string: flip, insert, delete, truncate. */
const mutated = fc
  .tuple(derValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate')), { maxLength: 4 }))
  .map(([bytes, edits]) => {
    let b = Array.from(bytes);
    for (const [pos, value, kind] of edits) {
      if (b.length === 0) break;
      const i = pos % b.length;
      if (kind === 'flip') b[i] = value;
      else if (kind === 'insert') b.splice(i, 0, value);
      else if (kind === 'delete') b.splice(i, 1);
      else b = b.slice(0, i);
    }
    return new Uint8Array(b);
  });

/** Only X509Error may escape; anything else (RangeError, TypeError, stack overflow) fails. */
function onlyTypedErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
  }
}

describe('DER reader against malformed input (property)', () => {
  it('random bytes: only X509Error escapes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyTypedErrors(() => parseDerTree(bytes));
        onlyTypedErrors(() => parseCertificate(bytes));
        onlyTypedErrors(() => parsePublicKeyInfo(bytes));
        onlyTypedErrors(() => parsePrivateKeyDer(bytes));
      }),
      { numRuns: 2000 },
    );
  });
  it('mutated valid DER: only X509Error escapes, and valid DER re-reads identically', () => {
    fc.assert(
      fc.property(mutated, (bytes) => {
        onlyTypedErrors(() => {
          const tree = parseDerTree(bytes);
          expect(tree.offset).toBe(0);
        });
        onlyTypedErrors(() => parseCertificate(bytes));
      }),
      { numRuns: 2000 },
    );
  });
  it('well-formed random DER is always accepted', () => {
    fc.assert(fc.property(derValue, (bytes) => void parseDerTree(bytes)), { numRuns: 500 });
  });
  it('deep nesting and huge length fields throw the typed error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(0x30, 0xa0, 0x31), (depth, tag) => {
        // Nested headers that each claim the rest of the input: no allocation, bounded depth.
        const bytes = new Uint8Array(depth * 2);
        for (let i = 0; i < depth; i++) {
          bytes[2 * i] = tag;
          bytes[2 * i + 1] = Math.min(127, bytes.length - 2 * i - 2);
        }
        onlyTypedErrors(() => parseDerTree(bytes));
        onlyTypedErrors(() => parseCertificate(bytes));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 20 }), (n, len, rest) => {
        const bytes = new Uint8Array([0x30, 0x80 | n, ...len.subarray(0, n), ...rest]);
        onlyTypedErrors(() => parseDerTree(bytes));
        onlyTypedErrors(() => parseCertificate(bytes));
      }),
    );
  });
});
