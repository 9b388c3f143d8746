/**
 * ec_point_formats (RFC 8422 §5.1.2): the elliptic-curve point formats the sender can parse,
 * in TLS 1.2. Only uncompressed (0) remains; a list without it cannot be answered.
 * @module
 */
import type { EcPointFormatsExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

/** ECPointFormat uncompressed (RFC 8422 §5.1.2), the one every implementation must support. */
export const UNCOMPRESSED = 0;

const formatNames = new Map<number, string>([
  [0, 'uncompressed'],
  [1, 'ansiX962_compressed_prime'],
  [2, 'ansiX962_compressed_char2'],
]);

/** `ECPointFormat ec_point_format_list<1..2^8-1>`. */
export const ecPointFormats: ExtensionBodyCodec<EcPointFormatsExtension> = {
  rfc: 'RFC 8422 §5.1.2',
  note: 'TLS 1.2: the point formats the sender parses; uncompressed is the only one left.',
  read: (r) => ({
    type: 'ec_point_formats',
    formats: r.vector(
      1,
      'ec_point_format_list',
      () =>
        r.list(() => {
          const format = r.u8('ECPointFormat');
          r.describe({ value: formatNames.get(format) ?? `unknown (${format})` });
          return format;
        }),
      { min: 1 },
    ),
  }),
  write(w, e) {
    w.vector(1, 'ec_point_format_list', () => {
      for (const format of e.formats) w.u8(format, 'ECPointFormat', { value: formatNames.get(format) ?? `unknown (${format})` });
    });
  },
};
