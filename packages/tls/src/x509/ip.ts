/**
 * IP addresses as text and as the 4 or 16 bytes a certificate holds in an iPAddress
 * name (RFC 5280 §4.2.1.6).
 * @module
 */

/**
 * The bytes of an IPv4 (`192.0.2.1`, 4 bytes) or IPv6 (`2001:db8::1`, 16 bytes)
 * address, or null when `text` is not one. IPv4 parts are plain decimals without
 * leading zeros (so `010.0.0.1`, which some parsers read as octal, is refused).
 *
 * @example
 * ```ts
 * import { parseIpAddress } from '@lucid-tls/tls/x509';
 * console.log(parseIpAddress('192.0.2.1')); // → Uint8Array(4) [ 192, 0, 2, 1 ]
 * console.log(parseIpAddress('::1')?.length, parseIpAddress('example.com')); // → 16 null
 * ```
 */
export function parseIpAddress(text: string): Uint8Array | null {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  // Strip brackets as in URLs ("[::1]"); zone identifiers ("%eth0") have no place in a certificate.
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (s.includes('%')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        // An embedded IPv4 address at the end ("::ffff:192.0.2.1") fills two groups.
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * The text of a 4- or 16-byte address: dotted IPv4, or IPv6 in RFC 5952's canonical form.
 *
 * @example
 * ```ts
 * import { formatIpAddress, parseIpAddress } from '@lucid-tls/tls/x509';
 * console.log(formatIpAddress(parseIpAddress('2001:db8:0:0:0:0:0:1')!)); // → 2001:db8::1
 * ```
 */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952 §4.2: "::" replaces the longest run of two or more zero groups (the first if tied).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * An iPAddress name constraint (RFC 5280 §4.2.1.10): an address followed by a mask of
 * the same length, shown as CIDR (`10.0.0.0/8`) when the mask is a prefix.
 */
export function formatIpConstraint(bytes: Uint8Array): string {
  const half = bytes.length / 2;
  const address = formatIpAddress(bytes.subarray(0, half));
  const mask = bytes.subarray(half);
  let prefix = 0;
  let contiguous = true;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if (b & (1 << bit)) {
        if (!contiguous) return `${address}/${formatIpAddress(mask)}`;
        prefix++;
      } else contiguous = false;
    }
  }
  return `${address}/${prefix}`;
}
