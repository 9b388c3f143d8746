/**
 * The server's negotiation state shared by its handshake steps.
 * @module
 */
import type { CipherSuite, KeyExchangeGroup, SignatureScheme } from '../../crypto/provider.js';
import type { ServerConfig } from '../../connection/config.js';
import type { ClientHello } from '../messages/types.js';
import type { KeySchedule } from '../key-schedule.js';
import type { TicketState } from './ticketer.js';

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
  schedule?: KeySchedule;
  /** The resumed ticket's state, when a PSK was accepted. */
  resumed?: TicketState;
  /** Signature schemes we listed in a CertificateRequest. */
  requestedSchemes?: number[];
}
