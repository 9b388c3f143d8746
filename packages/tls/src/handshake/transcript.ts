/**
 * The transcript hash (RFC 8446 §4.4.1): a hash over the handshake messages, each with
 * its 4-byte header, in the order sent and received.
 * @module
 */
import type { HashFunction, RunningHash } from '../crypto/provider.js';
import { HandshakeType } from './handshake-type.js';

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

/** The synthetic `message_hash` handshake message (§4.4.1). */
export function messageHash(hashOfClientHello1: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + hashOfClientHello1.length);
  out[0] = HandshakeType.message_hash;
  out[3] = hashOfClientHello1.length;
  out.set(hashOfClientHello1, 4);
  return out;
}
