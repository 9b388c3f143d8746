/**
 * Making an ephemeral key share (RFC 8446 §4.2.8) and reporting it to the trace.
 * @module
 */
import type { KeyExchangeGroup, KeyPair } from '../crypto/provider.js';
import type { Connection } from '../connection/connection.js';

/** Short names used for keys in traces and in RFC 8448's vectors. */
const shortNames: Record<string, string> = { x25519: 'x25519', secp256r1: 'p256' };

/** A fresh key pair in `group`, its randomness from the connection's provider. */
export function generateKeyShare(conn: Connection, group: KeyExchangeGroup): KeyPair {
  const pair = group.generateKeyPair((n) => conn.provider.randomBytes(n));
  const prefix = `${conn.side}_${shortNames[group.name] ?? group.name}`;
  conn.secret({ name: `${prefix}_private`, label: 'key share', derivation: `${group.name} private key from the random source`, secret: pair.privateKey });
  conn.secret({ name: `${prefix}_public`, label: 'key share', derivation: `${group.name} public key (key_exchange)`, secret: pair.publicKey });
  return pair;
}
