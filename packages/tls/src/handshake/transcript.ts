/**
 * The transcript hash (RFC 8446 §4.4.1): a hash over the handshake messages, each with
 * its 4-byte header, in the order sent and received.
 * @module
 */
import type { HashFunction, RunningHash } from '../crypto/provider.js';
import { concat } from '../wire/bytes.js';
import { HandshakeType } from './handshake-type.js';

/**
 * The running transcript hash of one connection: messages are added as they are sent
 * and received, and digested whenever a secret or a Finished needs Transcript-Hash.
 *
 * @example
 * ```ts
 * import { Transcript, concat, sha256, toHex } from '@lucid-tls/tls/learn';
 * const clientHello = Uint8Array.of(1, 0, 0, 1, 0xaa);
 * const serverHello = Uint8Array.of(2, 0, 0, 1, 0xbb);
 * const transcript = new Transcript();
 * transcript.add(clientHello); // kept until the cipher suite, and so the hash, is known
 * transcript.useHash(sha256);
 * transcript.add(serverHello);
 * console.log(toHex(transcript.digest()) === toHex(sha256.hash(concat(clientHello, serverHello)))); // → true
 * ```
 * @category Handshake messages
 */
export class Transcript {
  private hash: HashFunction | undefined;
  private running: RunningHash | undefined;
  /** The messages so far (a handshake is a few kilobytes), for the partial hashes of the PSK binder. */
  private readonly messages: Uint8Array[] = [];

  /** The hash is known only once the cipher suite is chosen; until then messages are just kept. */
  constructor(hash?: HashFunction) {
    if (hash) this.useHash(hash);
  }

  /** Fixes the hash function (once the cipher suite is known) and hashes what came before. */
  useHash(hash: HashFunction): void {
    if (this.hash === hash) return;
    if (this.hash) throw new Error('transcript: hash already chosen');
    this.hash = hash;
    this.running = hash.create();
    for (const m of this.messages) this.running.update(m);
  }

  /** Adds one handshake message (header included). */
  add(message: Uint8Array): void {
    this.messages.push(message);
    this.running?.update(message);
  }

  /** Transcript-Hash of the messages so far. */
  digest(): Uint8Array {
    if (!this.running) throw new Error('transcript: hash not chosen yet');
    return this.running.digest();
  }

  /** The messages so far, concatenated: TLS 1.2's CertificateVerify signs them as they are (RFC 5246 §7.4.8). */
  handshakeMessages(): Uint8Array {
    return concat(...this.messages);
  }

  /** Transcript-Hash of the messages so far followed by `partial` (the truncated ClientHello of a PSK binder, §4.2.11.2). */
  digestWith(hash: HashFunction, partial: Uint8Array): Uint8Array {
    const h = hash.create();
    for (const m of this.messages) h.update(m);
    h.update(partial);
    return h.digest();
  }

  /**
   * After a HelloRetryRequest, ClientHello1 is replaced by the synthetic message
   * `message_hash` = handshake type 254, length Hash.length, Hash(ClientHello1) (§4.4.1).
   */
  replaceWithMessageHash(): void {
    const ch1Hash = this.digest();
    this.messages.length = 0;
    this.running = this.hash!.create();
    this.add(messageHash(ch1Hash));
  }
}

/**
 * The synthetic `message_hash` handshake message (§4.4.1).
 *
 * @example
 * ```ts
 * import { messageHash, sha256, toHex } from '@lucid-tls/tls/learn';
 * const clientHello1 = Uint8Array.of(1, 0, 0, 1, 0xaa);
 * console.log(toHex(messageHash(sha256.hash(clientHello1)).subarray(0, 4))); // → fe000020
 * ```
 * @category Handshake messages
 */
export function messageHash(hashOfClientHello1: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + hashOfClientHello1.length);
  out[0] = HandshakeType.message_hash;
  out[3] = hashOfClientHello1.length;
  out.set(hashOfClientHello1, 4);
  return out;
}
