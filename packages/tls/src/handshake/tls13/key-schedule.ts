/**
 * The TLS 1.3 key schedule (RFC 8446 §7), as small pure functions named after the RFC.
 *
 * ```text
 *              0
 *              |
 *    PSK ->  HKDF-Extract = Early Secret ──> binder_key, c e traffic, e exp master
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 * (EC)DHE -> HKDF-Extract = Handshake Secret ──> c hs traffic, s hs traffic
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 *    0 ->  HKDF-Extract = Master Secret ──> c ap traffic, s ap traffic, exp master, res master
 * ```
 * Every function takes the suite's hash; none keeps state. The handshake walks the
 * schedule with {@link KeySchedule}, which also reports each secret to observers.
 * @module
 */
import type { Aead, CipherSuite, HashFunction } from '../../crypto/provider.js';
import { fail } from '../../alert.js';
import { concat, equalSecret, utf8 } from '../../wire/bytes.js';
import { Writer } from '../../wire/codec.js';
import type { Side } from '../../trace/events.js';

/**
 * HKDF-Extract(salt, IKM) (RFC 5869 §2.2). A zero-length salt means Hash.length zeros, which HMAC treats the same.
 *
 * @example
 * ```ts
 * import { hkdfExtract, sha256, toHex } from '@lucid-tls/tls/learn';
 * // The Early Secret of every full handshake with SHA-256 (RFC 8448 §3).
 * const earlySecret = hkdfExtract(sha256, new Uint8Array(32), new Uint8Array(32));
 * console.log(toHex(earlySecret)); // → 33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a
 * ```
 * @category Key schedule
 */
export function hkdfExtract(hash: HashFunction, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hash.hmac(salt.length ? salt : new Uint8Array(hash.outputLength), ikm);
}

/**
 * HKDF-Expand(PRK, info, L) (RFC 5869 §2.3).
 *
 * @example
 * ```ts
 * import { hkdfExpand, sha256 } from '@lucid-tls/tls/learn';
 * const okm = hkdfExpand(sha256, new Uint8Array(32).fill(1), new TextEncoder().encode('info'), 42);
 * console.log(okm.length); // → 42
 * ```
 * @category Key schedule
 */
export function hkdfExpand(hash: HashFunction, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const blocks = Math.ceil(length / hash.outputLength);
  if (blocks > 255) throw new RangeError('HKDF-Expand: length too large');
  const out = new Uint8Array(blocks * hash.outputLength);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1; i <= blocks; i++) {
    t = hash.hmac(prk, concat(t, info, Uint8Array.of(i)));
    out.set(t, (i - 1) * hash.outputLength);
  }
  return out.subarray(0, length);
}

/**
 * The HkdfLabel structure (§7.1): uint16 length, opaque label<7..255> = "tls13 " + Label, opaque context<0..255>.
 * @category Key schedule
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const w = new Writer({ capacity: 64 });
  w.u16(length, 'length');
  w.opaque(1, fullLabel(label), 'label');
  w.opaque(1, context, 'context');
  return w.finish();
}

/**
 * The encoded labels of the key schedule: a handshake derives a dozen secrets and keys
 * from the same few labels, and encoding them each time took about 3% of a native
 * server's handshake (CPU profile). Exporter labels come from the application, so the
 * cache is bounded.
 */
const fullLabels = new Map<string, Uint8Array>();
const MAX_CACHED_LABELS = 32;

/** `"tls13 " + label` as bytes (§7.1). The Writer copies it, so the cached array is never handed out. */
function fullLabel(label: string): Uint8Array {
  let bytes = fullLabels.get(label);
  if (bytes === undefined) {
    bytes = utf8(`tls13 ${label}`);
    if (fullLabels.size < MAX_CACHED_LABELS) fullLabels.set(label, bytes);
  }
  return bytes;
}

/**
 * HKDF-Expand-Label(Secret, Label, Context, Length) (§7.1).
 *
 * @example
 * ```ts
 * import { fromHex, hkdfExpandLabel, sha256, toHex } from '@lucid-tls/tls/learn';
 * // server_handshake_key of RFC 8448 §3, from server_handshake_traffic_secret.
 * const secret = fromHex('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
 * console.log(toHex(hkdfExpandLabel(sha256, secret, 'key', new Uint8Array(0), 16))); // → 3fce516009c21727d0f2e4e86ee403bc
 * ```
 * @category Key schedule
 */
