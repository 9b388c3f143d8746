/**
 * Keys in their standard containers:
 * - public keys in a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 5480 for EC,
 *   RFC 8410 for Ed25519, RFC 3279/8017 for RSA);
 * - private keys in PKCS#8 (RFC 5208/5958, PEM label `PRIVATE KEY`), SEC1 (RFC 5915,
 *   `EC PRIVATE KEY`) and PKCS#1 (RFC 8017 §A.1.2, `RSA PRIVATE KEY`).
 * Keys come out as the {@link PublicKey} and {@link PrivateKey} types of the crypto
 * provider, so the TLS engine signs and verifies with them directly. Encrypted keys
 * are not supported.
 * @module
 */
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import { der, DerReader, Tag, contextTag, decodeOid } from './der.js';
import { X509Error, x509Fail } from './errors.js';
import { OID } from './oid.js';
import { decodePem, encodePem } from './pem.js';

type Curve = 'P-256' | 'P-384';
const curveOids: Record<string, Curve> = { [OID.prime256v1]: 'P-256', [OID.secp384r1]: 'P-384' };
const curveOid = (curve: Curve): string => (curve === 'P-256' ? OID.prime256v1 : OID.secp384r1);
const nobleCurve = (curve: Curve) => (curve === 'P-256' ? p256 : p384);
/** Bytes of a P-256 / P-384 scalar. */
const scalarLength = (curve: Curve): number => (curve === 'P-256' ? 32 : 48);

/** Runs `body`, turning every DER error into `code` (key errors are reported as key errors). */
function asKeyError<T>(code: 'key_malformed', what: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof X509Error && (e.code === 'der_malformed' || e.code === 'der_too_deep')) x509Fail(code, `${what}: ${e.reason}`);
    throw e;
  }
}

/** Checks that `point` is on the curve, and returns it uncompressed (04 || X || Y). */
function validPoint(curve: Curve, point: Uint8Array): Uint8Array {
  try {
    const p = nobleCurve(curve).Point.fromBytes(point);
    p.assertValidity();
    return p.toBytes(false);
  } catch {
    return x509Fail('key_malformed', `the ${curve} public key is not a point on the curve`);
  }
}

// ---------------------------------------------------------------------------------
// Public keys

/**
 * Reads an AlgorithmIdentifier (RFC 5280 §4.1.1.2): an OID and optional parameters,
 * returned as their DER (absent parameters give `undefined`).
 */
export function readAlgorithmIdentifier(r: DerReader, field: string): { oid: string; parameters?: Uint8Array } {
  return r.sequence(field, (s) => {
    const oid = s.oid('algorithm');
    if (s.done) return { oid };
    const parameters = s.read().der;
    return { oid, parameters };
  });
}

/** Whether AlgorithmIdentifier parameters are absent or NULL. */
export function absentOrNull(parameters: Uint8Array | undefined): boolean {
  return parameters === undefined || (parameters.length === 2 && parameters[0] === Tag.NULL && parameters[1] === 0);
}

/**
 * The public key of a SubjectPublicKeyInfo. Supports EC on P-256 and P-384 (named
 * curves only), Ed25519, and RSA (rsaEncryption, and id-RSASSA-PSS whose parameters are
 * not enforced). Throws `key_malformed` or `unsupported_key`.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, parsePublicKeyInfo } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const key = parsePublicKeyInfo(ca.certificate.subjectPublicKeyInfo);
 * console.log(key.type, key.type === 'ec' ? key.curve : ''); // → ec P-256
 * ```
 */
export function parsePublicKeyInfo(spki: Uint8Array): PublicKey {
  const { algorithm, key } = asKeyError('key_malformed', 'SubjectPublicKeyInfo', () => {
    const r = new DerReader(spki, 'SubjectPublicKeyInfo');
    const value = r.sequence('SubjectPublicKeyInfo', (s) => ({
      algorithm: readAlgorithmIdentifier(s, 'algorithm'),
      key: s.bitString('subjectPublicKey'),
    }));
    r.end();
    return value;
  });
  return publicKeyFromParts(algorithm, key.unusedBits === 0 ? key.bytes : x509Fail('key_malformed', 'subjectPublicKey has unused bits'));
}

