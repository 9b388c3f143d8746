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

// The notes say what this message's content means. Where the content tells the sender,
// so do they: only a client sends an empty list or a non-empty context (§4.4.2).

/** certificate_request_context: empty during the handshake, else the CertificateRequest's. */
function contextNote(context: Uint8Array): string {
  return context.length === 0
    ? 'Empty, as in every Certificate sent during the handshake; only a client authenticating after it echoes a context here (§4.6.2).'
    : 'Echoes the context of the CertificateRequest this answers: a client authenticating after the handshake (§4.6.2).';
}

/** certificate_list: no certificate, a lone one, or a chain. */
function listNote(entries: number): string {
  if (entries === 0) return 'Empty: the client has no certificate to offer; the server decides whether to go on without one (§4.4.2.4).';
  if (entries === 1) return 'The sender’s own certificate, alone: no intermediate follows, so the peer must hold its issuer already.';
  return `The chain: the sender’s own certificate first, then the ${entries - 1} that certify it, each the issuer of the one before.`;
}

/** cert_data: the end-entity certificate comes first (§4.4.2). */
function certNote(index: number): string {
  return index === 0
    ? 'The sender’s own (end-entity) certificate, DER-encoded X.509 (RFC 5280).'
    : 'A CA certificate that certifies the one before it, DER-encoded X.509 (RFC 5280).';
}

function readEntry(r: Reader, index: number): CertificateEntry {
  return r.struct('CertificateEntry', () => {
    const certData = r.opaque(3, 'cert_data', { min: 1 }, certNote(index));
    const extensions = readExtensions(r, 'CT', extensionCodecs);
    return { certData, extensions };
  });
}

/** Reads a Certificate body. */
export function readCertificate(r: Reader): Certificate {
  const certificateRequestContext = r.opaque(1, 'certificate_request_context');
  r.describe(contextNote(certificateRequestContext));
  let index = 0;
  const certificateList = r.vector(3, 'certificate_list', () => r.list(() => readEntry(r, index++)));
  r.describe(listNote(certificateList.length));
  return { type: 'certificate', certificateRequestContext, certificateList };
}

/** Writes a Certificate body. */
export function writeCertificate(w: Writer, msg: Certificate): void {
  w.opaque(1, msg.certificateRequestContext, 'certificate_request_context', contextNote(msg.certificateRequestContext));
  w.vector(
    3,
    'certificate_list',
    () => {
      msg.certificateList.forEach((entry, index) => {
        w.struct('CertificateEntry', () => {
          w.opaque(3, entry.certData, 'cert_data', certNote(index));
          writeExtensions(w, entry.extensions, extensionCodecs);
        });
      });
    },
    listNote(msg.certificateList.length),
  );
}
