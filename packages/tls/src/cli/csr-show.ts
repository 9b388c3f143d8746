/**
 * `lucid-tls x509 show` on a certificate signing request (PKCS#10, RFC 2986): a file of PEM
 * `CERTIFICATE REQUEST` blocks, or one DER request.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseCsr, parseCsrsPem } from '../x509/csr.js';
import type { CertificationRequest } from '../x509/csr.js';
import { csrToJson, explainCsr } from '../x509/describe.js';

/** The requests in the file, or undefined when it holds none (then it is read as certificates). */
export function readCsrs(path: string): CertificationRequest[] | undefined {
  const bytes = new Uint8Array(readFileSync(path));
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN')) {
    const csrs = parseCsrsPem(text);
    return csrs.length > 0 ? csrs : undefined;
  }
  try {
    return [parseCsr(bytes)];
  } catch {
    return undefined; // not a request: the certificate reader says what is wrong with it
  }
}

/** Prints the requests, explained or as JSON; returns the exit status. */
export function showCsrs(csrs: CertificationRequest[], json: boolean): number {
  if (json) {
    const objects = csrs.map(csrToJson);
    process.stdout.write(JSON.stringify(objects.length === 1 ? objects[0] : objects, null, 2) + '\n');
  } else {
    process.stdout.write(csrs.map(explainCsr).join('\n'));
  }
  return 0;
}
