/**
 * Handshake message reassembly (RFC 8446 §5.1): handshake messages may be split across
 * records, and several may share one. The deframer takes the content of handshake records
 * and hands out whole messages, each with its 4-byte header (§4).
 * @module
 */
import { fail } from '../alert.js';
import { concat } from '../wire/bytes.js';

/**
 * The largest handshake message we accept (a certificate chain is the largest one in
 * practice). RFC 8446 sets no limit beyond the 2^24-1 of the length field (§4); a
 * bound is needed so a peer cannot make us buffer 16 MiB.
 *
 * @example
 * ```ts
 * import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '@lucid-tls/tls';
 * console.log(MAX_HANDSHAKE_MESSAGE_LENGTH); // → 131072
 * ```
 * @category Engine
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 2 ** 17;

/** msg_type (1 byte) and length (3 bytes) (§4). */
const HEADER_LENGTH = 4;

/**
 * Cuts handshake messages out of handshake records' content. The pieces are kept as
 * given and joined once per message, so that a peer sending one-byte records costs
 * linear, not quadratic, time.
 *
 * @example
 * ```ts
 * import { HandshakeDeframer } from '@lucid-tls/tls/learn';
 * const deframer = new HandshakeDeframer();
 * deframer.push(Uint8Array.of(20, 0, 0)); // a Finished header, split across two records
 * console.log(deframer.next()); // → undefined
 * deframer.push(Uint8Array.of(2, 0xaa, 0xbb));
 * console.log(deframer.next()); // → Uint8Array(6) [ 20, 0, 0, 2, 170, 187 ]
 * ```
 * @category Handshake messages
 */
export class HandshakeDeframer {
  private chunks: Uint8Array[] = [];
  private total = 0;

  /** Adds the content of a handshake record (copied: the caller may reuse its buffer). */
  push(content: Uint8Array): void {
    if (content.length === 0) fail('unexpected_message', 'empty handshake record'); // §5.1
    this.chunks.push(content.slice());
    this.total += content.length;
  }

  /** Bytes of a message not yet complete (§5.1: no other record type may come in between). */
  get buffered(): number {
    return this.total;
  }

  /**
   * The next whole message, header included, or undefined when more bytes are needed.
   * A length over {@link MAX_HANDSHAKE_MESSAGE_LENGTH} is refused as soon as the header is in.
   */
  next(): Uint8Array | undefined {
    if (this.total < HEADER_LENGTH) return undefined;
    const header = this.peek(HEADER_LENGTH);
    const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
    if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
      // §6.2: a message whose length does not fit is a decode_error.
      fail('decode_error', `handshake message of ${length} bytes exceeds the limit of ${MAX_HANDSHAKE_MESSAGE_LENGTH}`);
    }
    if (this.total < HEADER_LENGTH + length) return undefined;
    return this.take(HEADER_LENGTH + length);
  }

  /** The first `n` buffered bytes, without consuming them. */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    return first.length >= n ? first : concat(...this.chunks).subarray(0, n);
  }

  /** Removes and returns the first `n` buffered bytes. */
  private take(n: number): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : concat(...this.chunks);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.total = rest.length;
    return all.subarray(0, n);
  }
}
