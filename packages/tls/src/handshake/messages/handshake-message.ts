/**
 * The two entry points of the handshake message codec: a {@link HandshakeMessage} to
 * bytes and back (RFC 8446 §4).
 *
 * Every message is framed the same way: `msg_type` (1 byte), `length` (3 bytes), then
 * the body. With `annotate: true` both directions also return the tree of named
 * {@link Field}s, whose leaves tile the message from its first byte to its last; the
 * same functions that read and write the bytes record the fields, so a trace cannot
 * disagree with the wire.
 * @module
 */
import { fail } from '../../alert.js';
import { Reader, Writer, type Field } from '../../wire/codec.js';
import { HandshakeType, handshakeTypeName } from '../handshake-type.js';
import { readCertificate, writeCertificate } from './certificate.js';
import { readCertificateRequest, writeCertificateRequest } from './certificate-request.js';
import { readCertificateVerify, writeCertificateVerify } from './certificate-verify.js';
import { readClientHello, writeClientHello } from './client-hello.js';
import { readEncryptedExtensions, writeEncryptedExtensions } from './encrypted-extensions.js';
import { readFinished, writeFinished } from './finished.js';
import { isHelloRetryRequestRandom, readHelloRetryRequest, writeHelloRetryRequest } from './hello-retry-request.js';
import { readKeyUpdate, writeKeyUpdate } from './key-update.js';
import { readNewSessionTicket, writeNewSessionTicket } from './new-session-ticket.js';
import { readServerHello, writeServerHello } from './server-hello.js';
import type { HandshakeMessage } from './types.js';
import { TLS12_MESSAGES, TLS12_MESSAGES_BY_TYPE } from '../tls12/messages/tls12-messages.js';
import type { ProtocolName } from '../versions.js';

export { HELLO_RETRY_REQUEST_RANDOM } from './hello-retry-request.js';

/** Options of the codec. */
export interface HandshakeCodecOptions {
  /** Record the named fields (for traces and teaching); off by default, which costs nothing. */
  annotate?: boolean;
  /**
   * The negotiated version, which decides what a msg_type means (default TLS 1.3, also before
   * the hellos settle it): TLS 1.2 has messages of its own, and others under the same msg_type.
   */
  protocol?: ProtocolName;
}

/** The structure name and RFC section of each TLS 1.3 message, as the top-level group of its fields. */
const structs: Readonly<Record<Exclude<HandshakeMessage['type'], keyof typeof tls12Only>, { name: string; rfc: string }>> = {
  client_hello: { name: 'ClientHello', rfc: 'RFC 8446 §4.1.2' },
  server_hello: { name: 'ServerHello', rfc: 'RFC 8446 §4.1.3' },
  hello_retry_request: { name: 'HelloRetryRequest', rfc: 'RFC 8446 §4.1.4' },
  encrypted_extensions: { name: 'EncryptedExtensions', rfc: 'RFC 8446 §4.3.1' },
  certificate_request: { name: 'CertificateRequest', rfc: 'RFC 8446 §4.3.2' },
  certificate: { name: 'Certificate', rfc: 'RFC 8446 §4.4.2' },
  certificate_verify: { name: 'CertificateVerify', rfc: 'RFC 8446 §4.4.3' },
  finished: { name: 'Finished', rfc: 'RFC 8446 §4.4.4' },
  new_session_ticket: { name: 'NewSessionTicket', rfc: 'RFC 8446 §4.6.1' },
  end_of_early_data: { name: 'EndOfEarlyData', rfc: 'RFC 8446 §4.5' },
  key_update: { name: 'KeyUpdate', rfc: 'RFC 8446 §4.6.3' },
};

/** The message types TLS 1.2 alone has (the table of `tls12/messages/`). */
const tls12Only = {
  hello_request: true,
  certificate_tls12: true,
  server_key_exchange: true,
  certificate_request_tls12: true,
  server_hello_done: true,
  client_key_exchange: true,
  new_session_ticket_tls12: true,
} as const;

/** The name and section of a message in the version it is sent in. */
function structOf(type: HandshakeMessage['type'], protocol: ProtocolName | undefined): { name: string; rfc: string } {
  const tls12 = TLS12_MESSAGES_BY_TYPE.get(type);
  if (tls12 && (protocol === 'TLSv1.2' || type in tls12Only)) return tls12;
  return structs[type as keyof typeof structs];
}

