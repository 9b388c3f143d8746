/**
 * key_share (RFC 8446 §4.2.8): the key-exchange values. It has three shapes: the
 * client's list of shares (KeyShareClientHello), the server's one share
 * (KeyShareServerHello), and in a HelloRetryRequest the one group the server wants
 * the client to retry with (KeyShareHelloRetryRequest).
 *
 * In the trace, a hybrid's key_exchange (draft-ietf-tls-ecdhe-mlkem §3) shows its two
 * parts as two fields, in their order on the wire.
 * @module
 */
import { fail } from '../../alert.js';
import { groupLayout, hybridParts, type GroupLayout } from '../../crypto/groups/layout.js';
import { groupName } from '../../crypto/provider.js';
import { concat } from '../../wire/bytes.js';
import type { Reader, Writer } from '../../wire/codec.js';
import { groupValue } from '../messages/field-values.js';
import type { KeyShareEntry } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.8';
const KEY_EXCHANGE_NOTE =
  'The public key: 32 bytes for x25519, an uncompressed point (0x04 || X || Y) for the NIST curves (§4.2.8.2).';

/** Who sent a key_exchange: the client's is KeyGen's public key, the server's Encaps's output. */
type Sender = 'client' | 'server';

/** What one group's key_exchange (or one part of a hybrid's) is, in a sentence. */
function partNote(layout: GroupLayout, sender: Sender): string {
  const part = sender === 'client' ? layout.keyShare : layout.ciphertext;
  if (layout.kind === 'kem') {
    return sender === 'client'
      ? `The client's ${part.label} (FIPS 203), ${part.length} bytes: the server encapsulates a secret to it.`
      : `The ${part.label} (FIPS 203), ${part.length} bytes: the secret the server encapsulated, which only the client's key opens.`;
  }
  if (layout.algorithm.startsWith('ffdhe')) return `Y = g^x mod p, left-padded with zeros to the size of p: ${part.length} bytes (§4.2.8.1).`;
  return `The ${part.label}, ${part.length} bytes (§4.2.8.2).`;
}

/** The note on a key_exchange in `group`: the classical groups keep the general note. */
function keyExchangeNote(group: number, sender: Sender): string {
  const name = groupName(group);
  const parts = hybridParts(name);
  if (parts) {
    const labels = parts.map((p) => (sender === 'client' ? groupLayout(p)!.keyShare : groupLayout(p)!.ciphertext).label);
    return `Two parts, concatenated (draft-ietf-tls-ecdhe-mlkem §3): the ${labels[0]}, then the ${labels[1]}.`;
  }
  const layout = groupLayout(name);
  if (!layout || name === 'x25519' || name.startsWith('secp')) return KEY_EXCHANGE_NOTE;
  return partNote(layout, sender);
}

/** A hybrid's part layouts when `group` is a hybrid and `length` is its exact size, else undefined. */
function splitLayouts(group: number, sender: Sender, length: number): { layout: GroupLayout; length: number }[] | undefined {
  const parts = hybridParts(groupName(group))?.map((p) => {
    const layout = groupLayout(p)!;
    return { layout, length: (sender === 'client' ? layout.keyShare : layout.ciphertext).length };
  });
  return parts && parts.reduce((sum, p) => sum + p.length, 0) === length ? parts : undefined;
}

/** A part's field name: what it is, e.g. `ML-KEM-768 encapsulation key`. */
const partName = (layout: GroupLayout, sender: Sender) => (sender === 'client' ? layout.keyShare : layout.ciphertext).label;

function readEntry(r: Reader, name: string, sender: Sender): KeyShareEntry {
  return r.struct(name, () => {
    const group = r.u16('group');
    r.describe({ value: groupValue(group) });
    const note = keyExchangeNote(group, sender);
    // The syntax says <1..2^16-1>; an empty one is read and refused with illegal_parameter (§4.2.8).
    const keyExchange = r.vector(2, 'key_exchange', () => {
      // A hybrid of the right size shows its parts; anything else (its group's check refuses a wrong size) one field.
      const parts = splitLayouts(group, sender, r.remaining);
      if (!parts) return r.rest('data');
      return concat(...parts.map((p) => r.bytes(p.length, partName(p.layout, sender), partNote(p.layout, sender))));
    }, undefined, note);
    return { group, keyExchange };
  });
}

function writeEntry(w: Writer, name: string, entry: KeyShareEntry, sender: Sender): void {
  w.struct(name, () => {
    w.u16(entry.group, 'group', { value: groupValue(entry.group) });
    const note = keyExchangeNote(entry.group, sender);
    const parts = splitLayouts(entry.group, sender, entry.keyExchange.length);
    if (!parts) {
      w.opaque(2, entry.keyExchange, 'key_exchange', note);
      return;
    }
    w.vector(2, 'key_exchange', () => {
      let offset = 0;
      for (const p of parts) w.bytes(entry.keyExchange.subarray(offset, (offset += p.length)), partName(p.layout, sender), partNote(p.layout, sender));
    }, note);
  });
}

/** ClientHello: `KeyShareEntry client_shares<0..2^16-1>` (empty is allowed: the client asks for an HRR). */
export const keyShareClientHello: ExtensionBodyCodec<{ type: 'key_share'; clientShares: KeyShareEntry[] }> = {
  rfc: RFC,
  note: 'The client’s ephemeral public keys, one per group it guesses the server will pick.',
  read(r) {
    const clientShares = r.vector(2, 'client_shares', () => r.list(() => readEntry(r, 'KeyShareEntry', 'client')));
    // "Clients MUST NOT offer multiple KeyShareEntry values for the same group."
    const groups = new Set(clientShares.map((s) => s.group));
    if (groups.size !== clientShares.length) fail('illegal_parameter', 'key_share: two shares for the same group');
    return { type: 'key_share', clientShares };
  },
  write(w, e) {
    w.vector(2, 'client_shares', () => {
      for (const share of e.clientShares) writeEntry(w, 'KeyShareEntry', share, 'client');
    });
  },
};

/** ServerHello: `KeyShareEntry server_share`. */
export const keyShareServerHello: ExtensionBodyCodec<{ type: 'key_share'; serverShare: KeyShareEntry }> = {
  rfc: RFC,
  note: 'The server’s ephemeral public key, in one of the groups the client offered a share for.',
  read: (r) => ({ type: 'key_share', serverShare: readEntry(r, 'server_share', 'server') }),
  write: (w, e) => writeEntry(w, 'server_share', e.serverShare, 'server'),
};

/** HelloRetryRequest: `NamedGroup selected_group`. */
export const keyShareHelloRetryRequest: ExtensionBodyCodec<{ type: 'key_share'; selectedGroup: number }> = {
  rfc: RFC,
  note: 'The group the server wants: the client retries with a share for it.',
  read(r) {
    const selectedGroup = r.u16('selected_group');
    r.describe({ value: groupValue(selectedGroup) });
    return { type: 'key_share', selectedGroup };
  },
  write(w, e) {
    w.u16(e.selectedGroup, 'selected_group', { value: groupValue(e.selectedGroup) });
  },
};
