/**
 * A certificate as annotated fields, for the trace: the parts of RFC 5280 §4.1 with their
 * DER bytes beside what they mean (subject, issuer, validity, the key, each extension, the
 * signature), tiling the certificate exactly as a TLS message's fields tile the message.
 * The handshake's Certificate codec attaches them under each `cert_data` when tracing.
 * @module
 */
import type { Field } from '../wire/codec.js';
import { isCA, isSelfSigned, parseCertificate, type Certificate } from './certificate.js';
import { DerReader, contextTag, tagName, type DerElement } from './der.js';
import { describePublicKey } from './describe.js';
import { X509Error } from './errors.js';
import type { Extension } from './extensions.js';
import { formatName } from './name.js';
import { OID, oidName } from './oid.js';
import { describeSignatureAlgorithm } from './signature-algorithm.js';

/** What a certificate's bytes decode to: a summary, and its parts (offsets from its first byte). */
export interface CertificateView {
  value?: string;
  note?: string;
  rfc?: string;
  children?: Field[];
}

const RFC = (section: string) => `RFC 5280 §${section}`;

/**
 * The parts of a DER certificate as fields that tile it, with a one-line summary (subject
 * and issuer). Bytes that are not a certificate give no parts, only a note saying why:
 * a trace shows whatever a peer sent.
 *
 * @example
 * ```ts
 * import { certificateFields, createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';
 * const { certificate } = issueCertificate(createCertificateAuthority({ commonName: 'Example CA', organization: 'Example' }), { names: ['example.com'] });
 * const view = certificateFields(certificate.der);
 * console.log(view.value); // → O=Lucid TLS development certificate, CN=example.com, issued by O=Example, CN=Example CA
 * console.log(view.children!.map((f) => f.name).join(' ')); // → header tbsCertificate signatureAlgorithm signatureValue
 * console.log(certificateFields(Uint8Array.of(0x30, 0x00)).note); // → Not an X.509 certificate: the structure is not an RFC 5280 certificate: the bytes are not valid DER (X.690 distinguished encoding): Certificate: tbsCertificate should be SEQUENCE, found the end
 * ```
 */
export function certificateFields(der: Uint8Array): CertificateView {
  let cert: Certificate;
  try {
    cert = parseCertificate(der);
  } catch (e) {
    if (e instanceof X509Error) return { note: `Not an X.509 certificate: ${e.reason}` };
    throw e;
  }
  // parseCertificate accepted it, so its structure is known to be sound.
  const top = new DerReader(der, 'Certificate');
  const certificate = top.read();
  const c = top.enter(certificate, 'Certificate');
  const [tbs, signatureAlgorithm, signatureValue] = [c.read(), c.read(), c.read()];
  return {
    value: `${formatName(cert.subject) || '(empty subject)'}, issued by ${formatName(cert.issuer) || '(empty issuer)'}`,
    rfc: RFC('4.1'),
    children: [
      header(certificate),
      group('tbsCertificate', tbs, tbsFields(cert, c.enter(tbs, 'TBSCertificate')), {
        note: 'The signed part: these fields, extensions included, are what the issuer’s signature covers.',
        rfc: RFC('4.1.1.1'),
      }),
      leaf('signatureAlgorithm', signatureAlgorithm, {
        value: describeSignatureAlgorithm(cert.signatureAlgorithm),
        note: 'How the issuer signed; it must equal the copy inside the signed part.',
        rfc: RFC('4.1.1.2'),
      }),
      leaf('signatureValue', signatureValue, {
        value: `${cert.signatureValue.length} bytes`,
        note: isSelfSigned(cert)
          ? 'Signed with its own key (self-signed): it proves nothing by itself; only a trust store that holds it makes it trusted.'
          : 'The issuer’s signature over tbsCertificate: the client checks it with the public key of the certificate that follows in the chain (or of a root it trusts).',
        rfc: RFC('4.1.1.3'),
      }),
    ],
  };
}

