/**
 * ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public key on the
 * server's curve. Both sides then hold the pre-master secret.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import type { ClientKeyExchange } from './types.js';

const POINT_NOTE = 'The client’s ephemeral public key (ecdh_Yc), on the curve of the ServerKeyExchange.';

/** Reads a ClientKeyExchange body: ClientECDiffieHellmanPublic with an explicit point. */
export function readClientKeyExchange(r: Reader): ClientKeyExchange {
  const publicKey = r.struct('ClientECDiffieHellmanPublic', () => r.opaque(1, 'ecdh_Yc', { min: 1 }, POINT_NOTE));
  return { type: 'client_key_exchange', publicKey };
}

/** Writes a ClientKeyExchange body. */
export function writeClientKeyExchange(w: Writer, msg: ClientKeyExchange): void {
  w.struct('ClientECDiffieHellmanPublic', () => w.opaque(1, msg.publicKey, 'ecdh_Yc', POINT_NOTE));
}
