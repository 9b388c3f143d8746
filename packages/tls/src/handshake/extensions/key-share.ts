/**
 * key_share (RFC 8446 §4.2.8): the (EC)DHE public keys. It has three shapes: the
 * client's list of shares (KeyShareClientHello), the server's one share
 * (KeyShareServerHello), and in a HelloRetryRequest the one group the server wants
 * the client to retry with (KeyShareHelloRetryRequest).
 * @module
 */
import { fail } from '../../alert.js';
import type { Reader, Writer } from '../../wire/codec.js';
import { groupValue } from '../messages/field-values.js';
import type { KeyShareEntry } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.8';
const KEY_EXCHANGE_NOTE =
  'The public key: 32 bytes for x25519, an uncompressed point (0x04 || X || Y) for the NIST curves (§4.2.8.2).';

function readEntry(r: Reader, name: string): KeyShareEntry {
  return r.struct(name, () => {
    const group = r.u16('group');
    r.describe({ value: groupValue(group) });
    // The syntax says <1..2^16-1>; an empty one is read and refused with illegal_parameter (§4.2.8).
    const keyExchange = r.opaque(2, 'key_exchange', undefined, KEY_EXCHANGE_NOTE);
    return { group, keyExchange };
  });
}

function writeEntry(w: Writer, name: string, entry: KeyShareEntry): void {
  w.struct(name, () => {
    w.u16(entry.group, 'group', { value: groupValue(entry.group) });
    w.opaque(2, entry.keyExchange, 'key_exchange', KEY_EXCHANGE_NOTE);
  });
}

/** ClientHello: `KeyShareEntry client_shares<0..2^16-1>` (empty is allowed: the client asks for an HRR). */
export const keyShareClientHello: ExtensionBodyCodec<{ type: 'key_share'; clientShares: KeyShareEntry[] }> = {
  rfc: RFC,
  note: 'The client’s ephemeral public keys, one per group it guesses the server will pick.',
  read(r) {
    const clientShares = r.vector(2, 'client_shares', () => r.list(() => readEntry(r, 'KeyShareEntry')));
    // "Clients MUST NOT offer multiple KeyShareEntry values for the same group."
    const groups = new Set(clientShares.map((s) => s.group));
    if (groups.size !== clientShares.length) fail('illegal_parameter', 'key_share: two shares for the same group');
    return { type: 'key_share', clientShares };
  },
  write(w, e) {
    w.vector(2, 'client_shares', () => {
      for (const share of e.clientShares) writeEntry(w, 'KeyShareEntry', share);
    });
  },
};

/** ServerHello: `KeyShareEntry server_share`. */
export const keyShareServerHello: ExtensionBodyCodec<{ type: 'key_share'; serverShare: KeyShareEntry }> = {
  rfc: RFC,
  note: 'The server’s ephemeral public key, in one of the groups the client offered a share for.',
  read: (r) => ({ type: 'key_share', serverShare: readEntry(r, 'server_share') }),
  write: (w, e) => writeEntry(w, 'server_share', e.serverShare),
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
