/**
 * Runs the client and server engines on RFC 8448's inputs and collects every value they
 * compute, under the names of the RFC 8448 vectors. Nothing is read from the RFC's
 * outputs: the randoms, private keys, certificates, RSA key, ticket and cookie are the
 * only inputs (`inputs.ts`), and the values come from the engines' trace.
 * @module
 */
import type { CipherSuiteName, PrivateKey, SignatureScheme, CryptoProvider } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { sha256 } from '../crypto/hash.js';
import { rsaPssRecoverSalt } from '../crypto/rsa.js';
import { withFixedInputs } from '../crypto/fixed-inputs.js';
import { ClientConnection } from '../connection/client-connection.js';
import { ServerConnection } from '../connection/server-connection.js';
import type { CertificateVerifier, ClientConfig, ServerConfig } from '../handshake/config.js';
import type { Connection } from '../connection/connection.js';
import { decodeHandshakeMessage } from '../handshake/messages/handshake-message.js';
import { truncatedClientHello } from '../handshake/messages/psk-binders.js';
import { certificateVerifyContent } from '../handshake/authentication.js';
import type { Session } from '../handshake/session.js';
import { encodeTicketState, type Ticketer } from '../handshake/server/ticketer.js';
import { SingleUseTickets } from '../handshake/server/anti-replay.js';
import type { TraceEvent } from '../trace/events.js';
import { equalBytes, fromHex, toHex } from '../wire/bytes.js';
import { TlsError } from '../alert.js';
import { rfc8448Inputs } from './inputs.js';

/**
 * The five scenarios of RFC 8448, by the vectors' names.
 *
 * @example
 * ```ts
 * import { SCENARIOS } from '@lucid-tls/tls/learn';
 * console.log(SCENARIOS.join(' ')); // → simple_1rtt resumed_0rtt hello_retry_request client_authentication compatibility_mode
 * ```
 * @category RFC 8448
 */
export const SCENARIOS = ['simple_1rtt', 'resumed_0rtt', 'hello_retry_request', 'client_authentication', 'compatibility_mode'] as const;
/**
 * One of {@link SCENARIOS}: `"simple_1rtt"`, `"resumed_0rtt"`, …
 * @category RFC 8448
 */
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * What a run produced: every named value, and the trace of both sides in order.
 * @category RFC 8448
 */
export interface ScenarioRun {
  values: Record<string, string>;
  events: TraceEvent[];
}

const inputs = rfc8448Inputs.scenarios;
const h = fromHex;

/** NSS's lists, as RFC 8448's client advertises them. */
const NSS_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
const NSS_SCHEMES = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
const NSS_SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'];
/** The clock of the runs: the RFC's traces are undated, so any fixed instant will do. */
const T0 = Date.UTC(2016, 9, 1);

const rsa = rfc8448Inputs.serverRsaKey;
const big = (x: string) => BigInt(`0x${x}`);
const serverRsaKey: Extract<PrivateKey, { type: 'rsa' }> = {
  type: 'rsa',
  n: big(rsa.modulus),
  e: big(rsa.public_exponent),
  d: big(rsa.private_exponent),
  p: big(rsa.prime1),
  q: big(rsa.prime2),
  dp: big(rsa.exponent1),
  dq: big(rsa.exponent2),
  qi: big(rsa.coefficient),
};

/** Trusts exactly one certificate: the RFC's certificates are self-signed test certificates. */
const pinned =
  (der: Uint8Array): CertificateVerifier =>
  (chain) => {
    if (!equalBytes(chain[0]!, der)) throw new TlsError('bad_certificate', 'not the RFC 8448 certificate');
  };

/**
 * The salt of an RFC 8448 RSA-PSS CertificateVerify, recovered from its signature with
 * the public key (the RFC does not print it). Needs the transcript hash the signature covers.
 */
