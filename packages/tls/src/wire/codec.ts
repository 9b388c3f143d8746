/**
 * The byte codec for the TLS presentation language (RFC 8446 §3).
 *
 * One {@link Writer} and one {@link Reader} serve both the wire and the trace: when
 * annotation is on, every field written or read is recorded with its name, byte
 * offset and length (and, where the caller gives them, a plain-language note and the
 * RFC section), so the tree of {@link Field}s tiles the encoded bytes exactly.
 * When annotation is off the names are ignored and nothing is allocated for them.
 * @module
 */
import { fail } from '../alert.js';

/**
 * One named field of an encoded structure. Leaves tile the bytes; inner nodes group them.
 * @category Trace
 */
export interface Field {
  /** The field's name, as in the RFC's structure definitions (e.g. `legacy_version`). */
  name: string;
  /** Byte offset from the start of the encoded structure (for handshake messages: the type byte). */
  offset: number;
  /** Length in bytes. */
  length: number;
  /** The decoded value in human form, e.g. `"TLS_AES_128_GCM_SHA256"` or `"0x0303"`. */
  value?: string;
  /** A short plain-language explanation. */
  note?: string;
  /** Where it is defined, e.g. `"RFC 8446 §4.1.2"`. */
  rfc?: string;
  /** Sub-fields, in order. */
  children?: Field[];
}

/**
 * What a caller may say about a field: a note, or a note, value and RFC section.
 * @category Bytes and codec
 */
export type FieldInfo = string | { note?: string; value?: string; rfc?: string };

/** Length-prefix sizes used by the presentation language: `<0..2^8-1>`, `<0..2^16-1>`, `<0..2^24-1>`. */
export type PrefixBytes = 1 | 2 | 3;

function makeField(name: string, offset: number, length: number, info?: FieldInfo): Field {
  const f: Field = { name, offset, length };
  if (info !== undefined) describeField(f, info);
  return f;
}

function describeField(f: Field, info: FieldInfo): void {
  if (typeof info === 'string') f.note = info;
  else {
    if (info.note !== undefined) f.note = info.note;
    if (info.value !== undefined) f.value = info.value;
    if (info.rfc !== undefined) f.rfc = info.rfc;
  }
}

/** Optional bounds on a vector's length in bytes, from its `<floor..ceiling>` in the RFC. */
export interface VectorBounds {
  min?: number;
  max?: number;
}

