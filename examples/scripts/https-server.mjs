#!/usr/bin/env node
// An HTTPS server with the lucid-tls server, and a certificate made on the spot.
//
//   node https-server.mjs [--port 8443] [--host 127.0.0.1] [--ca-out FILE]
//
// It creates a local certificate authority (as mkcert does), issues a certificate for
// localhost with it, and writes the CA's certificate to a file: a client that trusts that
// file trusts this server. Then it serves "hello from lucid-tls" until Ctrl-C.
//
//   node https-get.mjs https://localhost:8443/ --cafile FILE
//   curl --cacert FILE https://localhost:8443/
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from '@lucid-tls/tls/node';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8443' }, // 0: any free port (the one chosen is printed)
    host: { type: 'string', default: '127.0.0.1' },
    'ca-out': { type: 'string', default: join(tmpdir(), 'lucid-tls-example-ca.pem') },
  },
});

// 1. A CA, and a certificate it signs for the names clients will use to reach us. Clients
//    match the name they asked for against the certificate's subjectAltNames (RFC 6125).
const ca = createCertificateAuthority({ commonName: 'lucid-tls example CA', days: 1 });
const server = issueCertificate(ca, { names: ['localhost', '127.0.0.1', '::1'], days: 1 });

// 2. Only the CA's certificate is published, never its key (which stays in this process).
const caFile = values['ca-out'];
writeFileSync(caFile, ca.certPem);

// 3. The HTTP part: an ordinary Node HTTP server that never listens itself...
const httpServer = http.createServer((request, response) => {
  const tls = request.socket; // the TLSSocket the request came over
  console.log(`${request.method} ${request.url} from ${tls.remoteAddress} over ${tls.getCipher()?.name}`);
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('hello from lucid-tls\n');
});

// 4. ...because the TLS server does: each connection whose handshake succeeded is handed
//    to the HTTP server as if it were a plain TCP connection. ALPN says we speak HTTP/1.1.
const tlsServer = createServer({ cert: server.certPem, key: server.keyPem, ALPNProtocols: ['http/1.1'] }, (socket) => {
  httpServer.emit('connection', socket);
});

// A failed handshake (an untrusting client, a port scanner...) costs only that connection.
tlsServer.on('tlsClientError', (error) => console.log(`handshake failed: ${error.message}`));

tlsServer.listen(Number(values.port), values.host, () => {
  const { port } = tlsServer.address();
  console.log(`CA certificate: ${caFile}`);
  console.log(`Serving https://localhost:${port}/ (listening on ${values.host} port ${port})`);
  console.log(`Try: node https-get.mjs https://localhost:${port}/ --cafile ${caFile}`);
});

// Ctrl-C (SIGINT) or `kill` (SIGTERM): stop accepting, close open connections, remove the
// CA file (its key dies with this process, so the file is of no use any more).
function shutDown(signal) {
  console.log(`${signal}: shutting down`);
  tlsServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
  rmSync(caFile, { force: true });
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
