/** Host name and IP matching (RFC 6125), IP text forms, and name constraints (RFC 5280 §4.2.1.10). */
import { describe, expect, it } from 'vitest';
import { dnsNameMatches } from '../../src/x509/hostname.js';
import { formatIpAddress, parseIpAddress } from '../../src/x509/ip.js';
import { dnsWithin, withinSubtree } from '../../src/x509/name-constraints.js';
import { encodeName, namesEqual, readName } from '../../src/x509/name.js';
import { DerReader, der, Tag, encodeTlv } from '../../src/x509/der.js';
import { OID } from '../../src/x509/oid.js';
import { alertForX509Error, X509ErrorMessages } from '../../src/x509/errors.js';
import type { X509ErrorCode } from '../../src/x509/errors.js';
import { AlertDescription } from '../../src/alert.js';

describe('dnsNameMatches (RFC 6125 §6.4)', () => {
  const yes: [string, string][] = [
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com', 'EXAMPLE.com.'],
    ['example.com.', 'example.com'],
    ['*.example.com', 'www.example.com'],
    ['*.example.com', 'WWW.Example.com'],
    ['*.a.example.com', 'x.a.example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ];
  const no: [string, string][] = [
    ['example.com', 'www.example.com'],
    ['www.example.com', 'example.com'],
    ['*.example.com', 'example.com'], // a wildcard needs a label
    ['*.example.com', 'a.b.example.com'], // one label only
    ['*.com', 'example.com'], // not on a bare domain
    ['*', 'localhost'],
    ['w*.example.com', 'www.example.com'], // partial-label wildcard
    ['*w.example.com', 'www.example.com'],
    ['www.*.com', 'www.example.com'], // not left-most
    ['*.*.example.com', 'a.b.example.com'],
    ['example.com', 'example.com..'],
    ['exa mple.com', 'exa mple.com'],
    ['*.example.com', '*.example.com'], // the reference name is never a pattern
    ['bücher.example', 'bücher.example'], // U-labels are refused: compare A-labels
    ['', ''],
  ];
  it.each(yes)('%s matches %s', (pattern, host) => expect(dnsNameMatches(pattern, host)).toBe(true));
  it.each(no)('%s does not match %s', (pattern, host) => expect(dnsNameMatches(pattern, host)).toBe(false));
});

describe('IP addresses', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::', '20010db8000000000000000000000000'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['[2001:db8:0:0:1:0:0:1]', '20010db8000000000001000000000001'],
  ])('%s parses', (text, hex) => expect(Buffer.from(parseIpAddress(text)!).toString('hex')).toBe(hex));
  it.each(['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-4', 'example.com', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '12345::', ''])(
    '%s does not parse',
    (text) => expect(parseIpAddress(text)).toBeNull(),
  );
  it('formats IPv6 as RFC 5952 says', () => {
    const f = (t: string) => formatIpAddress(parseIpAddress(t)!);
    expect(f('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // the first of equal runs
    expect(f('2001:db8:1:1:1:1:0:1')).toBe('2001:db8:1:1:1:1:0:1'); // a single zero group stays
    expect(f('::')).toBe('::');
  });
});

describe('name constraints', () => {
  it('dNSName: whole labels added on the left', () => {
    expect(dnsWithin('example.com', 'example.com')).toBe(true);
    expect(dnsWithin('a.b.example.com', 'example.com')).toBe(true);
    expect(dnsWithin('*.example.com', 'example.com')).toBe(true);
    expect(dnsWithin('badexample.com', 'example.com')).toBe(false);
    expect(dnsWithin('example.com', 'a.example.com')).toBe(false);
    expect(dnsWithin('EXAMPLE.COM', 'example.com')).toBe(true);
    expect(dnsWithin('anything.org', '')).toBe(true);
    expect(dnsWithin('a.example.com', '.example.com')).toBe(true);
    expect(dnsWithin('example.com', '.example.com')).toBe(false);
  });
  const subtree = (base: Parameters<typeof withinSubtree>[1]['base']) => ({ base, minimum: 0 });
  it('iPAddress: the masked bits, same family only', () => {
    const net = subtree({ type: 'ip', value: '10.0.0.0/8', bytes: new Uint8Array([10, 0, 0, 0, 255, 0, 0, 0]) });
    expect(withinSubtree({ type: 'ip', value: '', bytes: new Uint8Array([10, 9, 8, 7]) }, net)).toBe(true);
    expect(withinSubtree({ type: 'ip', value: '', bytes: new Uint8Array([11, 0, 0, 1]) }, net)).toBe(false);
    expect(withinSubtree({ type: 'ip', value: '', bytes: parseIpAddress('::a00:1')! }, net)).toBe(false);
  });
  it('rfc822Name: mailbox, host or domain', () => {
    const email = (value: string) => ({ type: 'email' as const, value });
    expect(withinSubtree(email('a@example.com'), subtree(email('example.com')))).toBe(true);
    expect(withinSubtree(email('a@mail.example.com'), subtree(email('example.com')))).toBe(false);
    expect(withinSubtree(email('a@mail.example.com'), subtree(email('.example.com')))).toBe(true);
    expect(withinSubtree(email('a@example.com'), subtree(email('a@example.com')))).toBe(true);
    expect(withinSubtree(email('b@example.com'), subtree(email('a@example.com')))).toBe(false);
  });
  it('URI: by host', () => {
    const uri = (value: string) => ({ type: 'uri' as const, value });
    expect(withinSubtree(uri('https://user@www.example.com:8443/x'), subtree(uri('.example.com')))).toBe(true);
    expect(withinSubtree(uri('https://www.example.com/'), subtree(uri('example.com')))).toBe(false);
    expect(withinSubtree(uri('urn:isbn:123'), subtree(uri('example.com')))).toBe(false);
  });
  it('directoryName: RDN prefix', () => {
    const dn = (attrs: [string, string][]) => {
      const r = new DerReader(encodeName(attrs), 'Name');
      return readName(r, 'Name');
    };
    const base = dn([[OID.countryName, 'NZ'], [OID.organizationName, 'Example']]);
    const name = (d: ReturnType<typeof dn>) => ({ type: 'directoryName' as const, value: '', directoryName: d });
    expect(withinSubtree(name(dn([[OID.countryName, 'NZ'], [OID.organizationName, 'example'], [OID.commonName, 'x']])), subtree(name(base)))).toBe(true);
    expect(withinSubtree(name(dn([[OID.countryName, 'NZ'], [OID.organizationName, 'Other']])), subtree(name(base)))).toBe(false);
  });
});

describe('distinguished names', () => {
  it('compare ignoring case and runs of spaces, not attribute order across RDNs', () => {
    const read = (bytes: Uint8Array) => readName(new DerReader(bytes, 'Name'), 'Name');
    const a = read(encodeName([[OID.organizationName, 'Example  Org'], [OID.commonName, 'Root']]));
    const b = read(der.sequence(
      der.set(der.sequence(der.oid(OID.organizationName), encodeTlv(Tag.PrintableString, new TextEncoder().encode(' example org ')))),
      der.set(der.sequence(der.oid(OID.commonName), der.utf8String('ROOT'))),
    ));
    const c = read(encodeName([[OID.commonName, 'Root'], [OID.organizationName, 'Example Org']]));
    expect(namesEqual(a, b)).toBe(true);
    expect(namesEqual(a, c)).toBe(false);
  });
});

describe('alertForX509Error', () => {
  it('maps every code to a TLS 1.3 alert', () => {
    for (const code of Object.keys(X509ErrorMessages) as X509ErrorCode[]) expect(AlertDescription[alertForX509Error(code)]).toBeTypeOf('number');
    expect(alertForX509Error('expired')).toBe('certificate_expired');
    expect(alertForX509Error('unknown_issuer')).toBe('unknown_ca');
    expect(alertForX509Error('bad_signature')).toBe('bad_certificate');
    expect(alertForX509Error('unknown_critical_extension')).toBe('unsupported_certificate');
    expect(alertForX509Error('hostname_mismatch')).toBe('certificate_unknown');
  });
});
