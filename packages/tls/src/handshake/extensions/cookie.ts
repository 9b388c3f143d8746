/**
 * cookie (RFC 8446 §4.2.2): opaque state a server puts in a HelloRetryRequest, which
 * the client must echo in its second ClientHello — lets a server stay stateless, or
 * check that the client can receive at its claimed address.
 * @module
 */
import type { CookieExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

/** HelloRetryRequest and ClientHello: `opaque cookie<1..2^16-1>`. */
export const cookie: ExtensionBodyCodec<CookieExtension> = {
  rfc: 'RFC 8446 §4.2.2',
  note: 'Opaque server state: sent in a HelloRetryRequest, echoed unchanged in the second ClientHello.',
  read: (r) => ({ type: 'cookie', cookie: r.opaque(2, 'cookie', { min: 1 }) }),
  write(w, e) {
    w.opaque(2, e.cookie, 'cookie');
  },
};
