/**
 * The crypto provider: a plain object of cipher suites, key-exchange groups,
 * signature schemes and a random source, passed in each connection's configuration.
 * Nothing in the engine reaches for a process-wide global; a test swaps in fixed
 * randomness, keys or salts by building a provider of its own (see `withFixedInputs`).
 * @module
 */

/**
 * CipherSuite code points: TLS 1.3's (RFC 8446 §B.4) and the six TLS 1.2 suites we speak,
 * ECDHE with an AEAD only (RFC 5289 for AES-GCM, RFC 7905 for ChaCha20-Poly1305).
 *
 * @example
 * ```ts
 * import { CipherSuiteId } from '@lucid-tls/tls';
 * console.log(CipherSuiteId.TLS_AES_128_GCM_SHA256.toString(16)); // → 1301
 * ```
 * @category Crypto providers
 */
export const CipherSuiteId = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;
/**
 * The name of a cipher suite, e.g. `"TLS_AES_128_GCM_SHA256"` or `"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"`.
 * @category Crypto providers
 */
export type CipherSuiteName = keyof typeof CipherSuiteId;

/**
 * NamedGroup code points (RFC 8446 §4.2.7, RFC 7919 §6 for the ffdhe groups), with the
 * IANA registry's names: the post-quantum hybrids of draft-ietf-tls-ecdhe-mlkem and the
 * pure ML-KEM groups of draft-ietf-tls-mlkem among them. Only the ones we name in traces.
 *
 * @example
 * ```ts
 * import { NamedGroupId } from '@lucid-tls/tls';
 * console.log(NamedGroupId.x25519, NamedGroupId.secp256r1); // → 29 23
 * console.log(NamedGroupId.X25519MLKEM768.toString(16)); // → 11ec
 * ```
 * @category Crypto providers
 */
export const NamedGroupId = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  MLKEM768: 0x0201,
  MLKEM1024: 0x0202,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;
/**
 * The name of a key-exchange group, e.g. `"x25519"` or `"X25519MLKEM768"`.
 * @category Crypto providers
 */
export type NamedGroupName = keyof typeof NamedGroupId;

/**
 * SignatureScheme code points (RFC 8446 §4.2.3).
 *
 * @example
 * ```ts
 * import { SignatureSchemeId } from '@lucid-tls/tls';
 * console.log(SignatureSchemeId.rsa_pss_rsae_sha256.toString(16)); // → 804
 * ```
 * @category Crypto providers
 */
export const SignatureSchemeId = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;
/**
 * The name of a signature scheme, e.g. `"ecdsa_secp256r1_sha256"`.
 * @category Crypto providers
 */
export type SignatureSchemeName = keyof typeof SignatureSchemeId;

function reverse<T extends Record<string, number>>(table: T): Map<number, keyof T & string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k as keyof T & string]));
}
const suiteNames = reverse(CipherSuiteId);
const groupNames = reverse(NamedGroupId);
const schemeNames = reverse(SignatureSchemeId);
const hex4 = (code: number) => `0x${code.toString(16).padStart(4, '0')}`;

/**
 * `"TLS_AES_128_GCM_SHA256"` for 0x1301; the hex code for anything unknown.
 *
 * @example
 * ```ts
 * import { cipherSuiteName } from '@lucid-tls/tls';
 * console.log(cipherSuiteName(0x1303), cipherSuiteName(0xc02f), cipherSuiteName(0x009c)); // → TLS_CHACHA20_POLY1305_SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0x009c
 * ```
 * @category Crypto providers
 */
export const cipherSuiteName = (code: number): string => suiteNames.get(code) ?? hex4(code);
/**
 * `"x25519"` for 0x001d; the hex code for anything unknown (e.g. GREASE).
 *
 * @example
 * ```ts
 * import { groupName } from '@lucid-tls/tls';
 * console.log(groupName(0x001d), groupName(0x0a0a)); // → x25519 0x0a0a
 * ```
 * @category Crypto providers
 */
