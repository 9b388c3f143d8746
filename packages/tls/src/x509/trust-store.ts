/**
 * The trust store: the certificates whose keys we trust without proof, the "trust
 * anchors" of RFC 5280 §6.1.1(d). A chain is valid only if it ends at one of them.
 *
 * This module does no I/O: give it PEM text or certificates. {@link TrustStore.system}
 * reads the operating system's bundle through `system-store.ts`, the one file that
 * touches the file system.
 * @module
 */
import { equalBytes } from '../wire/bytes.js';
import { parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { X509Error } from './errors.js';
import { namesEqual } from './name.js';
import { decodePem } from './pem.js';
import { readSystemBundle } from './system-store.js';

/**
 * A set of trust anchors.
 *
 * @example
 * ```ts
 * import { TrustStore, createCertificateAuthority } from '@lucid-tls/tls/x509';
 * const ours = createCertificateAuthority();
 * const store = TrustStore.fromPem(ours.certPem); // or TrustStore.system(), or .add() certificates one by one
 * console.log(store.size, store.contains(ours.certificate)); // → 1 true
 * ```
 */
export class TrustStore {
  private readonly anchors: Certificate[] = [];

  /**
   * A store of every CERTIFICATE block in `pem` (a CA bundle). A malformed certificate
   * throws, unless `skipInvalid` is set (system bundles sometimes hold certificates
   * that stricter parsers refuse; one bad root should not lose all the others).
   */
  static fromPem(pem: string, options: { skipInvalid?: boolean } = {}): TrustStore {
    const store = new TrustStore();
    for (const block of decodePem(pem)) {
      if (block.label !== 'CERTIFICATE' && block.label !== 'TRUSTED CERTIFICATE') continue;
      try {
        store.add(parseCertificate(block.der));
      } catch (e) {
        if (!(options.skipInvalid && e instanceof X509Error)) throw e;
      }
    }
    return store;
  }

  /** A store of the given certificates. */
  static fromCertificates(certificates: Iterable<Certificate | Uint8Array>): TrustStore {
    const store = new TrustStore();
    for (const c of certificates) store.add(c);
    return store;
  }

  /**
   * The operating system's CA bundle (e.g. /etc/ssl/certs/ca-certificates.crt on Debian
   * and Ubuntu; see `SYSTEM_CA_BUNDLE_PATHS`), or an empty store when there is none.
   */
  static system(): TrustStore {
    const pem = readSystemBundle();
    return pem === null ? new TrustStore() : TrustStore.fromPem(pem, { skipInvalid: true });
  }

  /** Adds a trust anchor (a parsed certificate or its DER). Adding one twice has no effect. */
  add(certificate: Certificate | Uint8Array): this {
    const cert = certificate instanceof Uint8Array ? parseCertificate(certificate) : certificate;
    if (!this.contains(cert)) this.anchors.push(cert);
    return this;
  }

  /** The trust anchors, in the order added. */
  get certificates(): readonly Certificate[] {
    return this.anchors;
  }

  /** How many anchors the store holds. */
  get size(): number {
    return this.anchors.length;
  }

  /** Whether this exact certificate (byte for byte) is a trust anchor. */
  contains(cert: Certificate): boolean {
    return this.anchors.some((a) => equalBytes(a.der, cert.der));
  }

  /** The anchors whose subject is the issuer of `cert`: the candidates to have signed it. */
  issuersOf(cert: Certificate): Certificate[] {
    return this.anchors.filter((a) => namesEqual(a.subject, cert.issuer));
  }
}