/**
 * Writes the presentation language into a growing buffer, optionally recording fields.
 *
 * @example
 * ```ts
 * import { Writer, toHex } from '@lucid-tls/tls/learn';
 * // struct { uint16 version; opaque label<0..255>; }
 * const w = new Writer({ annotate: true });
 * w.u16(0x0304, 'version');
 * w.opaque(1, new TextEncoder().encode('hi'), 'label');
 * console.log(toHex(w.finish())); // → 0304026869
 * console.log(w.fields.map((f) => `${f.name}@${f.offset}+${f.length}`).join(' ')); // → version@0+2 label@2+3
 * ```
 * @category Bytes and codec
 */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  /** The stack of open groups' children (annotation on), or null (annotation off). */
  private readonly groups: Field[][] | null;
  private last: Field | undefined;

  constructor(options: { annotate?: boolean; capacity?: number } = {}) {
    this.buf = new Uint8Array(options.capacity ?? 256);
    this.groups = options.annotate ? [[]] : null;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The recorded top-level fields (empty when annotation is off). */
  get fields(): Field[] {
    return this.groups?.[0] ?? [];
  }

  /** The encoded bytes (a copy sized to fit). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** A `uint8` field. */
  u8(value: number, name: string, info?: FieldInfo): this {
    return this.uint(value, 1, name, info);
  }
  /** A `uint16` field, big-endian (network byte order, RFC 8446 §3.3). */
  u16(value: number, name: string, info?: FieldInfo): this {
    return this.uint(value, 2, name, info);
  }
  /** A `uint24` field, big-endian (handshake message lengths). */
  u24(value: number, name: string, info?: FieldInfo): this {
    return this.uint(value, 3, name, info);
  }
  /** A `uint32` field, big-endian. */
  u32(value: number, name: string, info?: FieldInfo): this {
    return this.uint(value, 4, name, info);
  }

  /** Raw bytes of a fixed-length field (e.g. `Random random`). */
  bytes(data: Uint8Array, name: string, info?: FieldInfo): this {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.leaf(name, this.pos, data.length, info);
    this.pos += data.length;
    return this;
  }

  /** An `opaque name<..>` vector: a length prefix of `prefix` bytes, then `data`. */
  opaque(prefix: PrefixBytes, data: Uint8Array, name: string, info?: FieldInfo): this {
    return this.vector(prefix, name, () => this.bytes(data, name === 'data' ? 'bytes' : 'data'), info);
  }

  /**
   * A vector whose body `body` writes: its length prefix is filled in afterwards.
   * With annotation, it becomes a group holding a `length` leaf and the body's fields.
   */
  vector(prefix: PrefixBytes, name: string, body: () => void, info?: FieldInfo): this {
    const start = this.pos;
    this.group(name, info, () => {
      this.uint(0, prefix, 'length');
      body();
    });
    const length = this.pos - start - prefix;
    if (length >= 2 ** (8 * prefix)) throw new RangeError(`${name}: ${length} bytes do not fit a ${prefix}-byte length`);
    for (let i = 0; i < prefix; i++) this.buf[start + i] = (length >>> (8 * (prefix - 1 - i))) & 0xff;
    return this;
  }

  /** A named group of fields with no length prefix of its own (a `struct`). */
  struct(name: string, body: () => void, info?: FieldInfo): this {
    this.group(name, info, body);
    return this;
  }

  /** Adds a note, value or RFC reference to the field written last. */
  describe(info: FieldInfo): this {
    if (this.last) describeField(this.last, info);
    return this;
  }

  private group(name: string, info: FieldInfo | undefined, body: () => void): void {
    if (!this.groups) return body();
    const field = makeField(name, this.pos, 0, info);
    field.children = [];
    this.groups[this.groups.length - 1]!.push(field);
    this.groups.push(field.children);
    try {
      body();
    } finally {
      this.groups.pop();
    }
    field.length = this.pos - field.offset;
    this.last = field;
  }

  private uint(value: number, size: 1 | 2 | 3 | 4, name: string, info?: FieldInfo): this {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * size)) {
      throw new RangeError(`${name}: ${value} does not fit in ${size} byte(s)`);
    }
    this.reserve(size);
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.pos + i] = value & 0xff;
      value = Math.floor(value / 256);
    }
    this.leaf(name, this.pos, size, info);
    this.pos += size;
    return this;
  }

  private leaf(name: string, offset: number, length: number, info?: FieldInfo): void {
    if (!this.groups) return;
    const f = makeField(name, offset, length, info);
    this.groups[this.groups.length - 1]!.push(f);
    this.last = f;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}

/**
 * Reads the presentation language. Every read is bounds-checked: running past the
 * end of the input or of the enclosing vector is a `decode_error` (RFC 8446 §6.2),
 * thrown as a `TlsError`. Lengths come from the input, so nothing is allocated
 * from a length field before the bytes are known to be there.
 *
 * @example
 * ```ts
 * import { TlsError } from '@lucid-tls/tls';
 * import { Reader, fromHex } from '@lucid-tls/tls/learn';
 * const r = new Reader(fromHex('0304026869'), 'Example');
 * console.log(r.u16('version').toString(16)); // → 304
 * console.log(new TextDecoder().decode(r.opaque(1, 'label'))); // → hi
 * r.expectEnd();
 * try {
 *   new Reader(fromHex('0304'), 'Example').u32('too_long');
 * } catch (e) {
 *   if (e instanceof TlsError) console.log(e.alert); // → decode_error
 * }
 * ```
 * @category Bytes and codec
 */
export class Reader {
  private pos: number;
  private end: number;
  private readonly groups: Field[][] | null;
  private last: Field | undefined;

  /**
   * @param input the bytes to read
   * @param context what is being read, for error messages (e.g. `"ClientHello"`)
   * @param options `annotate: true` records the {@link Field} tree of what is read
   */
  constructor(
    private readonly input: Uint8Array,
    private readonly context: string,
    options: { annotate?: boolean } = {},
  ) {
    this.pos = 0;
    this.end = input.length;
    this.groups = options.annotate ? [[]] : null;
  }

  /** The offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before the end of the current vector (or of the input). */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** The recorded top-level fields (empty when annotation is off). */
  get fields(): Field[] {
    return this.groups?.[0] ?? [];
  }