/**
 * `"ClientHello"` for `client_hello`: the RFC's name of a message type (the name traces show).
 *
 * @example
 * ```ts
 * import { messageTitle } from '@lucid-tls/tls/learn';
 * console.log(messageTitle('encrypted_extensions')); // → EncryptedExtensions
 * ```
 * @category Handshake messages
 */
export function messageTitle(type: HandshakeMessage['type']): string {
  return structOf(type, undefined).name;
}

/**
 * `message`, if it is of the type a handshake state expects; anything else is an
 * unexpected_message (RFC 8446 §6.2).
 */
export function expectMessage<T extends HandshakeMessage['type']>(message: HandshakeMessage, type: T): Extract<HandshakeMessage, { type: T }> {
  if (message.type !== type) fail('unexpected_message', `expected ${messageTitle(type)}, got ${message.type}`);
  return message as Extract<HandshakeMessage, { type: T }>;
}

/** A HelloRetryRequest travels as a server_hello (§4.1.4); TLS 1.2's messages have their table; every other type is its own msg_type. */
const msgType = (type: HandshakeMessage['type']): number =>
  type === 'hello_retry_request' ? HandshakeType.server_hello : (TLS12_MESSAGES_BY_TYPE.get(type)?.code ?? HandshakeType[type as keyof typeof HandshakeType]);

const msgTypeInfo = (code: number) => ({ value: `${handshakeTypeName(code) ?? 'unknown'} (${code})` });
const LENGTH_NOTE = 'Length of the body that follows, in bytes.';

function writeBody(w: Writer, msg: HandshakeMessage, protocol: ProtocolName | undefined): void {
  const tls12 = TLS12_MESSAGES_BY_TYPE.get(msg.type);
  if (tls12?.write && (protocol === 'TLSv1.2' || msg.type in tls12Only)) return tls12.write(w, msg as never);
  switch (msg.type) {
    case 'client_hello':
      return writeClientHello(w, msg);
    case 'server_hello':
      return writeServerHello(w, msg);
    case 'hello_retry_request':
      return writeHelloRetryRequest(w, msg);
    case 'encrypted_extensions':
      return writeEncryptedExtensions(w, msg);
    case 'certificate_request':
      return writeCertificateRequest(w, msg);
    case 'certificate':
      return writeCertificate(w, msg);
    case 'certificate_verify':
      return writeCertificateVerify(w, msg);
    case 'finished':
      return writeFinished(w, msg);
    case 'new_session_ticket':
      return writeNewSessionTicket(w, msg);
    case 'end_of_early_data':
      return; // struct {} EndOfEarlyData: an empty body (§4.5)
    case 'key_update':
      return writeKeyUpdate(w, msg);
    default:
      throw new RangeError(`${msg.type} is a TLS 1.2 message`);
  }
}

/**
 * Encodes a handshake message, 4-byte header included.
 *
 * @example
 * ```ts
 * import { encodeHandshakeMessage, toHex } from '@lucid-tls/tls/learn';
 * const { bytes } = encodeHandshakeMessage({ type: 'finished', verifyData: new Uint8Array(32) });
 * console.log(toHex(bytes.subarray(0, 4))); // → 14000020
 * ```
 * @category Handshake messages
 */
export function encodeHandshakeMessage(
  msg: HandshakeMessage,
  options: HandshakeCodecOptions = {},
): { bytes: Uint8Array; fields: Field[] } {
  const w = new Writer({ annotate: options.annotate ?? false });
  const code = msgType(msg.type);
  const struct = structOf(msg.type, options.protocol);
  w.u8(code, 'msg_type', msgTypeInfo(code));
  w.u24(0, 'length', LENGTH_NOTE); // filled in below, once the body's size is known
  w.struct(struct.name, () => writeBody(w, msg, options.protocol), { rfc: struct.rfc });
  const bytes = w.finish();
  const length = bytes.length - 4;
  if (length >= 2 ** 24) throw new RangeError(`${struct.name}: ${length} bytes do not fit a handshake message`);
  bytes[1] = length >>> 16;
  bytes[2] = (length >>> 8) & 0xff;
  bytes[3] = length & 0xff;
  return { bytes, fields: w.fields };
}

/** The msg_types of TLS 1.3 (§4): TLS 1.2's own are unknown to it. */
const TLS13_CODES = new Set(Object.keys(structs).map((type) => msgType(type as HandshakeMessage['type'])));

