/**
 * The TLS 1.2 server's negotiation state, from the ClientHello on, which its steps share.
 * @module
 */
import type { KeyExchangeGroup, KeyPair } from '../../../crypto/provider.js';
import type { ClientHello } from '../../messages/types.js';
import type { ServerHandshake } from '../../server/server-handshake.js';
import type { KeyedHandshake } from '../record-keys.js';

export interface Tls12ServerHandshake extends KeyedHandshake {
  hs: ServerHandshake;
  ch: ClientHello;
  randoms: { client: Uint8Array; server: Uint8Array };
  /** Whether both hellos carry extended_master_secret (RFC 7627 §5.2). */
  extendedMasterSecret: boolean;
  /** Whether we send a NewSessionTicket in this handshake (RFC 5077 §3.3). */
  issueTicket: boolean;
  /** Our ephemeral key of the ServerKeyExchange, which the ClientKeyExchange answers (full handshakes). */
  keyExchange?: { group: KeyExchangeGroup; pair: KeyPair };
}
