/**
 * The server's certificates: read from their PEM files, chosen per connection by the
 * name the client asked for (SNI, RFC 6066 §3) against each leaf's subjectAltNames, and
 * read again on SIGHUP or when a file changes. A reload replaces the set only when every
 * file reads and every key matches its certificate, so a half-written update leaves the
 * old set serving; connections already open keep the certificate they were made with.
 * @module
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CertifiedKey } from '@lucid-tls/tls';
import {
  TrustStore,
  encodePublicKeyInfo,
  matchesHostname,
  matchesIpAddress,
  parseCertificate,
  parsePrivateKeyPem,
  pemBlocks,
  publicKeyFromPrivateKey,
  type Certificate,
} from '@lucid-tls/tls/x509';
import type { CertificateFiles } from './config.js';

/** One certificate, loaded. */
export interface LoadedCertificate {
  files: CertificateFiles;
  /** The chain and key, as the TLS engine takes them. */
  certified: CertifiedKey;
  leaf: Certificate;
  /** The leaf's DNS and IP subjectAltNames, for logs. */
  names: string[];
}

/** Reads and checks one certificate chain and its key. */
export function loadCertificate(files: CertificateFiles): LoadedCertificate {
  const chain = pemBlocks(readFileSync(files.cert, 'utf8'), 'CERTIFICATE');
  if (chain.length === 0) throw new Error(`${files.cert}: no CERTIFICATE block`);
  const privateKey = parsePrivateKeyPem(readFileSync(files.key, 'utf8'));
  const leaf = parseCertificate(chain[0]!);
  // A key that does not match its certificate would fail every handshake: refuse it here.
  const fromKey = encodePublicKeyInfo(publicKeyFromPrivateKey(privateKey));
  const fromCert = leaf.publicKey ? encodePublicKeyInfo(leaf.publicKey) : undefined;
  if (!fromCert || Buffer.compare(Buffer.from(fromKey), Buffer.from(fromCert)) !== 0) {
    throw new Error(`${files.key} is not the key of ${files.cert}`);
  }
  const names = (leaf.subjectAltNames ?? []).filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value);
  return { files, certified: { chain, privateKey }, leaf, names };
}

/** Reads a bundle of CA certificates (PEM). */
export function loadTrustStore(file: string): TrustStore {
  const store = TrustStore.fromPem(readFileSync(file, 'utf8'));
  if (store.size === 0) throw new Error(`${file}: no CERTIFICATE block`);
  return store;
}

/**
 * The certificates in use, and the client CAs when mTLS is on. {@link choose} is what
 * each handshake calls; {@link reload} swaps in a fresh set.
 */
export class CertificateStore {
  private certificates: LoadedCertificate[];
  private clientCas: TrustStore | undefined;

  constructor(
    private readonly files: readonly CertificateFiles[],
    private readonly clientCaFile?: string,
  ) {
    this.certificates = files.map(loadCertificate);
    this.clientCas = clientCaFile === undefined ? undefined : loadTrustStore(clientCaFile);
  }

  /** The certificates now served, the default first. */
  get current(): readonly LoadedCertificate[] {
    return this.certificates;
  }

  /** The CAs client certificates are checked against (undefined without mTLS). */
  get clientTrustStore(): TrustStore | undefined {
    return this.clientCas;
  }

  /**
   * The certificate for a server_name: the first whose SANs match it (wildcards as RFC
   * 6125 allows), else the first one. Clients send no SNI for IP addresses (RFC 6066 §3),
   * so an IP is matched against iPAddress SANs in case one is given.
   */
  choose(serverName: string | undefined): CertifiedKey {
    const all = this.certificates;
    if (serverName !== undefined && all.length > 1) {
      const match = all.find((c) => matchesHostname(c.leaf, serverName) || matchesIpAddress(c.leaf, serverName));
      if (match) return match.certified;
    }
    return all[0]!.certified;
  }

  /** Reads every file again; on any failure throws and keeps serving the previous set. */
  reload(): void {
    const certificates = this.files.map(loadCertificate);
    const clientCas = this.clientCaFile === undefined ? undefined : loadTrustStore(this.clientCaFile);
    this.certificates = certificates;
    this.clientCas = clientCas;
  }

  /**
   * Calls `onChange` (debounced) when one of the files changes. The folders are watched,
   * not the files: tools replace certificates by renaming a new file over the old one
   * (certbot, Kubernetes secrets), which a watch on the old file would miss.
   * Returns a function that stops watching.
   */
  watch(onChange: () => void, debounceMs = 200): () => void {
    const paths = [...this.files.flatMap((f) => [f.cert, f.key]), ...(this.clientCaFile ? [this.clientCaFile] : [])];
    const byFolder = new Map<string, Set<string>>();
    for (const path of paths) {
      const names = byFolder.get(dirname(path)) ?? new Set<string>();
      names.add(basename(path));
      byFolder.set(dirname(path), names);
    }
    let timer: NodeJS.Timeout | undefined;
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
      timer.unref();
    };
    const watchers: FSWatcher[] = [];
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, filename) => {
          if (filename === null || names.has(basename(filename.toString()))) fire();
        });
        watcher.on('error', () => watcher.close());
        watchers.push(watcher);
      } catch {
        // A folder that cannot be watched (gone, or out of inotify watches): SIGHUP still works.
      }
    }
    return () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }
}
