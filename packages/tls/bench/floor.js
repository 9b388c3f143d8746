/**
 * The noble floor of a full handshake: the CPU time of the noble operations a lucid server
 * performs in one (ECDSA P-256, x25519, TLS_AES_128_GCM_SHA256, two tickets), and nothing
 * else. A server engine runs one handshake in memory with a provider that records every
 * call it makes into `nobleProvider` (x25519 key generation and shared secret, the ECDSA
 * signature, the HMACs of HKDF and Finished, transcript hashing, the AEAD of its records
 * and tickets, random bytes); the recorded calls are then replayed, with the same
 * arguments, in a timed loop. So the floor is exactly the cryptography the engine asked
 * for, without the engine, the sockets or the event loop around it.
 *
 * Also here: the server engine's CPU per handshake in memory (no sockets), per provider,
 * printed beside the loopback figures.
 * @module
 */
import { ClientConnection, RotatingTicketer, ServerConnection, insecureSkipVerify, nobleProvider } from '@lucid-tls/tls';
import { nodeCryptoProvider } from '@lucid-tls/tls/node';
import { parsePrivateKeyPem, pemBlocks } from '@lucid-tls/tls/x509';
import { HANDSHAKE_SUITE, check, cpuSince, progress } from './harness.js';

/** Copies byte arguments, so that a replay sees what the call saw even if the engine reuses its buffers. */
const frozen = (args) => args.map((a) => (a instanceof Uint8Array ? a.slice() : a));

/**
 * `provider` with every cryptographic call recorded into `calls` (while `recording.on`) as
 * { category, replay }, where replay() repeats the call on the same underlying object.
 */
function recordingProvider(provider, calls, recording) {
  const record = (category, target, method) =>
    (...args) => {
      if (recording.on) {
        const copy = frozen(args);
        calls.push({ category, replay: () => target[method](...copy) });
      }
      return target[method](...args);
    };
  const hash = (h) => ({
    name: h.name,
    outputLength: h.outputLength,
    hash: record('hash', h, 'hash'),
    hmac: record('HMAC (HKDF, Finished)', h, 'hmac'),
    create: () => {
      const running = record('hash', h, 'create')();
      return { update: record('hash', running, 'update'), digest: record('hash', running, 'digest') };
    },
  });
  const aead = (a) => ({
    name: a.name,
    keyLength: a.keyLength,
    nonceLength: a.nonceLength,
    tagLength: a.tagLength,
    importKey: (key) => {
      const imported = record('AEAD', a, 'importKey')(key);
      return { seal: record('AEAD', imported, 'seal'), open: record('AEAD', imported, 'open') };
    },
  });
  return {
    cipherSuites: provider.cipherSuites.map((s) => ({ id: s.id, name: s.name, aead: aead(s.aead), hash: hash(s.hash) })),
    groups: provider.groups.map((g) => ({ id: g.id, name: g.name, keyGen: record('key exchange', g, 'keyGen'), encaps: record('key exchange', g, 'encaps'), decaps: record('key exchange', g, 'decaps') })),
    signatureSchemes: provider.signatureSchemes.map((s) => ({
      id: s.id,
      name: s.name,
      canSign: (key) => s.canSign(key),
      canVerify: (key) => s.canVerify(key),
      sign: record('signature', s, 'sign'),
      verify: record('signature', s, 'verify'),
    })),
    randomBytes: record('random', provider, 'randomBytes'),
  };
}

/** One handshake in memory, bytes handed between the engines until neither has more (tickets included). */
function handshakeInMemory(serverConfig, clientConfig, serverClock = (work) => work()) {
  const server = serverClock(() => new ServerConnection(serverConfig));
  const client = new ClientConnection(clientConfig);
  for (let flight = 0; flight < 8; flight++) {
    const toServer = client.takeOutgoing();
    const toClient = serverClock(() => {
      if (toServer.length) server.receive(toServer);
      return server.takeOutgoing();
    });
    if (toClient.length) client.receive(toClient);
    if (toServer.length === 0 && toClient.length === 0) break;
  }
  check(client.handshakeComplete && server.handshakeComplete, 'the in-memory handshake did not complete');
  return server;
}

function configs(pki, provider) {
  const certificate = { chain: pemBlocks(pki.cert, 'CERTIFICATE'), privateKey: parsePrivateKeyPem(pki.key) };
  const common = { cipherSuites: [HANDSHAKE_SUITE], groups: ['x25519'] };
  return {
    server: { ...common, certificate, provider, tickets: { count: 2, ticketer: new RotatingTicketer(provider) } },
    client: { ...common, serverName: 'localhost', verifyServerCertificate: insecureSkipVerify, provider: nobleProvider },
  };
}

/** Runs `work` until `seconds` of this process's CPU time have passed; CPU ms per run. */
function cpuMsPerRun(seconds, work) {
  const cpu0 = process.cpuUsage();
  let runs = 0;
  do {
    work();
    runs++;
  } while (cpuSince(cpu0) < seconds * 1e6);
  return cpuSince(cpu0) / 1000 / runs;
}

/** The noble floor: { ms, byCategory: { category: ms } } per full handshake. */
export function nobleFloor(pki, { seconds }) {
  progress('the noble floor of a full handshake');
  const calls = [];
  const recording = { on: false };
  const provider = recordingProvider(nobleProvider, calls, recording);
  const { server, client } = configs(pki, provider);
  handshakeInMemory(server, client); // the ticketer makes its key on first use: not per handshake
  recording.on = true;
  const engine = handshakeInMemory(server, client);
  recording.on = false;
  check(engine.info.signatureScheme === 'ecdsa_secp256r1_sha256' && engine.info.group === 'x25519', `signed with ${engine.info.signatureScheme}, group ${engine.info.group}`);
  const replayAll = () => {
    for (const call of calls) call.replay();
  };
  for (let i = 0; i < 20; i++) replayAll(); // warm-up
  const ms = cpuMsPerRun(seconds, replayAll);
  // The share of each category, timed the same way (their sum is close to `ms`).
  const byCategory = {};
  for (const category of new Set(calls.map((c) => c.category))) {
    const mine = calls.filter((c) => c.category === category);
    byCategory[category] = { calls: mine.length, ms: cpuMsPerRun(seconds / 6, () => mine.forEach((c) => c.replay())) };
  }
  return { ms, byCategory };
}

/** The server engine's CPU per full handshake in memory (no sockets, no event loop), for `kind`. */
export function engineCpuPerHandshake(pki, kind, { seconds }) {
  progress(`full handshakes in memory, ${kind}`);
  const { server, client } = configs(pki, kind === 'native' ? nodeCryptoProvider : nobleProvider);
  let serverMicros = 0;
  const clock = (work) => {
    const start = process.cpuUsage();
    try {
      return work();
    } finally {
      serverMicros += cpuSince(start);
    }
  };
  for (let i = 0; i < 20; i++) handshakeInMemory(server, client, clock);
  serverMicros = 0;
  let runs = 0;
  const cpu0 = process.cpuUsage();
  do {
    handshakeInMemory(server, client, clock);
    runs++;
  } while (cpuSince(cpu0) < seconds * 1e6);
  return serverMicros / 1000 / runs;
}
