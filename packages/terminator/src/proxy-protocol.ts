/**
 * The PROXY protocol (HAProxy's, versions 1 and 2): a layer-4 load balancer in front of
 * the terminator opens each TCP connection with a header saying whom the connection is
 * really from, since the terminator's own peer is the load balancer. Sections cited (§)
 * are those of the specification, "The PROXY protocol, Versions 1 & 2" (HAProxy's
 * `doc/proxy-protocol.txt`, https://github.com/haproxy/haproxy/blob/master/doc/proxy-protocol.txt).
 *
 * ```
 * v1: PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n                       (text, ≤ 107 bytes)
 * v2: \r\n\r\n\0\r\nQUIT\n | ver_cmd | fam | len | addresses | TLVs         (binary, 16 + len bytes)
 * ```
 *
 * The receiver is configured to expect the header and never guesses (§2, §5): with
 * `proxyProtocol` on, every connection must begin with a valid one, and only peers in
 * `trustedProxies` may send it. Anything else closes that connection and nothing else.
 * @module
 */
import { isIP, type Socket } from 'node:net';

/** The longest version 1 line the receiver must accept, CRLF included (§2.1, the "worst case"). */
export const PROXY_V1_MAX_LENGTH = 107;

/**
 * The most address and TLV bytes accepted after a version 2 header's fixed 16 bytes.
 * The `len` field allows 65535 (§2.2), but the addresses take at most 216 bytes and a
 * header is meant to fit in one 536-byte segment (§2); the rest is TLVs, a few short
 * strings in practice (ALPN, SNI, a unique id of ≤ 128 bytes, §2.2.1–2.2.5). This leaves
 * room for them while bounding what a connection may make us buffer before TLS.
 */
export const PROXY_V2_MAX_PAYLOAD = 2048;

/**
 * How long the header may take to arrive. §2: the receiver "may apply a short timeout
 * and decide to abort the connection if the protocol header is not seen within a few
 * seconds (at least 3 seconds to cover a TCP retransmit)".
 */
export const PROXY_HEADER_TIMEOUT_MS = 5000;

/** The version 2 signature: 12 bytes no other protocol starts with (§2.2). */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The version 1 prefix, "PROXY " (§2.1). */
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** signature, ver_cmd, fam, len (§2.2). */
const V2_FIXED_LENGTH = 16;

/** An address and port. */
export interface ProxyEndpoint {
  address: string;
  port: number;
}

/** One TLV of a version 2 header (§2.2): its type and value. */
export interface ProxyTlv {
  type: number;
  value: Uint8Array;
}

/**
 * A header, parsed. `source` and `destination` are the original connection's endpoints;
 * they are absent when the connection's own endpoints are to be used: a v2 LOCAL command
 * (the load balancer's own health check, §2.2), v1 `UNKNOWN` (§2.1), or an address family
 * or transport this receiver does not take (UNSPEC, UNIX, DGRAM), which §2.2 lets it
 * treat as UNSPEC.
 */
export interface ProxyHeader {
  version: 1 | 2;
  /** `local`: a v2 LOCAL connection, made by the load balancer itself (health checks). */
  command: 'proxy' | 'local';
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  /** Version 2 TLVs, in order (CRC32C already checked, §2.2.3); empty for version 1. */
  tlvs: ProxyTlv[];
}

/** Why a connection's header was refused. */
export type ProxyProtocolFailure = 'malformed' | 'timeout' | 'closed';

/** A connection that did not open with a valid header: it is closed. */
export class ProxyProtocolError extends Error {
  override name = 'ProxyProtocolError';
  constructor(
    readonly reason: ProxyProtocolFailure,
    message: string,
  ) {
    super(message);
  }
}

const malformed = (message: string) => new ProxyProtocolError('malformed', message);

/**
 * Parses the header at the start of `bytes`: the header and its length in bytes, or
 * undefined when more bytes are needed to decide. Throws a {@link ProxyProtocolError}
 * as soon as the bytes cannot begin a valid header (§2.1: abort "as soon as possible").
 *
 * @example
 * ```ts
 * const line = Buffer.from('PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\nGET /');
 * parseProxyHeader(line); // → { header: { version: 1, command: 'proxy', source: { address: '203.0.113.7', port: 51234 }, … }, length: 45 }
 * parseProxyHeader(line.subarray(0, 20)); // → undefined (more bytes needed)
 * ```
 */
export function parseProxyHeader(bytes: Uint8Array): { header: ProxyHeader; length: number } | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsLike(data, V2_SIGNATURE)) return data.length < V2_SIGNATURE.length ? undefined : parseV2(data);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? undefined : parseV1(data);
  // §2.2: "otherwise the protocol is not covered by this specification and the connection must be dropped".
  throw malformed('the connection does not begin with a PROXY protocol header');
}

/** Whether `data` and `prefix` agree on their common length. */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

// ---- Version 1 (§2.1) -----------------------------------------------------------------

