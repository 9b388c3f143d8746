/**
 * CertificateVerify and Finished as TLS 1.2 fills them (RFC 5246 §7.4.8, §7.4.9): the same
 * bytes on the wire as in TLS 1.3, but a signature over the handshake messages themselves
 * and a PRF output where TLS 1.3 has an HMAC, which is what their annotations say.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import { schemeValue } from '../../messages/field-values.js';
import type { CertificateVerify, Finished } from '../../messages/types.js';

const ALGORITHM_NOTE = 'The signature scheme used, one the server listed in its CertificateRequest.';
const SIGNATURE_NOTE = 'Signature over every handshake message so far, as sent (RFC 5246 §7.4.8).';
const VERIFY_DATA_NOTE = 'PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]: 12 bytes (RFC 5246 §7.4.9).';

/** Reads a TLS 1.2 CertificateVerify body. */
export function readTls12CertificateVerify(r: Reader): CertificateVerify {
  const algorithm = r.u16('algorithm');
  r.describe({ value: schemeValue(algorithm), note: ALGORITHM_NOTE });
  const signature = r.opaque(2, 'signature', undefined, SIGNATURE_NOTE);
  return { type: 'certificate_verify', algorithm, signature };
}

/** Writes a TLS 1.2 CertificateVerify body. */
export function writeTls12CertificateVerify(w: Writer, msg: CertificateVerify): void {
  w.u16(msg.algorithm, 'algorithm', { value: schemeValue(msg.algorithm), note: ALGORITHM_NOTE });
  w.opaque(2, msg.signature, 'signature', SIGNATURE_NOTE);
}

/** Reads a TLS 1.2 Finished body (its length is checked by the state). */
export function readTls12Finished(r: Reader): Finished {
  return { type: 'finished', verifyData: r.rest('verify_data', VERIFY_DATA_NOTE) };
}

/** Writes a TLS 1.2 Finished body. */
export function writeTls12Finished(w: Writer, msg: Finished): void {
  w.bytes(msg.verifyData, 'verify_data', VERIFY_DATA_NOTE);
}
