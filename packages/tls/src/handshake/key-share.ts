/**
 * The key exchange of a handshake (RFC 8446 §4.2.8, §7.4) in the three steps of a KEM:
 * the client's `KeyGen`, the server's `Encaps`, the client's `Decaps`. Each step reports
 * what it made to the trace; a hybrid's parts (draft-ietf-tls-ecdhe-mlkem) are reported
 * one by one, and its shared secret as their concatenation. A peer's unusable key_exchange
 * is `illegal_parameter`.
 * @module
 */
import { fail } from '../alert.js';
import type { KeyExchangeGroup, KeyPair } from '../crypto/provider.js';
import { groupLayout, hybridParts, type GroupLayout } from '../crypto/groups/layout.js';
import type { HandshakeContext } from './context.js';

/** Short names used for keys in traces (and, for x25519 and P-256, in RFC 8448's vectors). */
const shortNames: Record<string, string> = {
  x25519: 'x25519',
  x448: 'x448',
  secp256r1: 'p256',
  secp384r1: 'p384',
  secp521r1: 'p521',
  MLKEM768: 'mlkem768',
  MLKEM1024: 'mlkem1024',
  X25519MLKEM768: 'x25519mlkem768',
  SecP256r1MLKEM768: 'p256mlkem768',
  SecP384r1MLKEM1024: 'p384mlkem1024',
};
const short = (name: string): string => shortNames[name] ?? name;

/** One part of a group as the trace shows it: the group itself, or one of a hybrid's two parts. */
interface TracedPart {
  /** The part's group name, e.g. `x25519` or `MLKEM768`. */
  name: string;
  /** Its layout (undefined for a group of another provider that we do not know). */
  layout: GroupLayout | undefined;
  /** The prefix of its key names after the side, e.g. `x25519` or `x25519mlkem768_mlkem768`. */
  keyName: string;
  /** ", part 1 of the X25519MLKEM768 key share", or nothing for a single group. */
  of: string;
}

function tracedParts(group: KeyExchangeGroup): TracedPart[] {
  const parts = hybridParts(group.name);
  if (!parts) return [{ name: group.name, layout: groupLayout(group.name), keyName: short(group.name), of: '' }];
  return parts.map((name, i) => ({
    name,
    layout: groupLayout(name),
    keyName: `${short(group.name)}_${short(name)}`,
    of: `, part ${i + 1} of the ${group.name} key share`,
  }));
}

/** `bytes` cut at the lengths of `sizes` (the last part takes the rest). */
function cut(bytes: Uint8Array, sizes: (number | undefined)[]): Uint8Array[] {
  let offset = 0;
  return sizes.map((size, i) => bytes.subarray(offset, i === sizes.length - 1 ? bytes.length : (offset += size ?? 0)));
}

function reportKeyPair(ctx: HandshakeContext, group: KeyExchangeGroup, pair: KeyPair): void {
  const parts = tracedParts(group);
  const privateKeys = cut(pair.privateKey, parts.map((p) => p.layout?.privateKey));
  const publicKeys = cut(pair.publicKey, parts.map((p) => p.layout?.keyShare.length));
  parts.forEach((part, i) => {
    const prefix = `${ctx.side}_${part.keyName}`;
    const kem = part.layout?.kind === 'kem';
    const privateDerivation = kem ? `${part.layout!.algorithm} seed (d || z) from the random source (FIPS 203 §7.1)` : `${part.name} private key from the random source`;
    const publicDerivation = kem ? `${part.layout!.algorithm} encapsulation key (key_exchange)` : `${part.name} public key (key_exchange)`;
    ctx.secret({ name: `${prefix}_private`, label: 'key share', derivation: privateDerivation + part.of, secret: privateKeys[i]! });
    ctx.secret({ name: `${prefix}_public`, label: 'key share', derivation: publicDerivation + part.of, secret: publicKeys[i]! });
  });
}

/** Encaps's output on the server: each Diffie–Hellman part's ephemeral key pair and each KEM part's ciphertext. */
function reportEncapsulation(ctx: HandshakeContext, group: KeyExchangeGroup, ciphertext: Uint8Array, ephemeral: KeyPair | undefined): void {
  const parts = tracedParts(group);
  const ciphertexts = cut(ciphertext, parts.map((p) => p.layout?.ciphertext.length));
  parts.forEach((part, i) => {
    const prefix = `${ctx.side}_${part.keyName}`;
    if (part.layout?.kind === 'kem') {
      const derivation = `${part.layout.algorithm} Encaps(client encapsulation key): the ciphertext (key_exchange)${part.of}`;
      ctx.secret({ name: `${prefix}_ciphertext`, label: 'key share', derivation, secret: ciphertexts[i]! });
    } else if (ephemeral) {
      const derivation = (what: string) => `${part.name} ${what}${part.of}`;
      ctx.secret({ name: `${prefix}_private`, label: 'key share', derivation: derivation('private key from the random source'), secret: ephemeral.privateKey });
      ctx.secret({ name: `${prefix}_public`, label: 'key share', derivation: derivation('public key (key_exchange)'), secret: ephemeral.publicKey });
    }
  });
}

function reportSharedSecret(ctx: HandshakeContext, group: KeyExchangeGroup, secret: Uint8Array): void {
  const peer = ctx.side === 'client' ? 'server' : 'client';
  const partDerivation = (part: TracedPart) => {
    if (part.layout?.kind !== 'kem') return `${part.name}(${ctx.side} private key, ${peer} key_share${part.of ? ' part' : ''})`;
    return ctx.side === 'server' ? `${part.layout.algorithm} Encaps(client encapsulation key)` : `${part.layout.algorithm} Decaps(client seed, server ciphertext)`;
  };
  const parts = tracedParts(group);
  if (parts.length === 1) {
    ctx.secret({ name: 'ecdhe_shared_secret', label: '(EC)DHE', derivation: partDerivation(parts[0]!), secret });
    return;
  }
  // draft-ietf-tls-ecdhe-mlkem §3.3: the parts' shared secrets, concatenated in the group's order.
  const secrets = cut(secret, parts.map((p) => p.layout?.sharedSecret));
  parts.forEach((part, i) => ctx.secret({ name: `${short(part.name)}_shared_secret`, label: '(EC)DHE', derivation: partDerivation(part), secret: secrets[i]! }));
  const derivation = `${parts.map((p) => `${short(p.name)}_shared_secret`).join(' || ')} (draft-ietf-tls-ecdhe-mlkem §3.3)`;
  ctx.secret({ name: 'ecdhe_shared_secret', label: '(EC)DHE', derivation, secret });
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
  reportEncapsulation(ctx, group, result.ciphertext, result.ephemeral);
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
