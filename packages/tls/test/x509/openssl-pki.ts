/**
 * Test helper: builds certificate chains with the `openssl` command in a temporary
 * directory, and runs `openssl verify` on them, so the validator can be compared with
 * OpenSSL on chains neither side made up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemBlocks } from '../../src/x509/pem.js';

/** Key types; the last three are ones TLS refuses in a leaf ('webpki' profile). */
export type KeyType = 'ec' | 'p384' | 'ed25519' | 'rsa' | 'rsa1024' | 'p192' | 'dsa';

/** A certificate made by openssl: its files and DER. */
export interface Issued {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly pem: string;
  readonly der: Uint8Array;
}

export interface CertSpec {
  /** Subject CN (also the file name stem, unless `file` is given; must be unique in the workspace). */
  cn: string;
  /** A file name stem, for two certificates with the same CN. */
  file?: string;
  /** The issuer; absent for a self-signed certificate. */
  issuer?: Issued;
  /** Reuse a key file (to make a second certificate for the same key). */
  keyPath?: string;
  keyType?: KeyType;
  days?: number;
  /** Lines of the extension section, e.g. `basicConstraints = critical,CA:TRUE`. */
  ext: string[];
  /** Digest for the signature (not for Ed25519 issuers). */
  md?: 'sha256' | 'sha384' | 'sha512' | null;
  /** -sigopt values, e.g. `rsa_padding_mode:pss`. */
  sigopts?: string[];
  /** The serial number, as `-set_serial` takes it (decimal, or hex with 0x). */
  serial?: string;
}

export interface OpensslVerifyResult {
  ok: boolean;
  /** The X509_V_ERR numbers printed, in order. */
  errors: number[];
  output: string;
}

/** A temporary directory where openssl makes keys and certificates. */
export class OpensslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'lucid-x509-'));
  private keyCount = 0;
  private readonly keyTypes = new Map<string, KeyType>();

  run(args: string[]): string {
    return execFileSync('openssl', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  write(file: string, text: string): string {
    writeFileSync(this.path(file), text);
    return this.path(file);
  }

  /** A fresh private key file (PKCS#8 PEM). */
  key(type: KeyType = 'ec'): string {
    const file = this.path(`key${this.keyCount++}.pem`);
    const args =
      type === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : type === 'p384' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']
      : type === 'p192' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-192']
      : type === 'ed25519' ? ['-algorithm', 'ED25519']
      : type === 'rsa1024' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']
      : type === 'dsa' ? ['-paramfile', this.dsaParameters()]
      : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
    this.run(['genpkey', ...args, '-out', file]);
    this.keyTypes.set(file, type);
    return file;
  }

  /** DSA domain parameters (1024 bits: quick to make; any DSA key is refused in a 'webpki' leaf). */
  private dsaParameters(): string {
    const file = this.path('dsa-params.pem');
    this.run(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', file]);
    return file;
  }

  /** A self-signed v1 certificate (no extensions), made with `openssl x509 -req`. */
  v1Root(cn: string): Issued {
    const stem = cn.replace(/[^A-Za-z0-9]+/g, '_');
    const keyPath = this.key('ec');
    const csrPath = this.path(`${stem}.csr`);
    const certPath = this.path(`${stem}.pem`);
    this.run(['req', '-new', '-key', keyPath, '-subj', `/CN=${cn}`, '-out', csrPath]);
    this.run(['x509', '-req', '-in', csrPath, '-signkey', keyPath, '-days', '3650', '-sha256', '-out', certPath]);
    const pem = readFileSync(certPath, 'utf8');
    return { name: cn, certPath, keyPath, pem, der: pemBlocks(pem, 'CERTIFICATE')[0]! };
  }

  /** Makes a certificate with `openssl req -x509` (signed by `spec.issuer`, or self-signed). */
  cert(spec: CertSpec): Issued {
    const stem = (spec.file ?? spec.cn).replace(/[^A-Za-z0-9]+/g, '_');
    const keyPath = spec.keyPath ?? this.key(spec.keyType);
    const config = [
      '[req]', 'distinguished_name = dn', 'prompt = no',
      '[dn]', `CN = ${spec.cn}`,
      '[ext]', ...spec.ext,
    ].join('\n');
    const configPath = this.write(`${stem}.cnf`, config + '\n');
    const certPath = this.path(`${stem}.pem`);
    const issuerKeyIsEd25519 = this.keyTypes.get(spec.issuer?.keyPath ?? keyPath) === 'ed25519';
    const md = spec.md === undefined ? (issuerKeyIsEd25519 ? null : 'sha256') : spec.md;
    const args = ['req', '-x509', '-new', '-key', keyPath, '-config', configPath, '-extensions', 'ext', '-days', String(spec.days ?? 3650), '-out', certPath];
    if (md) args.push(`-${md}`);
    if (spec.issuer) args.push('-CA', spec.issuer.certPath, '-CAkey', spec.issuer.keyPath);
    for (const opt of spec.sigopts ?? []) args.push('-sigopt', opt);
    if (spec.serial !== undefined) args.push('-set_serial', spec.serial);
    this.run(args);
    const pem = readFileSync(certPath, 'utf8');
    return { name: spec.cn, certPath, keyPath, pem, der: pemBlocks(pem, 'CERTIFICATE')[0]! };
  }

  /** A copy of `cert` with the last byte of its signature changed. */
  corruptSignature(cert: Issued): Issued {
    const der = cert.der.slice();
    der[der.length - 1]! ^= 0x01;
    const pem = toPem(der);
    const certPath = this.write(`${cert.name.replace(/[^A-Za-z0-9]+/g, '_')}-corrupt.pem`, pem);
    return { ...cert, certPath, pem, der };
  }

  /** Writes certificates into one PEM bundle. */
  bundle(file: string, certs: Issued[]): string {
    return this.write(file, certs.map((c) => c.pem).join(''));
  }

  /** Runs `openssl verify`. */
  verify(options: {
    caFile: string;
    untrusted?: string;
    leaf: string;
    purpose?: 'server' | 'client';
    hostname?: string;
    ip?: string;
    at?: Date;
    verifyDepth?: number;
    /** `-x509_strict`: OpenSSL's checks of the RFC 5280 certificate profile. */
    strict?: boolean;
  }): OpensslVerifyResult {
    const args = ['verify', '-CAfile', options.caFile];
    if (options.strict) args.push('-x509_strict');
    if (options.untrusted) args.push('-untrusted', options.untrusted);
    args.push('-purpose', options.purpose === 'client' ? 'sslclient' : 'sslserver');
    if (options.hostname) args.push('-verify_hostname', options.hostname);
    if (options.ip) args.push('-verify_ip', options.ip);
    if (options.at) args.push('-attime', String(Math.floor(options.at.getTime() / 1000)));
    if (options.verifyDepth !== undefined) args.push('-verify_depth', String(options.verifyDepth));
    args.push(options.leaf);
    const result = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    const errors = [...output.matchAll(/error (\d+) at \d+ depth lookup/g)].map((m) => Number(m[1]));
    return { ok: result.status === 0 && /: OK\s*$/m.test(result.stdout), errors, output };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Extension lines for the usual roles. */
export const EXT = {
  root: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'],
  intermediate: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'],
  server: (san = 'DNS:example.com, IP:127.0.0.1') => [
    'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${san}`,
  ],
};
