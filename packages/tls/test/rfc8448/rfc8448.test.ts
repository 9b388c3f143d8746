// RFC 8448 byte for byte: the engines, run live on the RFC's inputs, compute every value the
// RFC prints. The expected values come from the fixture (a copy of the shared vectors); the
// engines never read it.
//
// Inputs the RFC does not print, and how we get them (see src/rfc8448/inputs.ts):
// - the RSA-PSS salts of the server CertificateVerify (scenarios 3, 5, 7): recovered from the
//   RFC's signatures with the RFC's public key, then injected through the provider;
// - scenario 6's two CertificateVerify signatures: the RFC prints neither private key, so the
//   signatures are replayed, and the peer engine still verifies them for real;
// - the ticket bytes and HelloRetryRequest cookie the RFC's server made: injected through the
//   server's ticketer and cookie hooks.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { nodeCryptoProvider } from '../../src/node/crypto/index.js';
import { runScenario, SCENARIOS } from '../../src/rfc8448/replay.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/rfc8448-vectors.json', import.meta.url), 'utf8')) as {
  scenarios: Record<string, { values: Record<string, string>; records: { side: string; record: string; protected: boolean }[] }>;
};
const bin = fileURLToPath(new URL('../../bin/lucid-tls.js', import.meta.url));

// Once per crypto provider: the RFC's fixed inputs give the same values on both.
describe.each([
  ['noble', nobleProvider],
  ['native', nodeCryptoProvider],
])('RFC 8448, live, on the %s provider', (_name, provider) => {
  for (const name of SCENARIOS) {
    it(`${name}: every printed value is reproduced`, () => {
      const { values, events } = runScenario(name, { provider });
      const expected = fixture.scenarios[name]!.values;
      for (const [key, hex] of Object.entries(expected)) expect(values[key], key).toBe(hex);
      // Every record on the wire is the RFC's, in its order per side.
      for (const side of ['client', 'server']) {
        const sent = events.filter((e) => e.kind === 'record' && e.direction === 'sent' && e.side === side).map((e) => (e as { hex: string }).hex);
        const rfc = fixture.scenarios[name]!.records.filter((r) => r.side === side).map((r) => r.record);
        expect(sent, `${side} records`).toEqual(rfc);
      }
    });
  }
});

describe('lucid-tls rfc8448', () => {
  it('--json prints every value of all five scenarios', () => {
    const out = JSON.parse(execFileSync(process.execPath, [bin, 'rfc8448', '--json'], { encoding: 'utf8' })) as Record<string, Record<string, string>>;
    expect(Object.keys(out).sort()).toEqual([...SCENARIOS].sort());
    for (const name of SCENARIOS) {
      for (const [key, hex] of Object.entries(fixture.scenarios[name]!.values)) expect(out[name]![key], `${name}.${key}`).toBe(hex);
    }
  });

  it('--trace-json prints one event a line', () => {
    const lines = execFileSync(process.execPath, [bin, 'rfc8448', 'simple_1rtt', '--trace-json'], { encoding: 'utf8' }).trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { kind: string; type?: string; label?: string; hex?: string });
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['record', 'message', 'secret', 'state', 'alert']));
    expect(events.find((e) => e.kind === 'message' && e.type === 'ClientHello')?.hex).toBe(fixture.scenarios.simple_1rtt!.values.client_hello);
    expect(events.find((e) => e.kind === 'secret' && e.label === 'c hs traffic')?.hex).toBe(fixture.scenarios.simple_1rtt!.values.client_handshake_traffic_secret);
  });

  it('--help (and -h) explains the command and every scenario, on standard output, with status 0', () => {
    for (const flag of ['--help', '-h']) {
      const help = spawnSync(process.execPath, [bin, 'rfc8448', flag], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(/^usage: lucid-tls rfc8448 /);
      for (const name of SCENARIOS) expect(help.stdout).toMatch(new RegExp(`^  ${name} +§\\d`, 'm'));
      for (const option of ['--json', '--trace', '--trace-json', '--html FILE']) expect(help.stdout).toContain(`  ${option} `);
    }
    expect(execFileSync(process.execPath, [bin, 'help', 'rfc8448'], { encoding: 'utf8' })).toBe(execFileSync(process.execPath, [bin, 'rfc8448', '--help'], { encoding: 'utf8' }));
  });

  it('rejects an unknown scenario', () => {
    expect(() => execFileSync(process.execPath, [bin, 'rfc8448', 'nope'], { stdio: 'pipe' })).toThrow();
  });
});
