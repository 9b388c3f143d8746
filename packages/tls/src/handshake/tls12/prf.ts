/**
 * TLS 1.2's pseudorandom function and what it derives (RFC 5246 §5, §6.3, §7.4.9, §8.1;
 * RFC 7627 §4; RFC 5705 §4), as small pure functions named after the RFCs.
 *
 * ```text
 * pre_master_secret ──PRF("extended master secret", session_hash)──> master_secret (48 bytes)
 *                                                                      │
 *          PRF("key expansion", server_random + client_random) ──> key_block
 *                                                                      │
 *      client_write_key, server_write_key, client_write_IV, server_write_IV (§6.3)
 * ```
 * Where TLS 1.3 extracts and expands with HKDF, TLS 1.2 has one function: PRF(secret, label,
 * seed) = P_hash(secret, label + seed), with the cipher suite's hash (SHA-256 unless the suite
 * says otherwise, §5). {@link MasterSecret} walks the derivations for one connection and
 * reports each value under its RFC name.
 * @module
 */
import { fail } from '../../alert.js';
import type { Aead, HashFunction } from '../../crypto/provider.js';
import { Tls12RecordProtection } from '../../record/tls12-record-protection.js';
import { concat, equalSecret, utf8 } from '../../wire/bytes.js';

/** The master secret is always 48 bytes (RFC 5246 §8.1). */
export const MASTER_SECRET_LENGTH = 48;
/** verify_data is 12 bytes for every cipher suite we speak (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;

/**
 * P_hash(secret, seed) (RFC 5246 §5): HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …,
 * where A(0) = seed and A(i) = HMAC(secret, A(i-1)), cut to `length` bytes.
 *
 * @example
 * ```ts
 * import { pHash, sha256 } from '@lucid-tls/tls/learn';
 * console.log(pHash(sha256, new Uint8Array(16), new Uint8Array(8), 100).length); // → 100
 * ```
 * @category TLS 1.2
 */
export function pHash(hash: HashFunction, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / hash.outputLength) * hash.outputLength);
  let a = seed;
  for (let offset = 0; offset < length; offset += hash.outputLength) {
    a = hash.hmac(secret, a);
    out.set(hash.hmac(secret, concat(a, seed)), offset);
  }
  return out.subarray(0, length);
}

/**
 * PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 §5), `length` bytes.
 *
 * @example
 * ```ts
 * import { fromHex, prf, sha256, toHex } from '@lucid-tls/tls/learn';
 * // The SHA-256 test vector of the TLS working group (and of `openssl kdf … TLS1-PRF`).
 * const out = prf(sha256, fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100);
 * console.log(toHex(out).slice(0, 32)); // → e3f229ba727be17b8d122620557cd453
 * ```
 * @category TLS 1.2
 */
export function prf(hash: HashFunction, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(hash, secret, concat(utf8(label), seed), length);
}

/**
 * master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]
 * (RFC 5246 §8.1): the derivation of a peer without the extended master secret.
 * @category TLS 1.2
 */