/** The public key given its algorithm and the bytes of the subjectPublicKey BIT STRING. */
export function publicKeyFromParts(algorithm: { oid: string; parameters?: Uint8Array }, keyBytes: Uint8Array): PublicKey {
  switch (algorithm.oid) {
    case OID.ecPublicKey: {
      // RFC 5480 §2.1.1: the parameters name the curve.
      if (!algorithm.parameters || algorithm.parameters[0] !== Tag.OBJECT_IDENTIFIER) {
        x509Fail('unsupported_key', 'EC key without a named curve');
      }
      const oid = asKeyError('key_malformed', 'namedCurve', () => decodeOid(new DerReader(algorithm.parameters!, 'namedCurve').read(), 'namedCurve'));
      const curve = curveOids[oid] ?? x509Fail('unsupported_key', `EC curve ${oid}`);
      return { type: 'ec', curve, point: validPoint(curve, keyBytes) };
    }
    case OID.Ed25519:
      // RFC 8410 §3: parameters MUST be absent.
      if (algorithm.parameters) x509Fail('key_malformed', 'Ed25519 key with parameters');
      if (keyBytes.length !== 32) x509Fail('key_malformed', `Ed25519 key of ${keyBytes.length} bytes`);
      // RFC 8032 §5.1.3: a point on the curve; and not one of small order, for which anyone
      // can make a signature that verifies (RFC 8410 §3's keys are points of prime order).
      if (ed25519SmallOrderOrInvalid(keyBytes)) x509Fail('key_malformed', 'Ed25519 key not on the curve, or of small order');
      return { type: 'ed25519', key: keyBytes };
    case OID.rsaEncryption:
    case OID.RSASSA_PSS: {
      if (algorithm.oid === OID.rsaEncryption && !absentOrNull(algorithm.parameters)) x509Fail('key_malformed', 'rsaEncryption parameters must be NULL');
      // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1)
      const { n, e } = asKeyError('key_malformed', 'RSAPublicKey', () => {
        const r = new DerReader(keyBytes, 'RSAPublicKey', 2);
        const value = r.sequence('RSAPublicKey', (s) => ({ n: s.integer('modulus'), e: s.integer('publicExponent') }));
        r.end();
        return value;
      });
      if (n <= 0n || n % 2n === 0n || e < 3n || e % 2n === 0n || e >= n) x509Fail('key_malformed', 'RSA modulus or exponent out of range');
      return { type: 'rsa', n, e };
    }
    default:
      return x509Fail('unsupported_key', `public key algorithm ${algorithm.oid}`);
  }
}

/** The AlgorithmIdentifier of a key (for SubjectPublicKeyInfo and PKCS#8). */
function keyAlgorithm(key: PublicKey | PrivateKey): Uint8Array {
  switch (key.type) {
    case 'ec':
      return der.sequence(der.oid(OID.ecPublicKey), der.oid(curveOid(key.curve)));
    case 'ed25519':
      return der.sequence(der.oid(OID.Ed25519));
    case 'rsa':
      return der.sequence(der.oid(OID.rsaEncryption), der.null());
  }
}

/**
 * The DER SubjectPublicKeyInfo of `key`.
 *
 * @example
 * ```ts
 * import { encodePublicKeyInfo, generatePrivateKey, parsePublicKeyInfo, publicKeyFromPrivateKey } from '@lucid-tls/tls/x509';
 * const spki = encodePublicKeyInfo(publicKeyFromPrivateKey(generatePrivateKey('ed25519')));
 * console.log(spki.length, parsePublicKeyInfo(spki).type); // → 44 ed25519
 * ```
 */
export function encodePublicKeyInfo(key: PublicKey): Uint8Array {
  const bits =
    key.type === 'ec' ? key.point
    : key.type === 'ed25519' ? key.key
    : der.sequence(der.integer(key.n), der.integer(key.e));
  return der.sequence(keyAlgorithm(key), der.bitString(bits));
}

/**
 * The public half of a private key.
 *
 * @example
 * ```ts
 * import { generatePrivateKey, publicKeyFromPrivateKey } from '@lucid-tls/tls/x509';
 * const key = publicKeyFromPrivateKey(generatePrivateKey('ec'));
 * console.log(key.type === 'ec' && key.point.length); // → 65
 * ```
 */
export function publicKeyFromPrivateKey(key: PrivateKey): PublicKey {
  switch (key.type) {
    case 'ec':
      return { type: 'ec', curve: key.curve, point: nobleCurve(key.curve).getPublicKey(key.d, false) };
    case 'ed25519':
      return { type: 'ed25519', key: ed25519.getPublicKey(key.seed) };
    case 'rsa':
      return { type: 'rsa', n: key.n, e: key.e };
  }
}

// ---------------------------------------------------------------------------------
// Private keys

/** The container formats of a private key's DER. */
export type PrivateKeyFormat = 'pkcs8' | 'sec1' | 'pkcs1';

const pemLabels: Record<string, PrivateKeyFormat> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
};

