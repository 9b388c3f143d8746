/**
 * The server's certificates: read from their PEM files, chosen per connection by the
 * name the client asked for (SNI, RFC 6066 §3) against each leaf's subjectAltNames, and
 * read again on SIGHUP or when a file changes. A reload replaces the set only when every
 * file reads and every key matches its certificate, so a half-written update leaves the
 * old set serving; connections already open keep the certificate they were made with.
 *
 * With ACME, the store also holds the certificates the ACME client obtained (each swapped
 * in whole when renewed, for the next handshakes), and the tls-alpn-01 challenge
 * certificates, which answer exactly the handshakes that negotiated ALPN `acme-tls/1`
 * (RFC 8737 §3). A name whose certificate has not been obtained yet is refused with an
 * `unrecognized_name` alert (RFC 6066 §3) rather than shown another name's certificate.
 * @module
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ChallengeResponses, withTlsAlpn01 } from '@lucid-tls/acme';
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
  return certificateFromPem(readFileSync(files.cert, 'utf8'), readFileSync(files.key, 'utf8'), files);
}

/** Checks one certificate chain and its key, given as PEM; `files` names them in errors. */
export function certificateFromPem(certPem: string, keyPem: string, files: CertificateFiles): LoadedCertificate {
  const chain = pemBlocks(certPem, 'CERTIFICATE');
  if (chain.length === 0) throw new Error(`${files.cert}: no CERTIFICATE block`);
  const privateKey = parsePrivateKeyPem(keyPem);
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
  /** The ACME client's certificates, by their first name; absent until obtained. */
  private readonly managed = new Map<string, LoadedCertificate>();
  /** Every name the ACME client gets certificates for. */
  private readonly managedNames: Set<string>;
  /** What each handshake calls: tls-alpn-01 challenge certificates first, then ours. */
  readonly chooser: (serverName: string | undefined, hello: { alpnProtocol?: string }) => CertifiedKey | undefined;

  /**
   * `managedNames`: the names of the ACME client's certificates (config `acme`);
   * `challenges`: the answers to ACME challenges, served on our listeners (the redirect
   * one answers http-01 from them).
   */
  constructor(
    private readonly files: readonly CertificateFiles[],
    private readonly clientCaFile?: string,
    managedNames: readonly string[] = [],
    readonly challenges: ChallengeResponses = new ChallengeResponses(),
  ) {
    this.certificates = files.map(loadCertificate);
    this.clientCas = clientCaFile === undefined ? undefined : loadTrustStore(clientCaFile);
    this.managedNames = new Set(managedNames);
    this.chooser = withTlsAlpn01(challenges, (serverName) => this.choose(serverName));
  }

  /** The certificates now served, the default first: those of files, then the ACME client's. */
  get current(): readonly LoadedCertificate[] {
    return this.managed.size === 0 ? this.certificates : [...this.certificates, ...this.managed.values()];
  }

  /**
   * Serves a certificate of the ACME client's for its names from the next handshake on,
   * in place of the one it had (connections already open keep theirs). Throws, changing
   * nothing, when the key does not match the certificate.
   */
  setManaged(certificate: { names: string[]; certificatePem: string; keyPem: string }): LoadedCertificate {
    const label = `the ACME certificate for ${certificate.names.join(', ')}`;
    const loaded = certificateFromPem(certificate.certificatePem, certificate.keyPem, { cert: label, key: `the key of ${label}` });
    this.managed.set(certificate.names[0]!, loaded);
    return loaded;
  }

  /** The CAs client certificates are checked against (undefined without mTLS). */
  get clientTrustStore(): TrustStore | undefined {
    return this.clientCas;
  }

  /**
   * The certificate for a server_name: the first whose SANs match it (wildcards as RFC
   * 6125 allows), else the first one. Clients send no SNI for IP addresses (RFC 6066 §3),
   * so an IP is matched against iPAddress SANs in case one is given. Undefined (the
   * handshake fails with `unrecognized_name`) for a name the ACME client has not got a
   * certificate for yet, and when there is no certificate at all.
   */
  choose(serverName: string | undefined): CertifiedKey | undefined {
    const all = this.current;
    if (serverName !== undefined && (all.length > 1 || this.managedNames.size > 0)) {
      const match = all.find((c) => matchesHostname(c.leaf, serverName) || matchesIpAddress(c.leaf, serverName));
      if (match) return match.certified;
      if (this.managedNames.has(serverName.toLowerCase())) return undefined;
    }
    return all[0]?.certified;
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
