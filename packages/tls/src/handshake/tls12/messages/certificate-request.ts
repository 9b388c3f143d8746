/**
 * CertificateRequest in TLS 1.2 (RFC 5246 §7.4.4): the kinds of certificate the server
 * accepts, the signature algorithms for the client's CertificateVerify, and the CAs it trusts.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import { readCodeList, writeCodeList, type CodeListShape } from '../../messages/code-list.js';
import { schemeValue } from '../../messages/field-values.js';
import type { Tls12CertificateRequest } from './types.js';

/** ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5): the two we ask for and accept. */
export const ClientCertificateType = { rsa_sign: 1, ecdsa_sign: 64 } as const;

const typeNames = new Map<number, string>([
  [1, 'rsa_sign'],
  [2, 'dss_sign'],
  [3, 'rsa_fixed_dh'],
  [4, 'dss_fixed_dh'],
  [64, 'ecdsa_sign'],
  [65, 'rsa_fixed_ecdh'],
  [66, 'ecdsa_fixed_ecdh'],
]);

const TYPES_NOTE = 'The kinds of key the client’s certificate may have (ecdsa_sign also covers Ed25519, RFC 8422 §5.5).';
const CAS_NOTE = 'DER DistinguishedNames of the CAs the server trusts; empty: any.';

const algorithms: CodeListShape = {
  prefix: 2,
  name: 'supported_signature_algorithms',
  item: 'SignatureAndHashAlgorithm',
  describe: schemeValue,
  bounds: { min: 2, max: 2 ** 16 - 2 },
  note: 'What the client may sign its CertificateVerify with.',
};

/** Reads a TLS 1.2 CertificateRequest body. */
export function readTls12CertificateRequest(r: Reader): Tls12CertificateRequest {
  const certificateTypes = r.vector(
    1,
    'certificate_types',
    () =>
      r.list(() => {
        const type = r.u8('ClientCertificateType');
        r.describe({ value: typeNames.get(type) ?? `unknown (${type})` });
        return type;
      }),
    { min: 1 },
    TYPES_NOTE,
  );
  const signatureAlgorithms = readCodeList(r, algorithms);
  const certificateAuthorities = r.vector(2, 'certificate_authorities', () => r.list(() => r.opaque(2, 'DistinguishedName', { min: 1 })), undefined, CAS_NOTE);
  return { type: 'certificate_request_tls12', certificateTypes, signatureAlgorithms, certificateAuthorities };
}

/** Writes a TLS 1.2 CertificateRequest body. */
export function writeTls12CertificateRequest(w: Writer, msg: Tls12CertificateRequest): void {
  w.vector(1, 'certificate_types', () => {
    for (const type of msg.certificateTypes) w.u8(type, 'ClientCertificateType', { value: typeNames.get(type) ?? `unknown (${type})` });
  }, TYPES_NOTE);
  writeCodeList(w, algorithms, msg.signatureAlgorithms);
  w.vector(2, 'certificate_authorities', () => {
    for (const name of msg.certificateAuthorities) w.opaque(2, name, 'DistinguishedName');
  }, CAS_NOTE);
}
