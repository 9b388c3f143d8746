/**
 * The extensions block of a message: `Extension extensions<..>`, each Extension being
 * `extension_type` and opaque `extension_data` (RFC 8446 §4.2).
 *
 * Which extensions a message interprets, and in what shape, is given by a table of
 * {@link ExtensionBodyCodec}s per message; everything else is kept as an
 * {@link UnknownExtension} and written back byte for byte. The rules of §4.2 that
 * concern the block as a whole are checked here: no duplicates, only extensions the
 * table of §4.2 allows in this message, and pre_shared_key last in a ClientHello.
 * @module
 */
import { fail } from '../../alert.js';
import { Reader, type VectorBounds, type Writer } from '../../wire/codec.js';
import type { UnknownExtension } from '../messages/types.js';
import { extensionValue } from '../messages/field-values.js';
import { contextStructName, isAllowedIn, type ExtensionContext } from './extension-contexts.js';
import { ExtensionType, extensionTypeName, type ExtensionTypeName } from './extension-type.js';

/** Reads and writes the `extension_data` of one extension in one message. */
export interface ExtensionBodyCodec<E> {
  /** Where the extension is defined, e.g. `RFC 8446 §4.2.8`. */
  readonly rfc: string;
  /** What the extension does, in a sentence. */
  readonly note: string;
  /** Reads the body; `r` is confined to `extension_data`, which must be used up. */
  read(r: Reader): E;
  /** Writes the body (the `extension_data` length prefix is written around it). */
  write(w: Writer, extension: E): void;
}

/** Any extension a message may hold: an interpreted one (named by its type) or an unknown one. */
export type AnyExtension = { type: ExtensionTypeName } | UnknownExtension;

/** The codecs of the extensions a message interprets, one per extension type. */
export type ExtensionCodecs<E extends AnyExtension> = {
  readonly [T in Exclude<E['type'], 'unknown'>]: ExtensionBodyCodec<Extract<E, { type: T }>>;
};

/** Options of {@link readExtensions}. */
export interface ReadExtensionsOptions {
  /** The `<floor..ceiling>` of the block in bytes. */
  bounds?: VectorBounds;
  /**
   * False keeps every extension as unknown and skips the §4.2 table (used for a
   * ServerHello of an older TLS version, whose extensions TLS 1.3's rules do not govern).
   */
  interpret?: boolean;
}

const UNKNOWN_NOTE = 'Not interpreted by this library; kept as bytes and sent back unchanged.';

function codecFor<E extends AnyExtension>(codecs: ExtensionCodecs<E>, name: string): ExtensionBodyCodec<E> | undefined {
  // A table keyed by type name: the entry for `name` reads and writes extensions of that type.
  return (codecs as unknown as Partial<Record<string, ExtensionBodyCodec<E>>>)[name];
}

function extensionInfo(code: number, codec: ExtensionBodyCodec<unknown> | undefined) {
  return codec
    ? { value: extensionValue(code), rfc: codec.rfc, note: codec.note }
    : { value: extensionValue(code), note: UNKNOWN_NOTE };
}

/** Reads an extensions block of a message of kind `context`. */
export function readExtensions<E extends AnyExtension>(
  r: Reader,
  context: ExtensionContext,
  codecs: ExtensionCodecs<E>,
  options: ReadExtensionsOptions = {},
): E[] {
  const where = contextStructName[context];
  const interpret = options.interpret ?? true;
  const seen = new Set<number>();
  let afterPreSharedKey = false;

  const readOne = (): E => {
    const code = r.u16('extension_type');
    r.describe({ value: extensionValue(code) });
    const name = extensionTypeName(code);
    const label = name ?? extensionValue(code);
    // §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
    if (seen.has(code)) fail('illegal_parameter', `${where}: more than one ${label} extension`);
    seen.add(code);
    // §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello".
    if (afterPreSharedKey) fail('illegal_parameter', `${where}: pre_shared_key is not the last extension`);
    if (context === 'CH' && code === ExtensionType.pre_shared_key) afterPreSharedKey = true;
    if (interpret && !isAllowedIn(code, context)) {
      fail('illegal_parameter', `${where}: the ${label} extension is not allowed in this message`);
    }
    const codec = interpret && name !== undefined ? codecFor(codecs, name) : undefined;
    return r.vector(2, 'extension_data', (): E => {
      if (codec) return codec.read(r);
      const unknown: UnknownExtension = { type: 'unknown', code, data: r.rest('data') };
      return unknown as E;
    });
  };

  return r.vector(
    2,
    'extensions',
    () =>
      r.list(() => {
        const extension = r.struct('Extension', readOne);
        if (extension.type === 'unknown') r.describe(extensionInfo(extension.code, undefined));
        else r.describe(extensionInfo(ExtensionType[extension.type], codecFor(codecs, extension.type)));
        return extension;
      }),
    options.bounds,
  );
}

/** Writes an extensions block, in the order given. */
export function writeExtensions<E extends AnyExtension>(
  w: Writer,
  extensions: readonly E[],
  codecs: ExtensionCodecs<E>,
): void {
  w.vector(2, 'extensions', () => {
    for (const extension of extensions) {
      if (extension.type === 'unknown') {
        const { code, data } = extension as UnknownExtension;
        w.struct(
          'Extension',
          () => {
            w.u16(code, 'extension_type', { value: extensionValue(code) });
            w.opaque(2, data, 'extension_data');
          },
          extensionInfo(code, undefined),
        );
        continue;
      }
      const code = ExtensionType[extension.type];
      const codec = codecFor(codecs, extension.type);
      if (!codec) throw new RangeError(`${extension.type} cannot be encoded in this message`);
      w.struct(
        'Extension',
        () => {
          w.u16(code, 'extension_type', { value: extensionValue(code) });
          w.vector(2, 'extension_data', () => codec.write(w, extension));
        },
        extensionInfo(code, codec),
      );
    }
  });
}

/**
 * The extension codes of the extensions block starting at `offset` of `bytes`, or
 * `undefined` if the block is malformed (the real read will then report it). Lets a
 * decoder decide how to read a block before reading it.
 */
export function peekExtensionCodes(bytes: Uint8Array, offset: number): number[] | undefined {
  const r = new Reader(bytes.subarray(offset), 'extensions');
  try {
    return r.vector(2, 'extensions', () =>
      r.list(() => {
        const code = r.u16('extension_type');
        r.opaque(2, 'extension_data');
        return code;
      }),
    );
  } catch {
    return undefined;
  }
}
