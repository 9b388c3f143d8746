/**
 * EncryptedExtensions (RFC 8446 §4.3.1): the server's answers to extensions that do not
 * shape the key exchange (ALPN, SNI, early data…), sent encrypted right after ServerHello.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { alpnSelected } from '../extensions/alpn.js';
import { earlyDataAccepted } from '../extensions/early-data.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import { recordSizeLimit } from '../extensions/record-size-limit.js';
import { serverNameAcknowledged } from '../extensions/server-name.js';
import { supportedGroups } from '../extensions/supported-groups.js';
import type { EncryptedExtension, EncryptedExtensions } from './types.js';

/** The extensions EncryptedExtensions interprets. */
const extensionCodecs: ExtensionCodecs<EncryptedExtension> = {
  server_name: serverNameAcknowledged,
  supported_groups: supportedGroups,
  application_layer_protocol_negotiation: alpnSelected,
  record_size_limit: recordSizeLimit,
  early_data: earlyDataAccepted,
};

/** Reads an EncryptedExtensions body: `Extension extensions<0..2^16-1>`. */
export function readEncryptedExtensions(r: Reader): EncryptedExtensions {
  return { type: 'encrypted_extensions', extensions: readExtensions(r, 'EE', extensionCodecs) };
}

/** Writes an EncryptedExtensions body. */
export function writeEncryptedExtensions(w: Writer, msg: EncryptedExtensions): void {
  writeExtensions(w, msg.extensions, extensionCodecs);
}
