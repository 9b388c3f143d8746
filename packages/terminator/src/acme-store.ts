/**
 * What the terminator keeps of ACME across restarts, in `acme.dir` (`--acme-dir`):
 *
 * ```
 * DIR/account.key                  the account key (0600), made once: losing it loses the account
 * DIR/certificates/NAME/cert.pem   a certificate and its chain, NAME its first name
 * DIR/certificates/NAME/key.pem    its private key (0600), new at each renewal
 * DIR/certificates/NAME/order.json how it was obtained: the ACME server, the names, the URLs (no secrets)
 * ```
 *
 * Every file is written atomically (a temporary file, fsync, rename, fsync of the folder):
 * a crash leaves the old file or the new one, never half of one. The key is written before
 * the certificate, and a pair whose key does not match is not used; so a crash between the
 * two costs one order at the next start, never a broken certificate served.
 * @module
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asAccountKey, generateAccountKey, writeFileAtomic, type AccountKey, type ObtainedCertificate } from '@lucid-tls/acme';
import { parsePrivateKeyPem, privateKeyToPem } from '@lucid-tls/tls/x509';
import { certificateFromPem, type LoadedCertificate } from './certificates.js';

/**
 * A certificate of the ACME client's, as plain data: what a cluster's primary sends its
 * workers, and what each terminator serves for `names`.
 */
export interface ManagedCertificate {
  /** The names it was obtained for (the configured ones, in order). */
  names: string[];
  /** The certificate, then its chain (PEM). */
  certificatePem: string;
  /** Its private key (PKCS#8 PEM). */
  keyPem: string;
}

/** `order.json`: where a stored certificate came from. */
interface OrderRecord {
  directory: string;
  names: string[];
  order: string;
  certificate: string;
}

/** Why a stored certificate is not used (for the log), or the certificate itself. */
export type StoredCertificate = { certificate: ManagedCertificate; loaded: LoadedCertificate } | { missing: string };

/** The state of one ACME server's client, in one folder. */
export class AcmeStore {
  constructor(
    readonly dir: string,
    private readonly directoryUrl: string,
  ) {}

  /** Creates the folder (0700: it holds keys) if needed; throws if it cannot be written. */
  prepare(): void {
    try {
      mkdirSync(join(this.dir, 'certificates'), { recursive: true, mode: 0o700 });
      accessSync(this.dir, constants.W_OK);
    } catch (error) {
      throw new Error(`acme.dir (--acme-dir) ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  /** The account key, and whether it existed (then its account is looked up, not created). */
  accountKey(): { key: AccountKey; existed: boolean } {
    const path = join(this.dir, 'account.key');
    if (existsSync(path)) return { key: asAccountKey(parsePrivateKeyPem(readFileSync(path, 'utf8'))), existed: true };
    const key = generateAccountKey();
    // Saved before the account exists: an account whose key is lost can never be used again.
    writeFileAtomic(path, privateKeyToPem(key), 0o600);
    return { key, existed: false };
  }

  private folder(names: readonly string[]): string {
    // Names are checked DNS names (config.ts): letters, digits, dots and hyphens only.
    return join(this.dir, 'certificates', names[0]!);
  }

  /**
   * The stored certificate for `names`, if it can be served: from this ACME server, for
   * every one of the names, its key matching, and not expired at `now`.
   */
  load(names: readonly string[], now = new Date()): StoredCertificate {
    const folder = this.folder(names);
    let record: unknown;
    let certificate: ManagedCertificate;
    try {
      certificate = { names: [...names], certificatePem: readFileSync(join(folder, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(folder, 'key.pem'), 'utf8') };
      record = JSON.parse(readFileSync(join(folder, 'order.json'), 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { missing: code === 'ENOENT' ? 'none stored' : `the stored one is unreadable (${code ?? (error as Error).message})` };
    }
    const directory = typeof record === 'object' && record !== null ? (record as Partial<OrderRecord>).directory : undefined;
    if (typeof directory !== 'string') return { missing: 'the stored one has no order.json of ours' };
    if (directory !== this.directoryUrl) return { missing: `the stored one is from ${directory}` };
    let loaded: LoadedCertificate;
    try {
      loaded = certificateFromPem(certificate.certificatePem, certificate.keyPem, { cert: join(folder, 'cert.pem'), key: join(folder, 'key.pem') });
    } catch (error) {
      return { missing: `the stored one is unusable: ${(error as Error).message}` };
    }
    const absent = names.filter((name) => !loaded.names.includes(name));
    if (absent.length > 0) return { missing: `the stored one does not name ${absent.join(', ')}` };
    if (loaded.leaf.notAfter <= now) return { missing: `the stored one expired at ${loaded.leaf.notAfter.toISOString()}` };
    return { certificate, loaded };
  }

  /** Writes a certificate just obtained: key, certificate, then the record. */
  save(names: readonly string[], obtained: ObtainedCertificate): ManagedCertificate {
    const folder = this.folder(names);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileAtomic(join(folder, 'key.pem'), obtained.keyPem, 0o600);
    writeFileAtomic(join(folder, 'cert.pem'), obtained.certificatePem);
    const record: OrderRecord = { directory: this.directoryUrl, names: [...names], order: obtained.orderUrl, certificate: obtained.certificateUrl };
    writeFileAtomic(join(folder, 'order.json'), `${JSON.stringify(record, null, 2)}\n`);
    return { names: [...names], certificatePem: obtained.certificatePem, keyPem: obtained.keyPem };
  }
}