export function masterSecret(hash: HashFunction, preMasterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  return prf(hash, preMasterSecret, 'master secret', concat(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
 * (RFC 7627 §4), session_hash being the hash of the handshake messages through
 * ClientKeyExchange: the master secret then belongs to this handshake alone.
 * @category TLS 1.2
 */
export function extendedMasterSecret(hash: HashFunction, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * The parts of the key block (RFC 5246 §6.3); AEAD suites have no MAC keys.
 * @category TLS 1.2
 */
export interface KeyBlock {
  clientWriteKey: Uint8Array;
  serverWriteKey: Uint8Array;
  clientWriteIv: Uint8Array;
  serverWriteIv: Uint8Array;
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random), cut into
 * client_write_key, server_write_key, client_write_IV and server_write_IV (RFC 5246 §6.3;
 * the IV is RFC 5288's 4-byte salt for AES-GCM, RFC 7905's 12-byte IV for ChaCha20-Poly1305).
 *
 * @example
 * ```ts
 * import { keyBlock, sha256 } from '@lucid-tls/tls/learn';
 * const block = keyBlock(sha256, new Uint8Array(48), new Uint8Array(32), new Uint8Array(32), 16, 4);
 * console.log(block.clientWriteKey.length, block.serverWriteIv.length); // → 16 4
 * ```
 * @category TLS 1.2
 */
export function keyBlock(
  hash: HashFunction,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength: number,
): KeyBlock {
  const block = prf(hash, masterSecret, 'key expansion', concat(serverRandom, clientRandom), 2 * (keyLength + ivLength));
  const part = (index: number, offset: number, length: number) => block.slice(offset + index * length, offset + (index + 1) * length);
  return {
    clientWriteKey: part(0, 0, keyLength),
    serverWriteKey: part(1, 0, keyLength),
    clientWriteIv: part(0, 2 * keyLength, ivLength),
    serverWriteIv: part(1, 2 * keyLength, ivLength),
  };
}

/**
 * verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]
 * (RFC 5246 §7.4.9), finished_label being "client finished" or "server finished".
 * @category TLS 1.2
 */
export function verifyData(hash: HashFunction, masterSecret: Uint8Array, side: 'client' | 'server', handshakeHash: Uint8Array): Uint8Array {
  return prf(hash, masterSecret, `${side} finished`, handshakeHash, VERIFY_DATA_LENGTH);
}

/**
 * The RFC 5705 exporter (§4): PRF(master_secret, label, client_random + server_random
 * [+ context_value_length + context_value])[length]. Without a context the seed ends at the
 * randoms; an empty context is a different seed (RFC 5705 §4).
 *
 * @example
 * ```ts
 * import { exportKeyingMaterialTls12, sha256 } from '@lucid-tls/tls/learn';
 * const master = new Uint8Array(48), randoms = new Uint8Array(64);
 * const none = exportKeyingMaterialTls12(sha256, master, randoms, 'EXPORTER-example', undefined, 16);
 * const empty = exportKeyingMaterialTls12(sha256, master, randoms, 'EXPORTER-example', new Uint8Array(0), 16);
 * console.log(none.join() === empty.join()); // → false
 * ```
 * @category TLS 1.2
 */
export function exportKeyingMaterialTls12(
  hash: HashFunction,
  masterSecret: Uint8Array,
  clientAndServerRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  if (context !== undefined && context.length >= 2 ** 16) throw new RangeError('exporter context longer than 2^16 - 1 bytes (RFC 5705 §4)');
  const seed = context === undefined ? clientAndServerRandom : concat(clientAndServerRandom, Uint8Array.of(context.length >> 8, context.length & 0xff), context);
  return prf(hash, masterSecret, label, seed, length);
}

/**
 * A value derived on the way, for the trace and the key log (the handshake context's `secret`).
 * @category TLS 1.2
 */
export interface Tls12Secret {
  name: string;
  label: string;
  derivation: string;
  secret: Uint8Array;
  context?: Uint8Array;
  keyLog?: string;
}

/** TLS's own PRF labels: RFC 5705 §4 warns an exporter label may collide with them, and like OpenSSL we refuse them. */
const RESERVED_EXPORTER_LABELS = ['client finished', 'server finished', 'master secret', 'extended master secret', 'key expansion'];

/**
 * The master secret of one TLS 1.2 connection and everything derived from it, each value
 * reported once under its RFC name (the key log gets `CLIENT_RANDOM`, NSS's name for it).
 *
 * @example
 * ```ts
 * import { MasterSecret, sha256 } from '@lucid-tls/tls/learn';
 * const names: string[] = [];
 * const randoms = { client: new Uint8Array(32).fill(1), server: new Uint8Array(32).fill(2) };
 * const master = MasterSecret.derive(sha256, new Uint8Array(32), randoms, sha256.hash(new Uint8Array(0)), (s) => names.push(s.name));
 * master.keyBlock(16, 4);
 * console.log(names.join(' ')); // → pre_master_secret session_hash master_secret client_write_key server_write_key client_write_IV server_write_IV
 * ```
 * @category TLS 1.2
 */
export class MasterSecret {
  private constructor(
    private readonly hash: HashFunction,
    readonly secret: Uint8Array,
    /** Whether it is RFC 7627's extended master secret. */
    readonly extended: boolean,
    private readonly clientRandom: Uint8Array,
    private readonly serverRandom: Uint8Array,
    private readonly report: (secret: Tls12Secret) => void,
  ) {
    report({ name: 'master_secret', label: extended ? 'extended master secret' : 'master secret', derivation: extended ? 'PRF(pre_master_secret, "extended master secret", session_hash)[0..47]' : 'PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]', secret, keyLog: 'CLIENT_RANDOM' });
  }

  /** From the ECDHE shared secret (RFC 8422 §5.10), with the session hash when the extended master secret is in use. */
  static derive(
    hash: HashFunction,
    preMasterSecret: Uint8Array,
    randoms: { client: Uint8Array; server: Uint8Array },
    sessionHash: Uint8Array | undefined,
    report: (secret: Tls12Secret) => void,
  ): MasterSecret {
    report({ name: 'pre_master_secret', label: 'ECDHE', derivation: 'the ECDH shared secret: its x-coordinate, or the X25519 output (RFC 8422 §5.10)', secret: preMasterSecret });
    if (sessionHash) report({ name: 'session_hash', label: 'session_hash', derivation: 'Hash(handshake_messages) through ClientKeyExchange (RFC 7627 §3)', secret: sessionHash });
    const secret = sessionHash
      ? extendedMasterSecret(hash, preMasterSecret, sessionHash)
      : masterSecret(hash, preMasterSecret, randoms.client, randoms.server);
    return new MasterSecret(hash, secret, !!sessionHash, randoms.client, randoms.server, report);
  }

  /** A resumed session's master secret, with the new connection's randoms (RFC 5246 §7.3). */
  static resume(hash: HashFunction, secret: Uint8Array, randoms: { client: Uint8Array; server: Uint8Array }, report: (secret: Tls12Secret) => void): MasterSecret {
    return new MasterSecret(hash, secret, true, randoms.client, randoms.server, report);
  }

  /** The key block's keys and IVs (RFC 5246 §6.3), each reported. */
  keyBlock(keyLength: number, ivLength: number): KeyBlock {
    const block = keyBlock(this.hash, this.secret, this.clientRandom, this.serverRandom, keyLength, ivLength);
    const derivation = (part: string) => `${part} of PRF(master_secret, "key expansion", server_random + client_random)`;
    this.report({ name: 'client_write_key', label: 'key expansion', derivation: derivation('client_write_key'), secret: block.clientWriteKey });
    this.report({ name: 'server_write_key', label: 'key expansion', derivation: derivation('server_write_key'), secret: block.serverWriteKey });
    this.report({ name: 'client_write_IV', label: 'key expansion', derivation: derivation('client_write_IV'), secret: block.clientWriteIv });
    this.report({ name: 'server_write_IV', label: 'key expansion', derivation: derivation('server_write_IV'), secret: block.serverWriteIv });
    return block;
  }

  /** Both directions' record protection, from the key block (RFC 5246 §6.3). */
  recordProtections(aead: Aead): { client: Tls12RecordProtection; server: Tls12RecordProtection } {
    const block = this.keyBlock(aead.keyLength, Tls12RecordProtection.ivLength(aead));
    return {
      client: new Tls12RecordProtection(aead, block.clientWriteKey, block.clientWriteIv),
      server: new Tls12RecordProtection(aead, block.serverWriteKey, block.serverWriteIv),
    };
  }

  /** Our Finished's verify_data over Hash(handshake_messages) (RFC 5246 §7.4.9), reported. */
  verifyData(side: 'client' | 'server', handshakeHash: Uint8Array): Uint8Array {
    const data = verifyData(this.hash, this.secret, side, handshakeHash);
    this.report({ name: `${side}_verify_data`, label: `${side} finished`, derivation: `PRF(master_secret, "${side} finished", Hash(handshake_messages))[0..11]`, secret: data, context: handshakeHash });
    return data;
  }

  /** Checks the peer's verify_data; a mismatch is decrypt_error (RFC 5246 §7.4.9). */
  checkVerifyData(side: 'client' | 'server', handshakeHash: Uint8Array, received: Uint8Array): void {
    if (!equalSecret(this.verifyData(side, handshakeHash), received)) fail('decrypt_error', `the ${side} Finished does not verify`);
  }

  /**
   * The RFC 5705 exporter of this connection. RFC 7627 §5.4: without the extended master
   * secret the key material is not bound to the handshake, so there is none.
   */
  exporter(): (label: string, context: Uint8Array | undefined, length: number) => Uint8Array {
    const randoms = concat(this.clientRandom, this.serverRandom);
    return (label, context, length) => {
      if (!this.extended) throw new Error('no exporter without the extended master secret (RFC 7627 §5.4)');
      if (RESERVED_EXPORTER_LABELS.includes(label)) throw new RangeError(`the exporter label "${label}" is one of TLS's own PRF labels (RFC 5705 §4)`);
      return exportKeyingMaterialTls12(this.hash, this.secret, randoms, label, context, length);
    };
  }
}
