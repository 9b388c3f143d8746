/**
 * The comparison proxy: the same job as the terminator (TLS in, HTTP/1.1 with
 * X-Forwarded-* headers out, keep-alive upstream) written the usual way with `node:https`
 * (OpenSSL) and `node:http`. Run as its own process:
 * `node node-https-proxy.js PORT UPSTREAM_PORT CERT KEY`; prints "ready" on stdout.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:https';

const [port, upstreamPort, certFile, keyFile] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'], ciphers: 'TLS_AES_128_GCM_SHA256' },
  (req, res) => {
    const headers = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && !name.startsWith('x-forwarded-') && name !== 'forwarded') headers[name] = value;
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    headers['x-forwarded-proto'] = 'https';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    const upstream = request({ host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, headers, agent }, (upRes) => {
      const out = {};
      for (const [name, value] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(upRes.statusCode, out);
      upRes.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('502 Bad Gateway\n');
      else res.destroy();
    });
    req.pipe(upstream);
  },
);
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
