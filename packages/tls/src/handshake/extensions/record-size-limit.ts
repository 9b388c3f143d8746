/**
 * record_size_limit (RFC 8449 §4): the largest record plaintext (in TLS 1.3 counting
 * the content type byte, so at most 2^14+1) the sender is willing to receive.
 * @module
 */
import { fail } from '../../alert.js';
import type { RecordSizeLimitExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

/** The smallest limit an endpoint may announce (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT = 64;

/** ClientHello and EncryptedExtensions: `uint16 RecordSizeLimit`. */
export const recordSizeLimit: ExtensionBodyCodec<RecordSizeLimitExtension> = {
  rfc: 'RFC 8449 §4',
  note: 'The largest protected record the sender is willing to receive (for constrained devices).',
  read(r) {
    const limit = r.u16('RecordSizeLimit');
    r.describe({ value: `${limit} bytes` });
    // "An endpoint MUST treat receipt of a smaller value as a fatal error and generate an illegal_parameter alert."
    if (limit < MIN_RECORD_SIZE_LIMIT) fail('illegal_parameter', `record_size_limit: ${limit} is below 64`);
    return { type: 'record_size_limit', limit };
  },
  write(w, e) {
    w.u16(e.limit, 'RecordSizeLimit', { value: `${e.limit} bytes` });
  },
};
