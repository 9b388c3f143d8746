import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';
import { partialClientHelloLength, patchBinders, truncatedClientHello } from '../../src/handshake/messages/psk-binders.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8')) as {
  scenarios: Record<string, { values: Record<string, string> }>;
};
const values = vectors.scenarios.resumed_0rtt!.values;
const clientHello = fromHex(values.client_hello!);

describe('PSK binders (RFC 8446 §4.2.11.2)', () => {
  it('the truncated resumed_0rtt ClientHello is the prefix RFC 8448 prints', () => {
    expect(toHex(truncatedClientHello(clientHello))).toBe(values.client_hello_prefix_for_binder);
    expect(partialClientHelloLength(clientHello)).toBe(477);
  });

  it('encode with placeholder binders, then patch in the real one', () => {
    const { message } = decodeHandshakeMessage(clientHello);
    if (message.type !== 'client_hello') throw new Error(message.type);
    const psk = message.extensions.at(-1);
    if (psk?.type !== 'pre_shared_key') throw new Error('no pre_shared_key');
    const placeholder = { ...psk, binders: psk.binders.map((b) => new Uint8Array(b.length)) };
    const draft = encodeHandshakeMessage({ ...message, extensions: [...message.extensions.slice(0, -1), placeholder] }).bytes;
    // The truncated ClientHello does not depend on the binders' values.
    expect(toHex(truncatedClientHello(draft))).toBe(values.client_hello_prefix_for_binder);
    const patched = patchBinders(draft, [fromHex(values.psk_binder!)]);
    expect(toHex(patched)).toBe(values.client_hello);
    expect(toHex(draft.subarray(-32))).toBe('00'.repeat(32)); // the input is left alone
  });

  it('refuses binders of other lengths, and ClientHellos without pre_shared_key', () => {
    expect(() => patchBinders(clientHello, [new Uint8Array(48)])).toThrow(RangeError);
    expect(() => patchBinders(clientHello, [])).toThrow(RangeError);
    expect(() => truncatedClientHello(fromHex(vectors.scenarios.simple_1rtt!.values.client_hello!))).toThrow(RangeError);
  });
});
