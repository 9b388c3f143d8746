/**
 * The signature algorithms of certificates (RFC 5280 §4.1.1.2) and how each maps to
 * the primitives: ECDSA with SHA-256/384/512 on P-256 or P-384 (RFC 5758, signatures
 * DER-encoded as in TLS), Ed25519 (RFC 8410), RSA PKCS#1 v1.5 with SHA-256/384/512
 * (RFC 4055) and RSASSA-PSS with its parameters (RFC 4055 §3.1).
 *
 * Unlike TLS 1.3's SignatureScheme, X.509 does not tie an ECDSA hash to a curve: a
 * P-384 CA may sign with ecdsa-with-SHA256. So ECDSA goes to the curve directly.
 * @module
 */
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { HashFunction, PrivateKey, PublicKey } from '../crypto/provider.js';
import { sha256, sha384, sha512 } from '../crypto/hash.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from '../crypto/rsa.js';
import { der, DerReader, contextTag } from './der.js';
import { X509Error, x509Fail } from './errors.js';
import { OID, oidName } from './oid.js';
import { absentOrNull } from './keys.js';

/** An AlgorithmIdentifier: an OID, and the DER of its parameters when present. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  /** `"ecdsaWithSHA256"`, `"RSASSA_PSS"`…, or the dotted OID. */
  readonly name: string;
  readonly parameters?: Uint8Array;
}

/** What a supported signature algorithm means in terms of primitives. */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: HashFunction }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashFunction }
  | { readonly kind: 'rsa-pss'; readonly hash: HashFunction; readonly saltLength: number };

const hashesByOid: Record<string, HashFunction> = { [OID.sha256]: sha256, [OID.sha384]: sha384, [OID.sha512]: sha512 };
const hashOid = (hash: HashFunction): string => (hash.name === 'SHA-256' ? OID.sha256 : hash.name === 'SHA-384' ? OID.sha384 : OID.sha512);

/**
 * The meaning of an AlgorithmIdentifier, or throws `unsupported_signature_algorithm`
 * (e.g. SHA-1, which TLS 1.3 refuses in certificates, RFC 8446 §4.4.2.4) or
 * `certificate_malformed` for parameters the RFCs forbid.
 *
 * @example
 * ```ts
 * import { X509Error, createCertificateAuthority, signatureAlgorithm } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const alg = signatureAlgorithm(ca.certificate.signatureAlgorithm);
 * console.log(alg.kind, alg.kind === 'ecdsa' ? alg.hash.name : ''); // → ecdsa SHA-256
 * try {
 *   signatureAlgorithm({ oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption' });
 * } catch (e) {
 *   if (e instanceof X509Error) console.log(e.code); // → unsupported_signature_algorithm
 * }
 * ```
 */
export function signatureAlgorithm(alg: AlgorithmIdentifier): SignatureAlgorithm {
  switch (alg.oid) {
    case OID.ecdsaWithSHA256:
    case OID.ecdsaWithSHA384:
    case OID.ecdsaWithSHA512: {
      // RFC 5758 §3.2: the parameters MUST be omitted.
      if (alg.parameters) x509Fail('certificate_malformed', `${alg.name} with parameters`);
      const hash = alg.oid === OID.ecdsaWithSHA256 ? sha256 : alg.oid === OID.ecdsaWithSHA384 ? sha384 : sha512;
      return { kind: 'ecdsa', hash };
    }
    case OID.Ed25519:
      if (alg.parameters) x509Fail('certificate_malformed', 'Ed25519 with parameters (RFC 8410 §3)');
      return { kind: 'ed25519' };
    case OID.sha256WithRSAEncryption:
    case OID.sha384WithRSAEncryption:
    case OID.sha512WithRSAEncryption: {
      // RFC 4055 §5: NULL parameters; absent ones are common enough to accept.
      if (!absentOrNull(alg.parameters)) x509Fail('certificate_malformed', `${alg.name} parameters must be NULL`);
      const hash = alg.oid === OID.sha256WithRSAEncryption ? sha256 : alg.oid === OID.sha384WithRSAEncryption ? sha384 : sha512;
      return { kind: 'rsa-pkcs1', hash };
    }
    case OID.RSASSA_PSS:
      return pssParameters(alg.parameters);
    default:
      return x509Fail('unsupported_signature_algorithm', alg.name);
  }
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1): hash [0], mask generation [1], salt length [2],
 * trailer [3]. The defaults are SHA-1, so real certificates spell out all of them;
 * we accept SHA-256/384/512 with MGF1 over the same hash and trailer 1.
 */
