// The engine with RFC 5280 validation: a chain issued by our own CA, checked against a
// trust store for the server name (and for client certificates, the client purpose).
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { verifyWithTrustStore } from '../../src/connection/verifiers.js';
import { createCertificateAuthority, issueCertificate } from '../../src/x509/issue.js';
import { pemBlocks } from '../../src/x509/pem.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { pump } from './harness/pair.js';

const der = (pem: string) => pemBlocks(pem, 'CERTIFICATE')[0]!;
const ca = createCertificateAuthority();
const otherCa = createCertificateAuthority({ commonName: 'Someone else' });
const leaf = issueCertificate(ca, { names: ['example.test', '127.0.0.1'] });
const clientLeaf = issueCertificate(ca, { names: ['alice'], client: true });
const store = TrustStore.fromPem(ca.certPem);

function connect(serverName: string, trust: TrustStore, clientCert = false) {
  const client = new ClientConnection({
    serverName,
    verifyServerCertificate: verifyWithTrustStore(trust),
    ...(clientCert ? { certificate: { chain: [der(clientLeaf.certPem)], privateKey: clientLeaf.privateKey } } : {}),
  });
  const server = new ServerConnection({
    certificate: { chain: [der(leaf.certPem)], privateKey: leaf.privateKey },
    clientAuth: clientCert ? 'required' : 'none',
    verifyClientCertificate: verifyWithTrustStore(store),
  });
  return { client, server };
}

describe('verifyWithTrustStore', () => {
  it('accepts a chain to a trusted CA for a DNS name and an IP SAN', () => {
    for (const name of ['example.test', '127.0.0.1']) {
      const { client, server } = connect(name, store);
      pump(client, server);
      expect(client.handshakeComplete).toBe(true);
    }
  });

  it('rejects a wrong host name with certificate_unknown, and an unknown CA with unknown_ca', () => {
    for (const [name, trust, alert] of [
      ['other.test', store, 'certificate_unknown'],
      ['example.test', TrustStore.fromPem(otherCa.certPem), 'unknown_ca'],
    ] as const) {
      const { client, server } = connect(name, trust);
      let error: unknown;
      try {
        pump(client, server);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TlsError);
      expect((error as TlsError).alert).toBe(alert);
      expect(client.handshakeComplete).toBe(false);
    }
  });

  it('validates client certificates for the client purpose', () => {
    const { client, server } = connect('example.test', store, true);
    pump(client, server);
    expect(server.handshakeComplete).toBe(true);
    expect(server.info.peerCertificates).toHaveLength(1);
  });
});
