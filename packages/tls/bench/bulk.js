/**
 * Bulk throughput for one cipher suite and kind: the client writes 16 KiB chunks (a full
 * record each) for a while, respecting back-pressure; the server child reads and counts
 * them. MB/s (10^6 bytes) is the payload the server received over the wall-clock time from
 * the first write to the last byte read; both processes encrypt or decrypt, so it is the
 * slower side's speed. Also given: the server's CPU per MB (steadier on a busy machine).
 * @module
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { check, connectKind, progress, startServer } from './harness.js';

const CHUNK = 16 * 1024;

/** Polls the server until it has received `bytes` in all; returns its usage then. */
async function receivedAll(server, bytes) {
  for (;;) {
    const usage = await server.usage();
    if (usage.bytes >= bytes) return usage;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export async function bulk(kind, pki, suite, { seconds, warmUpSeconds }) {
  progress(`bulk ${suite}, ${kind}`);
  const server = await startServer(kind, { cert: pki.cert, key: pki.key, ciphers: suite, app: 'sink' });
  const client = connectKind(kind, pki, server.port, { ciphers: suite });
  try {
    await once(client, 'secureConnect');
    check(client.getCipher()?.name === suite, `${kind} negotiated ${client.getCipher()?.name}`);
    const chunk = randomBytes(CHUNK);
    let sent = 0;
    const writeFor = async (s) => {
      const t0 = performance.now();
      while (performance.now() - t0 < s * 1000) {
        sent += CHUNK;
        if (!client.write(chunk)) await once(client, 'drain');
      }
    };
    await writeFor(warmUpSeconds);
    const before = await receivedAll(server, sent);
    const t0 = performance.now();
    await writeFor(seconds);
    const after = await receivedAll(server, sent);
    const ms = performance.now() - t0;
    const bytes = after.bytes - before.bytes;
    return { mbPerSecond: bytes / 1e6 / (ms / 1000), serverCpuMsPerMb: (after.cpuMicros - before.cpuMicros) / 1000 / (bytes / 1e6) };
  } finally {
    client.destroy();
    await server.stop();
  }
}