/** The fields of the TBSCertificate, in order (§4.1.2). */
function tbsFields(cert: Certificate, t: DerReader): Field[] {
  const fields: Field[] = [];
  const version = t.optional(contextTag(0, true));
  if (version) fields.push(leaf('version', version, { value: `v${cert.version}`, note: 'v3: the version with extensions.', rfc: RFC('4.1.2.1') }));
  fields.push(
    leaf('serialNumber', t.read(), { value: cert.serialNumberHex, note: 'Chosen by the issuer, unique among the certificates it signs.', rfc: RFC('4.1.2.2') }),
    leaf('signature', t.read(), { value: describeSignatureAlgorithm(cert.tbsSignatureAlgorithm), note: 'The issuer’s signature algorithm, inside the signed part so that it cannot be swapped.', rfc: RFC('4.1.2.3') }),
    leaf('issuer', t.read(), { value: formatName(cert.issuer), note: 'Who signed this certificate: the subject of the certificate that vouches for it.', rfc: RFC('4.1.2.4') }),
  );
  const validity = t.read();
  const v = t.enter(validity, 'validity');
  fields.push(
    group('validity', validity, [leaf('notBefore', v.read(), { value: cert.notBefore.toISOString() }), leaf('notAfter', v.read(), { value: cert.notAfter.toISOString() })], {
      note: 'A client refuses the certificate outside this window.',
      rfc: RFC('4.1.2.5'),
    }),
    leaf('subject', t.read(), {
      value: formatName(cert.subject) || '(empty)',
      note: 'Whose key this is. A TLS client matches the host name against the subjectAltName extension, not the CN (RFC 9525).',
      rfc: RFC('4.1.2.6'),
    }),
    leaf('subjectPublicKeyInfo', t.read(), { value: describePublicKey(cert), note: keyNote(cert), rfc: RFC('4.1.2.7') }),
  );
  for (const name of ['issuerUniqueID', 'subjectUniqueID']) {
    const id = t.optional(contextTag(name === 'issuerUniqueID' ? 1 : 2, false));
    if (id) fields.push(leaf(name, id, { rfc: RFC('4.1.2.8') }));
  }
  const wrapper = t.optional(contextTag(3, true));
  if (wrapper) {
    const w = t.enter(wrapper, 'extensions');
    const list = w.read();
    const e = w.enter(list, 'Extensions');
    const extensions = cert.extensions.map((ext) => leaf(ext.name, e.read(), { value: extensionValue(cert, ext), rfc: RFC('4.2') }));
    fields.push({
      name: 'extensions',
      offset: wrapper.offset,
      length: wrapper.der.length,
      value: `${cert.extensions.length} extension${cert.extensions.length === 1 ? '' : 's'}`,
      note: 'What the key may be used for and for which names, and how to find the issuer.',
      rfc: RFC('4.1.2.9'),
      children: [header(wrapper), header(list), ...extensions],
    });
  }
  return fields;
}

/** What the private half of the key does, by the certificate's role. */
function keyNote(cert: Certificate): string {
  return isCA(cert)
    ? 'The CA’s key: it signs the certificates this CA issues.'
    : 'The subject’s key: the peer checks the CertificateVerify signature with it (RFC 8446 §4.4.3).';
}

/** An extension's content in a few words. */
function extensionValue(cert: Certificate, ext: Extension): string {
  const critical = ext.critical ? ' (critical)' : '';
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  switch (ext.oid) {
    case OID.subjectAltName:
      return (cert.subjectAltNames ?? []).map((n) => `${n.type}:${n.value}`).join(', ') + critical;
    case OID.basicConstraints: {
      const bc = cert.basicConstraints!;
      return (bc.cA ? `CA${bc.pathLenConstraint !== undefined ? `, pathLen ${bc.pathLenConstraint}` : ''}` : 'not a CA') + critical;
    }
    case OID.keyUsage:
      return (cert.keyUsage ?? []).join(', ') + critical;
    case OID.extKeyUsage:
      return (cert.extendedKeyUsage ?? []).map(oidName).join(', ') + critical;
    case OID.subjectKeyIdentifier:
      return hex(cert.subjectKeyIdentifier!) + critical;
    case OID.authorityKeyIdentifier:
      return (cert.authorityKeyIdentifier?.keyIdentifier ? hex(cert.authorityKeyIdentifier.keyIdentifier) : 'no key identifier') + critical;
    default:
      return `${ext.value.length} bytes${critical}`;
  }
}

type Info = Pick<Field, 'value' | 'note' | 'rfc'>;

/** A field covering a whole DER element. */
function leaf(name: string, element: DerElement, info: Info = {}): Field {
  const field: Field = { name, offset: element.offset, length: element.der.length };
  for (const key of ['value', 'note', 'rfc'] as const) if (info[key] !== undefined) field[key] = info[key];
  return field;
}

/** A constructed element's tag and length bytes. */
function header(element: DerElement): Field {
  const length = element.der.length - element.contents.length;
  return { name: 'header', offset: element.offset, length, value: `${tagName(element.tag)}, ${element.contents.length} bytes` };
}

/** A constructed element: its header, then `children`. */
function group(name: string, element: DerElement, children: Field[], info: Info): Field {
  return { ...leaf(name, element, info), children: [header(element), ...children] };
}
