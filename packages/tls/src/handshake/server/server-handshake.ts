/**
 * The server's negotiation state, shared by its handshake steps.
 * @module
 */
import type { CipherSuite, KeyExchangeGroup, SignatureScheme } from '../../crypto/provider.js';
import type { ServerConfig } from '../config.js';
import type { ClientHello } from '../messages/types.js';
import { configuredAlgorithms } from '../negotiation.js';

export interface ServerHandshake {
  config: ServerConfig;
  suites: CipherSuite[];
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
  const { suites, groups, schemes } = configuredAlgorithms(provider, config);
  return { config, suites, groups, schemes };
}