/**
 * The first private key in PEM text: `PRIVATE KEY` (PKCS#8: EC P-256/P-384, Ed25519,
 * RSA), `EC PRIVATE KEY` (SEC1) or `RSA PRIVATE KEY` (PKCS#1). Other blocks, such as
 * the `EC PARAMETERS` that `openssl ecparam -genkey` writes first, are skipped.
 *
 * @example
 * ```ts
 * import { generatePrivateKey, parsePrivateKeyPem, privateKeyToPem } from '@lucid-tls/tls/x509';
 * const pem = privateKeyToPem(generatePrivateKey('ec')); // what `openssl genpkey` writes: PKCS#8
 * console.log(pem.split('\n')[0]); // → -----BEGIN PRIVATE KEY-----
 * console.log(parsePrivateKeyPem(pem).type); // → ec
 * ```
 */
export function parsePrivateKeyPem(pem: string): PrivateKey {
  for (const block of decodePem(pem)) {
    const format = pemLabels[block.label];
    if (format) return parsePrivateKeyDer(block.der, format);
    if (block.label === 'ENCRYPTED PRIVATE KEY') x509Fail('unsupported_key', 'encrypted private keys are not supported');
  }
  return x509Fail('key_malformed', 'no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block in the PEM text');
}

/**
 * A private key from its DER in the given container format.
 *
 * @example
 * ```ts
 * import { encodePkcs8, generatePrivateKey, parsePrivateKeyDer } from '@lucid-tls/tls/x509';
 * const der = encodePkcs8(generatePrivateKey('ed25519'));
 * console.log(parsePrivateKeyDer(der, 'pkcs8').type); // → ed25519
 * ```
 */
export function parsePrivateKeyDer(bytes: Uint8Array, format: PrivateKeyFormat = 'pkcs8'): PrivateKey {
  switch (format) {
    case 'pkcs8':
      return parsePkcs8(bytes);
    case 'sec1':
      return parseEcPrivateKey(bytes);
    case 'pkcs1':
      return parseRsaPrivateKey(bytes);
  }
}

/**
 * PKCS#8 OneAsymmetricKey (RFC 5958 §2): version, privateKeyAlgorithm, privateKey
 * (an OCTET STRING holding the algorithm's own private-key format), then optional
 * attributes [0] and, in version 2, the public key [1].
 */
function parsePkcs8(bytes: Uint8Array): PrivateKey {
  const { algorithm, inner } = asKeyError('key_malformed', 'PKCS#8', () => {
    const r = new DerReader(bytes, 'PrivateKeyInfo');
    const value = r.sequence('PrivateKeyInfo', (s) => {
      const version = s.smallInteger('version', 1);
      const algorithm = readAlgorithmIdentifier(s, 'privateKeyAlgorithm');
      const inner = s.octetString('privateKey');
      s.optional(contextTag(0, true)); // attributes
      if (version === 1) s.optional(contextTag(1, false)); // publicKey
      return { algorithm, inner };
    });
    r.end();
    return value;
  });
  switch (algorithm.oid) {
    case OID.ecPublicKey: {
      const oid = algorithm.parameters?.[0] === Tag.OBJECT_IDENTIFIER
        ? asKeyError('key_malformed', 'namedCurve', () => decodeOid(new DerReader(algorithm.parameters!, 'namedCurve').read(), 'namedCurve'))
        : x509Fail('unsupported_key', 'EC key without a named curve');
      const curve = curveOids[oid] ?? x509Fail('unsupported_key', `EC curve ${oid}`);
      return parseEcPrivateKey(inner, curve);
    }
    case OID.Ed25519: {
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed), inside privateKey.
      const seed = asKeyError('key_malformed', 'CurvePrivateKey', () => {
        const r = new DerReader(inner, 'CurvePrivateKey', 1);
        const value = r.octetString('CurvePrivateKey');
        r.end();
        return value;
      });
      if (seed.length !== 32) x509Fail('key_malformed', `Ed25519 private key of ${seed.length} bytes`);
      return { type: 'ed25519', seed: seed.slice() };
    }
    case OID.rsaEncryption:
      return parseRsaPrivateKey(inner);
    default:
      return x509Fail('unsupported_key', `private key algorithm ${algorithm.oid}`);
  }
}

/**
 * SEC1 ECPrivateKey (RFC 5915 §3): version 1, the scalar as an OCTET STRING, then the
 * curve [0] and the public key [1]. Inside PKCS#8 the curve usually lives in the outer
 * AlgorithmIdentifier instead, passed here as `knownCurve`.
 */
