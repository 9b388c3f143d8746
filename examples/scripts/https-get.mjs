#!/usr/bin/env node
// An HTTPS GET with the lucid-tls client.
//
//   node https-get.mjs https://example.com/
//   node https-get.mjs https://localhost:8443/ --cafile /tmp/lucid-tls-example-ca.pem
//
// Node's `http` module speaks HTTP/1.1 over any duplex stream we hand it through
// `createConnection`. We hand it a TLS 1.3 socket from `connect()`: HTTP runs on top,
// TLS underneath, exactly as in `https.get`, but with our TLS instead of OpenSSL's.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { connect } from '@lucid-tls/tls/node';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { cafile: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: node https-get.mjs URL [--cafile FILE]');
  process.exit(2);
}
const url = new URL(positionals[0]);
if (url.protocol !== 'https:') {
  console.error('the URL must start with https://');
  process.exit(2);
}
// URL keeps the brackets of an IPv6 address ("[::1]"); the socket wants the bare address.
const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
const port = Number(url.port || 443);

// The TLS connection. The server's certificate is checked against the CA file if one is
// given, otherwise against the system's trusted roots; it must be valid for `host`.
// ALPN (RFC 7301) tells the server which application protocol comes next: HTTP/1.1.
const socket = connect({
  host,
  port,
  ALPNProtocols: ['http/1.1'],
  ...(values.cafile ? { ca: readFileSync(values.cafile) } : {}),
});

socket.on('secureConnect', () => {
  // The handshake is over: this is what client and server agreed on.
  const certificate = socket.getPeerCertificate();
  console.log(`Connected to ${host}:${port}`);
  console.log(`  protocol      ${socket.getProtocol()}`);
  console.log(`  cipher suite  ${socket.getCipher()?.name}`);
  console.log(`  key exchange  ${socket.info?.group}`);
  console.log(`  ALPN          ${socket.alpnProtocol || '(none)'}`);
  console.log(`  certificate   CN=${certificate.subject?.CN}, issued by CN=${certificate.issuer?.CN}`);
  console.log();
});

// The HTTP request, over the socket above. Without an agent, Node asks the server to
// close the connection after the response, so the script ends by itself.
const request = http.request(
  {
    method: 'GET',
    host,
    port,
    path: `${url.pathname}${url.search}`,
    headers: { host: url.host, 'user-agent': 'lucid-tls-example' },
    createConnection: () => socket,
  },
  (response) => {
    console.log(`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}`);
    for (const [name, value] of Object.entries(response.headers)) console.log(`${name}: ${value}`);
    response.setEncoding('utf8');
    let body = '';
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => {
      console.log();
      process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    });
  },
);

// Never wait forever: a silent server is an error too.
request.setTimeout(10_000, () => request.destroy(new Error('no response within 10 s')));
request.on('error', (error) => {
  // A certificate the client does not trust, for instance, ends the handshake with a
  // TlsError that names the alert sent to the server (e.g. "unknown_ca: ...").
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
});
request.end();
