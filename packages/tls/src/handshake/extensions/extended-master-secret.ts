/**
 * extended_master_secret (RFC 7627 §5.1): an empty extension in both hellos. When both carry
 * it, TLS 1.2's master secret hashes the whole handshake (session_hash) instead of the two
 * randoms, so no two handshakes share one: the triple handshake attack is gone.
 * @module
 */
import type { ExtendedMasterSecretExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

/** The body is empty ("extension_data" of zero length, RFC 7627 §5.1). */
export const extendedMasterSecret: ExtensionBodyCodec<ExtendedMasterSecretExtension> = {
  rfc: 'RFC 7627 §5.1',
  note: 'TLS 1.2: derive the master secret from a hash of the whole handshake, binding it to this one handshake.',
  read: () => ({ type: 'extended_master_secret' }),
  write() {},
};
