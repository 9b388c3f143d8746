/**
 * The two crypto providers are interchangeable: given the same inputs (the same random
 * bytes, hence the same randoms, key shares, PSS salts and ticket keys, and the same
 * clock), a client and server on `nobleProvider` and a client and server on
 * `nodeCryptoProvider` put the very same bytes on the wire, flight by flight: full
 * handshakes in every cipher suite and every group both providers have, HelloRetryRequest,
 * client authentication, tickets, resumption with 0-RTT, KeyUpdate and close_notify.
 *
 * The certificates are Ed25519 and RSA (rsa_pss_rsae_sha256) on purpose: those signatures
 * are deterministic given the key and the salt. ECDSA is not comparable this way, since
 * OpenSSL 3.0 draws each ECDSA nonce from its own generator (noble derives it with
 * RFC 6979), so an ECDSA CertificateVerify differs between the providers by design; for
 * ECDSA the providers are shown to verify each other's signatures instead (the last test
 * here, and the conformance suite).
 */
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ClientConnection } from '../../src/connection/client-connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { ServerConnection } from '../../src/connection/server-connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CipherSuiteName, CryptoProvider, KeyExchangeGroup, NamedGroupName } from '../../src/crypto/provider.js';
import { SingleUseTickets } from '../../src/handshake/server/anti-replay.js';
import { RotatingTicketer } from '../../src/handshake/server/ticketer.js';
import type { Session } from '../../src/handshake/session.js';
import { nodeCryptoProvider } from '../../src/node/crypto/index.js';
import { toHex, utf8 } from '../../src/wire/bytes.js';
import { pinned, testCert, type TestCert } from './harness/pki.js';
import { pump, type Flights } from './harness/pair.js';

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** Every group both providers implement (more, as the noble provider gains groups). */
const GROUPS = nobleProvider.groups.map((g) => g.name).filter((name) => nodeCryptoProvider.groups.some((g) => g.name === name));
const T0 = Date.UTC(2025, 0, 1);

/**
 * `provider` with a deterministic random source: SHA-256 of a label and a counter, so any
 * number of draws, of any length and in any order, is reproducible, and both providers
 * are handed the same bytes as long as they ask for them in the same order.
 */
function seeded(provider: CryptoProvider, label: string): CryptoProvider {
  let counter = 0;
  const randomBytes = (n: number) => {
    const out = new Uint8Array(n);
    for (let offset = 0; offset < n; offset += 32) out.set(sha256(utf8(`${label} ${counter++}`)).subarray(0, n - offset), offset);
    return out;
  };
  return { ...provider, randomBytes };
}

/** Everything that crossed the wire in one scenario, one hex string per flight with its sender. */
type Transcript = string[];

interface Scenario {
  suite: CipherSuiteName;
  group: NamedGroupName;
  cert: TestCert;
  /** The client offers a share for this group first; the server insists on `group` (a HelloRetryRequest). */
  retryFrom?: NamedGroupName;
  clientCert?: TestCert;
}

/** A full handshake, data and a KeyUpdate, then a resumption with 0-RTT data, then close_notify both ways. */
function run(base: CryptoProvider, scenario: Scenario): Transcript {
  const provider = (side: string) => seeded(base, `${side} ${JSON.stringify({ ...scenario, cert: undefined, clientCert: undefined })}`);
  const serverProvider = provider('server');
  const ticketer = new RotatingTicketer(serverProvider, { now: () => T0 });
  const antiReplay = new SingleUseTickets();
  const log: Flights = { flights: [] };
  const server = (): ServerConfig => ({
    provider: serverProvider,
    certificate: scenario.cert,
    cipherSuites: [scenario.suite],
    groups: [scenario.group, ...GROUPS.filter((g) => g !== scenario.group)],
    groupSelection: 'server-preference',
    tickets: { ticketer, count: 2 },
    maxEarlyDataSize: 1024,
    antiReplay,
    now: () => T0,
    ...(scenario.clientCert ? { clientAuth: 'required' as const, verifyClientCertificate: pinned(scenario.clientCert.der) } : {}),
  });
  const clientProvider = provider('client');
  const client = (session?: Session): ClientConfig => ({
    provider: clientProvider,
    serverName: 'localhost',
    verifyServerCertificate: pinned(scenario.cert.der),
    cipherSuites: [scenario.suite],
    groups: scenario.retryFrom ? [scenario.retryFrom, scenario.group] : [scenario.group],
    now: () => T0 + 1000,
    ...(scenario.clientCert ? { certificate: scenario.clientCert } : {}),
    ...(session ? { session, earlyData: utf8('early bird') } : {}),
  });

  const c1 = new ClientConnection(client());
  const s1 = new ServerConnection(server());
  pump(c1, s1, log);
  expect(s1.info.group).toBe(scenario.group);
  expect(s1.info.helloRetryRequest).toBe(scenario.retryFrom !== undefined);
  c1.write(utf8('ping'));
  s1.write(utf8('pong'));
  c1.keyUpdate(true);
  pump(c1, s1, log);
  const sessions = c1.takeEvents().flatMap((e) => (e.type === 'session' ? [e.session] : []));
  c1.close();
  pump(c1, s1, log);

  if (!scenario.clientCert) {
    // A resumed handshake, with 0-RTT data (§2.3): PSK binders, the early traffic secret.
    expect(sessions).toHaveLength(2);
    const c2 = new ClientConnection(client(sessions[0]));
    const s2 = new ServerConnection(server());
    pump(c2, s2, log);
    expect(s2.info.resumed).toBe(true);
    // After a HelloRetryRequest the early data is rejected (§4.2.10); the retry happens again here.
    expect(s2.info.earlyData).toBe(scenario.retryFrom ? 'rejected' : 'accepted');
    s2.close();
    pump(c2, s2, log);
  }
  return log.flights.map((f) => `${f.from} ${toHex(f.bytes)}`);
}

