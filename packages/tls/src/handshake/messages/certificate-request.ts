/**
 * CertificateRequest (RFC 8446 §4.3.2): the server asks the client for a certificate,
 * saying which signature schemes (and optionally which CAs) it accepts.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { certificateAuthorities } from '../extensions/certificate-authorities.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import { signatureAlgorithms, signatureAlgorithmsCert } from '../extensions/signature-algorithms.js';
import type { CertificateRequest, CertificateRequestExtension } from './types.js';

/** The extensions a CertificateRequest interprets. */
const extensionCodecs: ExtensionCodecs<CertificateRequestExtension> = {
  signature_algorithms: signatureAlgorithms,
  signature_algorithms_cert: signatureAlgorithmsCert,
  certificate_authorities: certificateAuthorities,
};

const CONTEXT_NOTE =
  'Empty during the handshake; for post-handshake authentication, a value the client echoes in its Certificate.';

/** Reads a CertificateRequest body. */
export function readCertificateRequest(r: Reader): CertificateRequest {
  const certificateRequestContext = r.opaque(1, 'certificate_request_context', undefined, CONTEXT_NOTE);
  // extensions<2..2^16-1>: at least signature_algorithms must be there (its absence is missing_extension).
  const extensions = readExtensions(r, 'CR', extensionCodecs, { bounds: { min: 2 } });
  return { type: 'certificate_request', certificateRequestContext, extensions };
}

/** Writes a CertificateRequest body. */
export function writeCertificateRequest(w: Writer, msg: CertificateRequest): void {
  w.opaque(1, msg.certificateRequestContext, 'certificate_request_context', CONTEXT_NOTE);
  writeExtensions(w, msg.extensions, extensionCodecs);
}