function pssParameters(parameters: Uint8Array | undefined): SignatureAlgorithm {
  if (!parameters) return x509Fail('unsupported_signature_algorithm', 'RSASSA-PSS with SHA-1 defaults');
  try {
    const r = new DerReader(parameters, 'RSASSA-PSS-params', 3);
    const value = r.sequence('RSASSA-PSS-params', (s) => {
      const hashElement = s.optional(contextTag(0, true));
      const hashAlg = hashElement ? s.within(hashElement, 'hashAlgorithm', (h) => readHashAlgorithm(h)) : undefined;
      const mgfElement = s.optional(contextTag(1, true));
      const mgfHash = mgfElement
        ? s.within(mgfElement, 'maskGenAlgorithm', (m) =>
            m.sequence('MaskGenAlgorithm', (g) => {
              if (g.oid('algorithm') !== OID.mgf1) x509Fail('unsupported_signature_algorithm', 'RSASSA-PSS with a mask generation other than MGF1');
              return readHashAlgorithm(g);
            }),
          )
        : undefined;
      const saltElement = s.optional(contextTag(2, true));
      const saltLength = saltElement ? s.within(saltElement, 'saltLength', (l) => l.smallInteger('saltLength', 1024)) : 20;
      const trailerElement = s.optional(contextTag(3, true));
      const trailer = trailerElement ? s.within(trailerElement, 'trailerField', (t) => t.smallInteger('trailerField')) : 1;
      return { hashAlg, mgfHash, saltLength, trailer };
    });
    r.end();
    if (!value.hashAlg || !value.mgfHash) return x509Fail('unsupported_signature_algorithm', 'RSASSA-PSS with SHA-1');
    if (value.hashAlg !== value.mgfHash) x509Fail('unsupported_signature_algorithm', 'RSASSA-PSS with different hash and MGF1 hash');
    if (value.trailer !== 1) x509Fail('certificate_malformed', 'RSASSA-PSS trailerField must be 1');
    return { kind: 'rsa-pss', hash: value.hashAlg, saltLength: value.saltLength };
  } catch (e) {
    if (e instanceof X509Error && (e.code === 'der_malformed' || e.code === 'der_too_deep')) x509Fail('certificate_malformed', `RSASSA-PSS-params: ${e.reason}`);
    throw e;
  }
}

function readHashAlgorithm(r: DerReader): HashFunction {
  return r.sequence('HashAlgorithm', (s) => {
    const oid = s.oid('algorithm');
    if (!s.done) s.null('parameters');
    return hashesByOid[oid] ?? x509Fail('unsupported_signature_algorithm', `RSASSA-PSS with hash ${oidName(oid)}`);
  });
}

/**
 * Whether `signature` over `message` verifies under `key` with `alg`. Returns false
 * for a key that does not fit the algorithm (an RSA signature from an EC key); never throws.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, signatureAlgorithm, verifySignature } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority(); // self-signed: its own key verifies it
 * const c = ca.certificate;
 * console.log(verifySignature(signatureAlgorithm(c.signatureAlgorithm), c.publicKey!, c.tbsDer, c.signatureValue)); // → true
 * ```
 */
export function verifySignature(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (alg.kind) {
      case 'ecdsa': {
        if (key.type !== 'ec') return false;
        const curve = key.curve === 'P-256' ? p256 : p384;
        // lowS: false — X.509 signers (OpenSSL among them) do not normalize S.
        return curve.verify(signature, alg.hash.hash(message), key.point, { prehash: false, lowS: false, format: 'der' });
      }
      case 'ed25519':
        // zip215: false is RFC 8032's strict verification, as the TLS scheme does.
        return key.type === 'ed25519' && ed25519.verify(signature, message, key.key, { zip215: false });
      case 'rsa-pkcs1':
        return key.type === 'rsa' && rsaPkcs1Verify(key, alg.hash, message, signature);
      case 'rsa-pss':
        return key.type === 'rsa' && rsaPssVerify(key, alg.hash, message, signature, alg.saltLength);
    }
  } catch {
    return false;
  }
}

