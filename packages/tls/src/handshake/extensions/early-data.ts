/**
 * early_data (RFC 8446 §4.2.10): 0-RTT. Empty in a ClientHello (the client is sending
 * early data) and in EncryptedExtensions (the server accepted it); in a
 * NewSessionTicket it carries the most early data the server will take with that ticket.
 * @module
 */
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.10';

/** ClientHello and EncryptedExtensions: an empty body. */
export const earlyDataIndication: ExtensionBodyCodec<{ type: 'early_data' }> = {
  rfc: RFC,
  note: 'Empty: in a ClientHello "I am sending 0-RTT data", in EncryptedExtensions "I accepted it".',
  read: () => ({ type: 'early_data' }),
  write() {},
};

/** NewSessionTicket: `uint32 max_early_data_size`. */
export const maxEarlyDataSize: ExtensionBodyCodec<{ type: 'early_data'; maxEarlyDataSize: number }> = {
  rfc: RFC,
  note: 'The ticket may be used for 0-RTT, up to this many bytes of early data.',
  read(r) {
    const size = r.u32('max_early_data_size');
    r.describe({ value: `${size} bytes` });
    return { type: 'early_data', maxEarlyDataSize: size };
  },
  write(w, e) {
    w.u32(e.maxEarlyDataSize, 'max_early_data_size', { value: `${e.maxEarlyDataSize} bytes` });
  },
};
