/**
 * The sockets plug into Node's HTTP: `http.request({ createConnection })` over our client
 * against Node's https server, and Node's https client against an `http.Server` fed our
 * server's sockets with `emit('connection', socket)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import * as https from 'node:https';
import { connect, createServer, type TLSSocket } from '../../src/node/index.js';
import { Resources, readAll, testPki, type TestPki } from './helpers.js';

let pki: TestPki;
const resources = new Resources();
beforeAll(() => {
  pki = testPki();
});
afterAll(() => resources.closeAll());

/** Sends a request and reads the whole response. */
function request(options: http.RequestOptions | https.RequestOptions, body?: string, module: typeof http | typeof https = http) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = module.request(options, (res) => {
      readAll(res).then((data) => resolve({ status: res.statusCode!, headers: res.headers, body: data.toString() }), reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTTP handler that says what it got. */
const echo: http.RequestListener = (req, res) => {
  readAll(req).then((body) => {
    // Node's TLSSocket or ours: both answer these.
    const socket = req.socket as unknown as Pick<TLSSocket, 'getProtocol' | 'alpnProtocol'>;
    res.setHeader('x-tls', String(socket.getProtocol()));
    res.end(`${req.method} ${req.url} body=${body.length} alpn=${socket.alpnProtocol}`);
  }, () => res.destroy());
};

describe('HTTP over the Node adapters', () => {
  it('http.request with createConnection: connect() talks to an https server', async () => {
    const server = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ALPNProtocols: ['http/1.1'] }, echo);
    const port = await resources.listen(server);
    const createConnection = () => resources.track(connect({ host: 'localhost', port, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] }));

    const get = await request({ host: 'localhost', port, path: '/hello', createConnection });
    expect(get).toMatchObject({ status: 200, body: 'GET /hello body=0 alpn=http/1.1' });
    expect(get.headers['x-tls']).toBe('TLSv1.3');

    const big = 'x'.repeat(200_000);
    const post = await request({ host: 'localhost', port, method: 'POST', path: '/upload', createConnection }, big);
    expect(post.body).toBe(`POST /upload body=${big.length} alpn=http/1.1`);
  });

  it('an http.Server serves https clients over createServer()’s sockets', async () => {
    const httpServer = http.createServer(echo);
    const tlsServer = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ALPNProtocols: ['http/1.1'] }, (socket) => {
      httpServer.emit('connection', socket);
    });
    const port = await resources.listen(tlsServer);

    const get = await request({ host: 'localhost', port, path: '/x', ca: pki.ca.certPem, agent: false }, undefined, https);
    expect(get).toMatchObject({ status: 200, body: 'GET /x body=0 alpn=false' });
    expect(get.headers['x-tls']).toBe('TLSv1.3');

    // A keep-alive agent: two requests on one connection, ALPN, a request body.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: pki.ca.certPem, ALPNProtocols: ['http/1.1'] } as https.AgentOptions);
    try {
      const sockets = new Set<unknown>();
      for (const path of ['/one', '/two']) {
        const response = await new Promise<string>((resolve, reject) => {
          const req = https.request({ host: 'localhost', port, path, method: 'PUT', agent }, (res) => {
            sockets.add(res.socket);
            readAll(res).then((b) => resolve(b.toString()), reject);
          });
          req.on('error', reject);
          req.end('payload');
        });
        expect(response).toBe(`PUT ${path} body=7 alpn=http/1.1`);
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
      httpServer.closeAllConnections();
    }
  });
});
