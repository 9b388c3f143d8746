/**
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4): ServerECDHParams (the named curve and the
 * server's ephemeral public key) and a signature over both randoms and those params.
 * @module
 */
import { fail } from '../../../alert.js';
import { Writer, type Reader } from '../../../wire/codec.js';
import { groupValue, schemeValue } from '../../messages/field-values.js';
import type { ServerKeyExchange } from './types.js';

/** ECCurveType named_curve (RFC 8422 §5.4): the only kind left; explicit curves are deprecated. */
export const NAMED_CURVE = 3;

const POINT_NOTE = 'The server’s ephemeral public key: an uncompressed point (0x04, X, Y), or 32 bytes for X25519.';
const ALGORITHM_NOTE = 'The signature scheme used, one the client listed in signature_algorithms.';
const SIGNATURE_NOTE = 'Signature over client_random + server_random + the params above (RFC 8422 §5.4): the certificate vouches for this key.';

function writeParams(w: Writer, namedCurve: number, publicKey: Uint8Array): void {
  w.struct('ServerECDHParams', () => {
    w.struct('ECParameters', () => {
      w.u8(NAMED_CURVE, 'curve_type', { value: 'named_curve (3)' });
      w.u16(namedCurve, 'namedcurve', { value: groupValue(namedCurve) });
    });
    w.opaque(1, publicKey, 'public', POINT_NOTE);
  });
}

/**
 * The bytes of ServerECDHParams, as they are signed (RFC 8422 §5.4).
 *
 * @example
 * ```ts
 * import { serverEcdhParams, toHex } from '@lucid-tls/tls/learn';
 * console.log(toHex(serverEcdhParams(0x001d, new Uint8Array(32)).subarray(0, 4))); // → 03001d20
 * ```
 * @category TLS 1.2
 */
export function serverEcdhParams(namedCurve: number, publicKey: Uint8Array): Uint8Array {
  const w = new Writer();
  writeParams(w, namedCurve, publicKey);
  return w.finish();
}

/** Reads a ServerKeyExchange body. */
export function readServerKeyExchange(r: Reader): ServerKeyExchange {
  const { namedCurve, publicKey } = r.struct('ServerECDHParams', () => {
    const namedCurve = r.struct('ECParameters', () => {
      const curveType = r.u8('curve_type');
      // RFC 8422 §5.4: explicit_prime and explicit_char2 are deprecated and MUST NOT be used.
      if (curveType !== NAMED_CURVE) fail('illegal_parameter', `ServerKeyExchange: curve_type ${curveType} is not named_curve`);
      r.describe({ value: 'named_curve (3)' });
      const curve = r.u16('namedcurve');
      r.describe({ value: groupValue(curve) });
      return curve;
    });
    const publicKey = r.opaque(1, 'public', { min: 1 }, POINT_NOTE);
    return { namedCurve, publicKey };
  });
  const { algorithm, signature } = r.struct('signed_params', () => {
    const algorithm = r.u16('algorithm');
    r.describe({ value: schemeValue(algorithm), note: ALGORITHM_NOTE });
    return { algorithm, signature: r.opaque(2, 'signature', undefined, SIGNATURE_NOTE) };
  });
  return { type: 'server_key_exchange', namedCurve, publicKey, algorithm, signature };
}

/** Writes a ServerKeyExchange body. */
export function writeServerKeyExchange(w: Writer, msg: ServerKeyExchange): void {
  writeParams(w, msg.namedCurve, msg.publicKey);
  w.struct('signed_params', () => {
    w.u16(msg.algorithm, 'algorithm', { value: schemeValue(msg.algorithm), note: ALGORITHM_NOTE });
    w.opaque(2, msg.signature, 'signature', SIGNATURE_NOTE);
  });
}
