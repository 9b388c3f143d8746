/**
 * Version negotiation between TLS 1.2 and TLS 1.3: minVersion/maxVersion on both sides, what a
 * client offering both sends, the downgrade sentinel (RFC 8446 §4.1.3) and TLS_FALLBACK_SCSV
 * (RFC 7507).
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/connection/client-connection.js';
import type { ProtocolName } from '../../src/handshake/versions.js';
import { findExtension, type ClientHello, type HandshakeMessage } from '../../src/handshake/messages/types.js';
import { toHex } from '../../src/wire/bytes.js';
import { catchTlsError, pump } from '../connection/harness/pair.js';
import { pinned, testCert } from '../connection/harness/pki.js';
import { findMessage, findTraceField } from '../connection/harness/trace-log.js';
import { tamperFlight, tls12Pair } from './helpers.js';

const DOWNGRD_01 = '444f574e47524401';
const tls13Only = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;
const tls12Only = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
const both = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } as const;

/** The ClientHello a client with `config` sends. */
function clientHelloOf(config: Partial<ConstructorParameters<typeof ClientConnection>[0]>): ClientHello {
  let hello: ClientHello | undefined;
  tamperFlight(new ClientConnection({ serverName: 'localhost', verifyServerCertificate: () => {}, ...config }).takeOutgoing(), (m) => {
    if (m.type === 'client_hello') hello = m;
    return m;
  });
  return hello!;
}

describe('minVersion and maxVersion', () => {
  const ranges = { tls13Only, tls12Only, both } as const;
  const expected: Record<string, ProtocolName | 'protocol_version'> = {
    'tls13Only/tls13Only': 'TLSv1.3',
    'tls13Only/tls12Only': 'protocol_version',
    'tls13Only/both': 'TLSv1.3',
    'tls12Only/tls13Only': 'protocol_version',
    'tls12Only/tls12Only': 'TLSv1.2',
    'tls12Only/both': 'TLSv1.2',
    'both/tls13Only': 'TLSv1.3',
    'both/tls12Only': 'TLSv1.2',
    'both/both': 'TLSv1.3',
  };
  for (const [c, clientRange] of Object.entries(ranges)) {
    for (const [s, serverRange] of Object.entries(ranges)) {
      it(`client ${c}, server ${s}: ${expected[`${c}/${s}`]}`, () => {
        const { client, server } = tls12Pair(clientRange, serverRange);
        const outcome = expected[`${c}/${s}`]!;
        if (outcome === 'protocol_version') {
          expect(catchTlsError(() => pump(client, server)).alert).toBe('protocol_version');
          return;
        }
        pump(client, server);
        expect(client.info.protocol).toBe(outcome);
        expect(server.info.protocol).toBe(outcome);
      });
    }
  }

  it('an empty range is a configuration error', () => {
    expect(() => new ClientConnection({ verifyServerCertificate: () => {}, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toThrow(RangeError);
  });
});

describe('what a client offers', () => {
  it('both versions: supported_versions [1.3, 1.2], the TLS 1.3 suites then the TLS 1.2 ones, and TLS 1.2’s extensions', () => {
    const ch = clientHelloOf({});
    expect(findExtension(ch.extensions, 'supported_versions')?.versions).toEqual([0x0304, 0x0303]);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8]);
    expect(ch.extensions.map((e) => e.type)).toEqual([
      'server_name',
      'extended_master_secret',
      'renegotiation_info',
      'supported_groups',
      'ec_point_formats',
      'session_ticket',
      'key_share',
      'supported_versions',
      'signature_algorithms',
      'psk_key_exchange_modes',
    ]);
  });

  it('TLS 1.2 alone: legacy_version only, no key share, no supported_versions', () => {
    const ch = clientHelloOf(tls12Only);
    expect(ch.legacyVersion).toBe(0x0303);
    expect(ch.cipherSuites.every((s) => s >> 8 !== 0x13)).toBe(true);
    expect(ch.extensions.map((e) => e.type)).toEqual(['server_name', 'extended_master_secret', 'renegotiation_info', 'supported_groups', 'ec_point_formats', 'session_ticket', 'signature_algorithms']);
  });

  it('TLS 1.3 alone, or TLS 1.3 suites alone: nothing of TLS 1.2 (RFC 8448’s client stays byte for byte)', () => {
    for (const config of [tls13Only, { cipherSuites: ['TLS_AES_128_GCM_SHA256' as const] }]) {
      const ch = clientHelloOf(config);
      expect(findExtension(ch.extensions, 'supported_versions')?.versions).toEqual([0x0304]);
      expect(ch.extensions.map((e) => e.type)).toEqual(['server_name', 'supported_groups', 'key_share', 'supported_versions', 'signature_algorithms', 'psk_key_exchange_modes']);
    }
  });

  it('TLS 1.2 suites alone: TLS 1.2 alone', () => {
    const ch = clientHelloOf({ cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] });
    expect(findExtension(ch.extensions, 'supported_versions')).toBeUndefined();
    expect(ch.cipherSuites).toEqual([0xc02f]);
  });
});

