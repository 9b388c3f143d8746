// §5.1: "if a handshake message is split over two or more records, there MUST NOT be any
// other records between them" — not even a compatibility change_cipher_spec (§D.4), which
// the client otherwise drops silently once it has sent its ClientHello.
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { concat } from '../../src/wire/bytes.js';
import { pair } from './harness/pair.js';
import { rawRecord } from './harness/tap.js';

const ccs = rawRecord(20, Uint8Array.of(1));

/** The server's ServerHello as two plaintext records, and the rest of its first flight. */
function serverHelloInTwo() {
  const { client, server } = pair();
  server.receive(client.takeOutgoing());
  const flight = server.takeOutgoing();
  const length = (flight[3]! << 8) | flight[4]!;
  const hello = flight.subarray(5, 5 + length);
  return { client, first: rawRecord(22, hello.subarray(0, 30)), rest: rawRecord(22, hello.subarray(30)), after: flight.subarray(5 + length) };
}

describe('a ServerHello split over two records', () => {
  it('is accepted with a change_cipher_spec before it, or after it', () => {
    const before = serverHelloInTwo();
    before.client.receive(concat(ccs, before.first, before.rest, before.after));
    expect(before.client.handshakeComplete).toBe(true);
    const after = serverHelloInTwo();
    after.client.receive(concat(after.first, after.rest, ccs, after.after));
    expect(after.client.handshakeComplete).toBe(true);
  });

  it('is refused with unexpected_message when a second change_cipher_spec follows the first (§5, §D.4: one at most)', () => {
    const { client, first, rest, after } = serverHelloInTwo();
    let error: unknown;
    try {
      client.receive(concat(ccs, first, rest, ccs, after));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).alert).toBe('unexpected_message');
  });

  it('is refused with unexpected_message when a change_cipher_spec comes between its records', () => {
    const { client, first, rest } = serverHelloInTwo();
    let error: unknown;
    try {
      client.receive(concat(first, ccs, rest));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).alert).toBe('unexpected_message');
  });
});