export function hkdfExpandLabel(
  hash: HashFunction,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/**
 * Derive-Secret(Secret, Label, Messages) (§7.1), given Transcript-Hash(Messages).
 *
 * @example
 * ```ts
 * import { deriveSecret, emptyHash, fromHex, sha256, toHex } from '@lucid-tls/tls/learn';
 * const earlySecret = fromHex('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
 * const derived = deriveSecret(sha256, earlySecret, 'derived', emptyHash(sha256));
 * console.log(toHex(derived)); // → 6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba
 * ```
 * @category Key schedule
 */
export function deriveSecret(hash: HashFunction, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLength);
}

/**
 * Transcript-Hash of no messages: Hash(""), used by the "derived" and binder steps.
 *
 * @example
 * ```ts
 * import { emptyHash, sha256, toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(emptyHash(sha256))); // → e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
 * ```
 * @category Key schedule
 */
export const emptyHash = (hash: HashFunction): Uint8Array => hash.hash(new Uint8Array(0));

/**
 * The traffic key and IV of a traffic secret (§7.3).
 *
 * @example
 * ```ts
 * import { aes128gcm, fromHex, sha256, toHex, trafficKey } from '@lucid-tls/tls/learn';
 * // RFC 8448 §3: the client's application traffic secret gives its key and IV.
 * const secret = fromHex('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5');
 * const { key, iv } = trafficKey(sha256, aes128gcm, secret);
 * console.log(toHex(key), toHex(iv)); // → 17422dda596ed5d9acd890e3c63f5051 5b78923dee08579033e523d9
 * ```
 * @category Key schedule
 */
export function trafficKey(hash: HashFunction, aead: Aead, secret: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  return {
    key: hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), aead.keyLength),
    iv: hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), aead.nonceLength),
  };
}

/**
 * finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (§4.4.4).
 *
 * @example
 * ```ts
 * import { finishedKey, fromHex, sha256, toHex } from '@lucid-tls/tls/learn';
 * const serverHandshakeTrafficSecret = fromHex('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
 * console.log(toHex(finishedKey(sha256, serverHandshakeTrafficSecret))); // → 008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8
 * ```
 * @category Key schedule
 */
export function finishedKey(hash: HashFunction, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hash.outputLength);
}

/**
 * verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)) (§4.4.4).
 *
 * @example
 * ```ts
 * import { finishedVerifyData, fromHex, sha256, toHex } from '@lucid-tls/tls/learn';
 * // The client's Finished of RFC 8448 §3: its handshake traffic secret, and the transcript through the server's Finished.
 * const clientHandshakeTrafficSecret = fromHex('b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21');
 * const transcriptHash = fromHex('9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13');
 * console.log(toHex(finishedVerifyData(sha256, clientHandshakeTrafficSecret, transcriptHash))); // → a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61
 * ```
 * @category Key schedule
 */
export function finishedVerifyData(hash: HashFunction, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return hash.hmac(finishedKey(hash, baseKey), transcriptHash);
}

/**
 * application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (§7.2).
 *
 * @example
 * ```ts
 * import { nextTrafficSecret, sha256 } from '@lucid-tls/tls/learn';
 * let secret: Uint8Array = new Uint8Array(32); // client_application_traffic_secret_0
 * for (let n = 1; n <= 3; n++) secret = nextTrafficSecret(sha256, secret); // three KeyUpdates later: _3
 * console.log(secret.length); // → 32
 * ```
 * @category Key schedule
 */
export function nextTrafficSecret(hash: HashFunction, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hash.outputLength);
}

/**
 * The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (§4.6.1).
 *
 * @example
 * ```ts
 * import { fromHex, resumptionPsk, sha256, toHex } from '@lucid-tls/tls/learn';
 * // RFC 8448 §3: the ticket with nonce 00 00.
 * const resumptionMasterSecret = fromHex('7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c');
 * console.log(toHex(resumptionPsk(sha256, resumptionMasterSecret, fromHex('0000')))); // → 4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3
 * ```
 * @category Key schedule
 */
export function resumptionPsk(hash: HashFunction, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, 'resumption', ticketNonce, hash.outputLength);
}

