/**
 * Vectors of code points: `CipherSuite cipher_suites<2..2^16-2>`,
 * `NamedGroup named_group_list<2..2^16-1>`, `ProtocolVersion versions<2..254>` and the
 * like (RFC 8446 §4.1.2, §4.2). Each item is a 16-bit code annotated with its name.
 * @module
 */
import type { PrefixBytes, Reader, VectorBounds, Writer } from '../../wire/codec.js';

/** How one code list looks: its length prefix, its RFC names and how to name a code. */
export interface CodeListShape {
  /** Bytes of the length prefix. */
  prefix: PrefixBytes;
  /** The vector's RFC name, e.g. `cipher_suites`. */
  name: string;
  /** Each item's RFC type name, e.g. `CipherSuite`. */
  item: string;
  /** The human value of a code, e.g. `TLS_AES_128_GCM_SHA256`. */
  describe: (code: number) => string;
  /** The `<floor..ceiling>` of the vector in bytes. */
  bounds: VectorBounds;
  /** A note for learners on the vector as a whole. */
  note?: string;
}

/** Reads a vector of 16-bit codes. An odd length leaves half an item: `decode_error`. */
export function readCodeList(r: Reader, shape: CodeListShape): number[] {
  const info = shape.note === undefined ? undefined : { note: shape.note };
  return r.vector(
    shape.prefix,
    shape.name,
    () =>
      r.list(() => {
        const code = r.u16(shape.item);
        r.describe({ value: shape.describe(code) });
        return code;
      }),
    shape.bounds,
    info,
  );
}

/** Writes a vector of 16-bit codes, annotated as {@link readCodeList} annotates it. */
export function writeCodeList(w: Writer, shape: CodeListShape, codes: readonly number[]): void {
  const info = shape.note === undefined ? undefined : { note: shape.note };
  w.vector(
    shape.prefix,
    shape.name,
    () => {
      for (const code of codes) w.u16(code, shape.item, { value: shape.describe(code) });
    },
    info,
  );
}
