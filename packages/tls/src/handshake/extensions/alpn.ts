/**
 * application_layer_protocol_negotiation (RFC 7301 §3.1): the client lists the
 * application protocols it speaks (e.g. "h2", "http/1.1"); the server picks exactly one
 * and names it in EncryptedExtensions.
 * @module
 */
import { fail } from '../../alert.js';
import type { Reader, Writer } from '../../wire/codec.js';
import type { AlpnExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 7301 §3.1';

/**
 * ProtocolName is a byte string (registered names are ASCII). Each byte becomes one
 * character, so any name decodes and re-encodes to the same bytes.
 */
function nameFromBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function nameToBytes(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`ALPN: "${name}" has a character outside 0..255; names are byte strings`);
    out[i] = c;
  }
  return out;
}

function readNames(r: Reader): string[] {
  return r.vector(
    2,
    'protocol_name_list',
    () =>
      r.list(() => {
        const name = nameFromBytes(r.opaque(1, 'ProtocolName', { min: 1 }));
        r.describe({ value: name });
        return name;
      }),
    { min: 2 },
  );
}

function writeNames(w: Writer, names: readonly string[]): void {
  w.vector(2, 'protocol_name_list', () => {
    for (const name of names) w.opaque(1, nameToBytes(name), 'ProtocolName', { value: name });
  });
}

/** ClientHello: the offered ProtocolNameList. */
export const alpnOffered: ExtensionBodyCodec<AlpnExtension> = {
  rfc: RFC,
  note: 'The application protocols the client can speak over this connection, most preferred first.',
  read: (r) => ({ type: 'application_layer_protocol_negotiation', protocols: readNames(r) }),
  write: (w, e) => writeNames(w, e.protocols),
};

/** EncryptedExtensions: a ProtocolNameList with exactly one name, the server's choice. */
export const alpnSelected: ExtensionBodyCodec<AlpnExtension> = {
  rfc: RFC,
  note: 'The one application protocol the server chose from the client’s list.',
  read(r) {
    const protocols = readNames(r);
    // RFC 7301 §3.1: the server's extension "MUST contain exactly one protocol name".
    if (protocols.length !== 1) fail('decode_error', `ALPN: the server named ${protocols.length} protocols, not one`);
    return { type: 'application_layer_protocol_negotiation', protocols };
  },
  write: (w, e) => writeNames(w, e.protocols),
};
