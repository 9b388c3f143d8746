/**
 * Getting a certificate, the whole way (RFC 8555 §7.4, §7.5, §8): order it, prove control
 * of each domain, finalize with a CSR for a fresh key, download the chain.
 *
 * The challenges are answered in phases, as §8.2 advises ("Clients SHOULD NOT respond to
 * challenges until they believe that the server's queries will succeed"): every challenge
 * is provisioned first, then all are announced, then all awaited, and only when every
 * authorization has been decided is anything deprovisioned. Two authorizations that share a
 * TXT record name (`example.com` and `*.example.com`) cannot pull it from under each other.
 * @module
 */
import type { PrivateKey } from '@lucid-tls/tls';
import { createCsr, encodePublicKeyInfo, generatePrivateKey, parseCertificate, privateKeyToPem, publicKeyFromPrivateKey, type Certificate } from '@lucid-tls/tls/x509';
import { fetchAuthorization, respondToChallenge, waitForAuthorization, type Authorization } from './authorization.js';
import { downloadCertificate } from './certificate.js';
import type { AcmeClient } from './client.js';
import { keyAuthorization, type ChallengeResponder, type ChallengeTask, type ChallengeType } from './challenges/responder.js';
import { finalizeOrder, newOrder, waitForOrder } from './order.js';
import { AcmeError, clientError } from './problem.js';

/** What {@link obtainCertificate} needs. */
export interface ObtainOptions {
  /** The names the certificate is for (dns identifiers; `*.example.com` needs dns-01). */
  domains: string[];
  /** The challenge type to answer. */
  challenge: ChallengeType;
  /** Who makes the challenges answerable. */
  responder: ChallengeResponder;
  /** The certificate's key; a fresh P-256 key by default (a renewal should not reuse the old one). */
  certificateKey?: PrivateKey;
}

/**
 * A certificate obtained: what a server needs to serve it.
 *
 * @example
 * ```ts
 * import { obtainCertificate, type AcmeClient, type ChallengeResponses, type ObtainedCertificate } from '@lucid-tls/acme';
 * declare const client: AcmeClient, responses: ChallengeResponses;
 * const obtained: ObtainedCertificate = await obtainCertificate(client, { domains: ['example.com'], challenge: 'http-01', responder: responses });
 * console.log(obtained.certificate.notAfter, obtained.alternateChains.length);
 * ```
 */
export interface ObtainedCertificate {
  /** The end-entity certificate, parsed. */
  certificate: Certificate;
  /** The chain, DER, leaf first. */
  chain: Uint8Array[];
  /** The chain as PEM, leaf first (a server's `cert.pem`). */
  certificatePem: string;
  privateKey: PrivateKey;
  /** The key, PKCS#8 PEM (a server's `key.pem`). */
  keyPem: string;
  /** Other chains for the same certificate, PEM, when the server offers them (§7.4.2). */
  alternateChains: string[];
  /** The URLs of the order and of the certificate. */
  orderUrl: string;
  certificateUrl: string;
}

/**
 * Orders a certificate for `domains`, answers the challenges through `responder`, and
 * returns the issued chain with its key. The account must exist (`newAccount` first).
 * Throws an {@link AcmeError}: the server's problem document when a challenge or the order
 * fails (with the identifier), `lucid-tls:challengeUnavailable` when the server offers no
 * challenge of the type asked for.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { AcmeClient, ChallengeResponses, generateAccountKey, newAccount, obtainCertificate, serveHttp01 } from '@lucid-tls/acme';
 * const client = new AcmeClient({ directoryUrl: 'https://localhost:14000/dir', accountKey: generateAccountKey(), ca: readFileSync('pebble-ca.pem') });
 * await newAccount(client, { contact: ['mailto:admin@example.com'], termsOfServiceAgreed: true });
 * const responses = new ChallengeResponses();
 * const listener = await serveHttp01(responses, { port: 5002 }); // Pebble's httpPort
 * try {
 *   const obtained = await obtainCertificate(client, { domains: ['example.com'], challenge: 'http-01', responder: responses });
 *   console.log(obtained.certificatePem);
 * } finally {
 *   await listener.close();
 * }
 * ```
 */
