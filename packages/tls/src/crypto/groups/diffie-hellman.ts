/**
 * The one way a Diffie–Hellman group becomes a key-exchange group: in TLS 1.3 the (EC)DHE
 * exchange is a KEM whose "ciphertext" is the server's ephemeral public key (RFC 8446
 * §4.2.8, §7.4; draft-ietf-tls-mlkem §"Key encapsulation mechanisms").
 * @module
 */
import type { KeyExchangeGroup, KeyPair, NamedGroupName } from '../provider.js';

/** The two operations of a Diffie–Hellman group, from which {@link diffieHellmanGroup} makes a KEM. */
export interface DiffieHellman {
  readonly id: number;
  readonly name: NamedGroupName;
  /** A fresh key pair, its private part drawn from `randomBytes`. */
  keyGen(randomBytes: (n: number) => Uint8Array): KeyPair;
  /** The DH output of our private key and the peer's public value; throws when the peer's value is unusable. */
  sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

/**
 * A Diffie–Hellman group in the KEM shape of {@link KeyExchangeGroup}: `encaps` makes the
 * server's ephemeral key pair and the DH output, `decaps` is the DH output (RFC 8446 §7.4).
 */
export function diffieHellmanGroup(dh: DiffieHellman): KeyExchangeGroup {
  return {
    id: dh.id,
    name: dh.name,
    keyGen: (randomBytes) => dh.keyGen(randomBytes),
    encaps(peerPublicKey, randomBytes) {
      const ephemeral = dh.keyGen(randomBytes);
      return { ciphertext: ephemeral.publicKey, sharedSecret: dh.sharedSecret(ephemeral.privateKey, peerPublicKey), ephemeral };
    },
    decaps: (privateKey, ciphertext) => dh.sharedSecret(privateKey, ciphertext),
  };
}