export const groupName = (code: number): string => groupNames.get(code) ?? hex4(code);
/**
 * `"ed25519"` for 0x0807; the hex code for anything unknown.
 *
 * @example
 * ```ts
 * import { signatureSchemeName } from '@lucid-tls/tls';
 * console.log(signatureSchemeName(0x0403)); // → ecdsa_secp256r1_sha256
 * ```
 * @category Crypto providers
 */
export const signatureSchemeName = (code: number): string => schemeNames.get(code) ?? hex4(code);

/**
 * A hash function with incremental use, for HKDF and the transcript hash.
 * @category Crypto providers
 */
export interface HashFunction {
  readonly name: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Hash.length in RFC 8446's terms. */
  readonly outputLength: number;
  /** The hash of `data`, in one call. */
  hash(data: Uint8Array): Uint8Array;
  /** A running hash: feed it with `update`, read it with `digest` (which leaves it usable). */
  create(): RunningHash;
  /** HMAC(key, data) with this hash (RFC 2104), the building block of HKDF. */
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * An incremental hash whose `digest` does not end it (the transcript is hashed at many points).
 * @category Crypto providers
 */
export interface RunningHash {
  /** Adds `data` to what is hashed. */
  update(data: Uint8Array): void;
  /** The hash of everything added so far; more may be added afterwards. */
  digest(): Uint8Array;
}

/**
 * An AEAD algorithm (RFC 5116) as used by the record layer (RFC 8446 §5.2).
 * @category Crypto providers
 */
export interface Aead {
  readonly name: 'AES-128-GCM' | 'AES-256-GCM' | 'ChaCha20-Poly1305';
  readonly keyLength: number;
  /** iv_length: 12 for every TLS 1.3 suite (§5.3). */
  readonly nonceLength: number;
  readonly tagLength: number;
  /** Prepares a key once, so per-record calls do no key setup. */
  importKey(key: Uint8Array): AeadKey;
}

/**
 * A prepared AEAD key.
 * @category Crypto providers
 */
export interface AeadKey {
  /**
   * Encrypts and authenticates `plaintext` and `additionalData`: the ciphertext followed by the tag.
   *
   * With `output` (`plaintext.length + tagLength` bytes), the result is written there and
   * `output` is returned: the record layer passes the record it is building, so that
   * ciphertext and tag land behind the header without another copy. `output` may start
   * where `plaintext` does (encryption in place).
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array, output?: Uint8Array): Uint8Array;
  /** The plaintext, or null when the tag does not verify. It is the caller's: not a view of memory the key uses again. */
  open(nonce: Uint8Array, ciphertext: Uint8Array, additionalData: Uint8Array): Uint8Array | null;
}

/**
 * A cipher suite: an AEAD and a hash. A provider lists TLS 1.3 suites (RFC 8446 §B.4), whose
 * hash drives HKDF; the TLS 1.2 suites are made from them (the same AEAD, the same hash, here
 * the PRF's, RFC 5246 §5), so a provider needs nothing more to speak TLS 1.2.
 * @category Crypto providers
 */
export interface CipherSuite {
  readonly id: number;
  readonly name: CipherSuiteName;
  readonly aead: Aead;
  readonly hash: HashFunction;
}

/**
 * An ephemeral key pair for one key exchange.
 * @category Crypto providers
 */
export interface KeyPair {
  /**
   * The private key in its raw form: a scalar for the elliptic curves (RFC 7748 §5, SEC 1),
   * the exponent for FFDHE, the 64-byte seed (d || z) for ML-KEM (FIPS 203 §7.1), and the
   * parts' private keys concatenated for a hybrid.
   */
  readonly privateKey: Uint8Array;
  /** The key_exchange bytes sent in a KeyShareEntry (§4.2.8.2). */
  readonly publicKey: Uint8Array;
}

/**
 * What `Encaps` gives the server: its key_exchange, the shared secret, and the ephemeral key it made.
 * @category Crypto providers
 */
export interface Encapsulation {
  /**
   * The server's key_exchange: a Diffie–Hellman public value, an ML-KEM ciphertext, or
   * both concatenated (the hybrids).
   */
  readonly ciphertext: Uint8Array;
  /** The shared secret, the IKM of the Handshake Secret (§7.1). */
  readonly sharedSecret: Uint8Array;
  /**
   * The server's ephemeral key pair, for groups with a Diffie–Hellman part (shown in traces):
   * for a hybrid, that of its Diffie–Hellman part.
   */
  readonly ephemeral?: KeyPair;
}

/**
 * A key-exchange group (§4.2.7, §4.2.8), modelled as a key encapsulation mechanism as the
 * ML-KEM drafts do (draft-ietf-tls-mlkem §"Key encapsulation mechanisms"): the client runs
 * `keyGen` and sends the public key; the server runs `encaps` on it and answers with the
 * ciphertext; the client runs `decaps`. For a Diffie–Hellman group, `encaps` is a fresh key
 * pair and the DH output, and `decaps` is the DH output.
 *
 * The peer's bytes arrive from the network: `encaps` and `decaps` check them as §4.2.8.1,
 * §4.2.8.2 and §7.4 (and FIPS 203 for ML-KEM) require, and throw a plain `Error` when they
 * are unusable; the handshake turns that into an illegal_parameter alert.
 * @category Crypto providers
 */
export interface KeyExchangeGroup {
  readonly id: number;
  readonly name: NamedGroupName;
  /** KeyGen() -> (pk, sk): a fresh key pair, its secret drawn from `randomBytes`. */
  keyGen(randomBytes: (n: number) => Uint8Array): KeyPair;
  /** Encaps(pk) -> (ct, shared_secret): the answer to the peer's public key. */
  encaps(peerPublicKey: Uint8Array, randomBytes: (n: number) => Uint8Array): Encapsulation;
  /** Decaps(sk, ct) -> shared_secret: the shared secret from our private key and the peer's answer. */
  decaps(privateKey: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

/**
 * A public key as it appears in a certificate's SubjectPublicKeyInfo.
 * @category Crypto providers
 */
export type PublicKey =
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384'; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly key: Uint8Array }
  | { readonly type: 'rsa'; readonly n: bigint; readonly e: bigint };

/**
 * A private key for signing CertificateVerify (and certificates).
 * @category Crypto providers
 */
export type PrivateKey =
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384'; readonly d: Uint8Array }
  | { readonly type: 'ed25519'; readonly seed: Uint8Array }
  | {
      readonly type: 'rsa';
      readonly n: bigint;
      readonly e: bigint;
      readonly d: bigint;
      readonly p?: bigint;
      readonly q?: bigint;
      readonly dp?: bigint;
      readonly dq?: bigint;
      readonly qi?: bigint;
    };

/**
 * A signature scheme (§4.2.3).
 * @category Crypto providers
 */
export interface SignatureScheme {
  readonly id: number;
  readonly name: SignatureSchemeName;
  /** Whether this scheme may sign with `key` (key type, curve). */
  canSign(key: PrivateKey): boolean;
  /** Whether this scheme may verify with `key`. */
  canVerify(key: PublicKey): boolean;
  /**
   * Signs `message`. Randomness the scheme needs (an RSA-PSS salt; ECDSA's nonce is
   * deterministic per RFC 6979) comes from `randomBytes`.
   */
  sign(key: PrivateKey, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array;
  /** True when `signature` is valid for `message` under `key`; never throws on bad input. */
  verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Everything cryptographic a connection uses. The lists are in preference order.
 *
 * @example
 * ```ts
 * import { nobleProvider } from '@lucid-tls/tls';
 * const provider = { ...nobleProvider, cipherSuites: nobleProvider.cipherSuites.filter(s => s.name !== 'TLS_AES_256_GCM_SHA384') };
 * ```
 * @category Crypto providers
 */
export interface CryptoProvider {
  readonly cipherSuites: readonly CipherSuite[];
  readonly groups: readonly KeyExchangeGroup[];
  readonly signatureSchemes: readonly SignatureScheme[];
  /** Cryptographically secure random bytes. */
  randomBytes(n: number): Uint8Array;
}
