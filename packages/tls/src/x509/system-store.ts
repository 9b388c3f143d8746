/**
 * Reading the operating system's CA bundle: the only part of the X.509 module that
 * does I/O (the TLS engine itself is sans-IO).
 * @module
 */
import { readFileSync } from 'node:fs';

/**
 * Where Linux distributions and BSDs keep the PEM bundle of trusted roots, in the order tried.
 *
 * @example
 * ```ts
 * import { SYSTEM_CA_BUNDLE_PATHS } from '@lucid-tls/tls/x509';
 * console.log(SYSTEM_CA_BUNDLE_PATHS.includes('/etc/ssl/certs/ca-certificates.crt')); // → true
 * ```
 */
export const SYSTEM_CA_BUNDLE_PATHS: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL, CentOS
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS (an export of the keychain's roots), OpenBSD, Alpine
];

/**
 * The text of the first system CA bundle found, or null when there is none. The
 * `SSL_CERT_FILE` environment variable, honoured by OpenSSL, overrides the list.
 *
 * @example
 * ```ts
 * import { TrustStore, readSystemBundle } from '@lucid-tls/tls/x509';
 * const pem = readSystemBundle(); // null on a system without a bundle
 * const roots = pem === null ? new TrustStore() : TrustStore.fromPem(pem, { skipInvalid: true });
 * console.log(roots.size >= 0); // → true
 * ```
 */
export function readSystemBundle(paths: readonly string[] = SYSTEM_CA_BUNDLE_PATHS): string | null {
  const override = typeof process !== 'undefined' ? process.env['SSL_CERT_FILE'] : undefined;
  for (const path of override ? [override, ...paths] : paths) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // not there: try the next one
    }
  }
  return null;
}