  /** Reads a `uint8`; decode_error when the input ends first. */
  u8(name: string, info?: FieldInfo): number {
    return this.uint(1, name, info);
  }
  /** Reads a big-endian `uint16`; decode_error when the input ends first. */
  u16(name: string, info?: FieldInfo): number {
    return this.uint(2, name, info);
  }
  /** Reads a big-endian `uint24`; decode_error when the input ends first. */
  u24(name: string, info?: FieldInfo): number {
    return this.uint(3, name, info);
  }
  /** Reads a big-endian `uint32`; decode_error when the input ends first. */
  u32(name: string, info?: FieldInfo): number {
    return this.uint(4, name, info);
  }

  /** `n` raw bytes (a view into the input, not a copy). */
  bytes(n: number, name: string, info?: FieldInfo): Uint8Array {
    this.need(n, name);
    const out = this.input.subarray(this.pos, this.pos + n);
    this.leaf(name, this.pos, n, info);
    this.pos += n;
    return out;
  }

  /** All bytes left in the current vector or input. */
  rest(name: string, info?: FieldInfo): Uint8Array {
    return this.bytes(this.remaining, name, info);
  }

  /** An `opaque name<min..max>` vector's contents. */
  opaque(prefix: PrefixBytes, name: string, bounds?: VectorBounds, info?: FieldInfo): Uint8Array {
    return this.vector(prefix, name, () => this.rest(name === 'data' ? 'bytes' : 'data'), bounds, info);
  }

  /**
   * A vector: reads its length prefix, then runs `body` confined to exactly that
   * many bytes. The body must consume them all (else `decode_error`).
   */
  vector<T>(prefix: PrefixBytes, name: string, body: () => T, bounds?: VectorBounds, info?: FieldInfo): T {
    return this.group(name, info, () => {
      const length = this.uint(prefix, 'length');
      if (bounds?.min !== undefined && length < bounds.min) {
        fail('decode_error', `${this.context}: ${name} is ${length} bytes, below its minimum of ${bounds.min}`);
      }
      if (bounds?.max !== undefined && length > bounds.max) {
        fail('decode_error', `${this.context}: ${name} is ${length} bytes, above its maximum of ${bounds.max}`);
      }
      this.need(length, name);
      const outer = this.end;
      this.end = this.pos + length;
      const value = body();
      if (this.pos !== this.end) fail('decode_error', `${this.context}: ${this.end - this.pos} unread bytes in ${name}`);
      this.end = outer;
      return value;
    });
  }

  /** Reads items with `item` until the current vector is used up. */
  list<T>(item: () => T): T[] {
    const items: T[] = [];
    while (this.remaining > 0) items.push(item());
    return items;
  }

  /** A named group of fields with no length prefix (a `struct`). */
  struct<T>(name: string, body: () => T, info?: FieldInfo): T {
    return this.group(name, info, body);
  }

  /** Requires that everything was read. */
  expectEnd(): void {
    if (this.pos !== this.end) fail('decode_error', `${this.context}: ${this.end - this.pos} bytes left over`);
  }

  /** Adds a note, value or RFC reference to the field read last. */
  describe(info: FieldInfo): this {
    if (this.last) describeField(this.last, info);
    return this;
  }

  private group<T>(name: string, info: FieldInfo | undefined, body: () => T): T {
    if (!this.groups) return body();
    const field = makeField(name, this.pos, 0, info);
    field.children = [];
    this.groups[this.groups.length - 1]!.push(field);
    this.groups.push(field.children);
    try {
      return body();
    } finally {
      this.groups.pop();
      field.length = this.pos - field.offset;
      this.last = field;
    }
  }

  private uint(size: number, name: string, info?: FieldInfo): number {
    this.need(size, name);
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + this.input[this.pos + i]!;
    this.leaf(name, this.pos, size, info);
    this.pos += size;
    return value;
  }

  private need(n: number, name: string): void {
    if (n > this.end - this.pos) {
      fail('decode_error', `${this.context}: ${name} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  private leaf(name: string, offset: number, length: number, info?: FieldInfo): void {
    if (!this.groups) return;
    const f = makeField(name, offset, length, info);
    this.groups[this.groups.length - 1]!.push(f);
    this.last = f;
  }
}
