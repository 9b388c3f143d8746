/** Recognising literal IP addresses (for server_name, RFC 6066 §3, and certificate matching). @module */

/** Whether `s` is a literal IPv4 or IPv6 address. */
export function isIP(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}
