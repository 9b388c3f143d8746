/**
 * The server's negotiation state, shared by its handshake steps.
 * @module
 */
import type { CipherSuite, KeyExchangeGroup, SignatureScheme } from '../../crypto/provider.js';
import type { ServerConfig } from '../config.js';
import type { ClientHello } from '../messages/types.js';
import { configuredAlgorithms } from '../negotiation.js';
import type { Tls12CipherSuite } from '../tls12/cipher-suites.js';

export interface ServerHandshake {
  config: ServerConfig;
  /** The versions we accept, highest (preferred) first. */
  versions: number[];
  /** TLS 1.3 cipher suites. */
  suites: CipherSuite[];
  /** TLS 1.2 cipher suites. */
  tls12Suites: Tls12CipherSuite[];
  groups: KeyExchangeGroup[];
  schemes: SignatureScheme[];
  /** The first ClientHello, kept to check that the second one only changes what §4.1.2 allows. */
  clientHello1?: ClientHello;
  /** The cookie we sent in a HelloRetryRequest. */
  cookie?: Uint8Array;
  /** The suite and group a HelloRetryRequest fixed. */
  retry?: { suite: CipherSuite; group: KeyExchangeGroup };
  /** Signature schemes we listed in a CertificateRequest. */
  requestedSchemes?: number[];
}

/** A server's starting state for `config`: the algorithms it allows, in preference order. */
export function serverHandshake(config: ServerConfig, provider: Parameters<typeof configuredAlgorithms>[0]): ServerHandshake {
  const { versions, suites, tls12Suites, groups, schemes } = configuredAlgorithms(provider, config);
  return { config, versions, suites, tls12Suites, groups, schemes };
}
