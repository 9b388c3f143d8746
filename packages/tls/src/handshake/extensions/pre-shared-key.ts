/**
 * pre_shared_key (RFC 8446 §4.2.11): resumption. The client offers PSK identities
 * (session tickets) each with a binder, an HMAC proving it holds that PSK; the server
 * answers with the index of the one it accepted. In a ClientHello it must be the last
 * extension, because the binders are computed over everything before them (§4.2.11.2).
 * @module
 */
import { fail } from '../../alert.js';
import type { Writer } from '../../wire/codec.js';
import type { PskIdentity } from '../messages/types.js';
import type { ExtensionBodyCodec } from './extension-block.js';

const RFC = 'RFC 8446 §4.2.11';
const IDENTITY_NOTE = 'A ticket from NewSessionTicket (or an external PSK’s label).';
const AGE_NOTE = 'The ticket’s age in milliseconds plus ticket_age_add, mod 2^32 (§4.2.11.1).';
const BINDER_NOTE = 'HMAC over the transcript up to the binders, keyed from the PSK (§4.2.11.2).';

/** The ClientHello's OfferedPsks. */
export type OfferedPsks = { type: 'pre_shared_key'; identities: PskIdentity[]; binders: Uint8Array[] };

/**
 * Writes `PskBinderEntry binders<33..2^16-1>`. Exported for patching real binders into
 * a ClientHello encoded with placeholders.
 */
export function writeBinders(w: Writer, binders: readonly Uint8Array[]): void {
  w.vector(2, 'binders', () => {
    for (const binder of binders) w.opaque(1, binder, 'PskBinderEntry', BINDER_NOTE);
  });
}

/** The bytes `binders` take on the wire, length prefix included: what §4.2.11.2 truncates. */
export function bindersLength(binders: readonly Uint8Array[]): number {
  return binders.reduce((sum, binder) => sum + 1 + binder.length, 2);
}

/** ClientHello: OfferedPsks, `identities<7..2^16-1>` then `binders<33..2^16-1>`. */
export const offeredPsks: ExtensionBodyCodec<OfferedPsks> = {
  rfc: RFC,
  note: 'The PSKs (session tickets) the client offers to resume with, each with a binder proving it knows the key.',
  read(r) {
    return r.struct('OfferedPsks', () => {
      const identities = r.vector(
        2,
        'identities',
        () =>
          r.list(() =>
            r.struct('PskIdentity', () => ({
              identity: r.opaque(2, 'identity', { min: 1 }, IDENTITY_NOTE),
              obfuscatedTicketAge: r.u32('obfuscated_ticket_age', AGE_NOTE),
            })),
          ),
        { min: 7 },
      );
      const binders = r.vector(
        2,
        'binders',
        () => r.list(() => r.opaque(1, 'PskBinderEntry', { min: 32 }, BINDER_NOTE)),
        { min: 33 },
      );
      // "binders: A series of HMAC values, one for each value in the identities list".
      if (binders.length !== identities.length) {
        fail('illegal_parameter', `pre_shared_key: ${identities.length} identities but ${binders.length} binders`);
      }
      return { type: 'pre_shared_key', identities, binders };
    });
  },
  write(w, e) {
    w.struct('OfferedPsks', () => {
      w.vector(2, 'identities', () => {
        for (const id of e.identities) {
          w.struct('PskIdentity', () => {
            w.opaque(2, id.identity, 'identity', IDENTITY_NOTE);
            w.u32(id.obfuscatedTicketAge, 'obfuscated_ticket_age', AGE_NOTE);
          });
        }
      });
      writeBinders(w, e.binders);
    });
  },
};

/** ServerHello: `uint16 selected_identity`. */
export const selectedIdentity: ExtensionBodyCodec<{ type: 'pre_shared_key'; selectedIdentity: number }> = {
  rfc: RFC,
  note: 'The server accepted a PSK: the index (from 0) of the chosen identity in the client’s list.',
  read: (r) => ({ type: 'pre_shared_key', selectedIdentity: r.u16('selected_identity') }),
  write(w, e) {
    w.u16(e.selectedIdentity, 'selected_identity');
  },
};
