/**
 * Certificate (RFC 8446 §4.4.2): the sender's certificate chain, end-entity first,
 * each certificate with its own extensions (OCSP status, SCTs).
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import { readExtensions, writeExtensions, type ExtensionCodecs } from '../extensions/extension-block.js';
import type { Certificate, CertificateEntry, CertificateEntryExtension } from './types.js';

/** CertificateEntry extensions are kept as bytes (status_request and SCTs are allowed, §4.4.2.1). */
const extensionCodecs: ExtensionCodecs<CertificateEntryExtension> = {};

const CONTEXT_NOTE = 'Empty for a server; a client echoes the CertificateRequest’s context.';
const LIST_NOTE =
  'The chain: the sender’s own certificate first, then the ones that certify it. Empty: the client has none.';
const CERT_NOTE = 'A DER-encoded X.509 certificate (RFC 5280).';

function readEntry(r: Reader): CertificateEntry {
  return r.struct('CertificateEntry', () => {
    const certData = r.opaque(3, 'cert_data', { min: 1 }, CERT_NOTE);
    const extensions = readExtensions(r, 'CT', extensionCodecs);
    return { certData, extensions };
  });
}

/** Reads a Certificate body. */
export function readCertificate(r: Reader): Certificate {
  const certificateRequestContext = r.opaque(1, 'certificate_request_context', undefined, CONTEXT_NOTE);
  const certificateList = r.vector(3, 'certificate_list', () => r.list(() => readEntry(r)), undefined, LIST_NOTE);
  return { type: 'certificate', certificateRequestContext, certificateList };
}

/** Writes a Certificate body. */
export function writeCertificate(w: Writer, msg: Certificate): void {
  w.opaque(1, msg.certificateRequestContext, 'certificate_request_context', CONTEXT_NOTE);
  w.vector(
    3,
    'certificate_list',
    () => {
      for (const entry of msg.certificateList) {
        w.struct('CertificateEntry', () => {
          w.opaque(3, entry.certData, 'cert_data', CERT_NOTE);
          writeExtensions(w, entry.extensions, extensionCodecs);
        });
      }
    },
    LIST_NOTE,
  );
}