/**
 * TLS-Exporter(label, context_value, key_length) (§7.5):
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
 *
 * @example
 * ```ts
 * import { exportKeyingMaterial, fromHex, sha256 } from '@lucid-tls/tls/learn';
 * const exporterMasterSecret = fromHex('fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50'); // RFC 8448 §3
 * const a = exportKeyingMaterial(sha256, exporterMasterSecret, 'EXPORTER-example', new Uint8Array(0), 32);
 * const b = exportKeyingMaterial(sha256, exporterMasterSecret, 'EXPORTER-other', new Uint8Array(0), 32);
 * console.log(a.length, a.join() === b.join()); // → 32 false
 * ```
 * @category Key schedule
 */
export function exportKeyingMaterial(
  hash: HashFunction,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const secret = deriveSecret(hash, exporterMasterSecret, label, emptyHash(hash));
  return hkdfExpandLabel(hash, secret, 'exporter', hash.hash(context), length);
}

/**
 * The TLS-Exporter of a connection (§7.5), bound to its exporter_master_secret. No context
 * is the same as an empty one in TLS 1.3 (§7.5).
 *
 * @example
 * ```ts
 * import { fromHex, sha256, tls13Exporter } from '@lucid-tls/tls/learn';
 * const exporter = tls13Exporter(sha256, fromHex('fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50'));
 * console.log(exporter('EXPORTER-example', new Uint8Array(0), 16).length); // → 16
 * ```
 * @category Key schedule
 */
export function tls13Exporter(hash: HashFunction, exporterMasterSecret: Uint8Array): (label: string, context: Uint8Array | undefined, length: number) => Uint8Array {
  return (label, context, length) => exportKeyingMaterial(hash, exporterMasterSecret, label, context ?? new Uint8Array(0), length);
}

/**
 * The name under which a secret is reported (the RFC 8448 vectors' names).
 * @category Key schedule
 */
export type SecretName =
  | 'early_secret'
  | 'binder_key'
  | 'binder_finished_key'
  | 'binder_transcript_hash'
  | 'psk_binder'
  | 'client_early_traffic_secret'
  | 'early_exporter_master_secret'
  | 'derived_for_handshake_secret'
  | 'handshake_secret'
  | 'client_handshake_traffic_secret'
  | 'server_handshake_traffic_secret'
  | 'derived_for_master_secret'
  | 'master_secret'
  | 'exporter_master_secret'
  | 'resumption_master_secret'
  | 'resumption_psk'
  | `${'client' | 'server'}_finished_key`
  | `${'client' | 'server'}_finished_verify_data`
  | `${'client' | 'server'}_application_traffic_secret_${number}`
  | `${'client' | 'server'}_${'early' | 'handshake' | 'application'}_${'key' | 'iv'}${'' | `_${number}`}`;

/**
 * A secret as it is derived, for traces and the key log.
 * @category Key schedule
 */
export interface DerivedSecret {
  name: SecretName;
  /** The RFC's label, e.g. `"c hs traffic"`; for HKDF-Extract steps, `"HKDF-Extract"`. */
  label: string;
  /** How it was computed, e.g. `Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)`. */
  derivation: string;
  /** The transcript hash or other context it was bound to, when there is one. */
  context?: Uint8Array;
  secret: Uint8Array;
}

/**
 * Where a secret goes once derived (the trace and the key log).
 * @category Key schedule
 */
export type SecretObserver = (secret: DerivedSecret) => void;

/**
 * Which traffic secret a key comes from (§7.3).
 * @category Key schedule
 */
export type TrafficKind = 'early' | 'handshake' | 'application';

/**
 * One direction's traffic secret (§7.1): the key and IV it gives the record layer (§7.3)
 * and, for application traffic, the next generation after a KeyUpdate (§7.2).
 *
 * @example
 * ```ts
 * import { nobleProvider } from '@lucid-tls/tls';
 * import { TrafficSecret, fromHex, toHex } from '@lucid-tls/tls/learn';
 * // RFC 8448 §3: the client's application traffic secret gives its key and IV.
 * const suite = nobleProvider.cipherSuites.find((s) => s.name === 'TLS_AES_128_GCM_SHA256')!;
 * const secret = new TrafficSecret(suite, 'client', 'application', fromHex('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5'));
 * const names: string[] = [];
 * const { key } = secret.keys((s) => names.push(s.name));
 * console.log(toHex(key), names.join(' ')); // → 17422dda596ed5d9acd890e3c63f5051 client_application_key client_application_iv
 * console.log(secret.next(() => {}).generation); // → 1
 * ```
 * @category Key schedule
 */
