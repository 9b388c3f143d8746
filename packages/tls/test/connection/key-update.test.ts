/**
 * KeyUpdate (RFC 8446 §4.6.3, §7.2): either side moves to the next application traffic
 * secret, optionally asking the peer to do the same; data keeps flowing.
 */
import { describe, expect, it } from 'vitest';
import type { ClientConnection } from '../../src/connection/client-connection.js';
import type { ServerConnection } from '../../src/connection/server-connection.js';
import type { SecretEvent, TraceEvent } from '../../src/trace/events.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { pair, pump, text, utf8 } from './harness/pair.js';
import { messageTypes, records, traceLog } from './harness/trace-log.js';

function connected(): { client: ClientConnection; server: ServerConnection; events: TraceEvent[] } {
  const log = traceLog();
  const { client, server } = pair({ client: { trace: log.observer }, server: { trace: log.observer } });
  pump(client, server);
  client.takeEvents();
  server.takeEvents();
  return { client, server, events: log.events };
}

/** The hex of each side's view of a named secret (both sides derive every traffic secret). */
function secretOn(events: TraceEvent[], name: string): { client?: string; server?: string } {
  const pick = (side: string) => events.find((e): e is SecretEvent => e.kind === 'secret' && e.side === side && e.name === name)?.hex;
  const out: { client?: string; server?: string } = {};
  const c = pick('client');
  const s = pick('server');
  if (c) out.client = c;
  if (s) out.server = s;
  return out;
}

function exchange(client: ClientConnection, server: ServerConnection, tag: string): void {
  client.write(utf8(`c:${tag}`));
  server.write(utf8(`s:${tag}`));
  pump(client, server);
  expect(text(server.read())).toBe(`c:${tag}`);
  expect(text(client.read())).toBe(`s:${tag}`);
}

describe('KeyUpdate', () => {
  it('the client updates its key without asking the server to', () => {
    const { client, server, events } = connected();
    const before = events.length;
    client.keyUpdate();
    pump(client, server);
    expect(client.takeEvents()).toEqual([{ type: 'key_update', direction: 'sent', updateRequested: false }]);
    expect(server.takeEvents()).toEqual([{ type: 'key_update', direction: 'received', updateRequested: false }]);
    const after = events.slice(before);
    expect(messageTypes(after, 'client', 'sent')).toEqual(['KeyUpdate']);
    expect(messageTypes(after, 'server', 'sent')).toEqual([]);
    // Both sides derive the same next secret, with the "traffic upd" label (§7.2).
    const next = secretOn(after, 'client_application_traffic_secret_1');
    expect(next.client).toMatch(/^[0-9a-f]{64}$/);
    expect(next.server).toBe(next.client);
    expect(secretOn(after, 'client_application_traffic_secret_0').client).toBeUndefined();
    expect(secretOn(after, 'server_application_traffic_secret_1')).toEqual({});
    expect(after.some((e) => e.kind === 'secret' && e.label === 'traffic upd')).toBe(true);
    exchange(client, server, 'after');
  });

  it('update_requested: the server answers with its own KeyUpdate, and data flows both ways', () => {
    const { client, server, events } = connected();
    const before = events.length;
    client.keyUpdate(true);
    pump(client, server);
    expect(client.takeEvents()).toEqual([
      { type: 'key_update', direction: 'sent', updateRequested: true },
      { type: 'key_update', direction: 'received', updateRequested: false },
    ]);
    expect(server.takeEvents()).toEqual([
      { type: 'key_update', direction: 'received', updateRequested: true },
      { type: 'key_update', direction: 'sent', updateRequested: false },
    ]);
    const after = events.slice(before);
    expect(messageTypes(after, 'server', 'sent')).toEqual(['KeyUpdate']);
    for (const name of ['client_application_traffic_secret_1', 'server_application_traffic_secret_1']) {
      const s = secretOn(after, name);
      expect(s.client).toBeDefined();
      expect(s.server).toBe(s.client);
    }
    exchange(client, server, 'both updated');
    // §5.3: the sequence number restarts at 0 under each new key.
    const appRecords = records(events, 'client', 'sent').filter((r) => r.innerType === 'application_data');
    expect(appRecords.at(-1)!.sequenceNumber).toBe(0);
  });

  it('the server can update and request too', () => {
    const { client, server } = connected();
    server.keyUpdate(true);
    pump(client, server);
    expect(server.takeEvents().map((e) => (e.type === 'key_update' ? `${e.direction}:${e.updateRequested}` : e.type))).toEqual(['sent:true', 'received:false']);
    expect(client.takeEvents().map((e) => (e.type === 'key_update' ? `${e.direction}:${e.updateRequested}` : e.type))).toEqual(['received:true', 'sent:false']);
    exchange(client, server, 'server-initiated');
  });

  it('many updates in a row, with data between them', () => {
    const { client, server, events } = connected();
    for (let i = 0; i < 5; i++) {
      (i % 2 ? server : client).keyUpdate(i % 3 === 0);
      exchange(client, server, `round ${i}`);
    }
    const generations = (name: string) => events.filter((e) => e.kind === 'secret' && e.side === 'client' && e.name.startsWith(name)).length;
    // Client-initiated at i = 0, 2, 4 (requests at 0 → server answers once); server at 1, 3 (request at 3 → client answers).
    expect(generations('client_application_traffic_secret_')).toBe(1 + 3 + 1);
    expect(generations('server_application_traffic_secret_')).toBe(1 + 2 + 1);
  });

  it('crossing requests: each side answers, so each direction advances by two (§4.6.3)', () => {
    const { client, server, events } = connected();
    client.keyUpdate(true);
    server.keyUpdate(true);
    pump(client, server);
    for (const name of ['client_application_traffic_secret_2', 'server_application_traffic_secret_2']) {
      const s = secretOn(events, name);
      expect(s.client).toBeDefined();
      expect(s.server).toBe(s.client);
    }
    expect(secretOn(events, 'client_application_traffic_secret_3')).toEqual({});
    exchange(client, server, 'crossed');
  });

  it('the exporter does not change with the traffic keys', () => {
    const { client, server } = connected();
    const before = client.exportKeyingMaterial('EXPORTER-x', new Uint8Array(0), 32);
    client.keyUpdate(true);
    pump(client, server);
    expect(equalBytes(client.exportKeyingMaterial('EXPORTER-x', new Uint8Array(0), 32), before)).toBe(true);
    expect(equalBytes(server.exportKeyingMaterial('EXPORTER-x', new Uint8Array(0), 32), before)).toBe(true);
  });

  it('is refused before the handshake completes', () => {
    const { client, server } = pair();
    expect(() => client.keyUpdate()).toThrow();
    expect(() => server.keyUpdate()).toThrow();
  });

  it('data written right after keyUpdate() goes under the new key', () => {
    const { client, server, events } = connected();
    client.keyUpdate();
    client.write(utf8('fresh key'));
    const sent = records(events, 'client', 'sent').slice(-2);
    expect(sent.map((r) => r.innerType)).toEqual(['handshake', 'application_data']);
    expect(sent[1]!.sequenceNumber).toBe(0);
    pump(client, server);
    expect(text(server.read())).toBe('fresh key');
  });
});
