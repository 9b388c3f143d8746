/**
 * The TLS 1.2 client's negotiation state after the ServerHello, which every later state reads.
 * @module
 */
import type { PublicKey } from '../../../crypto/provider.js';
import type { ClientHandshake } from '../../client/client-handshake.js';
import type { Tls12NewSessionTicket } from '../messages/types.js';
import type { KeyedHandshake } from '../record-keys.js';

export interface Tls12ClientHandshake extends KeyedHandshake {
  /** What we offered. */
  hs: ClientHandshake;
  randoms: { client: Uint8Array; server: Uint8Array };
  /** Whether both hellos carried extended_master_secret (RFC 7627 §5.2). */
  extendedMasterSecret: boolean;
  /** Whether the server answered session_ticket: its NewSessionTicket comes before its ChangeCipherSpec (RFC 5077 §3.2). */
  ticketExpected: boolean;
  /** The server certificate's key, once its Certificate is in. */
  serverKey?: PublicKey;
  /** The ticket the server sent in this handshake. */
  ticket?: Tls12NewSessionTicket;
}
