/**
 * Unexpected messages in every handshake state, on both sides (RFC 8446 §6.2, §4):
 * a real client or server is driven, message by message, to each state of five
 * handshakes (1-RTT, client authentication, HelloRetryRequest, resumption, 0-RTT),
 * then handed a well-formed message of every type it does not expect there, properly
 * framed and protected with the key it reads with. Each must end the connection with
 * unexpected_message, the alert going out plaintext or protected as the keys dictate.
 * The same for application data and change_cipher_spec records (§5, §5.1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ContentType } from '../../src/record/content-type.js';
import type { ServerConnection } from '../../src/connection/server-connection.js';
import { encodeHandshakeMessage } from '../../src/handshake/messages/handshake-message.js';
import type { Side } from '../../src/trace/events.js';
import { rawRecord } from './harness/tap.js';
import { replay, SCENARIOS, script, scriptStates, testSessions, type Scenario } from './harness/scripts.js';
import { expectFailure } from './harness/expect-failure.js';

/** Handshake message titles as the trace names them. */
type Title =
  | 'ClientHello'
  | 'ServerHello'
  | 'HelloRetryRequest'
  | 'EncryptedExtensions'
  | 'CertificateRequest'
  | 'Certificate'
  | 'CertificateVerify'
  | 'Finished'
  | 'NewSessionTicket'
  | 'EndOfEarlyData'
  | 'KeyUpdate';

/** One well-formed message of every type: real ones from recorded handshakes, the rest encoded here. */
function catalogue(): Record<Title, Uint8Array> {
  const real = (scenario: Scenario, title: Title): Uint8Array => script(scenario).find((s) => s.type === title)!.content;
  return {
    ClientHello: real('full', 'ClientHello'),
    ServerHello: real('full', 'ServerHello'),
    HelloRetryRequest: real('hrr', 'HelloRetryRequest'),
    EncryptedExtensions: real('full', 'EncryptedExtensions'),
    CertificateRequest: real('client-auth', 'CertificateRequest'),
    Certificate: real('full', 'Certificate'),
    CertificateVerify: real('full', 'CertificateVerify'),
    Finished: real('full', 'Finished'),
    NewSessionTicket: real('full', 'NewSessionTicket'),
    EndOfEarlyData: real('early-data', 'EndOfEarlyData'),
    KeyUpdate: encodeHandshakeMessage({ type: 'key_update', requestUpdate: 'update_not_requested' }).bytes,
  };
}

/** What each state accepts (§4, §4.6): everything else is unexpected_message. */
function accepted(side: Side, state: string, retried: boolean): Title[] {
  if (side === 'client') {
    switch (state) {
      case 'ExpectServerHello':
        // §4.1.4: a second HelloRetryRequest is unexpected_message.
        return retried ? ['ServerHello'] : ['ServerHello', 'HelloRetryRequest'];
      case 'ExpectEncryptedExtensions':
        return ['EncryptedExtensions'];
      case 'ExpectCertificateOrCertificateRequest':
        return ['Certificate', 'CertificateRequest'];
      case 'ExpectCertificate':
        return ['Certificate'];
      case 'ExpectCertificateVerify':
        return ['CertificateVerify'];
      case 'ExpectFinished':
        return ['Finished'];
      case 'Connected':
        // §4.6.2: without post_handshake_auth offered, a CertificateRequest is unexpected_message.
        return ['NewSessionTicket', 'KeyUpdate'];
    }
  } else {
    switch (state) {
      case 'ExpectClientHello':
      case 'ExpectClientHello2':
        return ['ClientHello'];
      case 'ExpectEndOfEarlyData':
        return ['EndOfEarlyData'];
      case 'ExpectCertificate':
        return ['Certificate'];
      case 'ExpectCertificateVerify':
        return ['CertificateVerify'];
      case 'ExpectFinished':
        return ['Finished'];
      case 'Connected':
        // §4.1.2: a ClientHello after the handshake (renegotiation) is unexpected_message.
        return ['KeyUpdate'];
    }
  }
  throw new Error(`no table entry for the ${side} state ${state}`);
}

interface StatePoint {
  scenario: Scenario;
  side: Side;
  /** Steps of the scenario's script delivered before the state is reached. */
  k: number;
  state: string;
  retried: boolean;
}

