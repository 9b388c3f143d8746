/**
 * One conformance suite, run against both crypto providers: `nobleProvider` (JavaScript)
 * and `nodeCryptoProvider` (OpenSSL through node:crypto). Every AEAD against published
 * vectors and tampering, the hashes and HMAC, every group the provider has (agreement,
 * fixed-input key generation, the peer values RFC 8446 makes us refuse), every signature
 * scheme, and the two providers against each other: what one seals, signs or sends as a
 * key share, the other opens, verifies or agrees with.
 */
import { generateKeyPairSync } from 'node:crypto';
import { x448 as nobleX448 } from '@noble/curves/ed448.js';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, KeyExchangeGroup, PrivateKey, PublicKey, SignatureScheme } from '../../src/crypto/provider.js';
import { modPow } from '../../src/crypto/rsa-keygen.js';
import { nodeCryptoProvider } from '../../src/node/crypto/index.js';
import { ffdhePrime } from '../../src/node/crypto/ffdhe-primes.js';
import { concat, fromHex, toHex, utf8 } from '../../src/wire/bytes.js';
import { value, vectors } from './rfc8448.js';

const PROVIDERS: [string, CryptoProvider][] = [
  ['noble', nobleProvider],
  ['native', nodeCryptoProvider],
];
const other = (provider: CryptoProvider) => (provider === nobleProvider ? nodeCryptoProvider : nobleProvider);
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const b64uBig = (s: string) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);

const suite = (provider: CryptoProvider, aead: string) => provider.cipherSuites.find((s) => s.aead.name === aead)!;
const scheme = (provider: CryptoProvider, name: string) => provider.signatureSchemes.find((s) => s.name === name)!;
const groupOf = (provider: CryptoProvider, name: string) => provider.groups.find((g) => g.name === name);

// ---------------------------------------------------------------------------
// Vectors

/** AEAD vectors: GCM spec test cases 4 and 16 (NIST SP 800-38D's), RFC 8439 §2.8.2. */
const gcmPlaintext = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
const AEAD_VECTORS = [
  {
    aead: 'AES-128-GCM',
    key: 'feffe9928665731c6d6a8f9467308308',
    nonce: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    plaintext: gcmPlaintext,
    sealed:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091' +
      '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    aead: 'AES-256-GCM',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    nonce: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    plaintext: gcmPlaintext,
    sealed:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
      '76fc6ece0f4e1768cddf8853bb2d551b',
  },
  {
    aead: 'ChaCha20-Poly1305',
    key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    nonce: '070000004041424344454647',
    aad: '50515253c0c1c2c3c4c5c6c7',
    plaintext: Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.").toString('hex'),
    sealed:
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
      '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
      '3ff4def08e4b7a9de576d26586cec64b6116' +
      '1ae10b594f09e26a7e902ecbd0600691',
  },
];

/** Key pairs and shared secrets published for some groups: RFC 7748 §6.1, §6.2; RFC 8448. */
const GROUP_VECTORS: Record<string, { a: string; aPublic: string; b: string; bPublic: string; shared: string }> = {
  x25519: {
    a: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    aPublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    b: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    bPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
  },
  x448: {
    a: '9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b',
    aPublic: '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0',
    b: '1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d',
    bPublic: '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609',
    shared: '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d',
  },
  secp256r1: {
    a: toHex(value('hello_retry_request', 'client_p256_private')),
    aPublic: toHex(value('hello_retry_request', 'client_p256_public')),
    b: toHex(value('hello_retry_request', 'server_p256_private')),
    bPublic: toHex(value('hello_retry_request', 'server_p256_public')),
    shared: toHex(value('hello_retry_request', 'ecdhe_shared_secret')),
  },
};

/** A random source that hands out `values` in order. */
const draws = (...values: Uint8Array[]) => (n: number) => {
  const next = values.shift();
  if (!next || next.length !== n) throw new Error(`unexpected draw of ${n} bytes`);
  return next;
};

