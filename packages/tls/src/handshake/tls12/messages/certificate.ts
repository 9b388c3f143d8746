/**
 * Certificate in TLS 1.2 (RFC 5246 §7.4.2): the sender's chain, leaf first, each an
 * ASN.1Cert<1..2^24-1>; no request context and no per-certificate extensions, unlike TLS 1.3.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import type { Tls12Certificate } from './types.js';

const LIST_NOTE = 'The chain: the sender’s own certificate first, then the ones that certify it. Empty: the client has none.';
const CERT_NOTE = 'A DER-encoded X.509 certificate (RFC 5280).';

/** Reads a TLS 1.2 Certificate body. */
export function readTls12Certificate(r: Reader): Tls12Certificate {
  const certificateList = r.vector(3, 'certificate_list', () => r.list(() => r.opaque(3, 'ASN.1Cert', { min: 1 }, CERT_NOTE)), undefined, LIST_NOTE);
  return { type: 'certificate_tls12', certificateList };
}

/** Writes a TLS 1.2 Certificate body. */
export function writeTls12Certificate(w: Writer, msg: Tls12Certificate): void {
  w.vector(3, 'certificate_list', () => {
    for (const der of msg.certificateList) w.opaque(3, der, 'ASN.1Cert', CERT_NOTE);
  }, LIST_NOTE);
}
