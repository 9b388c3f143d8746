/**
 * Reading the PEM files the `client` and `server` commands are given: a certificate chain
 * and its key (PKCS#8, SEC1 or PKCS#1), and CA bundles. Errors name the file.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { CertifiedKey } from '../handshake/config.js';
import { parsePrivateKeyPem } from '../x509/keys.js';
import { pemBlocks } from '../x509/pem.js';
import { TrustStore } from '../x509/trust-store.js';

/** The text of a file, with an error that names the option it came from. */
export function readTextFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--${option} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The bytes of a file, with an error that names the option it came from. */
export function readBinaryFile(path: string, option: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`--${option} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * A certificate chain and its key: `certFile` holds the leaf, optionally followed by its
 * chain (the order RFC 8446 §4.4.2 sends them in); `chainFile` adds more certificates after it.
 */
export function certifiedKeyFromFiles(certFile: string, keyFile: string, chainFile?: string): CertifiedKey {
  const chain = pemBlocks(readTextFile(certFile, 'cert'), 'CERTIFICATE');
  if (chain.length === 0) throw new Error(`--cert ${certFile}: no CERTIFICATE in the file`);
  if (chainFile !== undefined) {
    const more = pemBlocks(readTextFile(chainFile, 'chain'), 'CERTIFICATE');
    if (more.length === 0) throw new Error(`--chain ${chainFile}: no CERTIFICATE in the file`);
    chain.push(...more);
  }
  let privateKey;
  try {
    privateKey = parsePrivateKeyPem(readTextFile(keyFile, 'key'));
  } catch (e) {
    throw new Error(`--key ${keyFile}: ${(e as Error).message}`);
  }
  return { chain, privateKey };
}

/** A trust store of the certificates in a PEM bundle. */
export function trustStoreFromFile(file: string, option: string): TrustStore {
  const store = TrustStore.fromPem(readTextFile(file, option));
  if (store.size === 0) throw new Error(`--${option} ${file}: no CERTIFICATE in the file`);
  return store;
}
