/**
 * PEM, the text form of DER (RFC 7468): base64 between `-----BEGIN LABEL-----` and
 * `-----END LABEL-----` lines. The label says what the bytes are: `CERTIFICATE`,
 * `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1), `RSA PRIVATE KEY` (PKCS#1)…
 * Text outside the blocks is ignored, as RFC 7468 §2 allows (bundles often carry
 * comments between certificates).
 * @module
 */
import { x509Fail } from './errors.js';

/**
 * One PEM block: its label and the DER bytes it holds.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, decodePem, type PemBlock } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const blocks: PemBlock[] = decodePem(ca.keyPem + ca.certPem);
 * console.log(blocks.map((b) => `${b.label} (${b.der.length > 0 ? 'DER' : 'empty'})`).join(', ')); // → PRIVATE KEY (DER), CERTIFICATE (DER)
 * ```
 */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const beginLine = /^-----BEGIN ([A-Z0-9 ]*)-----$/;
const endLine = /^-----END ([A-Z0-9 ]*)-----$/;

/**
 * Every PEM block in `text`, in order. Throws `pem_malformed` on a broken block.
 *
 * @example
 * ```ts
 * import { decodePem, encodePem } from '@lucid-tls/tls/x509';
 * const text = encodePem('CERTIFICATE', Uint8Array.of(0x30, 0x00)) + encodePem('PRIVATE KEY', Uint8Array.of(0x30, 0x00));
 * console.log(decodePem(text).map((b) => b.label).join(', ')); // → CERTIFICATE, PRIVATE KEY
 * ```
 */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const begin = beginLine.exec(lines[i]!.trim());
    if (!begin) continue;
    const label = begin[1]!;
    let body = '';
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!.trim();
      const end = endLine.exec(line);
      if (end) {
        if (end[1] !== label) x509Fail('pem_malformed', `BEGIN ${label} closed by END ${end[1]}`);
        break;
      }
      if (line.startsWith('-----')) x509Fail('pem_malformed', `unexpected line "${line}" inside ${label}`);
      // RFC 1421-style headers ("Proc-Type: 4,ENCRYPTED") mean an encrypted legacy key.
      if (line.includes(':')) x509Fail('pem_malformed', `${label} has headers (an encrypted key?), which are not supported`);
      body += line;
    }
    if (j === lines.length) x509Fail('pem_malformed', `BEGIN ${label} has no END line`);
    blocks.push({ label, der: decodeBase64(body, label) });
    i = j;
  }
  return blocks;
}

/**
 * The DER of every block labelled `label` (e.g. all certificates of a bundle).
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, pemBlocks } from '@lucid-tls/tls/x509';
 * const ca = createCertificateAuthority();
 * const [der] = pemBlocks(ca.certPem + ca.keyPem, 'CERTIFICATE');
 * console.log(der![0]!.toString(16)); // → 30
 * ```
 */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  return decodePem(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
}

/**
 * PEM text for `der` under `label`, in 64-character lines (RFC 7468 §2).
 *
 * @example
 * ```ts
 * import { encodePem } from '@lucid-tls/tls/x509';
 * console.log(encodePem('CERTIFICATE', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)).trim().split('\n').join(' | ')); // → -----BEGIN CERTIFICATE----- | MAMCAQU= | -----END CERTIFICATE-----
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  let binary = '';
  for (const b of der) binary += String.fromCharCode(b);
  const base64 = btoa(binary);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}

function decodeBase64(text: string, label: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    x509Fail('pem_malformed', `${label} body is not valid base64`);
  }
  const binary = atob(clean);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