/** The family a group belongs to, for the peer values it must refuse. */
function family(name: string): 'montgomery' | 'nist' | 'ffdhe' | 'other' {
  if (name === 'x25519' || name === 'x448') return 'montgomery';
  if (/^secp\d+r1$/.test(name)) return 'nist';
  if (name.startsWith('ffdhe')) return 'ffdhe';
  return 'other';
}

/** What an independent implementation says the public key and the shared secret are (noble's curves, or bigint for FFDHE). */
function reference(name: string): { publicKey(privateKey: Uint8Array): Uint8Array; shared(privateKey: Uint8Array, peer: Uint8Array): Uint8Array } | undefined {
  const weierstrass = { secp256r1: p256, secp384r1: p384, secp521r1: p521 }[name];
  if (weierstrass) {
    return {
      publicKey: (d) => weierstrass.getPublicKey(d, false),
      shared: (d, peer) => weierstrass.getSharedSecret(d, peer, false).slice(1, 1 + (peer.length - 1) / 2),
    };
  }
  const montgomery = { x25519: nobleX25519, x448: nobleX448 }[name];
  if (montgomery) return { publicKey: (d) => montgomery.getPublicKey(d), shared: (d, peer) => montgomery.getSharedSecret(d, peer) };
  if (family(name) === 'ffdhe') {
    const p = ffdhePrime(name as 'ffdhe2048');
    const length = (p.toString(16).length + 1) >> 1;
    const big = (bytes: Uint8Array) => BigInt(`0x${toHex(bytes) || '0'}`);
    const bytes = (x: bigint) => fromHex(x.toString(16).padStart(2 * length, '0'));
    return { publicKey: (x) => bytes(modPow(2n, big(x), p)), shared: (x, peer) => bytes(modPow(big(peer), big(x), p)) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Keys for the signature schemes, made by node:crypto and taken apart into the engine's shapes.

type KeyPairs = Record<'p256' | 'p384' | 'ed25519' | 'rsa2048' | 'rsa1024', { priv: PrivateKey; pub: PublicKey }>;

function ecPair(curve: 'P-256' | 'P-384') {
  const jwk = generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ format: 'jwk' });
  return {
    priv: { type: 'ec', curve, d: b64u(jwk.d!) } as PrivateKey,
    pub: { type: 'ec', curve, point: concat(Uint8Array.of(4), b64u(jwk.x!), b64u(jwk.y!)) } as PublicKey,
  };
}

function rsaPair(bits: number) {
  const j = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' });
  const [n, e] = [b64uBig(j.n!), b64uBig(j.e!)];
  return {
    priv: { type: 'rsa', n, e, d: b64uBig(j.d!), p: b64uBig(j.p!), q: b64uBig(j.q!), dp: b64uBig(j.dp!), dq: b64uBig(j.dq!), qi: b64uBig(j.qi!) } as PrivateKey,
    pub: { type: 'rsa', n, e } as PublicKey,
  };
}

const edJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
const KEYS: KeyPairs = {
  p256: ecPair('P-256'),
  p384: ecPair('P-384'),
  ed25519: { priv: { type: 'ed25519', seed: b64u(edJwk.d!) }, pub: { type: 'ed25519', key: b64u(edJwk.x!) } },
  rsa2048: rsaPair(2048),
  rsa1024: rsaPair(1024),
};

/** The key each scheme signs with. */
const KEY_FOR: Record<string, keyof KeyPairs> = {
  ecdsa_secp256r1_sha256: 'p256',
  ecdsa_secp384r1_sha384: 'p384',
  ed25519: 'ed25519',
  rsa_pss_rsae_sha256: 'rsa2048',
  rsa_pss_rsae_sha384: 'rsa2048',
  rsa_pss_rsae_sha512: 'rsa2048',
  rsa_pkcs1_sha256: 'rsa2048',
  rsa_pkcs1_sha384: 'rsa2048',
  rsa_pkcs1_sha512: 'rsa2048',
};

// ---------------------------------------------------------------------------

describe.each(PROVIDERS)('%s provider', (_name, provider) => {
  describe('AEADs', () => {
    for (const v of AEAD_VECTORS) {
      describe(v.aead, () => {
        const aead = suite(provider, v.aead).aead;
        const key = aead.importKey(fromHex(v.key));
        const [nonce, aad, sealed] = [fromHex(v.nonce), fromHex(v.aad), fromHex(v.sealed)];

        it('seals to the published ciphertext || tag and opens it', () => {
          expect(toHex(key.seal(nonce, fromHex(v.plaintext), aad))).toBe(v.sealed);
          expect(toHex(key.open(nonce, sealed, aad)!)).toBe(v.plaintext);
        });

        it('opens nothing (null, no exception) when a bit of the ciphertext, tag, AAD or nonce changes, or the input is shorter than a tag', () => {
          for (const index of [0, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
            const tampered = sealed.slice();
            tampered[index]! ^= 0x01;
            expect(key.open(nonce, tampered, aad)).toBeNull();
          }
          expect(key.open(nonce, sealed, concat(aad, Uint8Array.of(0)))).toBeNull();
          const badNonce = nonce.slice();
          badNonce[11]! ^= 0x01;
          expect(key.open(badNonce, sealed, aad)).toBeNull();
          expect(key.open(nonce, sealed.subarray(0, 15), aad)).toBeNull();
          expect(key.open(nonce, new Uint8Array(0), aad)).toBeNull();
        });

        it('keeps its own copy of the key, and refuses wrong key and nonce lengths', () => {
          const bytes = fromHex(v.key);
          const imported = aead.importKey(bytes);
          bytes.fill(0);
          expect(toHex(imported.open(nonce, sealed, aad)!)).toBe(v.plaintext);
          expect(() => aead.importKey(new Uint8Array(aead.keyLength + 1))).toThrow();
          expect(() => imported.seal(new Uint8Array(8), new Uint8Array(1), aad)).toThrow();
          expect([aead.nonceLength, aead.tagLength]).toEqual([12, 16]);
        });

        it('agrees with the other provider both ways, for empty and record-sized plaintexts', () => {
          const theirs = suite(other(provider), v.aead).aead.importKey(fromHex(v.key));
          for (const plaintext of [new Uint8Array(0), random(2 ** 14 + 1)]) {
            const ours = key.seal(nonce, plaintext, aad);
            expect(ours).toBeInstanceOf(Uint8Array);
            expect(theirs.open(nonce, ours, aad)).toEqual(plaintext);
            expect(key.open(nonce, theirs.seal(nonce, plaintext, aad), aad)).toEqual(plaintext);
          }
        });
      });
    }

    it('seals and opens the first protected server record of RFC 8448 §3 (EncryptedExtensions … Finished)', () => {
      const record = vectors.scenarios.simple_1rtt!.records.find((r) => r.side === 'server' && r.protected)!;
      const bytes = fromHex(record.record);
      const key = suite(provider, 'AES-128-GCM').aead.importKey(value('simple_1rtt', 'server_handshake_key'));
      // Sequence number 0: the nonce is the IV itself (§5.3); the AAD is the record header (§5.2).
      const iv = value('simple_1rtt', 'server_handshake_iv');
      const inner = concat(fromHex(record.payload), Uint8Array.of(0x16));
      expect(key.open(iv, bytes.subarray(5), bytes.subarray(0, 5))).toEqual(inner);
      expect(toHex(key.seal(iv, inner, bytes.subarray(0, 5)))).toBe(toHex(bytes.subarray(5)));
    });
  });

  describe('hashes and HMAC', () => {
    const byName = (name: string) => provider.cipherSuites.map((s) => s.hash).find((h) => h.name === name)!;

    it('hash "abc" to the FIPS 180-2 digests, with the right lengths', () => {
      expect(toHex(byName('SHA-256').hash(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(toHex(byName('SHA-384').hash(utf8('abc')))).toBe('cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7');
      expect([byName('SHA-256').outputLength, byName('SHA-384').outputLength]).toEqual([32, 48]);
    });

    it('match RFC 4231 test case 2 (HMAC) and give RFC 8448’s early secret', () => {
      const [key, data] = [utf8('Jefe'), utf8('what do ya want for nothing?')];
      expect(toHex(byName('SHA-256').hmac(key, data))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
      expect(toHex(byName('SHA-384').hmac(key, data))).toBe('af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649');
      expect(byName('SHA-256').hmac(new Uint8Array(32), new Uint8Array(32))).toEqual(value('simple_1rtt', 'early_secret'));
    });

    it('keep a running hash open after digest(), for the transcript (RFC 8446 §4.4.1)', () => {
      const transcript = byName('SHA-256').create();
      transcript.update(value('simple_1rtt', 'client_hello'));
      const partial = transcript.digest();
      expect(transcript.digest()).toEqual(partial);
      transcript.update(value('simple_1rtt', 'server_hello'));
      expect(transcript.digest()).toEqual(value('simple_1rtt', 'transcript_hash_ch_sh'));
      expect(byName('SHA-384').create().digest()).toEqual(byName('SHA-384').hash(new Uint8Array(0)));
    });
  });

  describe('randomBytes', () => {
    it('gives the length asked for, differently each time', () => {
      expect(provider.randomBytes(0)).toHaveLength(0);
      const [a, b] = [provider.randomBytes(32), provider.randomBytes(32)];
      expect(a).toHaveLength(32);
      expect(a).not.toEqual(b);
    });
  });

  describe('key-exchange groups', () => {
    for (const group of provider.groups) {
      describe(group.name, () => {
        it('KeyGen, Encaps and Decaps agree, with a fresh ephemeral key each time', () => {
          const client = group.keyGen(random);
          const server = group.encaps(client.publicKey, random);
          expect(group.decaps(client.privateKey, server.ciphertext)).toEqual(server.sharedSecret);
          expect(group.encaps(client.publicKey, random).ciphertext).not.toEqual(server.ciphertext);
        });

        it('agrees with an independent implementation, and makes the same key pair from the same random bytes as the other provider', () => {
          const ref = reference(group.name);
          const theirs = groupOf(other(provider), group.name);
          if (!ref && !theirs) return;
          // Every draw keyGen makes (one, or one per part of a hybrid) is recorded and replayed.
          const drawn: Uint8Array[] = [];
          const pair = group.keyGen((n) => {
            const bytes = random(n);
            drawn.push(bytes.slice());
            return bytes;
          });
          if (ref) expect(toHex(pair.publicKey)).toBe(toHex(ref.publicKey(pair.privateKey)));
          if (theirs) {
            expect(theirs.keyGen(draws(...drawn))).toEqual(pair);
            // Their Encaps to our KeyGen, and ours to theirs: each Decaps gets the same secret.
            const answer = theirs.encaps(pair.publicKey, random);
            expect(group.decaps(pair.privateKey, answer.ciphertext)).toEqual(answer.sharedSecret);
            const theirPair = theirs.keyGen(random);
            const ours = group.encaps(theirPair.publicKey, random);
            expect(theirs.decaps(theirPair.privateKey, ours.ciphertext)).toEqual(ours.sharedSecret);
          }
          if (ref) {
            const peer = group.keyGen(random);
            expect(toHex(group.decaps(pair.privateKey, peer.publicKey))).toBe(toHex(ref.shared(pair.privateKey, peer.publicKey)));
          }
        });

        const published = GROUP_VECTORS[group.name];
        if (published) {
          it('reproduces the published key pairs and shared secret', () => {
            const a = group.keyGen(draws(fromHex(published.a)));
            expect(toHex(a.publicKey)).toBe(published.aPublic);
            expect(toHex(group.keyGen(draws(fromHex(published.b))).publicKey)).toBe(published.bPublic);
            expect(toHex(group.decaps(a.privateKey, fromHex(published.bPublic)))).toBe(published.shared);
            expect(toHex(group.encaps(fromHex(published.aPublic), draws(fromHex(published.b))).sharedSecret)).toBe(published.shared);
          });
        }

        it('refuses key_exchange values RFC 8446 §4.2.8 and §7.4 forbid, with a plain Error', () => {
          const own = group.keyGen(random);
          const valid = group.keyGen(random).publicKey;
          const refuse = (peer: Uint8Array, why: RegExp) => {
            expect(() => group.decaps(own.privateKey, peer)).toThrow(why);
            expect(() => group.encaps(peer, random)).toThrow(why);
          };
          const kind = family(group.name);
          // Every other length is refused, whatever the group (§4.2.8.1, §4.2.8.2).
          const wrongLength = kind === 'montgomery' || kind === 'ffdhe' ? /bytes/ : kind === 'nist' ? /uncompressed/ : /./;
          refuse(new Uint8Array(0), wrongLength);
          refuse(valid.subarray(0, valid.length - 1), wrongLength);
          refuse(concat(valid, Uint8Array.of(0)), wrongLength);
          switch (kind) {
            case 'montgomery': {
              // u = 0 and u = 1 are small-order points: the output would be all zeros (§7.4.2, RFC 7748 §6).
              const zero = new Uint8Array(valid.length);
              const one = zero.slice();
              one[0] = 1;
              refuse(zero, /all-zero|all zeros/);
              refuse(one, /all-zero|all zeros/);
              break;
            }
            case 'nist': {
              const size = (valid.length - 1) / 2;
              // Compressed (§4.2.8.2 allows only the uncompressed form), another prefix, off the curve, all zeros.
              refuse(concat(Uint8Array.of(2 + (valid[valid.length - 1]! & 1)), valid.subarray(1, 1 + size)), /uncompressed/);
              const hybrid = valid.slice();
              hybrid[0] = 0x06;
              refuse(hybrid, /uncompressed/);
              const offCurve = valid.slice();
              offCurve[offCurve.length - 1]! ^= 1;
              refuse(offCurve, /not a point on the curve/);
              refuse(concat(Uint8Array.of(4), new Uint8Array(2 * size)), /not a point on the curve/);
              break;
            }
            case 'ffdhe': {
              // §4.2.8.1: 1 < Y < p − 1.
              const p = ffdhePrime(group.name as 'ffdhe2048');
              const y = (x: bigint) => fromHex(x.toString(16).padStart(2 * valid.length, '0'));
              for (const bad of [0n, 1n, p - 1n, p, (1n << BigInt(8 * valid.length)) - 1n]) refuse(y(bad), /out of range/);
              expect(group.decaps(own.privateKey, y(2n))).toHaveLength(valid.length);
              break;
            }
          }
        });
      });
    }

    it('has the same groups as the other provider, in the same order, the hybrid browsers send first', () => {
      const names = provider.groups.map((g) => g.name);
      expect(names).toEqual(other(provider).groups.map((g) => g.name));
      expect(names.slice(0, 5)).toEqual(['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'x25519', 'secp256r1']);
      expect(names).toContain('ffdhe8192');
    });
  });

  describe('signature schemes', () => {
    const message = utf8('TLS 1.3, server CertificateVerify\0 and a transcript hash');

    for (const s of provider.signatureSchemes) {
      const keys = KEYS[KEY_FOR[s.name]!];
      describe(s.name, () => {
        it('signs and verifies, and refuses another message, a flipped bit, another length', () => {
          const signature = s.sign(keys.priv, message, random);
          expect(s.verify(keys.pub, message, signature)).toBe(true);
          expect(s.verify(keys.pub, concat(message, Uint8Array.of(0)), signature)).toBe(false);
          for (const index of [0, signature.length >> 1, signature.length - 1]) {
            const flipped = signature.slice();
            flipped[index]! ^= 0x10;
            expect(s.verify(keys.pub, message, flipped)).toBe(false);
          }
          expect(s.verify(keys.pub, message, signature.subarray(1))).toBe(false);
          expect(s.verify(keys.pub, message, concat(signature, Uint8Array.of(0)))).toBe(false);
          expect(s.verify(keys.pub, message, new Uint8Array(0))).toBe(false);
        });

        it('is verified by the other provider, and verifies the other provider’s signatures', () => {
          const theirs = scheme(other(provider), s.name);
          expect(theirs.verify(keys.pub, message, s.sign(keys.priv, message, random))).toBe(true);
          expect(s.verify(keys.pub, message, theirs.sign(keys.priv, message, random))).toBe(true);
        });

        it('checks the key type, and verifies nothing with a key of another type or a broken key', () => {
          for (const [kind, other] of Object.entries(KEYS)) {
            if (kind === KEY_FOR[s.name] || (kind.startsWith('rsa') && KEY_FOR[s.name]!.startsWith('rsa'))) continue;
            expect(s.canVerify(other.pub)).toBe(false);
            expect(s.canSign(other.priv)).toBe(false);
            expect(s.verify(other.pub, message, new Uint8Array(64))).toBe(false);
          }
          const broken: PublicKey =
            keys.pub.type === 'ec' ? { ...keys.pub, point: concat(Uint8Array.of(4), new Uint8Array(keys.pub.point.length - 1)) }
            : keys.pub.type === 'ed25519' ? { ...keys.pub, key: new Uint8Array(31) }
            : { type: 'rsa', n: 0n, e: 65537n };
          expect(s.verify(broken, message, s.sign(keys.priv, message, random))).toBe(false);
        });
      });
    }

    it('RSA-PSS and PKCS#1 v1.5 signatures, and Ed25519’s, are the same bytes from both providers given the same salt', () => {
      const salts = (n: number) => new Uint8Array(n).fill(0x5a);
      for (const name of ['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha512', 'ed25519']) {
        const key = KEYS[KEY_FOR[name]!].priv;
        expect(toHex(scheme(provider, name).sign(key, message, salts)), name).toBe(toHex(scheme(other(provider), name).sign(key, message, salts)));
      }
    });

    it('PSS takes its salt from the random source it is given (hash-length salts, RFC 8446 §4.2.3)', () => {
      const asked: number[] = [];
      const counting = (n: number) => (asked.push(n), random(n));
      for (const name of ['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512']) scheme(provider, name).sign(KEYS.rsa2048.priv, message, counting);
      expect(asked).toEqual([32, 48, 64]);
    });

    it('only PSS may sign CertificateVerify with RSA, and only when the modulus fits the hash (RFC 8017 §9.1.1)', () => {
      expect(scheme(provider, 'rsa_pkcs1_sha256').canSign(KEYS.rsa2048.priv)).toBe(false);
      expect(scheme(provider, 'rsa_pss_rsae_sha512').canSign(KEYS.rsa2048.priv)).toBe(true);
      expect(scheme(provider, 'rsa_pss_rsae_sha512').canSign(KEYS.rsa1024.priv)).toBe(false);
      expect(scheme(provider, 'rsa_pss_rsae_sha384').canSign(KEYS.rsa1024.priv)).toBe(true);
    });

    it('signs with an RSA key given as n, e and d alone', () => {
      const full = KEYS.rsa2048.priv as Extract<PrivateKey, { type: 'rsa' }>;
      const bare: PrivateKey = { type: 'rsa', n: full.n, e: full.e, d: full.d };
      const salt = (n: number) => new Uint8Array(n).fill(1);
      const s: SignatureScheme = scheme(provider, 'rsa_pss_rsae_sha256');
      expect(s.sign(bare, message, salt)).toEqual(s.sign(full, message, salt));
    });
  });
});

describe('both providers', () => {
  it('offer the same cipher suites and signature schemes, in the same order', () => {
    const names = (p: CryptoProvider) => [p.cipherSuites.map((s) => [s.id, s.name, s.aead.name, s.hash.name]), p.signatureSchemes.map((s) => [s.id, s.name])];
    expect(names(nodeCryptoProvider)).toEqual(names(nobleProvider));
  });

  it('name each group with its NamedGroup code point', () => {
    const all: KeyExchangeGroup[] = [...nobleProvider.groups, ...nodeCryptoProvider.groups];
    for (const g of all) expect(groupOf(nobleProvider, g.name)?.id ?? groupOf(nodeCryptoProvider, g.name)!.id).toBe(g.id);
  });
});
