/**
 * Every key-exchange group of the noble provider, end to end between our client and our
 * server: a handshake in each group, a HelloRetryRequest to each group (the client's first
 * share is in another one), the sizes of the key_exchange values on the wire, the trace's
 * account of a hybrid's parts, and the defaults (X25519MLKEM768 and x25519 shared, the
 * hybrid preferred).
 */
import { describe, expect, it } from 'vitest';
import { GROUP_LAYOUTS, HYBRID_PARTS, type HybridGroupName } from '../../src/crypto/groups/layout.js';
import { x25519Group } from '../../src/crypto/groups/index.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { NamedGroupName } from '../../src/crypto/provider.js';
import type { MessageEvent, SecretEvent, TraceEvent, TraceField } from '../../src/trace/events.js';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { pair, pump, text, utf8 } from './harness/pair.js';
import { checkLeavesTile, findMessage, findTraceField, traceLog } from './harness/trace-log.js';

const groupNames = nobleProvider.groups.map((g) => g.name);

/** The client's and the server's key_exchange lengths in `name` (a hybrid's parts added up). */
function keyExchangeLengths(name: NamedGroupName): { client: number; server: number } {
  const parts = (HYBRID_PARTS as Record<string, readonly (keyof typeof GROUP_LAYOUTS)[]>)[name] ?? [name as keyof typeof GROUP_LAYOUTS];
  const layouts = parts.map((p) => GROUP_LAYOUTS[p]);
  return { client: layouts.reduce((n, l) => n + l.keyShare.length, 0), server: layouts.reduce((n, l) => n + l.ciphertext.length, 0) };
}

/** The KeyShareEntry fields of a traced ClientHello or ServerHello. */
function shareEntries(message: MessageEvent): TraceField[] {
  const found: TraceField[] = [];
  const walk = (fields: readonly TraceField[]) => {
    for (const f of fields) {
      if (f.name === 'KeyShareEntry' || f.name === 'server_share') found.push(f);
      else if (f.children) walk(f.children);
    }
  };
  walk(message.fields);
  return found;
}

const secretsOf = (events: readonly TraceEvent[], side: 'client' | 'server') =>
  new Map(events.filter((e): e is SecretEvent => e.kind === 'secret' && e.side === side).map((e) => [e.name, e]));

describe('a handshake in every group', () => {
  for (const name of groupNames) {
    it(name, () => {
      const log = traceLog();
      const { client, server } = pair({ client: { groups: [name], trace: log.observer }, server: { groups: [name], trace: log.observer } });
      pump(client, server);
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
      for (const conn of [client, server]) {
        expect(conn.info.group).toBe(name);
        expect(conn.info.helloRetryRequest).toBe(false);
      }
      // The key_exchange values have the sizes the group's standard gives them, both ways.
      const lengths = keyExchangeLengths(name);
      const [clientShare] = shareEntries(findMessage(log.events, 'client', 'sent', 'ClientHello')!);
      const [serverShare] = shareEntries(findMessage(log.events, 'server', 'sent', 'ServerHello')!);
      expect(findTraceField(clientShare!.children!, 'key_exchange')!.length).toBe(2 + lengths.client);
      expect(findTraceField(serverShare!.children!, 'key_exchange')!.length).toBe(2 + lengths.server);
      // Both sides put the same shared secret into the key schedule.
      const secret = (side: 'client' | 'server') => secretsOf(log.events, side).get('ecdhe_shared_secret')!.hex;
      expect(secret('client')).toBe(secret('server'));
      client.write(utf8(`over ${name}`));
      server.write(utf8('and back'));
      pump(client, server);
      expect(text(server.read())).toBe(`over ${name}`);
      expect(text(client.read())).toBe('and back');
    });
  }
});

describe('a HelloRetryRequest to every group', () => {
  for (const name of groupNames) {
    // The client's first share is in a group the server does not take, so the server asks for `name`.
    const first: NamedGroupName = name === 'x25519' ? 'secp256r1' : 'x25519';
    it(`${name} (the client's first share: ${first})`, () => {
      const log = traceLog();
      const { client, server } = pair({ client: { groups: [first, name], keyShareGroups: [first], trace: log.observer }, server: { groups: [name], trace: log.observer } });
      pump(client, server);
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
      for (const conn of [client, server]) {
        expect(conn.info.group).toBe(name);
        expect(conn.info.helloRetryRequest).toBe(true);
      }
      const hellos = log.events.filter((e): e is MessageEvent => e.kind === 'message' && e.side === 'client' && e.direction === 'sent' && e.type === 'ClientHello');
      expect(hellos.map((m) => shareEntries(m).map((f) => f.children![0]!.value))).toEqual([[first], [name]]);
      const [retried] = shareEntries(hellos[1]!);
      expect(findTraceField(retried!.children!, 'key_exchange')!.length).toBe(2 + keyExchangeLengths(name).client);
      client.write(utf8('after the retry'));
      pump(client, server);
      expect(text(server.read())).toBe('after the retry');
    });
  }
});

