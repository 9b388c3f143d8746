/**
 * The headers a TLS terminator adds so that the application behind it knows what it
 * cannot see: the client's address, that the request came over https, the host it asked
 * for, and (with mTLS) who the client is.
 *
 * - `X-Forwarded-Proto`, `X-Forwarded-For`, `X-Forwarded-Host`: the de facto standard.
 * - `Forwarded` (RFC 7239): the standard form, `for=…;host=…;proto=https`.
 * - `X-Forwarded-Client-Cert` (Envoy's format): `Hash=<hex SHA-256 of the DER>;Subject="<RFC 4514>"`.
 *
 * These headers are only worth anything if nobody else can write them. A client can send
 * any header it likes, so every copy a client sent is removed before ours are set,
 * unless the TCP peer is one of the configured trusted proxies (another load balancer in
 * front of this one), whose values are kept and appended to.
 * @module
 */
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { DistinguishedName } from '@lucid-tls/tls/x509';

/** The headers a client must not be able to set (lower case). */
export const FORWARDING_HEADERS: readonly string[] = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-client-cert'];

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are not
 * forwarded. `Expect` is answered here (see proxy.ts), so it does not go upstream either.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings']);

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** The peers whose forwarding headers are believed: IP addresses and CIDR ranges. */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
  }

  /** Whether `address` (as the socket reports it) is trusted. */
  has(address: string | undefined): boolean {
    if (this.empty || address === undefined) return false;
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

// ---- RFC 7239 ------------------------------------------------------------------------

/** RFC 7230 §3.2.6 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A quoted-string (RFC 7230 §3.2.6): backslash before `"` and `\`. */
export function quotedString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A Forwarded parameter value: a token as is, anything else quoted (RFC 7239 §4). */
export function forwardedValue(value: string): string {
  return TOKEN.test(value) ? value : quotedString(value);
}

/**
 * A node (`for=`) of RFC 7239 §6: an IPv4 address as is; an IPv6 address in brackets,
 * and therefore quoted (`for="[2001:db8::1]"`, §6 and the example in §4).
 */
export function forwardedNode(address: string): string {
  const a = normalizeAddress(address);
  return isIP(a) === 6 ? quotedString(`[${a}]`) : forwardedValue(a);
}

/** One forwarded-element: `for=192.0.2.60;host=example.com;proto=https`. */
export function forwardedElement(parts: { for: string; host?: string; proto: string }): string {
  const pairs = [`for=${forwardedNode(parts.for)}`];
  if (parts.host !== undefined) pairs.push(`host=${forwardedValue(parts.host)}`);
  pairs.push(`proto=${forwardedValue(parts.proto)}`);
  return pairs.join(';');
}

// ---- X-Forwarded-Client-Cert -----------------------------------------------------------

/** The attribute types RFC 4514 §3 gives short names; any other is written as its OID. */
const RFC4514_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** An attribute value escaped as RFC 4514 §2.4 requires. */
export function escapeRfc4514Value(value: string): string {
  let out = value.replace(/[\\"+,;<>]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1 && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The hex form of a value RFC 4514 §2.4 uses for types without a short name: `#` + its DER. */
function hexValue(value: string, tag: number): string {
  const bytes = Buffer.from(value, 'utf8');
  // Short-form lengths suffice for names; longer ones get the long form.
  const length = bytes.length < 128 ? Buffer.from([bytes.length]) : Buffer.from([0x82, bytes.length >> 8, bytes.length & 0xff]);
  return `#${Buffer.concat([Buffer.from([tag]), length, bytes]).toString('hex')}`;
}

/**
 * A distinguished name as RFC 4514 writes it: the most specific RDN first (the reverse
 * of the certificate's order), RDNs joined by `,`, attributes of one RDN by `+`.
 */
export function rfc4514Name(name: DistinguishedName): string {
  return [...name.rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => {
          const short = RFC4514_NAMES[a.oid];
          return short ? `${short}=${escapeRfc4514Value(a.value)}` : `${a.oid}=${hexValue(a.value, a.tag)}`;
        })
        .join('+'),
    )
    .join(',');
}

/** The identity of a verified client certificate, as it goes upstream. */
export interface ClientIdentity {
  /** The leaf's DER. */
  der: Uint8Array;
  subject: DistinguishedName;
}

/** One X-Forwarded-Client-Cert element in Envoy's format: `Hash=<hex>;Subject="<RFC 4514>"`. */
export function clientCertElement(identity: ClientIdentity): string {
  const hash = createHash('sha256').update(identity.der).digest('hex');
  return `Hash=${hash};Subject=${quotedString(rfc4514Name(identity.subject))}`;
}

// ---- The request headers going upstream ---------------------------------------------------

/** What is known about the client of one request. */
export interface ForwardingContext {
  /** The TCP peer's address. */
  peerAddress: string;
  /** The Host the client asked for (its Host header, else the SNI). */
  host: string | undefined;
  /** Whether the peer is a trusted proxy. */
  trustedPeer: boolean;
  /** The client's verified certificate, with mTLS. */
  clientIdentity?: ClientIdentity | undefined;
}

/**
 * The request headers to send upstream, as flat name/value pairs (Node's `rawHeaders`
 * shape, which keeps repeated headers and their order): hop-by-hop headers and the
 * headers the Connection header names are removed, forwarding headers from an untrusted
 * peer are removed, and ours are set (or, from a trusted peer, appended).
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], context: ForwardingContext): string[] {
  const connectionOptions = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      for (const option of rawHeaders[i + 1]!.split(',')) connectionOptions.add(option.trim().toLowerCase());
    }
  }
  const kept: string[] = [];
  const received = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionOptions.has(lower)) continue;
    if (FORWARDING_HEADERS.includes(lower)) {
      // Untrusted copies are dropped unseen; trusted ones are merged with ours below.
      if (context.trustedPeer) received.set(lower, [...(received.get(lower) ?? []), value]);
      continue;
    }
    kept.push(name, value);
  }

  const peer = normalizeAddress(context.peerAddress);
  const prior = (name: string) => (received.get(name) ?? []).join(', ');
  const appended = (name: string, ours: string) => (prior(name) ? `${prior(name)}, ${ours}` : ours);
  // A trusted proxy saw the original request: its proto and host are the truth; ours would be its.
  const proto = received.get('x-forwarded-proto')?.[0] ?? 'https';
  const host = received.get('x-forwarded-host')?.[0] ?? context.host;

  kept.push('X-Forwarded-For', appended('x-forwarded-for', peer));
  kept.push('X-Forwarded-Proto', proto);
  if (host !== undefined) kept.push('X-Forwarded-Host', host);
  kept.push('Forwarded', appended('forwarded', forwardedElement({ for: peer, proto: 'https', ...(context.host === undefined ? {} : { host: context.host }) })));
  if (context.clientIdentity) kept.push('X-Forwarded-Client-Cert', appended('x-forwarded-client-cert', clientCertElement(context.clientIdentity)));
  else if (prior('x-forwarded-client-cert')) kept.push('X-Forwarded-Client-Cert', prior('x-forwarded-client-cert'));
  return kept;
}

/** Response headers that describe the upstream connection, not the response (RFC 9110 §7.6.1). */
export function isHopByHopResponseHeader(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}
