/**
 * KeyUpdate (RFC 8446 §4.6.3): the sender switches to its next traffic key, and may ask
 * the peer to do the same.
 * @module
 */
import { fail } from '../../alert.js';
import type { Reader, Writer } from '../../wire/codec.js';
import type { KeyUpdate } from './types.js';

/** KeyUpdateRequest code points (§4.6.3). */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

const NOTE = 'update_requested asks the peer to send a KeyUpdate of its own in reply.';

/** Reads a KeyUpdate body. Any value other than 0 or 1 is illegal_parameter (§4.6.3). */
export function readKeyUpdate(r: Reader): KeyUpdate {
  const value = r.u8('request_update', NOTE);
  let requestUpdate: KeyUpdate['requestUpdate'];
  if (value === KeyUpdateRequest.update_not_requested) requestUpdate = 'update_not_requested';
  else if (value === KeyUpdateRequest.update_requested) requestUpdate = 'update_requested';
  else fail('illegal_parameter', `KeyUpdate: request_update is ${value}, not 0 or 1`);
  r.describe({ value: requestUpdate });
  return { type: 'key_update', requestUpdate };
}

/** Writes a KeyUpdate body. */
export function writeKeyUpdate(w: Writer, msg: KeyUpdate): void {
  w.u8(KeyUpdateRequest[msg.requestUpdate], 'request_update', { value: msg.requestUpdate, note: NOTE });
}
