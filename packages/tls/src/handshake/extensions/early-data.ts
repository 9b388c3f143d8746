/**
 * early_data (RFC 8446 §4.2.10): 0-RTT. Empty in a ClientHello (the client is sending
 * early data) and in EncryptedExtensions (the server accepted it); in a
 * NewSessionTicket it carries the most early data the server will take with that ticket.
 * @module
 */
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.10';

/** ClientHello: an empty body, "0-RTT data follows this ClientHello". */
export const earlyDataOffered: ExtensionBodyCodec<{ type: 'early_data' }> = {
  rfc: RFC,
  note: 'Empty: the client sends 0-RTT data right after this ClientHello, under the PSK’s early traffic keys.',
  read: () => ({ type: 'early_data' }),
  write() {},
};

/** EncryptedExtensions: an empty body, "your 0-RTT data was accepted". */
export const earlyDataAccepted: ExtensionBodyCodec<{ type: 'early_data' }> = {
  rfc: RFC,
  note: 'Empty: the server accepted the client’s 0-RTT data; the client ends it with EndOfEarlyData.',
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