/** Every distinct (scenario, side, state) of each scenario's script. */
function statePoints(): StatePoint[] {
  const points: StatePoint[] = [];
  const seen = new Set<string>();
  for (const scenario of SCENARIOS) {
    scriptStates(scenario).forEach((states, k) => {
      for (const side of ['client', 'server'] as const) {
        // The server learns of a retry only from the ClientHello2, the client from the HelloRetryRequest.
        const retried = side === 'client' && states.retried;
        const key = `${scenario}/${side}/${states[side]}/${retried}`;
        if (seen.has(key)) continue;
        seen.add(key);
        points.push({ scenario, side, k, state: states[side], retried });
      }
    });
  }
  return points;
}

const TITLES: Title[] = [
  'ClientHello',
  'ServerHello',
  'HelloRetryRequest',
  'EncryptedExtensions',
  'CertificateRequest',
  'Certificate',
  'CertificateVerify',
  'Finished',
  'NewSessionTicket',
  'EndOfEarlyData',
  'KeyUpdate',
];

let messages: Record<Title, Uint8Array>;
let points: StatePoint[];

beforeAll(() => {
  testSessions();
  messages = catalogue();
  points = statePoints();
});

describe('every state, both sides', () => {
  it('reaches every state of both state machines', () => {
    const reached = (side: Side) => [...new Set(points.filter((p) => p.side === side).map((p) => p.state))].sort();
    expect(reached('client')).toEqual([
      'Connected',
      'ExpectCertificate',
      'ExpectCertificateOrCertificateRequest',
      'ExpectCertificateVerify',
      'ExpectEncryptedExtensions',
      'ExpectFinished',
      'ExpectServerHello',
    ]);
    expect(reached('server')).toEqual([
      'Connected',
      'ExpectCertificate',
      'ExpectCertificateVerify',
      'ExpectClientHello',
      'ExpectClientHello2',
      'ExpectEndOfEarlyData',
      'ExpectFinished',
    ]);
  });

  it('a well-formed message of a type the state does not expect → unexpected_message (§6.2)', () => {
    let cases = 0;
    for (const point of points) {
      const ok = accepted(point.side, point.state, point.retried);
      for (const title of TITLES.filter((t) => !ok.includes(t))) {
        const { ep } = replay(point.scenario, point.side, point.k);
        const where = `${title} to the ${point.side} in ${point.state} (${point.scenario}, step ${point.k})`;
        const failure = (() => {
          try {
            return expectFailure(ep, () => ep.conn.receive(ep.tap.recordFor(ContentType.handshake, messages[title])));
          } catch (e) {
            throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
          }
        })();
        expect(failure.error.alert, where).toBe('unexpected_message');
        // The alert is protected exactly when a write key is in use (a client that sent
        // 0-RTT data still writes with its early key while it waits for the ServerHello).
        expect(failure.sentAlert?.protected, where).toBe(ep.tap.write !== null);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(150);
  });

  it('application data before the handshake allows it → unexpected_message (§5.1, §2)', () => {
    const payload = new TextEncoder().encode('too soon');
    for (const point of points) {
      const { ep } = replay(point.scenario, point.side, point.k);
      const where = `application data to the ${point.side} in ${point.state} (${point.scenario})`;
      // Plaintext application data is never acceptable; protected data only once the state allows it.
      const record = ep.tap.read === null ? rawRecord(ContentType.application_data, payload) : ep.tap.recordFor(ContentType.application_data, payload);
      const allowed = point.state === 'Connected' || point.state === 'ExpectEndOfEarlyData';
      if (!allowed) {
        expect(expectFailure(ep, () => ep.conn.receive(record)).error.alert, where).toBe('unexpected_message');
        continue;
      }
      ep.conn.receive(record);
      const got = point.state === 'ExpectEndOfEarlyData' ? (ep.conn as ServerConnection).readEarlyData() : ep.conn.read();
      expect(new TextDecoder().decode(got), where).toBe('too soon');
    }
  });

  it('change_cipher_spec is dropped between the first ClientHello and the peer’s Finished, else unexpected_message (§5)', () => {
    const ccs = rawRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
    for (const point of points) {
      const { ep } = replay(point.scenario, point.side, point.k);
      const where = `change_cipher_spec to the ${point.side} in ${point.state} (${point.scenario})`;
      // The client has sent its ClientHello from the start; the server must have received one.
      const allowed = point.state !== 'Connected' && point.state !== 'ExpectClientHello';
      if (allowed) {
        ep.conn.receive(ccs);
        expect(ep.conn.stateName, where).toBe(point.state);
        expect(ep.conn.error, where).toBeUndefined();
      } else {
        expect(expectFailure(ep, () => ep.conn.receive(ccs)).error.alert, where).toBe('unexpected_message');
      }
    }
  });
});
