/**
 * Finished (RFC 8446 §4.4.4): an HMAC over the transcript, keyed from the handshake
 * secret; it authenticates the whole handshake. The body is nothing but verify_data.
 * @module
 */
import type { Reader, Writer } from '../../wire/codec.js';
import type { Finished } from './types.js';

const VERIFY_DATA_NOTE = 'HMAC(finished_key, Transcript-Hash(…)): as long as the suite’s hash (§4.4.4).';

/** Reads a Finished body: all of it is `verify_data` (its length is checked against the hash by the caller). */
export function readFinished(r: Reader): Finished {
  return { type: 'finished', verifyData: r.rest('verify_data', VERIFY_DATA_NOTE) };
}

/** Writes a Finished body. */
export function writeFinished(w: Writer, msg: Finished): void {
  w.bytes(msg.verifyData, 'verify_data', VERIFY_DATA_NOTE);
}