export async function obtainCertificate(client: AcmeClient, options: ObtainOptions): Promise<ObtainedCertificate> {
  const order = await newOrder(client, options.domains);
  client.note(`order ${order.url}: ${order.identifiers.map((i) => i.value).join(', ')} (${order.status})`);
  const authorizations = await Promise.all(order.authorizations.map((url) => fetchAuthorization(client, url)));
  await authorize(client, authorizations.filter((a) => a.status !== 'valid'), options);

  const ready = await waitForOrder(client, order);
  const privateKey = options.certificateKey ?? generatePrivateKey('ec');
  client.note(`order is "${ready.status}": finalizing with a CSR for ${options.domains.join(', ')}`);
  const valid = ready.status === 'valid' ? ready : await finalizeOrder(client, ready, createCsr({ privateKey, names: options.domains }));
  const downloaded = await downloadCertificate(client, valid.certificate!);
  const certificate = parseCertificate(downloaded.chain[0]!);
  checkIssued(certificate, privateKey, options.domains, downloaded.url);
  const alternateChains = await Promise.all(downloaded.alternates.map(async (url) => (await downloadCertificate(client, url)).pem));
  client.note(`certificate issued by ${certificate.issuer.rdns.flat().map((a) => a.value).join(', ')}, valid until ${certificate.notAfter.toISOString()}`);
  return {
    certificate,
    chain: downloaded.chain,
    certificatePem: downloaded.pem,
    privateKey,
    keyPem: privateKeyToPem(privateKey),
    alternateChains,
    orderUrl: order.url,
    certificateUrl: downloaded.url,
  };
}

/** Provision every challenge, then announce them all, then wait for all, and only then deprovision (§8.2). */
async function authorize(client: AcmeClient, pending: Authorization[], options: ObtainOptions): Promise<void> {
  const work = pending.map((authorization) => ({ authorization, task: taskFor(client, authorization, options.challenge) }));
  const provisioned: ChallengeTask[] = [];
  try {
    for (const { task } of work) {
      client.note(`${task.type} for ${task.domain}: provisioning (token ${task.token})`);
      await options.responder.provision(task);
      provisioned.push(task);
    }
    for (const { authorization } of work) {
      const challenge = authorization.challenges.find((c) => c.type === options.challenge)!;
      if (challenge.status === 'pending') await respondToChallenge(client, challenge);
    }
    const results = await Promise.allSettled(work.map(({ authorization }) => waitForAuthorization(client, authorization)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    for (const task of provisioned) {
      try {
        await options.responder.deprovision(task);
      } catch (e) {
        client.note(`${task.type} for ${task.domain}: could not deprovision (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
}

function taskFor(client: AcmeClient, authorization: Authorization, type: ChallengeType): ChallengeTask {
  if (authorization.status !== 'pending') {
    throw new AcmeError({ type: 'about:blank', detail: `the authorization is "${authorization.status}"`, identifier: authorization.identifier }, { url: authorization.url });
  }
  const challenge = authorization.challenges.find((c) => c.type === type);
  if (!challenge || challenge.token === undefined) {
    const offered = authorization.challenges.map((c) => c.type).join(', ') || 'none';
    throw clientError('challengeUnavailable', `no ${type} challenge for ${authorization.identifier.value} (offered: ${offered})`, { url: authorization.url });
  }
  return { type, domain: authorization.identifier.value, token: challenge.token, keyAuthorization: keyAuthorization(challenge.token, client.accountKey) };
}

/** A last look before anything is written: the certificate is for our key and every name asked for. */
function checkIssued(certificate: Certificate, privateKey: PrivateKey, domains: string[], url: string): void {
  const ours = encodePublicKeyInfo(publicKeyFromPrivateKey(privateKey));
  if (Buffer.compare(Buffer.from(certificate.subjectPublicKeyInfo), Buffer.from(ours)) !== 0) {
    throw clientError('certificateMismatch', 'the certificate is not for the key of our CSR', { url });
  }
  const names = new Set((certificate.subjectAltNames ?? []).filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()));
  const missing = domains.filter((d) => !names.has(d.toLowerCase()));
  if (missing.length > 0) throw clientError('certificateMismatch', `the certificate does not name ${missing.join(', ')}`, { url });
}
