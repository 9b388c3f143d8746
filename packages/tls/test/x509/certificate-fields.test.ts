/**
 * A certificate as annotated fields (the trace's inline view): the fields tile the DER
 * exactly and say what each part means; bytes that are not a certificate give a note and
 * no fields, never an exception; and a traced Certificate message carries the view under
 * each cert_data, its leaves still tiling the message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { insecureSkipVerify } from '../../src/connection/verifiers.js';
import { rfc8448Inputs } from '../../src/rfc8448/inputs.js';
import type { MessageEvent, TraceEvent } from '../../src/trace/events.js';
import { fromHex } from '../../src/wire/bytes.js';
import { certificateFields } from '../../src/x509/certificate-fields.js';
import { createCertificateAuthority, issueCertificate } from '../../src/x509/issue.js';
import { findField, leaves } from '../handshake/leaves.js';
import { checkLeavesTile } from '../connection/harness/trace-log.js';

const rfcCertificate = fromHex(rfc8448Inputs.scenarios.simple_1rtt.serverCertificate);

describe('certificateFields', () => {
  it('tiles RFC 8448’s certificate with its parts, each explained', () => {
    const view = certificateFields(rfcCertificate);
    expect(view.value).toBe('CN=rsa, issued by CN=rsa');
    const parts = leaves(view.children!, rfcCertificate.length);
    expect(parts.map((f) => f.name)).toEqual([
      'header', 'header', 'version', 'serialNumber', 'signature', 'issuer', 'header', 'notBefore', 'notAfter', 'subject',
      'subjectPublicKeyInfo', 'header', 'header', 'basicConstraints', 'keyUsage', 'signatureAlgorithm', 'signatureValue',
    ]);
    const value = (name: string) => findField(view.children!, name)?.value;
    expect([value('version'), value('issuer'), value('subject'), value('notAfter'), value('subjectPublicKeyInfo')]).toEqual(['v3', 'CN=rsa', 'CN=rsa', '2026-07-30T01:23:59.000Z', 'RSA 1024']);
    expect([value('basicConstraints'), value('keyUsage'), value('signatureAlgorithm'), value('extensions')]).toEqual(['not a CA', 'digitalSignature, keyEncipherment', 'sha256WithRSAEncryption', '2 extensions']);
    expect(findField(view.children!, 'signatureValue')?.note).toMatch(/self-signed/);
  });

  it('shows the names a certificate is for, and who issued it', () => {
    const ca = createCertificateAuthority({ commonName: 'Example CA', organization: 'Example' });
    const { certificate } = issueCertificate(ca, { names: ['example.com', '192.0.2.7'] });
    const view = certificateFields(certificate.der);
    leaves(view.children!, certificate.der.length);
    expect(findField(view.children!, 'subjectAltName')?.value).toBe('dns:example.com, ip:192.0.2.7');
    expect(findField(view.children!, 'extKeyUsage')?.value).toBe('serverAuth');
    expect(findField(view.children!, 'issuer')?.value).toBe('O=Example, CN=Example CA');
    expect(findField(view.children!, 'signatureValue')?.note).toMatch(/^The issuer’s signature over tbsCertificate/);
    // A CA's key is described as one.
    expect(findField(certificateFields(ca.certificate.der).children!, 'subjectPublicKeyInfo')?.note).toMatch(/^The CA’s key/);
  });

  it('says why bytes are not a certificate, and gives no fields', () => {
    const truncated = rfcCertificate.subarray(0, 100);
    const bad = [new Uint8Array(0), Uint8Array.of(0x30, 0x00), Uint8Array.of(0x30, 0x80, 0x00, 0x00), truncated, Uint8Array.of(0x02, 0x01, 0x05)];
    for (const bytes of bad) {
      const view = certificateFields(bytes);
      expect(view.children).toBeUndefined();
      expect(view.note).toMatch(/^Not an X\.509 certificate: /);
    }
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(rfcCertificate.length), fc.nat(255), (random, at, byte) => {
        certificateFields(random);
        const flipped = rfcCertificate.slice();
        flipped[at] = byte;
        const view = certificateFields(flipped);
        if (view.children) leaves(view.children, flipped.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a traced Certificate message', () => {
  it('carries the certificate’s fields under cert_data, tiling the message, on both sides', () => {
    const events: TraceEvent[] = [];
    const ca = createCertificateAuthority();
    const leaf = issueCertificate(ca, { names: ['localhost'] });
    const client = new ClientConnection({ serverName: 'localhost', verifyServerCertificate: insecureSkipVerify, trace: (e) => events.push(e) });
    const server = new ServerConnection({ certificate: { chain: [leaf.certificate.der, ca.certificate.der], privateKey: leaf.privateKey }, trace: (e) => events.push(e) });
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
    const certificates = events.filter((e): e is MessageEvent => e.kind === 'message' && e.type === 'Certificate');
    expect(certificates.map((e) => `${e.side} ${e.direction}`)).toEqual(['server sent', 'client received']);
    for (const message of certificates) {
      checkLeavesTile(message.fields, message.hex);
      const summaries: string[] = [];
      const walk = (fields: typeof message.fields) => fields.forEach((f) => (f.name === 'data' && f.rfc === 'RFC 5280 §4.1' ? summaries.push(f.value!) : f.children && walk(f.children)));
      walk(message.fields);
      expect(summaries).toEqual(['O=Lucid TLS development certificate, CN=localhost, issued by O=Lucid TLS development CA, CN=Lucid TLS local CA', 'O=Lucid TLS development CA, CN=Lucid TLS local CA, issued by O=Lucid TLS development CA, CN=Lucid TLS local CA']);
    }
  });
});
