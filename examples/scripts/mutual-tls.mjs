#!/usr/bin/env node
// Mutual TLS: the server asks the client for a certificate too (RFC 8446 §4.3.2).
//
//   node mutual-tls.mjs
//
// Server and clients run in this one process, over loopback. One CA issues both the
// server's certificate and the client's; the server trusts client certificates from
// that CA only. First a client with a certificate connects, and the server greets it by
// the name in its certificate; then a client without one is refused.
import { once } from 'node:events';
import { connect, createServer } from '@lucid-tls/tls/node';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

const ca = createCertificateAuthority({ commonName: 'lucid-tls example CA', days: 1 });
const serverCert = issueCertificate(ca, { names: ['localhost'], days: 1 });
// `client: true` puts clientAuth in extendedKeyUsage: a certificate meant for a client.
const aliceCert = issueCertificate(ca, { names: ['alice@example.com'], client: true, days: 1 });

// --- The server ---------------------------------------------------------------------
const server = createServer({
  cert: serverCert.certPem,
  key: serverCert.keyPem,
  requestCert: true, // send a CertificateRequest in the handshake...
  ca: ca.certPem, // ...and accept only client certificates that chain to this CA
});

server.on('secureConnection', (socket) => {
  // The handshake only completes once the client's certificate has been verified, so
  // here we know who is on the other end.
  const peer = socket.getPeerCertificate();
  console.log(`server: client authenticated as CN=${peer.subject.CN} (${peer.subjectaltname}), issued by CN=${peer.issuer.CN}`);
  socket.end(`hello, ${peer.subject.CN}\n`);
});

// Handshakes that fail land here, with the alert the server sent.
server.on('tlsClientError', (error) => {
  console.log(`server: refused a client: ${error.message}`);
});

server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

/**
 * Connects, reads until the server closes, and resolves with what it read or the error
 * that ended the connection. A timeout makes sure the example never hangs.
 */
function talk(options) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.certPem, ...options });
    let received = '';
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), 5000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received });
    });
  });
}

// --- Client 1: presents Alice's certificate ---------------------------------------
const alice = await talk({ cert: aliceCert.certPem, key: aliceCert.keyPem });
if (alice.error) {
  console.log(`client 1: error: ${alice.error.message}`);
  process.exitCode = 1;
} else console.log(`client 1 (with a certificate): server said "${alice.received.trim()}"`);

// --- Client 2: has no certificate -------------------------------------------------
// In TLS 1.3 the client finishes its side of the handshake before the server has
// looked at its (empty) Certificate message, so the refusal arrives as an alert right
// after: certificate_required (RFC 8446 §4.4.2.4).
const anonymous = await talk({});
if (anonymous.error) {
  // A TlsError names the alert that ended the connection; `sent: false` means the peer sent it.
  const { alert, sent, message } = anonymous.error;
  console.log(`client 2 (no certificate): refused with alert ${alert ?? message}${sent === false ? ', sent by the server' : ''}`);
} else {
  console.log(`client 2 (no certificate): unexpectedly got "${anonymous.received.trim()}"`);
  process.exitCode = 1;
}

server.close();