/** Runs `scenario` on both providers and compares every flight. */
function sameFlights(scenario: Scenario): void {
  const noble = run(nobleProvider, scenario);
  const native = run(nodeCryptoProvider, scenario);
  expect(native.length).toBe(noble.length);
  for (let i = 0; i < noble.length; i++) expect(native[i], `flight ${i + 1}`).toBe(noble[i]);
}

describe('noble and native providers put the same bytes on the wire', () => {
  for (const [kind, cert] of [
    ['ed25519', testCert('ed25519')],
    ['rsa', testCert('rsa')],
  ] as const) {
    for (const suite of SUITES) {
      for (const group of GROUPS) {
        it(`${kind} / ${suite} / ${group}: handshake, data, KeyUpdate, tickets, resumption with 0-RTT, close_notify`, () => {
          sameFlights({ suite, group, cert });
        });
      }
    }
  }

  it('after a HelloRetryRequest (x25519 offered, secp256r1 required)', () => {
    sameFlights({ suite: 'TLS_AES_128_GCM_SHA256', group: 'secp256r1', retryFrom: 'x25519', cert: testCert('ed25519') });
  });

  it('with client authentication (RSA server, Ed25519 client)', () => {
    sameFlights({ suite: 'TLS_AES_256_GCM_SHA384', group: 'x25519', cert: testCert('rsa'), clientCert: testCert('ed25519', 'client') });
  });

  it('a flight differs when one input differs (the comparison can fail)', () => {
    const scenario: Scenario = { suite: 'TLS_AES_128_GCM_SHA256', group: 'x25519', cert: testCert('ed25519') };
    const noble = run(nobleProvider, scenario);
    const other = run(nodeCryptoProvider, { ...scenario, group: 'secp256r1' });
    expect(other[0]).not.toBe(noble[0]);
  });

  it('ECDSA: a native client and a noble server, and the reverse, verify each other’s CertificateVerify', () => {
    const cert = testCert('p256');
    for (const [c, s] of [
      [nobleProvider, nodeCryptoProvider],
      [nodeCryptoProvider, nobleProvider],
    ] as const) {
      const client = new ClientConnection({ provider: c, serverName: 'localhost', verifyServerCertificate: pinned(cert.der), certificate: testCert('p384', 'client') });
      const server = new ServerConnection({ provider: s, certificate: cert, clientAuth: 'required', verifyClientCertificate: pinned(testCert('p384', 'client').der) });
      pump(client, server);
      expect([client.info.signatureScheme, server.info.signatureScheme]).toEqual(['ecdsa_secp256r1_sha256', 'ecdsa_secp256r1_sha256']);
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    }
  });
});

/** Bad key_exchange values of each kind: a small-order point, a point off the curve, Y = 1. */
const BAD_SHARES: Partial<Record<NamedGroupName, (valid: Uint8Array) => Uint8Array>> = {
  x25519: (valid) => new Uint8Array(valid.length),
  x448: (valid) => new Uint8Array(valid.length),
  secp256r1: (valid) => Uint8Array.from(valid, (b, i) => (i === valid.length - 1 ? b ^ 1 : b)),
  secp384r1: (valid) => Uint8Array.from(valid, (b, i) => (i === valid.length - 1 ? b ^ 1 : b)),
  ffdhe2048: (valid) => Uint8Array.from(valid, (_, i) => (i === valid.length - 1 ? 1 : 0)),
};

/** `provider` with one group whose key share (the client's, or the server's answer) is replaced by `bad`. */
function sendingBadShare(provider: CryptoProvider, name: NamedGroupName, side: 'client' | 'server', bad: (valid: Uint8Array) => Uint8Array): CryptoProvider {
  const swap = (group: KeyExchangeGroup): KeyExchangeGroup =>
    side === 'client'
      ? { ...group, keyGen: (random) => { const pair = group.keyGen(random); return { ...pair, publicKey: bad(pair.publicKey) }; } }
      : { ...group, encaps: (peer, random) => { const answer = group.encaps(peer, random); return { ...answer, ciphertext: bad(answer.ciphertext) }; } };
  return { ...provider, groups: provider.groups.map((g) => (g.name === name ? swap(g) : g)) };
}

describe.each([
  ['noble', nobleProvider],
  ['native', nodeCryptoProvider],
] as [string, CryptoProvider][])('the %s provider in a handshake refuses a bad key share with illegal_parameter (§4.2.8, §7.4)', (_name, provider) => {
  const cert = testCert('ed25519');
  for (const group of provider.groups.map((g) => g.name).filter((g) => BAD_SHARES[g])) {
    for (const liar of ['client', 'server'] as const) {
      it(`${group}, from the ${liar}`, () => {
        const bad = BAD_SHARES[group]!;
        const client = new ClientConnection({
          provider: liar === 'client' ? sendingBadShare(provider, group, 'client', bad) : provider,
          serverName: 'localhost',
          verifyServerCertificate: pinned(cert.der),
          groups: [group],
        });
        const server = new ServerConnection({ provider: liar === 'server' ? sendingBadShare(provider, group, 'server', bad) : provider, certificate: cert, groups: [group] });
        let error: unknown;
        try {
          pump(client, server);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TlsError);
        expect((error as TlsError).alert).toBe('illegal_parameter');
        expect((error as TlsError).sent).toBe(true);
        // The honest side refused: the liar gets the alert.
        expect((liar === 'client' ? server : client).error?.alert).toBe('illegal_parameter');
      });
    }
  }
});
