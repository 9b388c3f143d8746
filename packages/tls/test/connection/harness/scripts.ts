/**
 * Recorded exchanges, replayed: five handshakes (1-RTT, client authentication,
 * HelloRetryRequest, resumption, 0-RTT) are each run once through a tapped pair
 * (./tap.ts), piece by piece, and the pieces kept as a script. Because tapped connections
 * are deterministic, a fresh client or server fed the first k pieces of a script is in
 * exactly the state the original was after k steps, and a test can hand it anything it
 * likes next.
 * @module
 */
import type { ServerConfig } from '../../../src/handshake/config.js';
import { nobleProvider } from '../../../src/crypto/noble.js';
import type { AntiReplay } from '../../../src/handshake/server/anti-replay.js';
import { RotatingTicketer } from '../../../src/handshake/server/ticketer.js';
import type { Session } from '../../../src/handshake/session.js';
import type { Side } from '../../../src/trace/events.js';
import { equalBytes } from '../../../src/wire/bytes.js';
import { pinned, testCert } from './pki.js';
import { deliver, deliverOne, nextSender, tappedEndpoint, tappedPair, TEST_NOW, type Endpoint, type Piece, type TappedPairOptions } from './tap.js';

// ---- Scenarios --------------------------------------------------------------------------

/** The scenarios the tests drive pairs through. */
export type Scenario = 'full' | 'client-auth' | 'hrr' | 'resume' | 'early-data';
/** Every scenario, in a fixed order. */
export const SCENARIOS: readonly Scenario[] = ['full', 'client-auth', 'hrr', 'resume', 'early-data'];

/** Accepts every ticket for 0-RTT: lets many connections reuse one session's early data. */
const acceptAllEarlyData: AntiReplay = { firstUse: () => true };

const sharedTicketer = new RotatingTicketer(nobleProvider, { now: () => TEST_NOW });
let sessions: { plain: Session; early: Session } | undefined;

/** Sessions from completed handshakes with a server using the shared ticketer: one without and one with 0-RTT allowed. */
export function testSessions(): { plain: Session; early: Session } {
  if (!sessions) {
    const get = (server: Partial<ServerConfig>): Session => {
      const pair = tappedPair({ server: { tickets: { ticketer: sharedTicketer, count: 1 }, ...server } });
      deliver(pair);
      const event = pair.client.conn.takeEvents().find((e) => e.type === 'session');
      if (!event || event.type !== 'session') throw new Error('no session ticket was issued');
      return event.session;
    };
    sessions = { plain: get({}), early: get({ maxEarlyDataSize: 1024, antiReplay: acceptAllEarlyData }) };
  }
  return sessions;
}

/** Pair options of each scenario. */
function scenarioOptions(scenario: Scenario): TappedPairOptions {
  const clientCert = testCert('ed25519', 'client.example');
  const tickets = { ticketer: sharedTicketer, count: 1 };
  switch (scenario) {
    case 'full':
      return { server: { tickets } };
    case 'client-auth':
      return {
        client: { certificate: clientCert },
        server: { clientAuth: 'required', verifyClientCertificate: pinned(clientCert.der) },
      };
    case 'hrr':
      return { server: { alwaysRetry: true } };
    case 'resume':
      return { client: { session: testSessions().plain }, server: { tickets } };
    case 'early-data':
      return {
        client: { session: testSessions().early, earlyData: new TextEncoder().encode('early data') },
        server: { tickets, maxEarlyDataSize: 1024, antiReplay: acceptAllEarlyData },
      };
  }
}

// ---- Scripts: one recorded exchange, replayed to fresh connections ----------------------

/** One delivery of a recorded exchange. */
export interface Step extends Piece {
  from: Side;
}

/** Where each side of a scripted exchange is: its state's name and whether a HelloRetryRequest happened. */
export interface ScriptState {
  client: string;
  server: string;
  retried: boolean;
}

const scripts = new Map<Scenario, { steps: Step[]; states: ScriptState[] }>();

function recorded(scenario: Scenario): { steps: Step[]; states: ScriptState[] } {
  let run = scripts.get(scenario);
  if (!run) {
    const pair = tappedPair(scenarioOptions(scenario));
    const at = (): ScriptState => ({ client: pair.client.conn.stateName, server: pair.server.conn.stateName, retried: pair.client.conn.info.helloRetryRequest });
    run = { steps: [], states: [at()] };
    for (let from = nextSender(pair); from; from = nextSender(pair)) {
      run.steps.push({ ...from.tap.sent[from.delivered]!, from: from.conn.side });
      deliverOne(pair, from);
      run.states.push(at());
    }
    scripts.set(scenario, run);
  }
  return run;
}

/** Every piece of a complete exchange in `scenario`, in delivery order (recorded once; deterministic). */
export function script(scenario: Scenario): Step[] {
  return recorded(scenario).steps;
}

/** The states of both sides after 0, 1, … steps of {@link script}. */
export function scriptStates(scenario: Scenario): ScriptState[] {
  return recorded(scenario).states;
}

/**
 * A fresh `side` of `scenario` after the first `k` steps: it is fed the peer's pieces
 * among them (its own it sends itself, identically, which is checked). Returns the
 * endpoint and the steps still to come.
 */
export function replay(scenario: Scenario, side: Side, k: number): { ep: Endpoint; rest: Step[] } {
  const steps = script(scenario);
  const ep = tappedEndpoint(side, scenarioOptions(scenario));
  let own = 0;
  for (const step of steps.slice(0, k)) {
    if (step.from === side) {
      const mine = ep.tap.sent[own++];
      // Tickets are sealed under the ticketer's own random key and nonce: only their type is compared.
      const same = mine && (step.type === 'NewSessionTicket' ? mine.type === step.type : equalBytes(mine.content, step.content));
      if (!same) throw new Error(`replay of ${scenario} diverged at a ${step.type ?? 'data'} the ${side} sent`);
      continue;
    }
    ep.conn.receive(ep.tap.recordFor(step.contentType, step.content));
  }
  return { ep, rest: steps.slice(k) };
}

/** The pieces the peer sends next (up to the side's own next send), given the steps after a replay. */
export function nextFlight(rest: readonly Step[], side: Side): Step[] {
  const start = rest.findIndex((s) => s.from !== side);
  if (start < 0) return [];
  const end = rest.findIndex((s, i) => i > start && s.from === side);
  return rest.slice(start, end < 0 ? undefined : end);
}