describe('the downgrade sentinel (RFC 8446 §4.1.3)', () => {
  it('a TLS 1.3 server negotiating TLS 1.2 ends its random with DOWNGRD\\x01; a TLS 1.2-only client does not mind', () => {
    const { client, server, log } = tls12Pair(tls12Only, both);
    pump(client, server);
    expect(findTraceField(findMessage(log.events, 'client', 'received', 'ServerHello')!.fields, 'random')!.hex.slice(48)).toBe(DOWNGRD_01);
  });

  it('a TLS 1.2-only server sets no sentinel, and a client offering both accepts TLS 1.2', () => {
    const { client, server, log } = tls12Pair(both, tls12Only);
    pump(client, server);
    expect(client.info.protocol).toBe('TLSv1.2');
    expect(findTraceField(findMessage(log.events, 'client', 'received', 'ServerHello')!.fields, 'random')!.hex.slice(48)).not.toBe(DOWNGRD_01);
  });

  it('an attacker who strips TLS 1.3 from a client’s offer: the TLS 1.3 server answers TLS 1.2 with the sentinel, and the client refuses it (illegal_parameter)', () => {
    const { client, server } = tls12Pair(both, both);
    const downgraded = tamperFlight(client.takeOutgoing(), (m: HandshakeMessage) =>
      m.type === 'client_hello' ? { ...m, extensions: m.extensions.map((e) => (e.type === 'supported_versions' ? { ...e, versions: [0x0303] } : e)) } : m,
    );
    server.receive(downgraded);
    expect(server.info.protocol).toBe('TLSv1.2');
    const answer = server.takeOutgoing();
    const error = catchTlsError(() => client.receive(answer));
    expect(error.alert).toBe('illegal_parameter');
    expect(error.reason).toMatch(/downgrade sentinel/);
    expect(toHex(client.takeOutgoing())).toBe('1503030002022f'); // a fatal illegal_parameter (47)
  });
});

describe('TLS_FALLBACK_SCSV (RFC 7507)', () => {
  const withScsv = (flight: Uint8Array, change: (ch: ClientHello) => ClientHello = (ch) => ch) =>
    tamperFlight(flight, (m) => (m.type === 'client_hello' ? change({ ...m, cipherSuites: [...m.cipherSuites, 0x5600] }) : m));

  it('from a client whose best is TLS 1.2, to a server that speaks TLS 1.3: inappropriate_fallback', () => {
    const { client, server } = tls12Pair(tls12Only, both);
    const error = catchTlsError(() => server.receive(withScsv(client.takeOutgoing())));
    expect(error.alert).toBe('inappropriate_fallback');
    expect(toHex(server.takeOutgoing())).toBe('15030300020256'); // a fatal inappropriate_fallback (86)
  });

  it('is judged before anything else in the hello (here an SSL 3.0 legacy_version)', () => {
    const { client, server } = tls12Pair(tls12Only, both);
    expect(catchTlsError(() => server.receive(withScsv(client.takeOutgoing(), (ch) => ({ ...ch, legacyVersion: 0x0300 })))).alert).toBe('inappropriate_fallback');
  });

  it('to a server whose best is TLS 1.2, or from a client offering TLS 1.3: no fallback, the handshake goes on', () => {
    for (const [clientRange, serverRange] of [[tls12Only, tls12Only], [both, both]] as const) {
      const { client, server } = tls12Pair(clientRange, serverRange);
      server.receive(withScsv(client.takeOutgoing()));
      expect(server.takeOutgoing().length).toBeGreaterThan(100);
    }
  });
});

describe('the same certificate chain and trust whatever the version', () => {
  it('a client checks the server’s name in TLS 1.2 as in TLS 1.3', () => {
    const cert = testCert('p256', 'other.example');
    const { client, server } = tls12Pair({ verifyServerCertificate: pinned() }, {}, cert);
    expect(catchTlsError(() => pump(client, server)).alert).toBe('bad_certificate');
  });
});
