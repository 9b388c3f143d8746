/**
 * SHA-256, SHA-384 and SHA-512 with HMAC (RFC 2104) on `node:crypto`: the same
 * {@link HashFunction} shape as the noble ones (`crypto/hash.ts`), computed by OpenSSL.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, type Hash } from 'node:crypto';
import type { HashFunction, RunningHash } from '../../crypto/provider.js';
import { plain } from './bytes.js';

/** OpenSSL's names for the three hashes. */
const OPENSSL_NAMES = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

/** The running hash: `digest` reads a copy of the state (`Hash.copy`), so the transcript can go on (RFC 8446 §4.4.1). */
class NodeRunningHash implements RunningHash {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): void {
    this.state.update(data);
  }
  digest(): Uint8Array {
    return plain(this.state.copy().digest());
  }
}

/**
 * `crypto.hash` (Node ≥ 20.12) hashes in one call, without making a Hash object: a third of
 * the cost for the short inputs of a handshake. Looked up on the namespace, so that older
 * Node 20 releases load this module and fall back to `createHash`.
 */
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

function hashFunction(name: HashFunction['name'], outputLength: number): HashFunction {
  const algorithm = OPENSSL_NAMES[name];
  return {
    name,
    outputLength,
    hash: oneShot ? (data) => plain(oneShot(algorithm, data, 'buffer')) : (data) => plain(createHash(algorithm).update(data).digest()),
    create: () => new NodeRunningHash(createHash(algorithm)),
    hmac: (key, data) => plain(createHmac(algorithm, key).update(data).digest()),
  };
}

/** SHA-256 (32-byte output), the hash of TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256. */
export const sha256: HashFunction = hashFunction('SHA-256', 32);
/** SHA-384 (48-byte output), the hash of TLS_AES_256_GCM_SHA384. */
export const sha384: HashFunction = hashFunction('SHA-384', 48);
/** SHA-512 (64-byte output), for signatures only (rsa_pss_rsae_sha512, rsa_pkcs1_sha512). */
export const sha512: HashFunction = hashFunction('SHA-512', 64);