function parseEcPrivateKey(bytes: Uint8Array, knownCurve?: Curve): PrivateKey {
  const { d, curveOid: innerOid } = asKeyError('key_malformed', 'ECPrivateKey', () => {
    const r = new DerReader(bytes, 'ECPrivateKey', 1);
    const value = r.sequence('ECPrivateKey', (s) => {
      if (s.smallInteger('version') !== 1) x509Fail('key_malformed', 'ECPrivateKey version is not 1');
      const d = s.octetString('privateKey');
      const params = s.optional(contextTag(0, true));
      const curveOid = params ? s.within(params, 'parameters', (p) => p.oid('namedCurve')) : undefined;
      s.optional(contextTag(1, true)); // publicKey: recomputed from d when needed
      return { d, curveOid };
    });
    r.end();
    return value;
  });
  let curve = knownCurve;
  if (innerOid !== undefined) {
    const inner = curveOids[innerOid] ?? x509Fail('unsupported_key', `EC curve ${innerOid}`);
    if (curve !== undefined && inner !== curve) x509Fail('key_malformed', 'the two curve identifiers of the key disagree');
    curve = inner;
  }
  if (curve === undefined) return x509Fail('key_malformed', 'ECPrivateKey does not name its curve');
  const length = scalarLength(curve);
  if (d.length > length) x509Fail('key_malformed', `${curve} private key of ${d.length} bytes`);
  const padded = new Uint8Array(length);
  padded.set(d, length - d.length);
  if (!nobleCurve(curve).utils.isValidSecretKey(padded)) x509Fail('key_malformed', `the ${curve} private scalar is out of range`);
  return { type: 'ec', curve, d: padded };
}

/** PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2): version 0 and the eight integers n, e, d, p, q, dP, dQ, qInv. */
function parseRsaPrivateKey(bytes: Uint8Array): PrivateKey {
  const key = asKeyError('key_malformed', 'RSAPrivateKey', () => {
    const r = new DerReader(bytes, 'RSAPrivateKey', 1);
    const value = r.sequence('RSAPrivateKey', (s) => {
      if (s.smallInteger('version') !== 0) x509Fail('unsupported_key', 'multi-prime RSA keys are not supported');
      const [n, e, d, p, q, dp, dq, qi] = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'].map(
        (f) => s.integer(f),
      ) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
      return { type: 'rsa' as const, n, e, d, p, q, dp, dq, qi };
    });
    r.end();
    return value;
  });
  if (key.n <= 0n || key.e < 3n || key.d <= 0n || key.p * key.q !== key.n) x509Fail('key_malformed', 'RSA key parameters are inconsistent');
  return key;
}

/**
 * The DER of a key in PKCS#8 (RFC 5958 version 1, no attributes).
 *
 * @example
 * ```ts
 * import { encodePkcs8, generatePrivateKey } from '@lucid-tls/tls/x509';
 * console.log(encodePkcs8(generatePrivateKey('ed25519')).length); // → 48
 * ```
 */
export function encodePkcs8(key: PrivateKey): Uint8Array {
  let inner: Uint8Array;
  switch (key.type) {
    case 'ec':
      // ECPrivateKey with the public key included, as OpenSSL writes it; the curve is in the outer algorithm.
      inner = der.sequence(
        der.integer(1),
        der.octetString(key.d),
        der.explicit(1, der.bitString(nobleCurve(key.curve).getPublicKey(key.d, false))),
      );
      break;
    case 'ed25519':
      inner = der.octetString(key.seed);
      break;
    case 'rsa': {
      const { n, e, d, p, q, dp, dq, qi } = key;
      if (p === undefined || q === undefined || dp === undefined || dq === undefined || qi === undefined) {
        throw new Error('PKCS#1 needs the RSA primes and CRT values');
      }
      inner = der.sequence(...[0n, n, e, d, p, q, dp, dq, qi].map((v) => der.integer(v)));
      break;
    }
  }
  return der.sequence(der.integer(0), keyAlgorithm(key), der.octetString(inner));
}

/**
 * The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
 *
 * @example
 * ```ts
 * import { generatePrivateKey, privateKeyToPem } from '@lucid-tls/tls/x509';
 * console.log(privateKeyToPem(generatePrivateKey('ed25519')).trim().split('\n').length); // → 3
 * ```
 */
export function privateKeyToPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', encodePkcs8(key));
}

/**
 * The key size in bits, for display: the curve size, 255 for Ed25519, the RSA modulus length.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, publicKeyBits } from '@lucid-tls/tls/x509';
 * console.log(publicKeyBits(createCertificateAuthority().certificate.publicKey!)); // → 256
 * ```
 */
export function publicKeyBits(key: PublicKey): number {
  if (key.type === 'ec') return key.curve === 'P-256' ? 256 : 384;
  if (key.type === 'ed25519') return 255;
  return key.n.toString(2).length;
}

/** Whether 32 bytes are not a valid Ed25519 point (strict RFC 8032 decoding) or are one of small order. */
function ed25519SmallOrderOrInvalid(bytes: Uint8Array): boolean {
  try {
    return ed25519.Point.fromBytes(bytes, false).isSmallOrder();
  } catch {
    return true;
  }
}
