/**
 * server_name (RFC 6066 §3): the DNS name the client wants to reach (SNI), so that
 * one address can serve many sites. The server answers with an empty extension in
 * EncryptedExtensions when it used the name.
 * @module
 */
import { fail } from '../../alert.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 6066 §3';
/** NameType host_name(0), the only name type defined. */
const HOST_NAME = 0;

/** The bytes of an ASCII host name (RFC 6066 §3: "ASCII encoding without a trailing dot"). */
function asciiBytes(hostName: string): Uint8Array {
  const out = new Uint8Array(hostName.length);
  for (let i = 0; i < hostName.length; i++) {
    const c = hostName.charCodeAt(i);
    if (c > 0x7f) throw new RangeError('server_name: a host name must be ASCII (use the A-label form of an IDN)');
    out[i] = c;
  }
  return out;
}

/** ClientHello: a ServerNameList holding one host_name. */
export const serverNameList: ExtensionBodyCodec<{ type: 'server_name'; hostName: string }> = {
  rfc: RFC,
  note: 'The host name the client is connecting to (SNI), so the server can pick the right certificate.',
  read(r) {
    const names = r.vector(
      2,
      'server_name_list',
      () =>
        r.list(() =>
          r.struct('ServerName', () => {
            const nameType = r.u8('name_type');
            r.describe({ value: nameType === HOST_NAME ? 'host_name' : String(nameType) });
            // ServerName has no body defined for other name types, so it cannot be read past.
            if (nameType !== HOST_NAME) fail('decode_error', `server_name: unknown name_type ${nameType}`);
            const bytes = r.opaque(2, 'HostName', { min: 1 });
            if (bytes.some((b) => b > 0x7f)) fail('decode_error', 'server_name: the host name is not ASCII');
            const hostName = String.fromCharCode(...bytes);
            r.describe({ value: hostName });
            return hostName;
          }),
        ),
      { min: 1 },
    );
    // "The ServerNameList MUST NOT contain more than one name of the same name_type."
    if (names.length !== 1) fail('illegal_parameter', 'server_name: more than one host_name');
    return { type: 'server_name', hostName: names[0]! };
  },
  write(w, { hostName }) {
    w.vector(2, 'server_name_list', () =>
      w.struct('ServerName', () => {
        w.u8(HOST_NAME, 'name_type', { value: 'host_name' });
        w.opaque(2, asciiBytes(hostName), 'HostName', { value: hostName });
      }),
    );
  },
};

/** EncryptedExtensions: an empty body, meaning "the server used the name you sent". */
export const serverNameAcknowledged: ExtensionBodyCodec<{ type: 'server_name' }> = {
  rfc: RFC,
  note: 'Empty: the server tells the client it used the name the client sent.',
  read() {
    return { type: 'server_name' };
  },
  write() {},
};
