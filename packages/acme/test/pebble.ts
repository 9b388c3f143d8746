/**
 * Test helper: a real ACME server. Starts Pebble (Let's Encrypt's test CA, Debian's `pebble`
 * package) and pebble-challtestsrv (its mock DNS) on free ports, with a configuration made
 * here: Pebble's HTTPS certificate is issued at test time by a lucid-tls CA; its resolver is
 * the mock DNS, which answers 127.0.0.1 for every name (so `*.lucid.test` reaches the test's
 * challenge listeners) and nothing for AAAA; validation does not sleep (PEBBLE_VA_NOSLEEP);
 * Pebble's random rejection of 5% of good nonces stays on, so `badNonce` retries happen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** The CA of Pebble's own HTTPS certificate (what `--cafile` is given). */
  caFile: string;
  caPem: string;
  /** Where Pebble connects to validate http-01 and tls-alpn-01 (on the address the name resolves to). */
  httpPort: number;
  tlsPort: number;
  /** pebble-challtestsrv's management API (http). */
  dnsManagement: string;
  /** A dns-01 hook for the mock DNS: `hook add|remove NAME VALUE`. */
  dnsHook: string;
  /** A scratch directory, removed by stop(). */
  dir: string;
  /** The PEM of Pebble's root (index 0) or of an alternate root. */
  root(index?: number): Promise<string>;
  /** Pebble's record of a certificate (its Status: Valid or Revoked). */
  certificateStatus(serialHex: string): Promise<{ Status: string; Serial: string }>;
  /** Makes `host` resolve to these IPv4 addresses. */
  addA(host: string, addresses: string[]): Promise<void>;
  /** The variables the tutorial reads (LUCID_PEBBLE_*). */
  environment(): Record<string, string>;
  stop(): Promise<void>;
}

/** A port free on TCP (and UDP, with `udp`) on 127.0.0.1, found by binding port 0. */
async function freePort(udp = false): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!udp) return port;
    const socket = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    socket.close();
    if (ok) return port;
  }
}

function get(url: string, ca?: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method, ...(ca ? { ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, processes: ChildProcess[], logs: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (processes.some((p) => p.exitCode !== null)) break;
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start:\n${logs.map((f) => readFileSync(f, 'utf8')).join('\n')}`);
}

/**
 * `authzReuse`: the percentage of orders in which Pebble reuses an account's valid
 * authorization instead of asking for a challenge (Pebble's default is 50); 0 makes every
 * renewal prove control again.
 */
export async function startPebble(options: { alternateRoots?: number; authzReuse?: number } = {}): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-pebble-'));
  const [acmePort, managementPort, httpPort, tlsPort, dnsPort, dnsManagementPort] = [
    await freePort(), await freePort(), await freePort(), await freePort(), await freePort(true), await freePort(),
  ];
  const ca = createCertificateAuthority({ commonName: 'Pebble test HTTPS CA (made by the test)' });
  const https = issueCertificate(ca, { names: ['localhost', '127.0.0.1'] });
  const caFile = join(dir, 'pebble-https-ca.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(join(dir, 'https-cert.pem'), https.certPem);
  writeFileSync(join(dir, 'https-key.pem'), https.keyPem);
  writeFileSync(
    join(dir, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'https-cert.pem'),
        privateKey: join(dir, 'https-key.pem'),
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const dnsManagement = `http://127.0.0.1:${dnsManagementPort}`;
  const dnsHook = join(dir, 'dns-hook.sh');
  writeFileSync(
    dnsHook,
    `#!/bin/sh
# dns-01 hook for pebble-challtestsrv (made by the test): $0 add|remove NAME VALUE
case "$1" in
  add) exec curl -sSf -X POST -d "{\\"host\\":\\"$2.\\",\\"value\\":\\"$3\\"}" ${dnsManagement}/set-txt ;;
  remove) exec curl -sSf -X POST -d "{\\"host\\":\\"$2.\\"}" ${dnsManagement}/clear-txt ;;
  *) echo "usage: $0 add|remove NAME VALUE" >&2; exit 2 ;;
esac
`,
    { mode: 0o755 },
  );

  const logs = [join(dir, 'challtestsrv.log'), join(dir, 'pebble.log')];
  const start = (command: string, args: string[], log: string, env: Record<string, string> = {}) => {
    const out = openSync(log, 'w');
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
    closeSync(out);
    return child;
  };
  const challtestsrv = start(
    'pebble-challtestsrv',
    ['-http01', '', '-https01', '', '-tlsalpn01', '', '-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${dnsManagementPort}`, '-defaultIPv6', ''],
    logs[0]!,
  );
  const pebble = start('pebble', ['-config', join(dir, 'pebble-config.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], logs[1]!, {
    PEBBLE_VA_NOSLEEP: '1',
    ...(options.alternateRoots ? { PEBBLE_ALTERNATE_ROOTS: String(options.alternateRoots) } : {}),
    ...(options.authzReuse !== undefined ? { PEBBLE_AUTHZREUSE: String(options.authzReuse) } : {}),
  });
  const processes = [challtestsrv, pebble];
  const directory = `https://localhost:${acmePort}/dir`;
  const management = `https://localhost:${managementPort}`;
  try {
    await waitFor('pebble-challtestsrv', async () => (await get(`${dnsManagement}/set-default-ipv4`, undefined, 'POST', '{"ip":"127.0.0.1"}')).status === 200, processes, logs);
    await waitFor('pebble', async () => (await get(directory, ca.certPem)).status === 200 && (await get(`${management}/roots/0`, ca.certPem)).status === 200, processes, logs);
  } catch (e) {
    for (const p of processes) p.kill();
    throw e;
  }

  return {
    directory,
    caFile,
    caPem: ca.certPem,
    httpPort,
    tlsPort,
    dnsManagement,
    dnsHook,
    dir,
    async root(index = 0) {
      const response = await get(`${management}/roots/${index}`, ca.certPem);
      if (response.status !== 200) throw new Error(`no root ${index}: ${response.status}`);
      return response.body;
    },
    async certificateStatus(serialHex) {
      // Pebble prints serial numbers as numbers: no leading zeros.
      const response = await get(`${management}/cert-status-by-serial/${serialHex.replace(/^0+/, '')}`, ca.certPem);
      return JSON.parse(response.body) as { Status: string; Serial: string };
    },
    async addA(host, addresses) {
      const response = await get(`${dnsManagement}/add-a`, undefined, 'POST', JSON.stringify({ host, addresses }));
      if (response.status !== 200) throw new Error(`add-a: ${response.status}`);
    },
    environment: () => ({
      LUCID_PEBBLE_DIRECTORY: directory,
      LUCID_PEBBLE_CA_FILE: caFile,
      LUCID_PEBBLE_MANAGEMENT: management,
      LUCID_PEBBLE_HTTP_PORT: String(httpPort),
      LUCID_PEBBLE_TLS_PORT: String(tlsPort),
      LUCID_PEBBLE_DNS_HOOK: dnsHook,
    }),
    async stop() {
      await Promise.all(processes.map((p) => (p.exitCode !== null ? undefined : new Promise((resolve) => (p.once('exit', resolve), p.kill())))));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