function recoverSalt(certificateVerifyHex: string, transcriptHash: Uint8Array): Uint8Array {
  const message = decodeHandshakeMessage(h(certificateVerifyHex)).message;
  if (message.type !== 'certificate_verify') throw new Error('not a CertificateVerify');
  const key = { type: 'rsa' as const, n: serverRsaKey.n, e: serverRsaKey.e };
  return rsaPssRecoverSalt(key, sha256, certificateVerifyContent('server', transcriptHash), message.signature);
}

/**
 * A provider whose signature scheme `id` returns a recorded signature: for scenario 6,
 * whose private keys RFC 8448 does not print. The peer still verifies it for real.
 */
function replaySignature(provider: CryptoProvider, id: number, signatureHex: string): CryptoProvider {
  const recorded = decodeHandshakeMessage(h(signatureHex)).message;
  if (recorded.type !== 'certificate_verify') throw new Error('not a CertificateVerify');
  const signatureSchemes = provider.signatureSchemes.map((s): SignatureScheme => (s.id === id ? { ...s, canSign: () => true, sign: () => recorded.signature } : s));
  return { ...provider, signatureSchemes };
}

/** A ticketer that issues the RFC's ticket and opens it again to the state it was issued with. */
class RecordedTicketer implements Ticketer {
  private state: Uint8Array | undefined;
  constructor(private readonly ticket: Uint8Array) {}
  seal(state: Uint8Array): Uint8Array {
    this.state = state;
    return this.ticket;
  }
  open(ticket: Uint8Array): Uint8Array | null {
    return equalBytes(ticket, this.ticket) ? (this.state ?? null) : null;
  }
  /** Sets the state directly (the resumed scenario's server never issued the ticket itself). */
  remember(state: Uint8Array): void {
    this.state = state;
  }
}

/** Moves bytes between the two until both are quiet. */
function pump(client: Connection, server: Connection): void {
  for (let i = 0; i < 100; i++) {
    const c = client.takeOutgoing();
    if (c.length) server.receive(c);
    const s = server.takeOutgoing();
    if (s.length) client.receive(s);
    if (!c.length && !s.length) return;
  }
  throw new Error('the handshake did not settle');
}

function commonClient(events: TraceEvent[], name: ScenarioName, serverCert: Uint8Array): Omit<ClientConfig, 'provider'> {
  return {
    serverName: 'server',
    cipherSuites: NSS_SUITES,
    // The RFC's client (NSS, 2016) sends one key share, x25519; P-256 is its retry group.
    groups: ['x25519', 'secp256r1'],
    recordSizeLimit: 0x4001,
    verifyServerCertificate: pinned(serverCert),
    trace: (e) => events.push(e),
    now: () => T0,
    advertise: {
      groups: name === 'hello_retry_request' ? [0x001d, 0x0017, 0x0018] : NSS_GROUPS,
      signatureAlgorithms: NSS_SCHEMES,
      renegotiationInfo: true,
      sessionTicket: name === 'simple_1rtt',
      padToLength: 512,
    },
  };
}

function commonServer(events: TraceEvent[]): Omit<ServerConfig, 'certificate' | 'provider'> {
  return {
    recordSizeLimit: 0x4001,
    trace: (e) => events.push(e),
    now: () => T0,
    groups: ['x25519', 'secp256r1'],
    advertiseGroups: NSS_GROUPS,
    tickets: { count: 0 },
  };
}

/** How to run a scenario. */
export interface ScenarioOptions {
  /**
   * The crypto provider both engines compute with (default `nobleProvider`); the RFC's
   * inputs are fixed on it with `withFixedInputs`, so any provider that keeps to the
   * provider contract reproduces the same values.
   */
  provider?: CryptoProvider;
}

/**
 * Runs one scenario. `resumed_0rtt` runs `simple_1rtt` first, for its ticket.
 *
 * @example
 * ```ts
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const { values, events } = runScenario('simple_1rtt');
 * console.log(values.client_handshake_traffic_secret); // → b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21
 * console.log(events.filter((e) => e.kind === 'message' && e.side === 'client' && e.direction === 'sent').length); // → 2
 * ```
 * @category RFC 8448
 */
