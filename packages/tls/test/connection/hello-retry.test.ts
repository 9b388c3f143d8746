/**
 * HelloRetryRequest (RFC 8446 §4.1.4) between our client and server: a key share in a
 * group the server lacks, the server insisting on its preferred group, and a retry
 * made only to round-trip a cookie (§4.2.2).
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/wire/bytes.js';
import { pair, pump, text, utf8 } from './harness/pair.js';
import { findMessage, findTraceField, messageTypes, traceLog } from './harness/trace-log.js';

/** The extension types of a traced message, from its `Extension` fields' first child (extension_type). */
function extensionTypes(fields: Parameters<typeof findTraceField>[0]): string[] {
  const block = findTraceField(fields, 'extensions');
  return (block?.children ?? []).filter((f) => f.name === 'Extension').map((f) => f.children?.[0]?.value ?? '?');
}

describe('HelloRetryRequest', () => {
  it('when the client’s key share is in a group the server lacks', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { trace: log.observer }, server: { groups: ['secp256r1'], trace: log.observer } });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    for (const conn of [client, server]) {
      expect(conn.info.helloRetryRequest).toBe(true);
      expect(conn.info.group).toBe('secp256r1');
    }
    expect(messageTypes(log.events, 'server', 'sent')).toEqual(['HelloRetryRequest', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']);
    expect(messageTypes(log.events, 'client', 'sent')).toEqual(['ClientHello', 'ClientHello', 'Finished']);

    // §4.1.2: the second ClientHello keeps the random and carries one share, in the group asked for.
    const hellos = log.events.filter((e) => e.kind === 'message' && e.side === 'server' && e.type === 'ClientHello' && e.direction === 'received');
    expect(hellos).toHaveLength(2);
    const [ch1, ch2] = hellos.map((e) => (e.kind === 'message' ? e.fields : []));
    expect(findTraceField(ch2!, 'random')!.hex).toBe(findTraceField(ch1!, 'random')!.hex);
    expect(extensionTypes(ch2!)).toContain('cookie');
    expect(extensionTypes(ch1!)).not.toContain('cookie');
    const shares = (fields: typeof ch1) => findTraceField(fields!, 'client_shares')?.children?.filter((f) => f.name === 'KeyShareEntry').map((f) => f.children?.[0]?.value);
    expect(shares(ch1)).toEqual(['X25519MLKEM768', 'x25519']); // the default shares, neither of which the server has
    expect(shares(ch2)).toEqual(['secp256r1']);

    client.write(utf8('after a retry'));
    pump(client, server);
    expect(text(server.read())).toBe('after a retry');
  });

  it('when the server insists on its preferred group (server-preference)', () => {
    const log = traceLog();
    const { client, server } = pair({ server: { groups: ['secp256r1', 'x25519'], groupSelection: 'server-preference', trace: log.observer } });
    pump(client, server);
    expect(client.info.helloRetryRequest).toBe(true);
    expect(server.info.helloRetryRequest).toBe(true);
    expect(client.info.group).toBe('secp256r1');
    expect(server.info.group).toBe('secp256r1');
    const hrr = findMessage(log.events, 'server', 'sent', 'HelloRetryRequest')!;
    expect(extensionTypes(hrr.fields)).toContain('key_share');
  });

  it('but not by default, when the client already sent a share in a group the server accepts', () => {
    const { client, server } = pair({ server: { groups: ['secp256r1', 'x25519'] } });
    pump(client, server);
    expect(client.info.helloRetryRequest).toBe(false);
    expect(server.info.group).toBe('x25519');
  });

  it('alwaysRetry: the client echoes the cookie, then the handshake completes', () => {
    const log = traceLog();
    const cookies: Uint8Array[] = [];
    const { client, server } = pair({
      client: { trace: log.observer },
      server: {
        alwaysRetry: true,
        trace: log.observer,
        makeCookie: (hash) => {
          const cookie = Uint8Array.of(0xc0, 0x0c, ...hash.subarray(0, 8));
          cookies.push(cookie);
          return cookie;
        },
      },
    });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(client.info.helloRetryRequest).toBe(true);
    expect(server.info.helloRetryRequest).toBe(true);
    expect(cookies).toHaveLength(1);
    const hrr = findMessage(log.events, 'client', 'received', 'HelloRetryRequest')!;
    const ch2 = log.events.filter((e) => e.kind === 'message' && e.side === 'server' && e.direction === 'received' && e.type === 'ClientHello')[1];
    expect(ch2?.kind).toBe('message');
    const cookieIn = (fields: Parameters<typeof findTraceField>[0]) => findTraceField(fields, 'cookie')?.hex;
    // The cookie field holds the length-prefixed cookie; the same bytes go out and come back.
    expect(cookieIn(hrr.fields)).toContain('c00c');
    expect(cookieIn(ch2!.kind === 'message' ? ch2!.fields : [])).toBe(cookieIn(hrr.fields));
    expect(equalBytes(cookies[0]!.subarray(0, 2), Uint8Array.of(0xc0, 0x0c))).toBe(true);
    // The group was acceptable, so the retry needs no key_share (§4.2.8: it may not name a group already shared).
    expect(client.info.group).toBe('X25519MLKEM768');
  });

  it('alwaysRetry with the default cookie and a client sending shares for two groups', () => {
    const { client, server } = pair({ client: { keyShareGroups: ['x25519', 'secp256r1'] }, server: { alwaysRetry: true } });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(server.info.helloRetryRequest).toBe(true);
    client.write(utf8('cookie eaten'));
    pump(client, server);
    expect(text(server.read())).toBe('cookie eaten');
  });

  it('with middlebox compatibility mode: change_cipher_spec after the HelloRetryRequest', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { middleboxCompatibility: true }, server: { groups: ['secp256r1'], trace: log.observer } });
    pump(client, server);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    const sent = log.events.filter((e) => e.kind === 'record' && e.side === 'server' && e.direction === 'sent').map((e) => (e.kind === 'record' ? e.outerType : ''));
    // §D.4: one change_cipher_spec, right after the first handshake message (the HelloRetryRequest).
    expect(sent.slice(0, 3)).toEqual(['handshake', 'change_cipher_spec', 'handshake']);
    expect(sent.filter((t) => t === 'change_cipher_spec')).toHaveLength(1);
  });
});
