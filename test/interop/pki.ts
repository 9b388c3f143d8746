/**
 * The interop suites' certificates, made at test time with the `openssl` command (so none
 * is committed that could expire): root → intermediate → leaves. Server leaves with ECDSA
 * P-256, Ed25519 and RSA-2048 keys (the RSA one signs CertificateVerify with RSA-PSS,
 * rsa_pss_rsae_*, RFC 8446 §4.2.3), a client leaf, and a second root nobody trusts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LeafKind = 'ecdsa' | 'ed25519' | 'rsa';

/** A certificate and its key, as files. */
export interface PkiFiles {
  /** The certificate alone. */
  cert: string;
  key: string;
  /** The certificate followed by its intermediate (what a server or client sends). */
  chain: string;
}

export interface InteropPki {
  dir: string;
  /** The trusted root (PEM). */
  rootFile: string;
  /** The intermediate CA certificate (PEM). */
  intermediateFile: string;
  /** Server certificates for localhost and 127.0.0.1, issued by the intermediate. */
  servers: Record<LeafKind, PkiFiles>;
  /** A client certificate (CN=lucid interop client), issued by the intermediate. */
  client: PkiFiles;
  /** Another root, which no server or client trusts, and a client certificate it issued. */
  rogueRootFile: string;
  rogueClient: PkiFiles;
  /** Removes the directory. */
  cleanup(): void;
}

const KEY_ARGS: Record<LeafKind, string[]> = {
  ecdsa: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ed25519: ['-algorithm', 'ED25519'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
};

/** Makes the PKI in a fresh temporary directory (about a second, most of it the RSA key). */
export function makePki(): InteropPki {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-interop-'));
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  const makeKey = (name: string, kind: LeafKind) => {
    openssl(['genpkey', ...KEY_ARGS[kind], '-out', file(`${name}.key`)]);
    return file(`${name}.key`);
  };
  /** `openssl req -x509` signed by `issuer` (or self-signed), valid for two days from now. */
  const makeCert = (name: string, cn: string, key: string, ext: string[], issuer?: { cert: string; key: string }) => {
    const config = ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', `CN = ${cn}`, '[ext]', ...ext].join('\n');
    writeFileSync(file(`${name}.cnf`), `${config}\n`);
    const args = ['req', '-x509', '-new', '-key', key, '-config', file(`${name}.cnf`), '-extensions', 'ext', '-days', '2', '-sha256', '-out', file(`${name}.pem`)];
    if (issuer) args.push('-CA', issuer.cert, '-CAkey', issuer.key);
    openssl(args);
    return file(`${name}.pem`);
  };
  const caExt = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'];
  const leafExt = (purpose: 'serverAuth' | 'clientAuth', san: string) => [
    'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature',
    `extendedKeyUsage = ${purpose}`,
    `subjectAltName = ${san}`,
  ];

  const rootKey = makeKey('root', 'ecdsa');
  const root = { cert: makeCert('root', 'Lucid Interop Root', rootKey, caExt), key: rootKey };
  const intKey = makeKey('intermediate', 'ecdsa');
  const intermediate = { cert: makeCert('intermediate', 'Lucid Interop Intermediate', intKey, ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign'], root), key: intKey };
  const intermediatePem = readFileSync(intermediate.cert, 'utf8');

  const leaf = (name: string, kind: LeafKind, cn: string, ext: string[], issuer = intermediate, issuerPem = intermediatePem): PkiFiles => {
    const key = makeKey(name, kind);
    const cert = makeCert(name, cn, key, ext, issuer);
    const chain = file(`${name}-chain.pem`);
    writeFileSync(chain, readFileSync(cert, 'utf8') + issuerPem);
    return { cert, key, chain };
  };
  const serverExt = leafExt('serverAuth', 'DNS:localhost, IP:127.0.0.1');
  const servers: Record<LeafKind, PkiFiles> = {
    ecdsa: leaf('server-ecdsa', 'ecdsa', 'localhost', serverExt),
    ed25519: leaf('server-ed25519', 'ed25519', 'localhost', serverExt),
    rsa: leaf('server-rsa', 'rsa', 'localhost', serverExt),
  };
  const client = leaf('client', 'ecdsa', 'lucid interop client', leafExt('clientAuth', 'email:client@lucid.test'));

  const rogueKey = makeKey('rogue-root', 'ecdsa');
  const rogueRoot = { cert: makeCert('rogue-root', 'Rogue Root', rogueKey, caExt), key: rogueKey };
  const rogueClient = leaf('rogue-client', 'ecdsa', 'rogue client', leafExt('clientAuth', 'email:rogue@lucid.test'), rogueRoot, readFileSync(rogueRoot.cert, 'utf8'));

  return {
    dir,
    rootFile: root.cert,
    intermediateFile: intermediate.cert,
    servers,
    client,
    rogueRootFile: rogueRoot.cert,
    rogueClient,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