export function runScenario(name: ScenarioName, options: ScenarioOptions = {}): ScenarioRun {
  const base = options.provider ?? nobleProvider;
  const events: TraceEvent[] = [];
  const sc = inputs[name] as Record<string, string | number>;
  const str = (k: string) => sc[k] as string;
  const serverCert = h(str('serverCertificate') ?? inputs.simple_1rtt.serverCertificate);
  const clientRandoms = [h(str('clientRandom'))];
  if (name === 'compatibility_mode') clientRandoms.push(h(str('clientSessionId')));
  const keyShares = (side: 'client' | 'server') => {
    const shares: { x25519?: Uint8Array; secp256r1?: Uint8Array } = {};
    if (sc[`${side}_x25519_private`]) shares.x25519 = h(str(`${side}_x25519_private`));
    if (sc[`${side}_p256_private`]) shares.secp256r1 = h(str(`${side}_p256_private`));
    return shares;
  };
  let clientProvider = withFixedInputs(base, { random: clientRandoms, keyShares: keyShares('client') });
  const serverRandoms = [h(str('serverRandom'))];
  let serverProvider: CryptoProvider = base;
  let pssSalts: Uint8Array[] = [];

  const clientConfig: ClientConfig = { ...commonClient(events, name, serverCert) };
  const serverConfig: ServerConfig = { ...commonServer(events), certificate: { chain: [serverCert], privateKey: serverRsaKey } };

  if (name === 'simple_1rtt') {
    // The server's NewSessionTicket: lifetime 30 s, early data up to 1024 bytes, the RFC's ticket bytes.
    serverRandoms.push(h(str('ticketAgeAdd')));
    serverConfig.tickets = { count: 1, lifetime: 30, ticketer: new RecordedTicketer(h(str('ticket'))) };
    serverConfig.maxEarlyDataSize = 1024;
    serverConfig.antiReplay = new SingleUseTickets();
  }
  if (name === 'hello_retry_request') {
    serverConfig.groupSelection = 'server-preference';
    serverConfig.groups = ['secp256r1', 'x25519'];
    serverConfig.advertiseGroups = [0x0017, 0x0018, 0x001d];
    serverConfig.makeCookie = () => h(str('cookie'));
  }
  if (name === 'client_authentication') {
    // RFC 8448 prints neither private key of scenario 6: both signatures are replayed, and verified live.
    const clientCert = h(str('clientCertificate'));
    serverProvider = replaySignature(base, 0x0403, str('serverCertificateVerify'));
    clientProvider = replaySignature(clientProvider, 0x0804, str('clientCertificateVerify'));
    serverConfig.certificate = { chain: [serverCert], privateKey: { type: 'ec', curve: 'P-256', d: new Uint8Array(32) } };
    serverConfig.clientAuth = 'required';
    serverConfig.verifyClientCertificate = pinned(clientCert);
    serverConfig.advertiseSignatureAlgorithms = NSS_SCHEMES;
    clientConfig.certificate = { chain: [clientCert], privateKey: { ...serverRsaKey } };
  }
  if (name === 'compatibility_mode') clientConfig.middleboxCompatibility = true;

  let session: Session | undefined;
  let ticketer: RecordedTicketer | undefined;
  if (name === 'resumed_0rtt') {
    // The session comes from a live run of scenario 3, like the RFC's.
    const first = runSimpleForSession(base);
    session = first.session;
    ticketer = new RecordedTicketer(session.ticket);
    ticketer.remember(first.ticketState);
    // The client's clock: the RFC's obfuscated_ticket_age minus ticket_age_add is the age it sent.
    const age = ((sc.obfuscatedTicketAge as number) - session.ticketAgeAdd + 2 ** 32) % 2 ** 32;
    clientConfig.now = () => session!.receivedAt + age;
    clientConfig.session = session;
    clientConfig.earlyData = h(str('earlyData'));
    serverConfig.now = clientConfig.now;
    serverConfig.tickets = { count: 0, ticketer };
    serverConfig.maxEarlyDataSize = 1024;
    serverConfig.antiReplay = new SingleUseTickets();
  }

  // The server's CertificateVerify salt (RSA-PSS) needs the transcript hash before it: run once to learn it.
  if (['simple_1rtt', 'hello_retry_request', 'compatibility_mode'].includes(name)) {
    pssSalts = [recoverSalt(str('serverCertificateVerify'), transcriptBeforeCertificateVerify(name, clientConfig, serverConfig, clientProvider, serverRandoms, base))];
    clientProvider = withFixedInputs(base, { random: clientRandoms, keyShares: keyShares('client') });
  }
  serverProvider = withFixedInputs(serverProvider, { random: serverRandoms, keyShares: keyShares('server'), pssSalts });

  const client = new ClientConnection({ ...clientConfig, provider: clientProvider });
  const server = new ServerConnection({ ...serverConfig, provider: serverProvider });
  pump(client, server);
  if (!client.handshakeComplete || !server.handshakeComplete) throw new Error(`${name}: the handshake did not complete`);
  if (name === 'simple_1rtt' || name === 'resumed_0rtt') {
    // Both traces end with 50 bytes of application data each way (0x00..0x31).
    client.write(h(inputs.simple_1rtt.clientApplicationData));
    server.write(h(inputs.simple_1rtt.serverApplicationData));
    pump(client, server);
  }
  client.close();
  server.close();
  pump(client, server);
  return { values: collect(name, events), events };
}

