/**
 * Test helper: certificates built with our own signer, so every field can be set
 * exactly (a serial number of zero, an empty issuer, a missing key identifier…).
 */
import { der } from '../../src/x509/der.js';
import { encodeExtension } from '../../src/x509/extensions.js';
import { generatePrivateKey, keyIdentifier, signCertificate } from '../../src/x509/issue.js';
import { publicKeyFromPrivateKey } from '../../src/x509/keys.js';
import { encodeGeneralName, encodeName } from '../../src/x509/name.js';
import { OID } from '../../src/x509/oid.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import type { SignatureAlgorithm } from '../../src/x509/signature-algorithm.js';

export const notBefore = new Date('2025-01-01T00:00:00Z');
export const notAfter = new Date('2035-01-01T00:00:00Z');
export const at = new Date('2030-01-01T00:00:00Z');

export interface Made {
  der: Uint8Array;
  key: PrivateKey;
  name: Uint8Array;
}

export const caExt = (pathLen?: number) => [
  encodeExtension(OID.basicConstraints, true, der.sequence(der.boolean(true), ...(pathLen === undefined ? [] : [der.integer(pathLen)]))),
  encodeExtension(OID.keyUsage, true, der.namedBits([5])),
];
export const leafExt = (names: Uint8Array[] = [encodeGeneralName({ type: 'dns', value: 'example.com' })], purpose: string = OID.serverAuth) => [
  encodeExtension(OID.keyUsage, true, der.namedBits([0])),
  encodeExtension(OID.extKeyUsage, false, der.sequence(der.oid(purpose))),
  encodeExtension(OID.subjectAltName, false, der.sequence(...names)),
];

export interface MakeOptions {
  key?: PrivateKey;
  notBefore?: Date;
  notAfter?: Date;
  /** Leave out the key identifiers a CA adds by default (SKI always, AKI when there is an issuer). */
  noKeyIdentifiers?: boolean;
  version?: 1 | 3;
  serialNumber?: Uint8Array;
  /** The subject Name, DER, instead of CN=`cn`. */
  subject?: Uint8Array;
  /** The issuer's signature algorithm, instead of the usual one for its key. */
  signatureAlgorithm?: SignatureAlgorithm;
}

/** A certificate for `cn`, signed by `issuer` (self-signed when absent), with the key identifiers a conforming CA adds. */
export function make(cn: string, extensions: Uint8Array[], issuer?: Made, options: MakeOptions = {}): Made {
  const key = options.key ?? generatePrivateKey('ec');
  const name = options.subject ?? encodeName([[OID.commonName, cn]]);
  const publicKey = publicKeyFromPrivateKey(key);
  const identifiers =
    options.noKeyIdentifiers || options.version === 1 ? []
    : [
        encodeExtension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(publicKey))),
        ...(issuer ? [encodeExtension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(publicKeyFromPrivateKey(issuer.key)))))] : []),
      ];
  const bytes = signCertificate({
    ...(options.version ? { version: options.version } : {}),
    ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
    ...(options.signatureAlgorithm ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
    issuer: issuer?.name ?? name,
    subject: name,
    notBefore: options.notBefore ?? notBefore,
    notAfter: options.notAfter ?? notAfter,
    publicKey,
    extensions: [...extensions, ...identifiers],
    signingKey: issuer?.key ?? key,
  });
  return { der: bytes, key, name };
}

export const storeOf = (...certs: Made[]) => TrustStore.fromCertificates(certs.map((c) => c.der));
