/** Shared helpers for the record-layer tests: the RFC 8448 traces and hand-built records. @module */

import { readFileSync } from 'node:fs';
import { TlsError } from '../../src/alert.js';
import { aes128gcm } from '../../src/crypto/aead.js';
import type { Aead } from '../../src/crypto/provider.js';
import { perRecordNonce, RecordProtection } from '../../src/record/record-protection.js';
import { concat, fromHex } from '../../src/wire/bytes.js';

/** One record of an RFC 8448 trace. */
export interface TraceRecord {
  side: 'client' | 'server';
  content: 'handshake' | 'application_data' | 'alert' | 'change_cipher_spec';
  payload: string;
  record: string;
  protected: boolean;
}

interface Scenario {
  values: Record<string, string>;
  records: TraceRecord[];
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8')) as {
  scenarios: Record<string, Scenario>;
};

/** The records of an RFC 8448 scenario, in the order the RFC prints them. */
export function traceRecords(scenario: string): TraceRecord[] {
  return vectors.scenarios[scenario]!.records;
}

/** A named value of an RFC 8448 scenario. */
export function traceValue(scenario: string, name: string): Uint8Array {
  const hex = vectors.scenarios[scenario]!.values[name];
  if (hex === undefined) throw new Error(`no value ${name} in ${scenario}`);
  return fromHex(hex);
}

/** A fresh RecordProtection with the `<writer>_<phase>_key`/`_iv` pair of a scenario (AES-128-GCM). */
export function traceProtection(scenario: string, writer: 'client' | 'server', phase: 'early' | 'handshake' | 'application'): RecordProtection {
  return new RecordProtection(aes128gcm, traceValue(scenario, `${writer}_${phase}_key`), traceValue(scenario, `${writer}_${phase}_iv`));
}

/** A record with the given header fields and fragment, built by hand (no checks). */
export function rawRecord(contentType: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concat(Uint8Array.of(contentType, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff), fragment);
}

/** Test keys: a fixed key and IV, so sender and receiver agree. */
export const KEY = fromHex('000102030405060708090a0b0c0d0e0f');
export const IV = fromHex('a0a1a2a3a4a5a6a7a8a9aaab');

/** A RecordProtection with the test keys. */
export const testProtection = (aead: Aead = aes128gcm): RecordProtection =>
  new RecordProtection(aead, aead.keyLength === 16 ? KEY : concat(KEY, KEY), IV);

/**
 * A protected record whose TLSInnerPlaintext is `inner` exactly, sealed with the test
 * keys at `sequenceNumber`: lets a test build inner plaintexts a correct sender never
 * makes (all zeros, too long).
 */
export function sealInner(inner: Uint8Array, sequenceNumber = 0n): Uint8Array {
  const header = Uint8Array.of(23, 3, 3, (inner.length + 16) >> 8, (inner.length + 16) & 0xff);
  return concat(header, aes128gcm.importKey(KEY).seal(perRecordNonce(IV, sequenceNumber), inner, header));
}

/** Asserts that `f` throws a TlsError with the given alert, and returns it. */
export function expectAlert(f: () => unknown, alert: string): TlsError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof TlsError)) throw new Error(`expected a TlsError ${alert}, got ${String(e)}`);
    if (e.alert !== alert) throw new Error(`expected alert ${alert}, got ${e.alert}: ${e.reason}`);
    return e;
  }
  throw new Error(`expected a TlsError ${alert}, but nothing was thrown`);
}
