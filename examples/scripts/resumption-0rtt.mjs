#!/usr/bin/env node
// Session resumption and 0-RTT early data (RFC 8446 §2.2, §2.3, §4.2.10, §8).
//
//   node resumption-0rtt.mjs
//
// After a full handshake the server sends session tickets. A client that keeps one can
// resume later: the handshake then skips the certificate, and the client may send data
// in its very first flight ("0-RTT", early data), before any reply from the server.
// Early data has a weakness: an attacker who recorded the client's first flight can send
// those same bytes again, a replay. So the server accepts early data only once per ticket
// (RFC 8446 §8.1, single-use tickets).
//
// Three connections, one process, loopback:
//   1. a full handshake; the client saves the session ticket it receives;
//   2. it resumes with that ticket and sends its request as early data: accepted;
//   3. the client uses the same ticket a second time, early data and all: the session
//      resumes, but the server has already taken 0-RTT data on this ticket and refuses it,
//      so the client sends its request again after the handshake, as ordinary data.
// Connection 3 is not a replay (that would be connection 2's bytes, sent again by someone
// else: tutorial 5 of docs/tutorials does it), but the single-use store refuses it for the
// same reason: it remembers the ticket. A client should use each ticket once anyway
// (RFC 8446 §C.4: a reused ticket links two connections to one client); this one reuses it
// to show the store at work.
import { once } from 'node:events';
import { RotatingTicketer, nobleProvider } from '@lucid-tls/tls';
import { connect, createServer } from '@lucid-tls/tls/node';
import { createCertificateAuthority, issueCertificate } from '@lucid-tls/tls/x509';

const ca = createCertificateAuthority({ commonName: 'lucid-tls example CA', days: 1 });
const serverCert = issueCertificate(ca, { names: ['localhost'], days: 1 });

// The ticketer seals the session state into the ticket under a key only the server
// knows, so the server stores nothing per session. Several servers given the same
// ticketer resume each other's tickets (the server makes one of its own by default).
const ticketer = new RotatingTicketer(nobleProvider);

const server = createServer({
  cert: serverCert.certPem,
  key: serverCert.keyPem,
  ticketer,
  // Accept up to 16 KiB of early data. This also turns on the server's anti-replay store,
  // which remembers every ticket already used for early data.
  maxEarlyDataSize: 16384,
});

server.on('secureConnection', (socket) => {
  socket.once('data', (request) => {
    // The first `earlyDataReceived` bytes of the stream came as 0-RTT data. A real server
    // would only act on them if the request is safe to repeat (e.g. a GET, RFC 8470).
    const early = socket.earlyDataReceived;
    socket.end(`got ${JSON.stringify(request.toString())}, ${early} byte(s) of it as 0-RTT early data\n`);
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

/**
 * One connection: sends `request` (as early data when a session allows it), reads the
 * reply until the server closes, and collects the session tickets it receives.
 */
function visit(request, session) {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: ca.certPem,
      earlyData: Buffer.from(request),
      ...(session ? { session } : {}),
    });
    const sessions = [];
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), 5000);
    // 'session' comes with each NewSessionTicket, after the handshake (§4.6.1).
    socket.on('session', (saved) => sessions.push(saved));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // info.earlyData: 'none' (not offered), 'accepted' or 'rejected' by the server.
      resolve({ resumed: socket.isSessionReused(), earlyData: socket.info?.earlyData ?? 'none', reply: reply.trim(), sessions });
    });
  });
}

function show(label, result) {
  const early = result.earlyData === 'none' ? 'no early data offered' : `early data ${result.earlyData}`;
  console.log(`${label}: resumed=${result.resumed ? 'yes' : 'no'}, ${early}`);
  console.log(`  server: ${result.reply}`);
}

const request = 'GET / HTTP/1.1';

// 1. Full handshake. There is no session yet, so `earlyData` is simply sent after it.
const first = await visit(request);
show('connection 1 (full handshake)', first);
console.log(`  received ${first.sessions.length} session ticket(s)`);
const ticket = first.sessions[0];
if (!ticket) throw new Error('the server sent no session ticket');

// 2. Resumption with 0-RTT: the request travels in the first flight with the ClientHello.
const second = await visit(request, ticket);
show('connection 2 (resumed, 0-RTT)', second);

// 3. The same ticket a second time, with early data again. The ticket still resumes, but
//    0-RTT data came with it once already: the server refuses the early data (its
//    single-use store), and the client sends the request again after the handshake.
const third = await visit(request, ticket);
show('connection 3 (the same ticket, used again)', third);
if (third.earlyData === 'rejected') console.log('  early data rejected: this ticket already carried 0-RTT data once (single-use tickets, RFC 8446 §8.1)');

server.close();