/** A decimal number without leading zeros (§2.1 forbids them: they could be read as octal). */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function parseV1(data: Buffer): { header: ProxyHeader; length: number } | undefined {
  const window = data.subarray(0, PROXY_V1_MAX_LENGTH);
  // The line ends at the first CR or LF, which must be a CRLF: a lone CR or LF is refused (§2.1).
  const end = window.findIndex((b) => b === 0x0d || b === 0x0a);
  if (end >= 0 && (window[end] === 0x0a || (end + 1 < window.length && window[end + 1] !== 0x0a))) throw malformed('a v1 header line must end with CRLF');
  if (end < 0 || end === window.length - 1) {
    if (data.length >= PROXY_V1_MAX_LENGTH) throw malformed(`no CRLF in the first ${PROXY_V1_MAX_LENGTH} bytes of a v1 header`);
    return undefined; // no CR yet, or a CR whose LF has not arrived
  }
  const line = window.subarray(0, end);
  if (line.some((b) => b < 0x20 || b > 0x7e)) throw malformed('a v1 header is printable US-ASCII');
  const fields = line.toString('latin1').split(' ');
  const length = end + 2;
  // "UNKNOWN": the rest of the line is ignored and the connection's own endpoints used.
  if (fields[1] === 'UNKNOWN') return { header: { version: 1, command: 'proxy', tlvs: [] }, length };
  if (fields[1] !== 'TCP4' && fields[1] !== 'TCP6') throw malformed('a v1 header names TCP4, TCP6 or UNKNOWN');
  // Exactly one space between fields: an empty field means two in a row.
  if (fields.length !== 6 || fields.some((f) => f === '')) throw malformed('a v1 header has six fields separated by single spaces');
  const [, protocol, source, destination, sourcePort, destinationPort] = fields as [string, string, string, string, string, string];
  const address = protocol === 'TCP4' ? v1Ipv4 : v1Ipv6;
  return {
    header: {
      version: 1,
      command: 'proxy',
      source: { address: address(source), port: v1Port(sourcePort) },
      destination: { address: address(destination), port: v1Port(destinationPort) },
      tlvs: [],
    },
    length,
  };
}

/** Four decimal numbers 0..255 without leading zeros (§2.1). */
function v1Ipv4(text: string): string {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => DECIMAL.test(p) && Number(p) <= 255)) throw malformed('a TCP4 address is four decimal numbers 0..255');
  return text;
}

/** Groups of hexadecimal digits and colons, one `::` at most, 128 bits in all (§2.1). */
function v1Ipv6(text: string): string {
  if (!/^[0-9A-Fa-f:]+$/.test(text) || isIP(text) !== 6) throw malformed('a TCP6 address is an IPv6 address in hexadecimal groups');
  return text.toLowerCase();
}

function v1Port(text: string): number {
  if (!DECIMAL.test(text) || text.length > 5 || Number(text) > 65535) throw malformed('a port is a decimal number 0..65535');
  return Number(text);
}

// ---- Version 2 (§2.2) -----------------------------------------------------------------

const COMMAND_LOCAL = 0x0;
const COMMAND_PROXY = 0x1;
const FAMILY_INET = 0x1;
const FAMILY_INET6 = 0x2;
const TRANSPORT_STREAM = 0x1;
/** The address block's length for each family (§2.2): UNSPEC, INET, INET6, UNIX. */
const ADDRESS_LENGTHS = [0, 12, 36, 216];
const PP2_TYPE_CRC32C = 0x03;

function parseV2(data: Buffer): { header: ProxyHeader; length: number } | undefined {
  if (data.length < V2_FIXED_LENGTH) return checkV2Start(data);
  checkV2Start(data);
  const payloadLength = data.readUInt16BE(14);
  if (payloadLength > PROXY_V2_MAX_PAYLOAD) throw malformed(`a v2 header of ${payloadLength} bytes after its first 16 (at most ${PROXY_V2_MAX_PAYLOAD} accepted)`);
  const length = V2_FIXED_LENGTH + payloadLength;
  // §2.2: "The receiver must not start to parse an address before the whole address block is received."
  if (data.length < length) return undefined;
  const header = data.subarray(0, length);
  const command = header[12]! & 0x0f;
  // LOCAL: "discard the protocol block including the family which is ignored", and use the real endpoints.
  if (command === COMMAND_LOCAL) return { header: { version: 2, command: 'local', tlvs: [] }, length };
  const family = header[13]! >> 4;
  const transport = header[13]! & 0x0f;
  const addressLength = ADDRESS_LENGTHS[family]!;
  if (payloadLength < addressLength) throw malformed(`a v2 address block of ${payloadLength} bytes, where the family needs ${addressLength}`);
  const tlvs = parseTlvs(header, V2_FIXED_LENGTH + addressLength);
  const result: ProxyHeader = { version: 2, command: 'proxy', tlvs };
  // TCP over IPv4 or IPv6; any other valid combination falls back to UNSPEC (§2.2).
  if ((family === FAMILY_INET || family === FAMILY_INET6) && transport === TRANSPORT_STREAM) {
    const size = family === FAMILY_INET ? 4 : 16;
    const at = V2_FIXED_LENGTH;
    result.source = { address: formatAddress(header.subarray(at, at + size)), port: header.readUInt16BE(at + 2 * size) };
    result.destination = { address: formatAddress(header.subarray(at + size, at + 2 * size)), port: header.readUInt16BE(at + 2 * size + 2) };
  }
  return { header: result, length };
}

