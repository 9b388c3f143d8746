/**
 * What a key_share entry must be before anyone computes with it (RFC 8446 §4.2.8): a group
 * TLS 1.3 defines, and a key_exchange of exactly the length its group gives it. The lengths
 * are the wire format's, not a library's: §4.2.8.2 (the NIST curves' uncompressed points),
 * RFC 7748 (X25519, X448), §4.2.8.1 with RFC 7919 (the size of p), and the ML-KEM and
 * ECDHE-MLKEM drafts (encapsulation keys from the client, ciphertexts from the server).
 * @module
 */
import { fail } from '../alert.js';
import { groupName } from '../crypto/provider.js';
import type { KeyShareEntry } from './messages/types.js';

/** key_exchange lengths by group: the client's share and the server's. */
const KEY_EXCHANGE_LENGTHS: ReadonlyMap<number, { client: number; server: number }> = new Map([
  [0x0017, { client: 65, server: 65 }], // secp256r1: 0x04 || X || Y
  [0x0018, { client: 97, server: 97 }], // secp384r1
  [0x0019, { client: 133, server: 133 }], // secp521r1
  [0x001d, { client: 32, server: 32 }], // x25519
  [0x001e, { client: 56, server: 56 }], // x448
  [0x0100, { client: 256, server: 256 }], // ffdhe2048: left-padded to the size of p
  [0x0101, { client: 384, server: 384 }], // ffdhe3072
  [0x0102, { client: 512, server: 512 }], // ffdhe4096
  [0x0103, { client: 768, server: 768 }], // ffdhe6144
  [0x0104, { client: 1024, server: 1024 }], // ffdhe8192
  [0x0201, { client: 1184, server: 1088 }], // MLKEM768: encapsulation key, ciphertext
  [0x0202, { client: 1568, server: 1568 }], // MLKEM1024
  [0x11eb, { client: 65 + 1184, server: 65 + 1088 }], // SecP256r1MLKEM768: ECDH part first
  [0x11ec, { client: 1184 + 32, server: 1088 + 32 }], // X25519MLKEM768: ML-KEM part first
  [0x11ed, { client: 97 + 1568, server: 97 + 1568 }], // SecP384r1MLKEM1024: ECDH part first
]);

/**
 * Groups TLS 1.3 does not define (§4.2.7: obsolete_RESERVED): the curves of RFC 4492
 * 0x0001–0x0016, the brainpool curves of TLS 1.2 0x001A–0x001C, and the arbitrary-curve
 * code points 0xFF01–0xFF02. A key share in one of them is illegal_parameter.
 */
export function isObsoleteGroup(group: number): boolean {
  return (group >= 0x0001 && group <= 0x0016) || (group >= 0x001a && group <= 0x001c) || group === 0xff01 || group === 0xff02;
}

/** The length a `from` key_exchange must have in `group`, if the group is one we know. */
export function keyExchangeLength(group: number, from: 'client' | 'server'): number | undefined {
  return KEY_EXCHANGE_LENGTHS.get(group)?.[from];
}

/**
 * Checks key_share entries sent by `from` (§4.2.8): none empty, none in a group TLS 1.3
 * does not define, and each of a group we know of its group's length. Each failure is
 * illegal_parameter. Groups we do not know (GREASE, RFC 8701) are left alone.
 */
export function checkKeyShareEntries(entries: readonly KeyShareEntry[], from: 'client' | 'server'): void {
  for (const { group, keyExchange } of entries) {
    if (keyExchange.length === 0) fail('illegal_parameter', `empty key_exchange for ${groupName(group)}`);
    if (isObsoleteGroup(group)) fail('illegal_parameter', `key share for ${groupName(group)}, a group TLS 1.3 does not define (§4.2.7)`);
    const expected = keyExchangeLength(group, from);
    if (expected !== undefined && keyExchange.length !== expected) {
      fail('illegal_parameter', `${groupName(group)} key_exchange of ${keyExchange.length} bytes, not ${expected}`);
    }
  }
}
