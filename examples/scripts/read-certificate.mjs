#!/usr/bin/env node
// Reads an X.509 certificate (RFC 5280) and explains what is in it.
//
//   node read-certificate.mjs FILE [--json]
//
// FILE is PEM (one or more "-----BEGIN CERTIFICATE-----" blocks, e.g. a chain or the CA
// file https-server.mjs writes) or a single DER certificate. For each certificate it
// prints the subject (whom the key belongs to), the issuer (who signed it), the validity
// window, the subjectAltNames (the names a TLS client checks), the public key, every
// extension, and the SHA-256 fingerprint, each with a line on why it matters.
// With --json it prints the same facts as JSON instead.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { X509Error, certificateToJson, explainCertificate, parseCertificate, parseCertificatesPem } from '@lucid-tls/tls/x509';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'boolean', default: false } },
});
if (positionals.length !== 1) {
  console.error('usage: node read-certificate.mjs FILE [--json]');
  process.exit(2);
}

const bytes = readFileSync(positionals[0]);
const text = bytes.toString('latin1');
// PEM is base64 between BEGIN/END lines; anything else we take for raw DER.
let certificates;
try {
  certificates = text.includes('-----BEGIN') ? parseCertificatesPem(text) : [parseCertificate(new Uint8Array(bytes))];
} catch (error) {
  // Malformed input is an X509Error with a stable code (der_malformed, pem_malformed, ...).
  if (!(error instanceof X509Error)) throw error;
  console.error(`${positionals[0]}: ${error.message}`);
  process.exit(1);
}
if (certificates.length === 0) {
  console.error(`${positionals[0]}: no CERTIFICATE block found`);
  process.exit(1);
}

if (values.json) {
  console.log(JSON.stringify(certificates.map(certificateToJson), null, 2));
} else {
  certificates.forEach((certificate, i) => {
    if (certificates.length > 1) console.log(`#${i + 1} of ${certificates.length}`);
    // explainCertificate: one line per field, each followed by a short "why".
    console.log(explainCertificate(certificate));
  });
}
