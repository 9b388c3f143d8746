/**
 * certificate_authorities (RFC 8446 §4.2.4): the distinguished names of the CAs the
 * sender trusts, to help the peer pick a certificate chain.
 * @module
 */
import type { ExtensionBodyCodec } from './extension-block.js';

/** ClientHello and CertificateRequest: `DistinguishedName authorities<3..2^16-1>`. */
export const certificateAuthorities: ExtensionBodyCodec<{
  type: 'certificate_authorities';
  authorities: Uint8Array[];
}> = {
  rfc: 'RFC 8446 §4.2.4',
  note: 'The CAs the sender trusts, as DER-encoded X.501 distinguished names.',
  read(r) {
    const authorities = r.vector(
      2,
      'authorities',
      () => r.list(() => r.opaque(2, 'DistinguishedName', { min: 1 })),
      { min: 3 },
    );
    return { type: 'certificate_authorities', authorities };
  },
  write(w, e) {
    w.vector(2, 'authorities', () => {
      for (const name of e.authorities) w.opaque(2, name, 'DistinguishedName');
    });
  },
};
