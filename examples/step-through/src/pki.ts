/**
 * The certificates of the page's little world, made in the browser when it loads: a local
 * CA, a server certificate for {@link SERVER_NAME} (one per key type, made when first
 * asked for), and a client certificate. Client and server trust the CA, and nothing else.
 * @module
 */
import type { CertifiedKey } from '@lucid-tls/tls';
import { createCertificateAuthority, issueCertificate, TrustStore } from '@lucid-tls/tls/x509';
import type { CertificateAuthority, IssuedCertificate, IssuedKeyType } from '@lucid-tls/tls/x509';

/** The name the client connects to, and the server's certificate is for. */
export const SERVER_NAME = 'server.example';

/** The name in the client's certificate. */
export const CLIENT_NAME = 'client.example';

/** The CA, the store that trusts it, and the certificates it issued. */
export class Pki {
  readonly ca: CertificateAuthority;
  readonly trustStore: TrustStore;
  private readonly servers = new Map<IssuedKeyType, CertifiedKey>();
  private client: CertifiedKey | undefined;

  constructor() {
    this.ca = createCertificateAuthority({ commonName: 'Step-through demo CA', organization: 'Lucid TLS step-through' });
    this.trustStore = TrustStore.fromCertificates([this.ca.certificate]);
  }

  /** The server's certificate and key (the chain is the leaf alone: the client has the CA). */
  serverCertificate(keyType: IssuedKeyType): CertifiedKey {
    let key = this.servers.get(keyType);
    if (!key) {
      key = certifiedKey(issueCertificate(this.ca, { names: [SERVER_NAME], keyType }));
      this.servers.set(keyType, key);
    }
    return key;
  }

  /** The client's certificate (extendedKeyUsage clientAuth) and key: ECDSA P-256. */
  clientCertificate(): CertifiedKey {
    this.client ??= certifiedKey(issueCertificate(this.ca, { names: [CLIENT_NAME], client: true }));
    return this.client;
  }
}

function certifiedKey(issued: IssuedCertificate): CertifiedKey {
  return { chain: [issued.certificate.der], privateKey: issued.privateKey };
}