export class TrafficSecret {
  constructor(
    readonly suite: CipherSuite,
    readonly writer: Side,
    readonly kind: TrafficKind,
    readonly secret: Uint8Array,
    /** N in application_traffic_secret_N (0 for the other kinds). */
    readonly generation = 0,
  ) {}

  /** The secret's name, e.g. `server_handshake_traffic_secret`, `client_application_traffic_secret_2`. */
  get name(): SecretName {
    return this.kind === 'application' ? `${this.writer}_application_traffic_secret_${this.generation}` : (`${this.writer}_${this.kind}_traffic_secret` as SecretName);
  }

  /** [sender]_write_key and [sender]_write_iv (§7.3), each reported. */
  keys(onSecret: SecretObserver): { key: Uint8Array; iv: Uint8Array } {
    const { key, iv } = trafficKey(this.suite.hash, this.suite.aead, this.secret);
    const suffix = this.generation ? `_${this.generation}` : '';
    const prefix = `${this.writer}_${this.kind}` as const;
    onSecret({ name: `${prefix}_key${suffix}` as SecretName, label: 'key', derivation: `HKDF-Expand-Label(${this.name}, "key", "", key_length)`, secret: key });
    onSecret({ name: `${prefix}_iv${suffix}` as SecretName, label: 'iv', derivation: `HKDF-Expand-Label(${this.name}, "iv", "", iv_length)`, secret: iv });
    return { key, iv };
  }

  /** application_traffic_secret_N+1 (§7.2), reported. */
  next(onSecret: SecretObserver): TrafficSecret {
    if (this.kind !== 'application') throw new Error('only application traffic secrets are updated (§7.2)');
    const next = new TrafficSecret(this.suite, this.writer, 'application', nextTrafficSecret(this.suite.hash, this.secret), this.generation + 1);
    onSecret({ name: next.name, label: 'traffic upd', derivation: `HKDF-Expand-Label(${this.name}, "traffic upd", "", Hash.length)`, secret: next.secret });
    return next;
  }
}

/**
 * One walk down the key schedule for one connection, stage by stage. It holds the
 * current Early, Handshake or Master Secret and the traffic secrets derived from them,
 * and reports every derived secret to `onSecret` (trace and key log), under its RFC
 * label: nothing else in the handshake names a derivation.
 *
 * @example
 * ```ts
 * import { KeySchedule, sha256, toHex } from '@lucid-tls/tls/learn';
 * const names: string[] = [];
 * const schedule = new KeySchedule(sha256, undefined, (s) => names.push(s.name));
 * schedule.enterHandshakeSecret(new Uint8Array(32)); // the (EC)DHE shared secret
 * const { client } = schedule.handshakeTrafficSecrets(sha256.hash(new Uint8Array(0)));
 * console.log(names.join(' ')); // → early_secret derived_for_handshake_secret handshake_secret client_handshake_traffic_secret server_handshake_traffic_secret
 * console.log(toHex(client).length); // → 64
 * ```
 * @category Key schedule
 */
export class KeySchedule {
  private current: Uint8Array;
  private stage: 'early' | 'handshake' | 'master' = 'early';
  private binder_key: Uint8Array | undefined;
  private readonly traffic: Partial<Record<`${Side}_${TrafficKind}`, Uint8Array>> = {};
  private resumption: Uint8Array | undefined;
  private exporterMaster: Uint8Array | undefined;

  /**
   * Starts at the Early Secret: HKDF-Extract(0, PSK), with Hash.length zeros when there is no PSK.
   */
  constructor(
    readonly hash: HashFunction,
    psk: Uint8Array | undefined,
    private readonly onSecret: SecretObserver = () => {},
  ) {
    const zeros = new Uint8Array(hash.outputLength);
    this.current = hkdfExtract(hash, zeros, psk ?? zeros);
    this.report('early_secret', 'HKDF-Extract', `HKDF-Extract(0, ${psk ? 'PSK' : '0'})`, this.current);
  }

