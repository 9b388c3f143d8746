/**
 * The certificate (RFC 8555 §7.4.2, §7.6): downloaded with a POST-as-GET as
 * `application/pem-certificate-chain`, the end-entity certificate first and then the
 * certificates that chain it to a root. The server may offer other chains for the same
 * certificate (to other roots) in `Link: <…>;rel="alternate"` headers. Revocation sends
 * the certificate back, signed by the account, or by the certificate's own key.
 * @module
 */
import { X509Error, encodePem, parseCertificate, pemBlocks } from '@lucid-tls/tls/x509';
import { base64url } from './base64url.js';
import type { AcmeClient } from './client.js';
import { resourceUrl } from './directory.js';
import { linksWithRel } from './headers.js';
import type { AccountKey } from './jws.js';
import { clientError } from './problem.js';

/**
 * The most certificates accepted in one chain: a leaf and a few intermediates.
 *
 * @example
 * ```ts
 * import { MAX_CHAIN_LENGTH } from '@lucid-tls/acme';
 * console.log(MAX_CHAIN_LENGTH); // → 8
 * ```
 */
export const MAX_CHAIN_LENGTH = 8;

/**
 * A downloaded certificate chain.
 *
 * @example
 * ```ts
 * import { downloadCertificate, type AcmeClient, type CertificateChain } from '@lucid-tls/acme';
 * declare const client: AcmeClient;
 * const chain: CertificateChain = await downloadCertificate(client, 'https://acme.example/cert/1');
 * console.log(chain.chain.length, chain.alternates.length);
 * ```
 */
export interface CertificateChain {
  url: string;
  /** The chain as PEM, leaf first: what a server's `cert.pem` holds. */
  pem: string;
  /** The same certificates, DER, leaf first. */
  chain: Uint8Array[];
  /** The URLs of alternate chains for the same leaf (`Link: rel="alternate"`). */
  alternates: string[];
}

/**
 * Downloads a certificate chain (§7.4.2). Every certificate must parse, or the download
 * fails with `lucid-tls:malformedResponse`.
 *
 * @example
 * ```ts
 * import { downloadCertificate, type AcmeClient, type Order } from '@lucid-tls/acme';
 * declare const client: AcmeClient, order: Order;
 * const { pem, alternates } = await downloadCertificate(client, order.certificate!);
 * const others = await Promise.all(alternates.map((url) => downloadCertificate(client, url)));
 * console.log(pem.length, others.length);
 * ```
 */
export async function downloadCertificate(client: AcmeClient, url: string): Promise<CertificateChain> {
  const response = await client.postAsGet(url, 'application/pem-certificate-chain');
  const text = new TextDecoder().decode(response.body);
  let chain: Uint8Array[];
  try {
    chain = pemBlocks(text, 'CERTIFICATE');
    chain.forEach((der) => parseCertificate(der));
  } catch (e) {
    if (e instanceof X509Error) throw clientError('malformedResponse', `the certificate chain does not parse: ${e.message}`, { url });
    throw e;
  }
  if (chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) throw clientError('malformedResponse', `the chain has ${chain.length} certificates (1 to ${MAX_CHAIN_LENGTH} expected)`, { url });
  return { url, pem: chain.map((der) => encodePem('CERTIFICATE', der)).join(''), chain, alternates: linksWithRel(response.headers.link, 'alternate', url) };
}

/** Options of {@link revokeCertificate}. */
export interface RevokeOptions {
  /** A CRL reason code (RFC 5280 §5.3.1): 0 unspecified, 1 keyCompromise, 4 superseded, 5 cessationOfOperation… */
  reason?: number;
  /** Sign with the certificate's own key (a `jwk` request, §7.6) instead of the account's. */
  certificateKey?: AccountKey;
}

/**
 * Asks the CA to revoke a certificate (DER) (§7.6).
 *
 * @example
 * ```ts
 * import { revokeCertificate, type AcmeClient, type CertificateChain } from '@lucid-tls/acme';
 * declare const client: AcmeClient, issued: CertificateChain;
 * await revokeCertificate(client, issued.chain[0]!, { reason: 4 }); // superseded
 * ```
 */
export async function revokeCertificate(client: AcmeClient, certificate: Uint8Array, options: RevokeOptions = {}): Promise<void> {
  const { reason, certificateKey } = options;
  // RFC 5280 §5.3.1 codes run 0 to 10; 7 is unused.
  if (reason !== undefined && (!Number.isInteger(reason) || reason < 0 || reason > 10 || reason === 7)) throw new RangeError(`${reason} is not a CRL reason code (RFC 5280 §5.3.1)`);
  const url = resourceUrl(await client.directory(), 'revokeCert');
  const payload = { certificate: base64url(certificate), ...(reason === undefined ? {} : { reason }) };
  await client.post(url, payload, certificateKey === undefined ? {} : { signer: { key: certificateKey, jwk: true } });
  client.note('certificate revoked');
}