describe('the defaults', () => {
  it('the client shares X25519MLKEM768 and x25519, lists every group, and our server takes the hybrid', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { trace: log.observer }, server: { trace: log.observer } });
    pump(client, server);
    const hello = findMessage(log.events, 'client', 'sent', 'ClientHello')!;
    expect(shareEntries(hello).map((f) => f.children![0]!.value)).toEqual(['X25519MLKEM768', 'x25519']);
    const listed = findTraceField(hello.fields, 'named_group_list')!;
    expect(listed.children!.filter((f) => f.name === 'NamedGroup').map((f) => f.value)).toEqual(groupNames);
    expect(client.info.group).toBe('X25519MLKEM768');
    expect(server.info.group).toBe('X25519MLKEM768');
    // Two shares and every group: about 1.6 KB, well inside one record (§5.1) and our handshake limit.
    expect(hello.hex.length / 2).toBeGreaterThan(1216 + 32);
    expect(hello.hex.length / 2).toBeLessThan(2 ** 14);
  });

  it('a server without the hybrid answers the x25519 share, with no HelloRetryRequest', () => {
    const { client, server } = pair({ client: {}, server: { groups: ['x25519', 'secp256r1'] } });
    pump(client, server);
    expect(server.info.group).toBe('x25519');
    expect(client.info.helloRetryRequest).toBe(false);
  });

  it('a client limited to groups outside the defaults shares its first group', () => {
    const { client, server } = pair({ client: { groups: ['secp384r1', 'ffdhe2048'] }, server: {} });
    pump(client, server);
    expect(server.info.group).toBe('secp384r1');
    expect(client.info.helloRetryRequest).toBe(false);
  });
});

describe('the trace of a hybrid', () => {
  const hybrids = Object.keys(HYBRID_PARTS) as HybridGroupName[];
  for (const name of hybrids) {
    it(`${name}: the key_exchange fields name the parts in order, sent and received, and tile the message`, () => {
      const log = traceLog();
      const { client, server } = pair({ client: { groups: [name], trace: log.observer }, server: { groups: [name], trace: log.observer } });
      pump(client, server);
      const [a, b] = HYBRID_PARTS[name].map((p) => GROUP_LAYOUTS[p]);
      for (const [type, from, labels] of [
        ['ClientHello', 'client', [a!.keyShare, b!.keyShare]],
        ['ServerHello', 'server', [a!.ciphertext, b!.ciphertext]],
      ] as const) {
        for (const [side, direction] of [[from, 'sent'], [from === 'client' ? 'server' : 'client', 'received']] as const) {
          const message = findMessage(log.events, side, direction, type)!;
          checkLeavesTile(message.fields, message.hex);
          const keyExchange = findTraceField(shareEntries(message)[0]!.children!, 'key_exchange')!;
          expect(keyExchange.children!.map((f) => [f.name, f.length])).toEqual([['length', 2], [labels[0].label, labels[0].length], [labels[1].label, labels[1].length]]);
          expect(keyExchange.note).toContain('draft-ietf-tls-ecdhe-mlkem');
        }
      }
    });
  }

  it('X25519MLKEM768: the secrets name each part, and the shared secret is ML-KEM’s then X25519’s', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { groups: ['X25519MLKEM768'], trace: log.observer }, server: { groups: ['X25519MLKEM768'], trace: log.observer } });
    pump(client, server);
    const ours = secretsOf(log.events, 'client');
    const theirs = secretsOf(log.events, 'server');
    expect([...ours.keys()].slice(0, 4)).toEqual([
      'client_x25519mlkem768_mlkem768_private',
      'client_x25519mlkem768_mlkem768_public',
      'client_x25519mlkem768_x25519_private',
      'client_x25519mlkem768_x25519_public',
    ]);
    expect(ours.get('client_x25519mlkem768_mlkem768_private')!.hex.length / 2).toBe(64); // the seed d || z
    expect(ours.get('client_x25519mlkem768_mlkem768_public')!.hex.length / 2).toBe(1184);
    expect(theirs.get('server_x25519mlkem768_mlkem768_ciphertext')!.hex.length / 2).toBe(1088);
    // The X25519 part agrees with a plain X25519 of the two parts' keys.
    const x25519Part = x25519Group.decaps(fromHex(ours.get('client_x25519mlkem768_x25519_private')!.hex), fromHex(theirs.get('server_x25519mlkem768_x25519_public')!.hex));
    for (const secrets of [ours, theirs]) {
      expect(secrets.get('x25519_shared_secret')!.hex).toBe(toHex(x25519Part));
      expect(secrets.get('ecdhe_shared_secret')!.hex).toBe(secrets.get('mlkem768_shared_secret')!.hex + secrets.get('x25519_shared_secret')!.hex);
      expect(secrets.get('ecdhe_shared_secret')!.derivation).toBe('mlkem768_shared_secret || x25519_shared_secret (draft-ietf-tls-ecdhe-mlkem §3.3)');
    }
    expect(ours.get('mlkem768_shared_secret')!.hex).toBe(theirs.get('mlkem768_shared_secret')!.hex);
  });

  it('SecP256r1MLKEM768: the ECDH part comes first, in the key shares and in the shared secret', () => {
    const log = traceLog();
    const { client, server } = pair({ client: { groups: ['SecP256r1MLKEM768'], trace: log.observer }, server: { groups: ['SecP256r1MLKEM768'], trace: log.observer } });
    pump(client, server);
    const ours = secretsOf(log.events, 'client');
    const hello = findMessage(log.events, 'client', 'sent', 'ClientHello')!;
    const keyExchange = findTraceField(shareEntries(hello)[0]!.children!, 'key_exchange')!;
    expect(keyExchange.children![1]!.hex).toBe(ours.get('client_p256mlkem768_p256_public')!.hex);
    expect(keyExchange.children![2]!.hex).toBe(ours.get('client_p256mlkem768_mlkem768_public')!.hex);
    expect(ours.get('ecdhe_shared_secret')!.hex).toBe(ours.get('p256_shared_secret')!.hex + ours.get('mlkem768_shared_secret')!.hex);
  });
});