/** The transcript hash through the server's Certificate, from a dry run with a throwaway salt. */
function transcriptBeforeCertificateVerify(
  name: ScenarioName,
  clientConfig: ClientConfig,
  serverConfig: ServerConfig,
  clientProvider: CryptoProvider,
  serverRandoms: Uint8Array[],
  base: CryptoProvider,
): Uint8Array {
  const sc = inputs[name] as Record<string, string>;
  const shares: { x25519?: Uint8Array; secp256r1?: Uint8Array } = {};
  if (sc.server_x25519_private) shares.x25519 = h(sc.server_x25519_private);
  if (sc.server_p256_private) shares.secp256r1 = h(sc.server_p256_private);
  const messages: Uint8Array[] = [];
  const server = new ServerConnection({
    ...serverConfig,
    tickets: { count: 0 },
    trace: (e) => {
      if (e.kind === 'message') messages.push(fromHex(e.hex));
    },
    provider: withFixedInputs(base, { random: serverRandoms.slice(0, 1), keyShares: shares, pssSalts: [new Uint8Array(32)] }),
  });
  const client = new ClientConnection({ ...clientConfig, trace: undefined, provider: clientProvider });
  server.receive(client.takeOutgoing());
  if (name === 'hello_retry_request') {
    client.receive(server.takeOutgoing());
    server.receive(client.takeOutgoing());
  }
  // The transcript: message_hash rule aside, every message up to the Certificate.
  const types = messages.map((m) => m[0]);
  const upTo = types.indexOf(15); // certificate_verify
  const hash = sha256.create();
  let list = messages.slice(0, upTo);
  if (name === 'hello_retry_request') {
    const ch1Hash = sha256.hash(list[0]!);
    list = [Uint8Array.of(254, 0, 0, 32, ...ch1Hash), ...list.slice(1)];
  }
  for (const m of list) hash.update(m);
  return hash.digest();
}

