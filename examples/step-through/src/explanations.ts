/**
 * One or two plain sentences for each thing a flight can carry, shown above the flight's
 * details: what it is for, before the reader dives into its bytes.
 * @module
 */

const EXPLANATIONS: Record<string, string> = {
  ClientHello:
    'The client’s offer: a fresh random, the cipher suites, groups and signature schemes it supports, and a key share — an ephemeral public key for the group it guesses the server will pick (§4.1.2).',
  'ClientHello again':
    'The client tries again, with a key share for the group the server asked for and the server’s cookie. The first ClientHello now enters the transcript only as a hash (§4.4.1).',
  HelloRetryRequest:
    'A ServerHello with a special random: the server wants a group the client sent no key share for, and asks for one. Nothing is encrypted yet (§4.1.4).',
  ServerHello:
    'The server’s choice of cipher suite, and its own key share (or its acceptance of the client’s pre-shared key). From the two key shares each side computes the same (EC)DHE secret; everything after this is encrypted (§4.1.3).',
  change_cipher_spec:
    'A dummy record that TLS 1.3 ignores, sent only so that middleboxes expecting TLS 1.2 let the connection through (Appendix D.4).',
  EncryptedExtensions:
    'The server’s answers to the client’s extensions that are not needed to establish the keys: the application protocol it chose (ALPN), that it used the server name, whether it takes the 0-RTT data. The first message under the handshake keys, out of an observer’s sight (§4.3.1).',
  CertificateRequest: 'The server asks the client for a certificate, saying which signature schemes it accepts (§4.3.2).',
  Certificate: 'A certificate chain: the sender’s public key and name, signed by a CA the peer trusts. Here the page’s own CA issued it (§4.4.2).',
  CertificateVerify: 'A signature over the transcript so far, with the certificate’s private key: proof that the sender holds it (§4.4.3).',
  Finished: 'An HMAC over the whole transcript, keyed from the handshake secret: proof that both sides saw the same handshake and share the same keys (§4.4.4).',
  EndOfEarlyData: 'The client’s 0-RTT data is over: from here it uses the handshake keys (§4.5).',
  NewSessionTicket:
    'After the handshake, the server gives the client a ticket: with it (and a pre-shared key both can compute) the client can resume later without certificates (§4.6.1).',
  'early data':
    'Application data sent with the ClientHello, under keys from the resumed session’s pre-shared key: no round trip to wait for, but an attacker could replay it (§2.3, §8).',
  'application data': 'Application data, encrypted under the application traffic keys; the record’s real content type is hidden inside the encryption (§5.2).',
};

/** What differs in TLS 1.2 (RFC 5246, RFC 8422, RFC 5077): its own messages, and the ones TLS 1.3 kept but changed. */
const TLS12_EXPLANATIONS: Record<string, string> = {
  ClientHello:
    'The client’s offer: a fresh random, the cipher suites (ECDHE with an AEAD: the safe part of TLS 1.2), the curves and signature schemes it supports. Unlike TLS 1.3, no key share yet: the client waits for the server’s choice (RFC 5246 §7.4.1.2).',
  ServerHello:
    'The server’s choice of cipher suite, and its answers to the client’s extensions: the extended master secret and secure renegotiation, which a careful TLS 1.2 requires (RFC 7627, RFC 5746). Nothing is encrypted yet, nor will be until change_cipher_spec (RFC 5246 §7.4.1.3).',
  Certificate: 'The server’s certificate chain, in plaintext: anyone on the path can read which site this is, and the certificate that proves it (RFC 5246 §7.4.2).',
  ServerKeyExchange:
    'The server’s ephemeral ECDHE public key on the curve it chose, signed with its certificate’s key together with both randoms (RFC 8422 §5.4). Only now can the client make its own half: the round trip TLS 1.3 saves.',
  CertificateRequest: 'The server asks for a client certificate: which kinds of key, which signature algorithms (RFC 5246 §7.4.4).',
  ServerHelloDone: 'The server has said everything: the client’s turn (RFC 5246 §7.4.5).',
  ClientKeyExchange:
    'The client’s ephemeral public key on the server’s curve. Both sides now compute the pre-master secret, and from it and the hash of the handshake so far the 48-byte master secret (RFC 8422 §5.7, RFC 7627).',
  CertificateVerify: 'The client’s signature over every handshake message so far, with its certificate’s key (RFC 5246 §7.4.8).',
  change_cipher_spec: 'A real TLS 1.2 message, not a dummy: from the next record on, this side encrypts with the keys from the key block (RFC 5246 §7.1).',
  Finished: 'The first encrypted message: 12 bytes of PRF over the master secret and the whole handshake, proving both sides saw the same one (RFC 5246 §7.4.9).',
  NewSessionTicket:
    'Inside the handshake, before the server’s change_cipher_spec: the session, sealed by the server, for the client to resume with (RFC 5077 §3.3).',
  'application data': 'Application data under the key block’s keys; in TLS 1.2 the record header shows its real type (RFC 5246 §6.2.3).',
};

/** The explanation of an item a flight carried (`ClientHello`, `application data`, `alert close_notify`, …), in the protocol spoken. */
export function explain(item: string, protocol: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3'): string {
  if (item.startsWith('alert ')) return `An alert: ${item.slice(6)}. A fatal alert ends the connection; close_notify says the sender will send no more (§6).`;
  return (protocol === 'TLSv1.2' ? TLS12_EXPLANATIONS[item] : undefined) ?? EXPLANATIONS[item] ?? item;
}
