/**
 * The PSK binder's view of a ClientHello (RFC 8446 §4.2.11.2). A binder is an HMAC over
 * the transcript including a "truncated" ClientHello: the message up to and including
 * the PSK identities, without the binders list at its end. So a client encodes its
 * ClientHello with placeholder binders of the right lengths, hashes the truncated
 * message, and patches the real binders in; a server truncates the ClientHello it
 * received to check them.
 * @module
 */
import { Writer } from '../../wire/codec.js';
import { bindersLength, writeBinders } from '../extensions/pre-shared-key.js';
import { decodeHandshakeMessage } from './handshake-message.js';

/** The OfferedPsks of an encoded ClientHello, which must end with pre_shared_key (§4.2.11). */
function offeredBinders(encodedClientHello: Uint8Array): Uint8Array[] {
  const { message } = decodeHandshakeMessage(encodedClientHello);
  if (message.type !== 'client_hello') throw new RangeError('not a ClientHello');
  const last = message.extensions.at(-1);
  if (last?.type !== 'pre_shared_key') throw new RangeError('the ClientHello has no pre_shared_key extension');
  return last.binders;
}

/**
 * The length of the truncated ClientHello (§4.2.11.2) within `encodedClientHello`:
 * the offset where its binders list starts.
 */
export function partialClientHelloLength(encodedClientHello: Uint8Array): number {
  return encodedClientHello.length - bindersLength(offeredBinders(encodedClientHello));
}

/**
 * The truncated ClientHello of §4.2.11.2: `encodedClientHello` (header included)
 * without the binders list (its length and values) at its end. Throws a RangeError
 * when the message is not a ClientHello ending with pre_shared_key, and a TlsError when
 * it does not decode.
 *
 * @example
 * ```ts
 * import { fromHex, runScenario } from '@lucid-tls/tls/learn';
 * import { truncatedClientHello } from '@lucid-tls/tls/learn';
 * const clientHello = fromHex(runScenario('resumed_0rtt').values.client_hello!); // RFC 8448 §4, 512 bytes
 * console.log(truncatedClientHello(clientHello).length); // → 477
 * ```
 * @category Handshake messages
 */
export function truncatedClientHello(encodedClientHello: Uint8Array): Uint8Array {
  return encodedClientHello.slice(0, partialClientHelloLength(encodedClientHello));
}

/**
 * A copy of `encodedClientHello` with its binders replaced by `binders`, which must
 * have the same count and lengths as the placeholders it was encoded with (so no length
 * field changes and the truncated ClientHello stays the same).
 */
export function patchBinders(encodedClientHello: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const placeholders = offeredBinders(encodedClientHello);
  if (placeholders.length !== binders.length || placeholders.some((p, i) => p.length !== binders[i]!.length)) {
    throw new RangeError('patchBinders: the binders differ in count or length from the placeholders');
  }
  const w = new Writer();
  writeBinders(w, binders);
  const list = w.finish();
  const out = encodedClientHello.slice();
  out.set(list, out.length - list.length);
  return out;
}