/** Scenario 3 again, only for the session it leaves (for scenario 4). */
function runSimpleForSession(provider: CryptoProvider): { session: Session; ticketState: Uint8Array } {
  const run = runScenario('simple_1rtt', { provider });
  const nst = decodeHandshakeMessage(h(run.values.new_session_ticket!)).message;
  if (nst.type !== 'new_session_ticket') throw new Error('no ticket');
  const psk = h(run.values.resumption_psk!);
  const session: Session = {
    ticket: nst.ticket,
    psk,
    cipherSuite: 0x1301,
    ticketAgeAdd: nst.ticketAgeAdd,
    receivedAt: T0,
    lifetime: nst.ticketLifetime,
    maxEarlyDataSize: 1024,
    serverName: 'server',
  };
  const ticketState = encodeTicketState({
    cipherSuite: 0x1301,
    psk,
    ticketAgeAdd: nst.ticketAgeAdd,
    issuedAt: T0,
    lifetime: nst.ticketLifetime,
    maxEarlyDataSize: 1024,
    alpnProtocol: '',
    serverName: 'server',
    clientCertificates: [],
  });
  return { session, ticketState };
}

const messageNames: Record<string, [string, string]> = {
  ClientHello: ['client_hello', 'client_hello'],
  ServerHello: ['server_hello', 'server_hello'],
  HelloRetryRequest: ['hello_retry_request', 'hello_retry_request'],
  EncryptedExtensions: ['encrypted_extensions', 'encrypted_extensions'],
  CertificateRequest: ['certificate_request', 'certificate_request'],
  Certificate: ['client_certificate', 'server_certificate'],
  CertificateVerify: ['client_certificate_verify', 'server_certificate_verify'],
  Finished: ['client_finished', 'server_finished'],
  EndOfEarlyData: ['end_of_early_data', 'end_of_early_data'],
  NewSessionTicket: ['new_session_ticket', 'new_session_ticket'],
};

/** Turns the trace into the vectors' named values. */
function collect(name: ScenarioName, events: TraceEvent[]): Record<string, string> {
  const values: Record<string, string> = {};
  const set = (k: string, v: string) => {
    if (!(k in values)) values[k] = v;
  };
  let clientHellos = 0;
  for (const e of events) {
    if (e.kind === 'secret') {
      set(e.name, e.hex);
      if (e.name === 'client_handshake_traffic_secret') set('transcript_hash_ch_sh', e.contextHex!);
      if (e.name === 'client_application_traffic_secret_0') set('transcript_hash_ch_sf', e.contextHex!);
      if (e.name === 'resumption_master_secret') set('transcript_hash_ch_cf', e.contextHex!);
      if (e.name === 'client_early_traffic_secret') set('transcript_hash_ch', e.contextHex!);
      if (e.name === 'resumption_psk' && e.contextHex) set('ticket_nonce', e.contextHex);
    }
    if (e.kind === 'message' && e.direction === 'sent') {
      const pair = messageNames[e.type];
      if (!pair) continue;
      let key = e.side === 'client' ? pair[0] : pair[1];
      if (key === 'client_hello' && name === 'hello_retry_request') key = `client_hello_${++clientHellos}`;
      set(key, e.hex);
    }
  }
  for (const side of ['server', 'client'] as const) {
    const cert = values[`${side}_certificate`];
    if (cert) {
      const m = decodeHandshakeMessage(h(cert)).message;
      if (m.type === 'certificate' && m.certificateList[0]) set(`${side}_certificate_der`, toHex(m.certificateList[0].certData));
    }
  }
  const nst = values.new_session_ticket && decodeHandshakeMessage(h(values.new_session_ticket)).message;
  if (nst && nst.type === 'new_session_ticket') {
    set('ticket', toHex(nst.ticket));
    set('ticket_lifetime', nst.ticketLifetime.toString(16).padStart(8, '0'));
    set('ticket_age_add', nst.ticketAgeAdd.toString(16).padStart(8, '0'));
    // The extension entries follow lifetime, age_add, nonce<1>, ticket<2> and the block's own length.
    const bytes = h(values.new_session_ticket!);
    const block = 4 + 4 + 4 + 1 + nst.ticketNonce.length + 2 + nst.ticket.length + 2;
    set('ticket_extensions', toHex(bytes.subarray(block)));
  }
  if (name === 'resumed_0rtt' && values.client_hello) set('client_hello_prefix_for_binder', toHex(truncatedClientHello(h(values.client_hello))));
  return values;
}