/**
 * Checks the version, command, family and transport as soon as their bytes are in, so a
 * bad header is refused without waiting for the rest (§2.2: these values "must be
 * rejected as invalid by receivers", connections with other commands dropped).
 */
function checkV2Start(data: Buffer): undefined {
  if (data.length <= 12) return undefined;
  const command = data[12]! & 0x0f;
  if (data[12]! >> 4 !== 0x2) throw malformed('a v2 header must say version 2');
  if (command !== COMMAND_LOCAL && command !== COMMAND_PROXY) throw malformed('a v2 command is LOCAL or PROXY');
  // A LOCAL command's family "is ignored"; a PROXY command's must be one of those defined.
  if (command === COMMAND_PROXY && data.length > 13 && (data[13]! >> 4 > 0x3 || (data[13]! & 0x0f) > 0x2)) {
    throw malformed('a v2 family is UNSPEC, INET, INET6 or UNIX and its transport UNSPEC, STREAM or DGRAM');
  }
  return undefined;
}

/**
 * The TLVs after the addresses (§2.2): type, a 2-byte length, the value. They must tile
 * the rest of the header exactly; a CRC32C TLV is checked (§2.2.3), the others are kept
 * for whoever wants them and otherwise ignored.
 */
function parseTlvs(header: Buffer, from: number): ProxyTlv[] {
  const tlvs: ProxyTlv[] = [];
  let at = from;
  while (at < header.length) {
    if (header.length - at < 3) throw malformed('a v2 TLV cut short in its type or length');
    const type = header[at]!;
    const length = header.readUInt16BE(at + 1);
    if (at + 3 + length > header.length) throw malformed('a v2 TLV longer than the header');
    if (type === PP2_TYPE_CRC32C) checkCrc32c(header, at, length);
    tlvs.push({ type, value: Uint8Array.from(header.subarray(at + 3, at + 3 + length)) });
    at += 3 + length;
  }
  return tlvs;
}

/** §2.2.3: the CRC32c of the whole header, computed with the checksum's own 4 bytes as zeros. */
function checkCrc32c(header: Buffer, tlvAt: number, length: number): void {
  if (length !== 4) throw malformed('a v2 CRC32C TLV holds 4 bytes');
  const received = header.readUInt32BE(tlvAt + 3);
  const zeroed = Buffer.from(header);
  zeroed.writeUInt32BE(0, tlvAt + 3);
  if (crc32c(zeroed) !== received) throw malformed('the v2 header fails its CRC32C check');
}

/** CRC32c (Castagnoli, RFC 4960 appendix B), reflected, as the specification requires (§2.2.3). */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** An address as text: dotted IPv4, or IPv6 with its longest run of zero groups as `::` (RFC 5952 §4.2). */
function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // An IPv4-mapped address keeps its IPv4 part dotted (RFC 5952 §5).
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${bytes.subarray(12).join('.')}`;
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

// ---- Reading it from a connection ------------------------------------------------------

/**
 * Reads the header a connection begins with. Resolves with it once complete, leaving
 * every byte after it in the socket to be read next (the TLS ClientHello). Rejects
 * with a {@link ProxyProtocolError} when the bytes are not a valid header, when the
 * connection ends first, or after `timeoutMs`; the caller then closes the connection.
 * At most {@link PROXY_V1_MAX_LENGTH} or 16 + {@link PROXY_V2_MAX_PAYLOAD} bytes (plus
 * whatever arrived with them) are buffered.
 */
export function readProxyHeader(socket: Socket, timeoutMs = PROXY_HEADER_TIMEOUT_MS): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const stop = () => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const fail = (error: ProxyProtocolError) => {
      stop();
      reject(error);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      let parsed;
      try {
        parsed = parseProxyHeader(received);
      } catch (error) {
        return fail(error as ProxyProtocolError);
      }
      if (!parsed) return;
      stop();
      // What followed the header is the next reader's (the TLS socket's), in order.
      if (parsed.length < received.length) socket.unshift(received.subarray(parsed.length));
      resolve(parsed.header);
    };
    const onEnd = () => fail(new ProxyProtocolError('closed', 'the connection ended before a complete PROXY protocol header'));
    const timer = setTimeout(() => fail(new ProxyProtocolError('timeout', `no complete PROXY protocol header within ${timeoutMs} ms`)), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}
