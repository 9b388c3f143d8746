/**
 * The key exchange of a handshake (RFC 8446 §4.2.8, §7.4) in the three steps of a KEM:
 * the client's `KeyGen`, the server's `Encaps`, the client's `Decaps`. Each step reports
 * what it made to the trace. A peer's unusable key_exchange is `illegal_parameter`.
 * @module
 */
import { fail } from '../alert.js';
import type { KeyExchangeGroup, KeyPair } from '../crypto/provider.js';
import type { HandshakeContext } from './context.js';

/** Short names used for keys in traces and in RFC 8448's vectors. */
const shortNames: Record<string, string> = { x25519: 'x25519', secp256r1: 'p256' };

function reportKeyPair(ctx: HandshakeContext, group: KeyExchangeGroup, pair: KeyPair): void {
  const prefix = `${ctx.side}_${shortNames[group.name] ?? group.name}`;
  ctx.secret({ name: `${prefix}_private`, label: 'key share', derivation: `${group.name} private key from the random source`, secret: pair.privateKey });
  ctx.secret({ name: `${prefix}_public`, label: 'key share', derivation: `${group.name} public key (key_exchange)`, secret: pair.publicKey });
}

function reportSharedSecret(ctx: HandshakeContext, group: KeyExchangeGroup, secret: Uint8Array): void {
  const peer = ctx.side === 'client' ? 'server' : 'client';
  ctx.secret({ name: 'ecdhe_shared_secret', label: '(EC)DHE', derivation: `${group.name}(${ctx.side} private key, ${peer} key_share)`, secret });
}

/** KeyGen: the client's key share in `group`, its randomness from the connection's provider. */
export function generateKeyShare(ctx: HandshakeContext, group: KeyExchangeGroup): KeyPair {
  const pair = group.keyGen((n) => ctx.provider.randomBytes(n));
  reportKeyPair(ctx, group, pair);
  return pair;
}

/**
 * Encaps: our key_exchange for the peer's share, and the shared secret. In TLS 1.3 the server
 * answers the client's share; in TLS 1.2 the client answers the ServerKeyExchange's.
 */
export function encapsulateKeyShare(ctx: HandshakeContext, group: KeyExchangeGroup, peerKeyExchange: Uint8Array): { keyExchange: Uint8Array; sharedSecret: Uint8Array } {
  let result;
  try {
    result = group.encaps(peerKeyExchange, (n) => ctx.provider.randomBytes(n));
  } catch {
    return fail('illegal_parameter', `invalid ${group.name} key share from the ${ctx.side === 'server' ? 'client' : 'server'}`);
  }
  if (result.ephemeral) reportKeyPair(ctx, group, result.ephemeral);
  reportSharedSecret(ctx, group, result.sharedSecret);
  return { keyExchange: result.ciphertext, sharedSecret: result.sharedSecret };
}

/** Decaps: the shared secret from our key pair and the peer's key_exchange (TLS 1.3's server, TLS 1.2's client). */
export function decapsulateKeyShare(ctx: HandshakeContext, group: KeyExchangeGroup, ours: KeyPair, peerKeyExchange: Uint8Array): Uint8Array {
  let secret: Uint8Array;
  try {
    secret = group.decaps(ours.privateKey, peerKeyExchange);
  } catch {
    return fail('illegal_parameter', `invalid ${group.name} key share from the ${ctx.side === 'client' ? 'server' : 'client'}`);
  }
  reportSharedSecret(ctx, group, secret);
  return secret;
}
