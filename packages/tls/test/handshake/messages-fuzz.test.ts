import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8')) as {
  scenarios: Record<string, { messages: { hex: string }[] }>;
};
const messages = Object.values(vectors.scenarios).flatMap((s) => s.messages.map((m) => fromHex(m.hex)));

/** A vector message with some bytes changed and possibly cut short (header length kept or not). */
const corrupted = fc
  .record({
    index: fc.nat(messages.length - 1),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    fixLength: fc.boolean(),
  })
  .map(({ index, edits, cut, fixLength }) => {
    let bytes = messages[index]!.slice();
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    if (cut !== undefined) bytes = bytes.slice(0, cut % (bytes.length + 1));
    if (fixLength && bytes.length >= 4) {
      const n = bytes.length - 4;
      bytes.set([n >>> 16, (n >>> 8) & 0xff, n & 0xff], 1);
    }
    return bytes;
  });

describe('decoding corrupted messages', () => {
  it('either decodes and re-encodes to the same bytes, or throws a TlsError', () => {
    fc.assert(
      fc.property(corrupted, (bytes) => {
        let message;
        try {
          message = decodeHandshakeMessage(bytes, { annotate: true }).message;
        } catch (e) {
          expect(e).toBeInstanceOf(TlsError);
          return;
        }
        // A hello without an extensions block (older TLS) gains an empty one when re-encoded.
        const noBlock = (message.type === 'client_hello' || message.type === 'server_hello') && message.extensions.length === 0;
        if (!noBlock) expect(toHex(encodeHandshakeMessage(message).bytes)).toBe(toHex(bytes));
      }),
      { numRuns: 2000, seed: 8448 },
    );
  });
});
