/**
 * JSON Web Signature (RFC 7515) as ACME uses it (RFC 8555 §6.2): every request body is a
 * JWS in the flattened JSON serialization,
 *
 * ```
 * { "protected": base64url(header), "payload": base64url(payload), "signature": base64url(sig) }
 * ```
 * signed over `protected || '.' || payload` with the account key. The protected header
 * names the algorithm, the anti-replay `nonce` (§6.5), the `url` the request goes to
 * (§6.4), and the key: the whole public key as a `jwk` for newAccount (and revocation
 * by certificate key), the account URL as `kid` for everything else.
 *
 * Account keys are ES256 (ECDSA on P-256 with SHA-256, which every ACME server MUST
 * implement) or EdDSA with Ed25519 (which servers SHOULD implement).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { PrivateKey } from '@lucid-tls/tls';
import { generatePrivateKey, publicKeyFromPrivateKey } from '@lucid-tls/tls/x509';
import { base64url } from './base64url.js';

/** The JWS algorithms of account keys: ES256 (RFC 7518 §3.4) and EdDSA (RFC 8037 §3.1). */
export type JwsAlgorithm = 'ES256' | 'EdDSA';

/** An account key: a P-256 key (ES256) or an Ed25519 key (EdDSA). */
export type AccountKey = (Extract<PrivateKey, { type: 'ec' }> & { curve: 'P-256' }) | Extract<PrivateKey, { type: 'ed25519' }>;

/** A public key as a JSON Web Key (RFC 7517): EC (RFC 7518 §6.2) or OKP (RFC 8037 §2). */
export type Jwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string } | { kty: 'OKP'; crv: 'Ed25519'; x: string };

/** The protected header of an ACME JWS (RFC 8555 §6.2). */
export interface ProtectedHeader {
  alg: JwsAlgorithm;
  /** Absent only in the inner JWS of a key change (§7.3.5). */
  nonce?: string;
  url: string;
  /** The public key: for newAccount, revocation by certificate key, and a key change's inner JWS. */
  jwk?: Jwk;
  /** The account URL: for every other request. */
  kid?: string;
}

/** A JWS in the flattened JSON serialization (RFC 7515 §7.2.2). */
export interface FlattenedJws {
  protected: string;
  payload: string;
  signature: string;
}

/**
 * A fresh account key: ES256 (P-256) by default, or EdDSA (Ed25519).
 *
 * @example
 * ```ts
 * import { generateAccountKey, jwsAlgorithm } from '@lucid-tls/acme';
 * console.log(jwsAlgorithm(generateAccountKey()), jwsAlgorithm(generateAccountKey('EdDSA'))); // → ES256 EdDSA
 * ```
 */
export function generateAccountKey(algorithm: JwsAlgorithm = 'ES256'): AccountKey {
  return generatePrivateKey(algorithm === 'ES256' ? 'ec' : 'ed25519') as AccountKey;
}

/**
 * Checks that `key` can be an account key, and returns it as one. Throws a TypeError for
 * RSA and P-384 keys: servers accept them, but this client signs with ES256 and EdDSA only.
 *
 * @example
 * ```ts
 * import { asAccountKey } from '@lucid-tls/acme';
 * import { generatePrivateKey } from '@lucid-tls/tls/x509';
 * console.log(asAccountKey(generatePrivateKey('ed25519')).type); // → ed25519
 * ```
 */
export function asAccountKey(key: PrivateKey): AccountKey {
  if ((key.type === 'ec' && key.curve === 'P-256') || key.type === 'ed25519') return key as AccountKey;
  throw new TypeError(`an account key must be P-256 (ES256) or Ed25519 (EdDSA), not ${key.type === 'ec' ? key.curve : key.type}`);
}

/**
 * The JWS algorithm of an account key.
 *
 * @example
 * ```ts
 * import { generateAccountKey, jwsAlgorithm } from '@lucid-tls/acme';
 * console.log(jwsAlgorithm(generateAccountKey('ES256'))); // → ES256
 * ```
 */
export function jwsAlgorithm(key: AccountKey): JwsAlgorithm {
  return key.type === 'ec' ? 'ES256' : 'EdDSA';
}

/**
 * The public half of an account key as a JWK: for P-256 the two 32-byte coordinates,
 * for Ed25519 the 32-byte public key (RFC 8037 §2).
 *
 * @example
 * ```ts
 * import { generateAccountKey, publicJwk } from '@lucid-tls/acme';
 * const jwk = publicJwk(generateAccountKey());
 * console.log(jwk.kty, jwk.crv, jwk.x.length); // → EC P-256 43
 * ```
 */
export function publicJwk(key: AccountKey): Jwk {
  const publicKey = publicKeyFromPrivateKey(key);
  if (publicKey.type === 'ec') {
    // The uncompressed point: 0x04 || X || Y (SEC 1 §2.3.3).
    return { kty: 'EC', crv: 'P-256', x: base64url(publicKey.point.subarray(1, 33)), y: base64url(publicKey.point.subarray(33, 65)) };
  }
  if (publicKey.type === 'ed25519') return { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey.key) };
  throw new TypeError('not an account key');
}

/**
 * The JWK thumbprint (RFC 7638 §3): the SHA-256 of the key's required members, in
 * lexicographic order and without white space, base64url-encoded. It names the account
 * key in every key authorization (RFC 8555 §8.1).
 *
 * @example
 * ```ts
 * import { jwkThumbprint } from '@lucid-tls/acme';
 * // RFC 8037 Appendix A.3
 * console.log(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })); // → kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
 * ```
 */
export function jwkThumbprint(jwk: Jwk): string {
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return base64url(sha256(new TextEncoder().encode(canonical)));
}

/**
 * Signs a request: `payload` is JSON-encoded, except the empty string, which stays empty
 * (a POST-as-GET, RFC 8555 §6.3).
 *
 * @example
 * ```ts
 * import { generateAccountKey, signJws } from '@lucid-tls/acme';
 * const jws = signJws(generateAccountKey(), { alg: 'ES256', nonce: 'bm9uY2U', url: 'https://acme.example/new-order', kid: 'https://acme.example/acct/1' }, {});
 * console.log(jws.payload, Buffer.from(jws.signature, 'base64url').length); // → e30 64
 * ```
 */
export function signJws(key: AccountKey, header: ProtectedHeader, payload: unknown): FlattenedJws {
  const encodedHeader = base64url(JSON.stringify(header));
  const encodedPayload = payload === '' ? '' : base64url(JSON.stringify(payload));
  const signingInput = new TextEncoder().encode(`${encodedHeader}.${encodedPayload}`);
  return { protected: encodedHeader, payload: encodedPayload, signature: base64url(sign(key, signingInput)) };
}

/**
 * ES256 signatures are the raw `r || s`, 32 bytes each (RFC 7518 §3.4), not the DER
 * SEQUENCE that X.509 and TLS use; EdDSA signs the input itself (RFC 8037 §3.1).
 */
function sign(key: AccountKey, signingInput: Uint8Array): Uint8Array {
  if (key.type === 'ed25519') return ed25519.sign(signingInput, key.seed);
  return p256.sign(sha256(signingInput), key.d, { prehash: false, format: 'compact' });
}
