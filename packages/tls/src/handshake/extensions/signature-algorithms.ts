/**
 * signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3): the signature
 * schemes the sender accepts, the first for CertificateVerify, the second (when
 * present) for the signatures inside certificates.
 * @module
 */
import { readCodeList, writeCodeList, type CodeListShape } from '../messages/code-list.js';
import { schemeValue } from '../messages/field-values.js';
import type { SignatureAlgorithmsCertExtension, SignatureAlgorithmsExtension } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.3';
const supportedSignatureAlgorithms: CodeListShape = {
  prefix: 2,
  name: 'supported_signature_algorithms',
  item: 'SignatureScheme',
  describe: schemeValue,
  bounds: { min: 2, max: 2 ** 16 - 2 },
};

/** `SignatureSchemeList` for signature_algorithms (ClientHello, CertificateRequest). */
export const signatureAlgorithms: ExtensionBodyCodec<SignatureAlgorithmsExtension> = {
  rfc: RFC,
  note: 'The signature schemes the sender accepts in CertificateVerify, most preferred first.',
  read: (r) => ({ type: 'signature_algorithms', schemes: readCodeList(r, supportedSignatureAlgorithms) }),
  write: (w, e) => writeCodeList(w, supportedSignatureAlgorithms, e.schemes),
};

/** `SignatureSchemeList` for signature_algorithms_cert (ClientHello, CertificateRequest). */
export const signatureAlgorithmsCert: ExtensionBodyCodec<SignatureAlgorithmsCertExtension> = {
  rfc: RFC,
  note: 'The signature schemes the sender accepts in certificates, when they differ from signature_algorithms.',
  read: (r) => ({ type: 'signature_algorithms_cert', schemes: readCodeList(r, supportedSignatureAlgorithms) }),
  write: (w, e) => writeCodeList(w, supportedSignatureAlgorithms, e.schemes),
};
