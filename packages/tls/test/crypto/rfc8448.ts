/** Loads the RFC 8448 vectors (test/fixtures/rfc8448-vectors.json) for the crypto tests. @module */

import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/wire/bytes.js';

interface Scenario {
  values: Record<string, string>;
  messages: { name: string; type: string; side: string; hex: string }[];
  records: { side: string; content: string; payload: string; record: string; protected: boolean }[];
}

interface Vectors {
  server_rsa_key: Record<
    'modulus' | 'public_exponent' | 'private_exponent' | 'prime1' | 'prime2' | 'exponent1' | 'exponent2' | 'coefficient',
    string
  >;
  scenarios: Record<string, Scenario>;
}

/** The parsed vectors file. */
export const vectors: Vectors = JSON.parse(
  readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** The bytes of the named value of a scenario. */
export function value(scenario: string, name: string): Uint8Array {
  const hex = vectors.scenarios[scenario]?.values[name];
  if (hex === undefined) throw new Error(`no value ${name} in ${scenario}`);
  return fromHex(hex);
}

/** A big-endian hex string as a bigint. */
export const hexToBigInt = (hex: string): bigint => BigInt('0x' + hex);
