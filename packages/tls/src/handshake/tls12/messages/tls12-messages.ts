/**
 * The table of TLS 1.2's handshake messages (RFC 5246 §7.4), for the message codec: which
 * message each msg_type means once TLS 1.2 is negotiated, its RFC name and section, and
 * its body's codec. ClientHello and ServerHello read the same in both versions; the rest
 * of TLS 1.3's messages do not exist in TLS 1.2.
 * @module
 */
import type { Reader, Writer } from '../../../wire/codec.js';
import type { HandshakeMessage } from '../../messages/types.js';
import { readTls12Certificate, writeTls12Certificate } from './certificate.js';
import { readTls12CertificateRequest, writeTls12CertificateRequest } from './certificate-request.js';
import { readTls12CertificateVerify, readTls12Finished, writeTls12CertificateVerify, writeTls12Finished } from './certificate-verify.js';
import { readClientKeyExchange, writeClientKeyExchange } from './client-key-exchange.js';
import { readTls12NewSessionTicket, writeTls12NewSessionTicket } from './new-session-ticket.js';
import { readServerKeyExchange, writeServerKeyExchange } from './server-key-exchange.js';
import type { Tls12Message } from './types.js';

/** The message types a TLS 1.2 connection sends and receives. */
export type Tls12MessageType = Tls12Message['type'] | 'client_hello' | 'server_hello' | 'certificate_verify' | 'finished';

interface Entry {
  type: Tls12MessageType;
  name: string;
  rfc: string;
  read?: (r: Reader) => HandshakeMessage;
  write?: (w: Writer, msg: never) => void;
}

const entries: readonly (readonly [number, Entry])[] = [
  [0, { type: 'hello_request', name: 'HelloRequest', rfc: 'RFC 5246 §7.4.1.1', read: () => ({ type: 'hello_request' }), write: () => {} }],
  [1, { type: 'client_hello', name: 'ClientHello', rfc: 'RFC 8446 §4.1.2' }],
  [2, { type: 'server_hello', name: 'ServerHello', rfc: 'RFC 5246 §7.4.1.3' }],
  [4, { type: 'new_session_ticket_tls12', name: 'NewSessionTicket', rfc: 'RFC 5077 §3.3', read: readTls12NewSessionTicket, write: writeTls12NewSessionTicket }],
  [11, { type: 'certificate_tls12', name: 'Certificate', rfc: 'RFC 5246 §7.4.2', read: readTls12Certificate, write: writeTls12Certificate }],
  [12, { type: 'server_key_exchange', name: 'ServerKeyExchange', rfc: 'RFC 8422 §5.4', read: readServerKeyExchange, write: writeServerKeyExchange }],
  [13, { type: 'certificate_request_tls12', name: 'CertificateRequest', rfc: 'RFC 5246 §7.4.4', read: readTls12CertificateRequest, write: writeTls12CertificateRequest }],
  [14, { type: 'server_hello_done', name: 'ServerHelloDone', rfc: 'RFC 5246 §7.4.5', read: () => ({ type: 'server_hello_done' }), write: () => {} }],
  [15, { type: 'certificate_verify', name: 'CertificateVerify', rfc: 'RFC 5246 §7.4.8', read: readTls12CertificateVerify, write: writeTls12CertificateVerify }],
  [16, { type: 'client_key_exchange', name: 'ClientKeyExchange', rfc: 'RFC 8422 §5.7', read: readClientKeyExchange, write: writeClientKeyExchange }],
  [20, { type: 'finished', name: 'Finished', rfc: 'RFC 5246 §7.4.9', read: readTls12Finished, write: writeTls12Finished }],
];

/** TLS 1.2's messages by msg_type. */
export const TLS12_MESSAGES: ReadonlyMap<number, Entry> = new Map(entries);
/** TLS 1.2's messages by type. */
export const TLS12_MESSAGES_BY_TYPE: ReadonlyMap<string, Entry & { code: number }> = new Map(entries.map(([code, e]) => [e.type, { ...e, code }]));
