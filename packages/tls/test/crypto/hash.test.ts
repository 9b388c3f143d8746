import { describe, expect, it } from 'vitest';
import { sha256, sha384, sha512 } from '../../src/crypto/hash.js';
import { concat, fromHex, toHex, utf8 } from '../../src/wire/bytes.js';
import { value, vectors } from './rfc8448.js';

describe('SHA-2', () => {
  // FIPS 180-2 examples for the message "abc".
  it('hashes "abc" to the FIPS 180-2 digests', () => {
    expect(toHex(sha256.hash(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha384.hash(utf8('abc')))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
    expect(toHex(sha512.hash(utf8('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('reports names and output lengths', () => {
    expect([sha256, sha384, sha512].map((h) => [h.name, h.outputLength])).toEqual([
      ['SHA-256', 32],
      ['SHA-384', 48],
      ['SHA-512', 64],
    ]);
  });
});

describe('HMAC', () => {
  // RFC 4231 test case 2.
  it('matches RFC 4231 test case 2', () => {
    const key = utf8('Jefe');
    const data = utf8('what do ya want for nothing?');
    expect(toHex(sha256.hmac(key, data))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(toHex(sha384.hmac(key, data))).toBe(
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    );
    expect(toHex(sha512.hmac(key, data))).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it('gives the RFC 8448 early secret: HKDF-Extract(0, 0) = HMAC(zeros, zeros)', () => {
    // RFC 8446 §7.1: with no PSK both salt and IKM are Hash.length zero bytes.
    const zeros = new Uint8Array(32);
    expect(sha256.hmac(zeros, zeros)).toEqual(value('simple_1rtt', 'early_secret'));
  });
});

describe('running hash', () => {
  const messages = vectors.scenarios.simple_1rtt!.messages.map((m) => fromHex(m.hex));
  const [clientHello, serverHello, encryptedExtensions, certificate, certificateVerify, serverFinished] = messages as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];

  it('digest() leaves the hash running: RFC 8448 transcript hashes at two points', () => {
    const transcript = sha256.create();
    transcript.update(clientHello);
    transcript.update(serverHello);
    expect(transcript.digest()).toEqual(value('simple_1rtt', 'transcript_hash_ch_sh'));
    // Reading it twice gives the same value.
    expect(transcript.digest()).toEqual(value('simple_1rtt', 'transcript_hash_ch_sh'));
    for (const message of [encryptedExtensions, certificate, certificateVerify, serverFinished]) transcript.update(message);
    expect(transcript.digest()).toEqual(value('simple_1rtt', 'transcript_hash_ch_sf'));
  });

  it('equals the one-shot hash of the concatenation', () => {
    const running = sha384.create();
    running.update(clientHello);
    running.update(serverHello);
    expect(running.digest()).toEqual(sha384.hash(concat(clientHello, serverHello)));
  });

  it('gives independent states from each create()', () => {
    const a = sha256.create();
    const b = sha256.create();
    a.update(utf8('abc'));
    expect(toHex(b.digest())).toBe(toHex(sha256.hash(new Uint8Array(0))));
    expect(toHex(a.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
