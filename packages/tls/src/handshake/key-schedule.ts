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
import type { Aead, HashFunction } from '../crypto/provider.js';
import { concat, utf8 } from '../wire/bytes.js';
import { Writer } from '../wire/codec.js';

/** HKDF-Extract(salt, IKM) (RFC 5869 §2.2). A zero-length salt means Hash.length zeros, which HMAC treats the same. */
export function hkdfExtract(hash: HashFunction, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hash.hmac(salt.length ? salt : new Uint8Array(hash.outputLength), ikm);
}

/** HKDF-Expand(PRK, info, L) (RFC 5869 §2.3). */
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

/** The HkdfLabel structure (§7.1): uint16 length, opaque label<7..255> = "tls13 " + Label, opaque context<0..255>. */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const w = new Writer({ capacity: 64 });
  w.u16(length, 'length');
  w.opaque(1, utf8(`tls13 ${label}`), 'label');
  w.opaque(1, context, 'context');
  return w.finish();
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) (§7.1). */
export function hkdfExpandLabel(
  hash: HashFunction,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages) (§7.1), given Transcript-Hash(Messages). */
export function deriveSecret(hash: HashFunction, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLength);
}

/** Transcript-Hash of no messages: Hash(""), used by the "derived" and binder steps. */
export const emptyHash = (hash: HashFunction): Uint8Array => hash.hash(new Uint8Array(0));

/** The traffic key and IV of a traffic secret (§7.3). */
export function trafficKey(hash: HashFunction, aead: Aead, secret: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  return {
    key: hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), aead.keyLength),
    iv: hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), aead.nonceLength),
  };
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (§4.4.4). */
export function finishedKey(hash: HashFunction, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hash.outputLength);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)) (§4.4.4). */
export function finishedVerifyData(hash: HashFunction, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return hash.hmac(finishedKey(hash, baseKey), transcriptHash);
}

/** application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (§7.2). */
export function nextTrafficSecret(hash: HashFunction, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hash.outputLength);
}

/** The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (§4.6.1). */
export function resumptionPsk(hash: HashFunction, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, 'resumption', ticketNonce, hash.outputLength);
}

/**
 * TLS-Exporter(label, context_value, key_length) (§7.5):
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
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

/** The name under which a secret is reported (the RFC 8448 vectors' names). */
export type SecretName =
  | 'early_secret'
  | 'binder_key'
  | 'client_early_traffic_secret'
  | 'early_exporter_master_secret'
  | 'derived_for_handshake_secret'
  | 'handshake_secret'
  | 'client_handshake_traffic_secret'
  | 'server_handshake_traffic_secret'
  | 'derived_for_master_secret'
  | 'master_secret'
  | 'client_application_traffic_secret_0'
  | 'server_application_traffic_secret_0'
  | 'exporter_master_secret'
  | 'resumption_master_secret'
  | `client_application_traffic_secret_${number}`
  | `server_application_traffic_secret_${number}`;

/** A secret as it is derived, for traces and the key log. */
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
 * One walk down the key schedule for one connection, stage by stage. It holds the
 * current Early, Handshake or Master Secret and reports every derived secret to
 * `onSecret` (trace and key log).
 */
export class KeySchedule {
  private current: Uint8Array;
  private stage: 'early' | 'handshake' | 'master' = 'early';

  /**
   * Starts at the Early Secret: HKDF-Extract(0, PSK), with Hash.length zeros when there is no PSK.
   */
  constructor(
    readonly hash: HashFunction,
    psk: Uint8Array | undefined,
    private readonly onSecret: (s: DerivedSecret) => void = () => {},
  ) {
    const zeros = new Uint8Array(hash.outputLength);
    this.current = hkdfExtract(hash, zeros, psk ?? zeros);
    this.report('early_secret', 'HKDF-Extract', `HKDF-Extract(0, ${psk ? 'PSK' : '0'})`, this.current);
  }

  /** binder_key: Derive-Secret(Early Secret, "ext binder" | "res binder", "") (§7.1). */
  binderKey(resumption: boolean): Uint8Array {
    this.expect('early');
    const label = resumption ? 'res binder' : 'ext binder';
    return this.derive('binder_key', label, emptyHash(this.hash), '""');
  }

  /** client_early_traffic_secret (§7.1), from the transcript hash of the ClientHello. */
  clientEarlyTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    this.expect('early');
    return this.derive('client_early_traffic_secret', 'c e traffic', transcriptHash, 'ClientHello');
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
    return {
      client: this.derive('client_handshake_traffic_secret', 'c hs traffic', transcriptHash, 'ClientHello..ServerHello'),
      server: this.derive('server_handshake_traffic_secret', 's hs traffic', transcriptHash, 'ClientHello..ServerHello'),
    };
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
    return {
      client: this.derive('client_application_traffic_secret_0', 'c ap traffic', transcriptHash, through),
      server: this.derive('server_application_traffic_secret_0', 's ap traffic', transcriptHash, through),
      exporter: this.derive('exporter_master_secret', 'exp master', transcriptHash, through),
    };
  }

  /** resumption_master_secret, from Transcript-Hash(ClientHello..client Finished). */
  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    this.expect('master');
    return this.derive('resumption_master_secret', 'res master', transcriptHash, 'ClientHello..client Finished');
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

/** The PSK binder's own key and MAC (§4.2.11.2): a Finished computation keyed by binder_key. */
export function pskBinder(hash: HashFunction, binderKey: Uint8Array, truncatedTranscriptHash: Uint8Array): Uint8Array {
  return finishedVerifyData(hash, binderKey, truncatedTranscriptHash);
}