/** What a message's first bytes say it is, before reading it, in the version negotiated. */
function classify(bytes: Uint8Array, protocol: ProtocolName | undefined): HandshakeMessage['type'] {
  const code = bytes[0]!;
  if (protocol === 'TLSv1.2') {
    const tls12 = TLS12_MESSAGES.get(code);
    if (!tls12) fail('unexpected_message', `handshake message type ${code} does not exist in TLS 1.2`);
    return tls12.type;
  }
  const name = handshakeTypeName(code);
  // message_hash exists only inside the transcript (§4.4.1), never on the wire.
  if (name === undefined || name === 'message_hash' || !TLS13_CODES.has(code)) {
    fail('unexpected_message', `unknown handshake message type ${code}`);
  }
  // A ServerHello with the special random is a HelloRetryRequest (§4.1.3): random is at bytes 6..38.
  if (name === 'server_hello' && bytes.length >= 38 && isHelloRetryRequestRandom(bytes.subarray(6, 38))) {
    return 'hello_retry_request';
  }
  return name as HandshakeMessage['type'];
}

function readBody(r: Reader, type: HandshakeMessage['type'], message: Uint8Array, protocol: ProtocolName | undefined): HandshakeMessage {
  const tls12 = TLS12_MESSAGES_BY_TYPE.get(type);
  if (tls12?.read && (protocol === 'TLSv1.2' || type in tls12Only)) return tls12.read(r);
  switch (type) {
    case 'client_hello':
      return readClientHello(r);
    case 'server_hello':
      return readServerHello(r, message);
    case 'hello_retry_request':
      return readHelloRetryRequest(r);
    case 'encrypted_extensions':
      return readEncryptedExtensions(r);
    case 'certificate_request':
      return readCertificateRequest(r);
    case 'certificate':
      return readCertificate(r);
    case 'certificate_verify':
      return readCertificateVerify(r);
    case 'finished':
      return readFinished(r);
    case 'new_session_ticket':
      return readNewSessionTicket(r);
    case 'end_of_early_data':
      return { type: 'end_of_early_data' };
    case 'key_update':
      return readKeyUpdate(r);
    default:
      return fail('unexpected_message', `${type} is a TLS 1.2 message`);
  }
}

/**
 * Decodes one whole handshake message (4-byte header included), as the handshake
 * reassembler delivers it.
 *
 * Errors are `TlsError`s carrying the alert to send: `unexpected_message` for an
 * unknown msg_type, `decode_error` for a wrong length, a vector out of its bounds or
 * bytes left over, `illegal_parameter` for a value or extension the RFC forbids.
 * The returned message holds its own copy of the bytes it needs.
 *
 * @example
 * ```ts
 * import { decodeHandshakeMessage, fromHex, runScenario } from '@lucid-tls/tls/learn';
 * const serverHello = fromHex(runScenario('simple_1rtt').values.server_hello!); // RFC 8448 §3
 * const { message, fields } = decodeHandshakeMessage(serverHello, { annotate: true });
 * if (message.type === 'server_hello') console.log(message.cipherSuite.toString(16), message.extensions.map((e) => e.type).join(' ')); // → 1301 key_share supported_versions
 * console.log(fields.map((f) => f.name).join(' ')); // → msg_type length ServerHello
 * ```
 * @category Handshake messages
 */
export function decodeHandshakeMessage(
  bytes: Uint8Array,
  options: HandshakeCodecOptions = {},
): { message: HandshakeMessage; fields: Field[] } {
  if (bytes.length < 4) fail('decode_error', `handshake message: ${bytes.length} bytes, shorter than its header`);
  // One copy up front: the decoded message's byte fields are views into it, so they
  // stay valid when the caller reuses its buffer.
  const input = bytes.slice();
  const type = classify(input, options.protocol);
  const struct = structOf(type, options.protocol);
  const r = new Reader(input, struct.name, { annotate: options.annotate ?? false });
  const code = r.u8('msg_type');
  r.describe(msgTypeInfo(code));
  const length = r.u24('length', LENGTH_NOTE);
  if (length !== r.remaining) {
    fail('decode_error', `${struct.name}: length says ${length} bytes, the message has ${r.remaining}`);
  }
  const message = r.struct(struct.name, () => readBody(r, type, input, options.protocol), { rfc: struct.rfc });
  r.expectEnd();
  return { message, fields: r.fields };
}
