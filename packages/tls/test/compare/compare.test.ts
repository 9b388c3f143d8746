/**
 * TLS 1.2 beside TLS 1.3 over a simulated link (`compareHandshakes`, `lucid-tls compare`): the
 * flights each protocol sends, the round trips before the request can go (2 for a full TLS 1.2
 * handshake, 1 for TLS 1.3 and for either resumption, 0 for 0-RTT data), and the bytes.
 */
import { describe, expect, it } from 'vitest';
import { compareHandshakes } from '../../src/compare/compare.js';
import { run } from '../cli/run.js';

describe('compareHandshakes', () => {
  const runs = compareHandshakes({ rttMs: 100 });
  const byName = Object.fromEntries(runs.map((r) => [r.handshake, r]));
  const flights = (name: string) => byName[name]!.flights.map((f) => `${f.from === 'client' ? '→' : '←'} ${f.carried.join(', ')}`);

  it('a full TLS 1.2 handshake takes two round trips before the request; TLS 1.3 one; 0-RTT none', () => {
    expect(runs.map((r) => [r.title, r.protocol, r.roundTripsToRequest, r.roundTripsToResponse])).toEqual([
      ['TLS 1.2', 'TLSv1.2', 2, 4],
      ['TLS 1.2 resumed', 'TLSv1.2', 1, 3],
      ['TLS 1.3', 'TLSv1.3', 1, 3],
      ['TLS 1.3 resumed', 'TLSv1.3', 1, 3],
      ['TLS 1.3 0-RTT', 'TLSv1.3', 0, 2],
    ]);
  });

  it('each protocol’s flights, as the RFCs draw them (RFC 5246 §7.3, RFC 8446 §2)', () => {
    expect(flights('tls12')).toEqual([
      '→ ClientHello',
      '← ServerHello, Certificate, ServerKeyExchange, ServerHelloDone',
      '→ ClientKeyExchange, change_cipher_spec, Finished',
      '← NewSessionTicket, change_cipher_spec, Finished',
      '→ application data',
      '← application data',
    ]);
    expect(flights('tls12-resumed')).toEqual(['→ ClientHello', '← ServerHello, change_cipher_spec, Finished', '→ change_cipher_spec, Finished, application data', '← application data']);
    expect(flights('tls13')).toEqual([
      '→ ClientHello',
      '← ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
      '→ Finished, application data',
      '← NewSessionTicket, application data',
    ]);
    expect(flights('tls13-0rtt')).toEqual(['→ ClientHello, early data', '← ServerHello, EncryptedExtensions, Finished, application data', '→ EndOfEarlyData, Finished', '← NewSessionTicket']);
  });

  it('flights cross in half a round trip, one after the other, the first after TCP’s round trip', () => {
    const { flights: f } = compareHandshakes({ rttMs: 40, handshakes: ['tls12'] })[0]!;
    expect(f.map((x) => [x.sentAt, x.arrivesAt])).toEqual([[40, 60], [60, 80], [80, 100], [100, 120], [120, 140], [140, 160]]);
  });

  it('counts the bytes: a resumption sends no certificate, so the server sends far less', () => {
    for (const r of runs) expect(r.totalBytes.client + r.totalBytes.server).toBe(r.flights.reduce((n, f) => n + f.bytes, 0));
    expect(byName['tls12-resumed']!.handshakeBytes.server).toBeLessThan(byName.tls12!.handshakeBytes.server / 3);
    expect(byName['tls13-resumed']!.handshakeBytes.server).toBeLessThan(byName.tls13!.handshakeBytes.server / 2);
  });
});

describe('lucid-tls compare', () => {
  it('prints the flights side by side, then the round trips and bytes', async () => {
    const out = await run(['compare', '--rtt', '100']);
    expect(out.code, out.stderr).toBe(0);
    const text = out.stdout.toString();
    expect(text).toMatch(/^ +TLS 1\.2 +TLS 1\.3 +TLS 1\.3 0-RTT$/m);
    expect(text).toMatch(/^ 100 ms {2}→ ClientHello +→ ClientHello +→ ClientHello, early data$/m);
    expect(text).toMatch(/^round trips to the request +2 +1 +0 \(0-RTT\)$/m);
    expect(text).toMatch(/^first response byte, TCP included +400 ms +300 ms +200 ms$/m);
  });

  it('--json gives the runs; --all adds the resumptions; a bad --rtt is a usage error', async () => {
    const json = JSON.parse((await run(['compare', '--json', '--all', '--rtt', '20'])).stdout.toString()) as { title: string; roundTripsToResponse: number }[];
    expect(json.map((r) => r.title)).toEqual(['TLS 1.2', 'TLS 1.2 resumed', 'TLS 1.3', 'TLS 1.3 resumed', 'TLS 1.3 0-RTT']);
    const bad = await run(['compare', '--rtt', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rtt/);
  });
});
