/**
 * "Check it yourself": the commands beside the secrets, signatures and records of an HTML
 * trace are run, as a reader would paste them, with the real OpenSSL 3 CLI and Node, and
 * each must print what the page says it prints. RFC 8448's simple 1-RTT handshake is taken
 * from the page itself; the HelloRetryRequest scenario (P-256, the message_hash transcript),
 * 0-RTT resumption and client authentication through createCheckCommands.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioName } from '../../src/rfc8448/replay.js';
import { createCheckCommands, type CheckCommand } from '../../src/trace/check-commands.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { renderHtml } from '../../src/trace/render-html.js';

const run = promisify(execFile);

/** Runs each command in a shell, a few at a time; what each printed. */
async function runAll(checks: CheckCommand[]): Promise<string[]> {
  const out: string[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < checks.length; i = next++) {
      const { stdout } = await run('/bin/sh', ['-c', checks[i]!.command], { maxBuffer: 1 << 20, timeout: 30_000 });
      out[i] = stdout.trim();
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The events of a scenario that get a command, with it. */
function checksOf(events: TraceEvent[]): { event: TraceEvent; check: CheckCommand }[] {
  const check = createCheckCommands();
  return events.flatMap((event) => {
    const c = check(event);
    return c ? [{ event, check: c }] : [];
  });
}

describe('check it yourself', () => {
  it('every command on the RFC 8448 simple 1-RTT page prints what the page says', async () => {
    const html = renderHtml(runScenario('simple_1rtt').events);
    const checks = [...html.matchAll(/<pre class="command" data-prints="([^"]*)">([^<]*)<\/pre>/g)].map((m) => ({ prints: unescape(m[1]!), command: unescape(m[2]!) }));
    // Every secret the page shows in full, but the two random private keys; the signature; each small protected record.
    expect(checks.length).toBe(html.match(/<details class="lt-event lt-secret /g)!.length - 2 + 1 + 7);
    expect(checks.filter((c) => c.command.startsWith('openssl kdf')).length).toBeGreaterThan(20);
    const printed = await runAll(checks);
    printed.forEach((out, i) => expect(out, checks[i]!.command.slice(0, 200)).toBe(checks[i]!.prints));
  }, 120_000);

  for (const scenario of ['hello_retry_request', 'resumed_0rtt', 'client_authentication'] as ScenarioName[]) {
    it(`recomputes the key exchange, the signatures and the Finished of ${scenario}`, async () => {
      // The ones the simple scenario does not cover: key shares, (EC)DHE, binders, Finished, signatures.
      const checks = checksOf(runScenario(scenario).events).filter(({ event }) =>
        event.kind === 'message' || (event.kind === 'secret' && /key share|\(EC\)DHE|finished|HKDF-Extract/.test(event.label)),
      );
      expect(checks.length).toBeGreaterThan(8);
      const printed = await runAll(checks.map((c) => c.check));
      printed.forEach((out, i) => expect(out, `${checks[i]!.event.kind} ${'name' in checks[i]!.event ? checks[i]!.event.name : ''}`).toBe(checks[i]!.check.prints));
    }, 120_000);
  }

  it('gives no command where the trace lacks an input', () => {
    const check = createCheckCommands();
    // A Derive-Secret whose parent secret the trace never showed.
    expect(check({ kind: 'secret', side: 'client', name: 'client_handshake_traffic_secret', label: 'c hs traffic', derivation: 'Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)', contextHex: '00'.repeat(32), hex: '11'.repeat(32) })).toBeUndefined();
    // A random private key: nothing to recompute it from.
    expect(check({ kind: 'secret', side: 'client', name: 'client_x25519_private', label: 'key share', derivation: 'x25519 private key from the random source', hex: '11'.repeat(32) })).toBeUndefined();
    // A CertificateVerify without the Certificate before it.
    expect(check(runScenario('simple_1rtt').events.find((e) => e.kind === 'message' && e.type === 'CertificateVerify')!)).toBeUndefined();
  });
});