/** The signature algorithm a new certificate signed by `key` uses: the usual one for the key type. */
export function defaultSignatureAlgorithm(key: PrivateKey): SignatureAlgorithm {
  if (key.type === 'ec') return { kind: 'ecdsa', hash: key.curve === 'P-256' ? sha256 : sha384 };
  if (key.type === 'ed25519') return { kind: 'ed25519' };
  return { kind: 'rsa-pkcs1', hash: sha256 };
}

/** The DER AlgorithmIdentifier of `alg`. */
export function encodeSignatureAlgorithm(alg: SignatureAlgorithm): Uint8Array {
  switch (alg.kind) {
    case 'ecdsa':
      return der.sequence(der.oid(alg.hash === sha256 ? OID.ecdsaWithSHA256 : alg.hash === sha384 ? OID.ecdsaWithSHA384 : OID.ecdsaWithSHA512));
    case 'ed25519':
      return der.sequence(der.oid(OID.Ed25519));
    case 'rsa-pkcs1':
      return der.sequence(
        der.oid(alg.hash === sha256 ? OID.sha256WithRSAEncryption : alg.hash === sha384 ? OID.sha384WithRSAEncryption : OID.sha512WithRSAEncryption),
        der.null(),
      );
    case 'rsa-pss': {
      const hashAlg = der.sequence(der.oid(hashOid(alg.hash)), der.null());
      return der.sequence(
        der.oid(OID.RSASSA_PSS),
        der.sequence(
          der.explicit(0, hashAlg),
          der.explicit(1, der.sequence(der.oid(OID.mgf1), hashAlg)),
          der.explicit(2, der.integer(alg.saltLength)),
        ),
      );
    }
  }
}

/** Signs `message` with `key` under `alg` (the key must fit the algorithm). */
export function signWith(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array {
  switch (alg.kind) {
    case 'ecdsa':
      if (key.type !== 'ec') throw new Error('ECDSA needs an EC key');
      return (key.curve === 'P-256' ? p256 : p384).sign(alg.hash.hash(message), key.d, { prehash: false, lowS: false, format: 'der' });
    case 'ed25519':
      if (key.type !== 'ed25519') throw new Error('Ed25519 needs an Ed25519 key');
      return ed25519.sign(message, key.seed);
    case 'rsa-pkcs1':
      if (key.type !== 'rsa') throw new Error('RSA signatures need an RSA key');
      return rsaPkcs1Sign(key, alg.hash, message);
    case 'rsa-pss':
      if (key.type !== 'rsa') throw new Error('RSA signatures need an RSA key');
      return rsaPssSign(key, alg.hash, message, alg.saltLength, randomBytes);
  }
}

/**
 * A short human name, e.g. `"ecdsa-with-SHA256"`, `"RSASSA-PSS (SHA-384, salt 48)"`.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, describeSignatureAlgorithm } from '@lucid-tls/tls/x509';
 * console.log(describeSignatureAlgorithm(createCertificateAuthority().certificate.signatureAlgorithm)); // → ecdsa-with-SHA256
 * ```
 */
export function describeSignatureAlgorithm(alg: AlgorithmIdentifier): string {
  const names: Record<string, string> = {
    [OID.ecdsaWithSHA256]: 'ecdsa-with-SHA256',
    [OID.ecdsaWithSHA384]: 'ecdsa-with-SHA384',
    [OID.ecdsaWithSHA512]: 'ecdsa-with-SHA512',
    [OID.Ed25519]: 'ED25519',
    [OID.sha256WithRSAEncryption]: 'sha256WithRSAEncryption',
    [OID.sha384WithRSAEncryption]: 'sha384WithRSAEncryption',
    [OID.sha512WithRSAEncryption]: 'sha512WithRSAEncryption',
    [OID.sha1WithRSAEncryption]: 'sha1WithRSAEncryption',
  };
  if (alg.oid === OID.RSASSA_PSS) {
    try {
      const pss = signatureAlgorithm(alg);
      if (pss.kind === 'rsa-pss') return `RSASSA-PSS (${pss.hash.name}, salt ${pss.saltLength})`;
    } catch {
      // fall through to the plain name
    }
    return 'RSASSA-PSS';
  }
  return names[alg.oid] ?? alg.name;
}
