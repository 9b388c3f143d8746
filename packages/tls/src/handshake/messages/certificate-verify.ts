/**
 * CertificateVerify (RFC 8446 §4.4.3): a signature, with the certificate's private key,
 * over the transcript so far — proof that the sender owns the certificate.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { schemeValue } from './field-values.js';
import type { CertificateVerify } from './types.js';

const ALGORITHM_NOTE = 'The signature scheme used, one the peer listed in signature_algorithms.';
const SIGNATURE_NOTE = 'Signature over 64 spaces, a context string, a zero byte and the transcript hash (§4.4.3).';

/** Reads a CertificateVerify body. */
export function readCertificateVerify(r: Reader): CertificateVerify {
  const algorithm = r.u16('algorithm');
  r.describe({ value: schemeValue(algorithm), note: ALGORITHM_NOTE });
  const signature = r.opaque(2, 'signature', undefined, SIGNATURE_NOTE);
  return { type: 'certificate_verify', algorithm, signature };
}

/** Writes a CertificateVerify body. */
export function writeCertificateVerify(w: Writer, msg: CertificateVerify): void {
  w.u16(msg.algorithm, 'algorithm', { value: schemeValue(msg.algorithm), note: ALGORITHM_NOTE });
  w.opaque(2, msg.signature, 'signature', SIGNATURE_NOTE);
}
