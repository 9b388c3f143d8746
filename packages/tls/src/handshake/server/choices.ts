/**
 * What a server decides the same way whatever the version: the ALPN protocol (RFC 7301 §3.2),
 * the certificate for the name and protocol asked for (RFC 6066 §3, RFC 8737), and whether a
 * resumed session's client authentication still meets the policy.
 * @module
 */
import { fail } from '../../alert.js';
import type { CertifiedKey, ServerConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { findExtension, type ClientHello } from '../messages/types.js';

/** ALPN (RFC 7301 §3.2): our preference among the client's; none in common is no_application_protocol. */
export function chooseAlpn(config: ServerConfig, ch: ClientHello): string | undefined {
  const offer = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
  const ours = config.alpnProtocols;
  if (!offer || !ours?.length) return undefined;
  const alpn = ours.find((p) => offer.protocols.includes(p));
  if (!alpn) fail('no_application_protocol', `none of the client's protocols (${offer.protocols.join(', ')}) is ours`);
  return alpn;
}

/** The certificate for `serverName` and the chosen protocol (RFC 8737's acme-tls/1 gets its own). */
export function certificateFor(config: ServerConfig, serverName: string | undefined, alpn: string | undefined): CertifiedKey {
  const certified = typeof config.certificate === 'function' ? config.certificate(serverName, alpn === undefined ? {} : { alpnProtocol: alpn }) : config.certificate;
  if (!certified) fail(serverName ? 'unrecognized_name' : 'handshake_failure', `no certificate for ${serverName ?? 'a client without server_name'}`);
  return certified;
}

/** Whether a session's client authentication meets our policy now (re-checked with today's verifier). */
export function clientAuthStillValid(ctx: HandshakeContext, config: ServerConfig, clientCertificates: Uint8Array[]): boolean {
  const policy = config.clientAuth ?? 'none';
  if (policy === 'none' || clientCertificates.length === 0) return policy !== 'required';
  try {
    config.verifyClientCertificate?.(clientCertificates, { purpose: 'client', now: new Date(ctx.now()) });
    return true;
  } catch {
    return false;
  }
}
