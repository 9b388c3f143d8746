/**
 * The record protection a TLS 1.2 handshake installs: both directions', from the key block
 * (RFC 5246 §6.3), derived once and kept with the handshake's state.
 * @module
 */
import type { Protection } from '../../record/record-protection.js';
import type { Tls12CipherSuite } from './cipher-suites.js';
import type { MasterSecret } from './prf.js';

/** The part of either side's handshake state the keys come from and are kept in. */
export interface KeyedHandshake {
  suite: Tls12CipherSuite;
  master?: MasterSecret;
  /** Both directions' record protection, made once (each counts its own sequence numbers). */
  keys?: { client: Protection; server: Protection };
}

/** The record protections of the key block, derived (and reported) the first time they are needed. */
export function recordKeys(t: KeyedHandshake): { client: Protection; server: Protection } {
  if (!t.master) throw new Error('TLS 1.2: no master secret yet');
  t.keys ??= t.master.recordProtections(t.suite.aead);
  return t.keys;
}