  /** binder_key: Derive-Secret(Early Secret, "ext binder" | "res binder", "") (§7.1). */
  binderKey(resumption: boolean): Uint8Array {
    this.expect('early');
    const label = resumption ? 'res binder' : 'ext binder';
    this.binder_key = this.derive('binder_key', label, emptyHash(this.hash), '""');
    return this.binder_key;
  }

  /**
   * The PSK binder (§4.2.11.2): a Finished computation keyed by binder_key over
   * Transcript-Hash(earlier messages, truncated ClientHello).
   */
  binder(truncatedTranscriptHash: Uint8Array): Uint8Array {
    const binderKey = this.binder_key;
    if (!binderKey) throw new Error('key schedule: derive binder_key first');
    this.report('binder_finished_key', 'finished', 'HKDF-Expand-Label(binder_key, "finished", "", Hash.length)', finishedKey(this.hash, binderKey));
    this.report('binder_transcript_hash', 'Transcript-Hash', 'Transcript-Hash(truncated ClientHello)', truncatedTranscriptHash);
    const binder = pskBinder(this.hash, binderKey, truncatedTranscriptHash);
    this.report('psk_binder', 'finished', 'HMAC(finished_key(binder_key), binder_transcript_hash)', binder);
    return binder;
  }

  /** client_early_traffic_secret (§7.1), from the transcript hash of the ClientHello. */
  clientEarlyTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    this.expect('early');
    this.traffic.client_early = this.derive('client_early_traffic_secret', 'c e traffic', transcriptHash, 'ClientHello');
    return this.traffic.client_early;
  }

  /** early_exporter_master_secret (§7.1). */
  earlyExporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    this.expect('early');
    return this.derive('early_exporter_master_secret', 'e exp master', transcriptHash, 'ClientHello');
  }

  /** Moves to the Handshake Secret: HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). */
  enterHandshakeSecret(sharedSecret: Uint8Array): void {
    this.expect('early');
    const salt = this.derive('derived_for_handshake_secret', 'derived', emptyHash(this.hash), '""');
    this.current = hkdfExtract(this.hash, salt, sharedSecret);
    this.stage = 'handshake';
    this.report('handshake_secret', 'HKDF-Extract', 'HKDF-Extract(derived, (EC)DHE shared secret)', this.current);
  }

  /** client_ and server_handshake_traffic_secret, from Transcript-Hash(ClientHello..ServerHello). */
  handshakeTrafficSecrets(transcriptHash: Uint8Array): { client: Uint8Array; server: Uint8Array } {
    this.expect('handshake');
    const client = this.derive('client_handshake_traffic_secret', 'c hs traffic', transcriptHash, 'ClientHello..ServerHello');
    const server = this.derive('server_handshake_traffic_secret', 's hs traffic', transcriptHash, 'ClientHello..ServerHello');
    Object.assign(this.traffic, { client_handshake: client, server_handshake: server });
    return { client, server };
  }

  /**
   * A side's Finished (§4.4.4): verify_data = HMAC(finished_key, transcript hash), the
   * finished_key coming from that side's handshake traffic secret. Both are reported.
   */
  finishedVerifyData(side: Side, transcriptHash: Uint8Array): Uint8Array {
    const base = this.trafficSecretOf(side, 'handshake');
    this.report(`${side}_finished_key`, 'finished', `HKDF-Expand-Label(${side}_handshake_traffic_secret, "finished", "", Hash.length)`, finishedKey(this.hash, base));
    const verifyData = finishedVerifyData(this.hash, base, transcriptHash);
    const through = side === 'server' ? 'ClientHello..CertificateVerify' : 'ClientHello..server Finished[..client CertificateVerify]';
    // The transcript hash goes with it, as context: the trace's reader can recompute the HMAC.
    this.report(`${side}_finished_verify_data`, 'finished', `HMAC(${side}_finished_key, Transcript-Hash(${through}))`, verifyData, transcriptHash);
    return verifyData;
  }

  /**
   * Checks the peer's Finished (§4.4.4): verify_data is Hash.length bytes (any other length
   * is malformed: decode_error) and must equal ours, compared without early exit
   * (else decrypt_error).
   */
  checkFinished(side: Side, transcriptHash: Uint8Array, received: Uint8Array): void {
    if (received.length !== this.hash.outputLength) fail('decode_error', `${side} Finished has ${received.length} bytes, not ${this.hash.outputLength}`);
    if (!equalSecret(this.finishedVerifyData(side, transcriptHash), received)) fail('decrypt_error', `${side} Finished does not verify`);
  }

  /** Moves to the Master Secret: HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
  enterMasterSecret(): void {
    this.expect('handshake');
    const salt = this.derive('derived_for_master_secret', 'derived', emptyHash(this.hash), '""');
    this.current = hkdfExtract(this.hash, salt, new Uint8Array(this.hash.outputLength));
    this.stage = 'master';
    this.report('master_secret', 'HKDF-Extract', 'HKDF-Extract(derived, 0)', this.current);
  }

  /** The application traffic secrets and exporter master secret, from Transcript-Hash(ClientHello..server Finished). */
  applicationSecrets(transcriptHash: Uint8Array): { client: Uint8Array; server: Uint8Array; exporter: Uint8Array } {
    this.expect('master');
    const through = 'ClientHello..server Finished';
    const client = this.derive('client_application_traffic_secret_0', 'c ap traffic', transcriptHash, through);
    const server = this.derive('server_application_traffic_secret_0', 's ap traffic', transcriptHash, through);
    const exporter = this.derive('exporter_master_secret', 'exp master', transcriptHash, through);
    Object.assign(this.traffic, { client_application: client, server_application: server });
    this.exporterMaster = exporter;
    return { client, server, exporter };
  }

  /** The connection's TLS-Exporter (§7.5), once the application secrets are derived. */
  exporter(): (label: string, context: Uint8Array | undefined, length: number) => Uint8Array {
    if (!this.exporterMaster) throw new Error('key schedule: no exporter_master_secret yet');
    return tls13Exporter(this.hash, this.exporterMaster);
  }

  /** resumption_master_secret, from Transcript-Hash(ClientHello..client Finished). */
  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    this.expect('master');
    this.resumption = this.derive('resumption_master_secret', 'res master', transcriptHash, 'ClientHello..client Finished');
    return this.resumption;
  }

  /** The PSK of the ticket with `ticketNonce` (§4.6.1), reported. */
  resumptionPsk(ticketNonce: Uint8Array): Uint8Array {
    if (!this.resumption) throw new Error('key schedule: no resumption_master_secret yet');
    const psk = resumptionPsk(this.hash, this.resumption, ticketNonce);
    this.report('resumption_psk', 'resumption', 'HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)', psk, ticketNonce);
    return psk;
  }

  /** A traffic secret derived so far, for the record layer of `suite` (whose hash must be this schedule's). */
  trafficSecret(suite: CipherSuite, writer: Side, kind: TrafficKind): TrafficSecret {
    return new TrafficSecret(suite, writer, kind, this.trafficSecretOf(writer, kind));
  }

  private trafficSecretOf(writer: Side, kind: TrafficKind): Uint8Array {
    const secret = this.traffic[`${writer}_${kind}`];
    if (!secret) throw new Error(`key schedule: no ${writer}_${kind}_traffic_secret yet`);
    return secret;
  }

  private derive(name: SecretName, label: string, context: Uint8Array, contextName: string): Uint8Array {
    const secret = deriveSecret(this.hash, this.current, label, context);
    const from = { early: 'early_secret', handshake: 'handshake_secret', master: 'master_secret' }[this.stage];
    this.report(name, label, `Derive-Secret(${from}, "${label}", ${contextName})`, secret, context);
    return secret;
  }

  private report(name: SecretName, label: string, derivation: string, secret: Uint8Array, context?: Uint8Array): void {
    this.onSecret(context ? { name, label, derivation, context, secret } : { name, label, derivation, secret });
  }

  private expect(stage: 'early' | 'handshake' | 'master'): void {
    if (this.stage !== stage) throw new Error(`key schedule: at ${this.stage} secret, not ${stage}`);
  }
}

/**
 * The PSK binder's own key and MAC (§4.2.11.2): a Finished computation keyed by binder_key.
 * @category Key schedule
 */
export function pskBinder(hash: HashFunction, binderKey: Uint8Array, truncatedTranscriptHash: Uint8Array): Uint8Array {
  return finishedVerifyData(hash, binderKey, truncatedTranscriptHash);
}
