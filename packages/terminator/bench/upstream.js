/**
 * The benchmark's upstream: a plain HTTP/1.1 server with keep-alive answering every
 * request with the same small body. Run as its own process; prints its port on stdout.
 * @module
 */
import { createServer } from 'node:http';

const body = Buffer.from('{"hello":"world","from":"the upstream"}\n');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
