/**
 * The page's handshake logic, without a browser: which flights each choice of options gives,
 * that each flight holds its sender's making and its receiver's taking in, and that the
 * connections negotiate what was chosen.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Pki } from '../src/pki.js';
import { explain } from '../src/explanations.js';
import { CIPHER_SUITES, DEFAULT_OPTIONS, GROUPS, HandshakeStepper, MODES, timelineOf, tls12Suite, type Step, type StepperOptions } from '../src/stepper.js';

let pki: Pki;
beforeAll(() => {
  pki = new Pki();
});

/** Runs a handshake to the end; returns the stepper and its flights. */
function run(options: Partial<StepperOptions> = {}): { stepper: HandshakeStepper; steps: Step[] } {
  const stepper = new HandshakeStepper({ ...DEFAULT_OPTIONS, ...options }, pki);
  const steps: Step[] = [];
  for (let step = stepper.next(); step; step = stepper.next()) {
    steps.push(step);
    if (steps.length > 20) throw new Error('no end');
  }
  return { stepper, steps };
}

const flights = (steps: Step[]) => steps.map((s) => `${s.from}: ${s.carried.join(', ')}`);

describe('HandshakeStepper', () => {
  it('delivers a full handshake flight by flight, then one exchange of data', () => {
    const { stepper, steps } = run();
    expect(flights(steps)).toEqual([
      'client: ClientHello',
      'server: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
      'client: Finished',
      'server: NewSessionTicket',
      'client: application data',
      'server: application data',
    ]);
    expect(steps.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stepper.done).toBe(true);
    expect(stepper.inFlight).toBeUndefined();
    expect(stepper.next()).toBeUndefined();
    expect(stepper.handshakeComplete).toBe(true);
    expect(steps[4]!.to).toBe('server');
    expect(steps[4]!.applicationData).toBe(DEFAULT_OPTIONS.applicationData);
    expect(steps[5]!.applicationData).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*You sent 40 bytes\.\n$/);
    expect(steps.every((s) => s.error === undefined)).toBe(true);
    const info = stepper.client.info;
    expect([info.cipherSuite?.name, info.group, info.signatureScheme, info.resumed]).toEqual(['TLS_AES_128_GCM_SHA256', 'x25519', 'ecdsa_secp256r1_sha256', false]);
  });

  it('puts in each flight what its sender made and its receiver took in, nothing else', () => {
    const { steps } = run();
    for (const step of steps) {
      for (const e of step.events) {
        if (!('direction' in e)) continue;
        // The sender only sends here; the receiver only receives (its answer is the next flight).
        expect(`${step.number} ${e.side} ${e.direction}`).toBe(`${step.number} ${e.side} ${e.side === step.from ? 'sent' : 'received'}`);
      }
      const received = step.events.filter((e) => e.side === step.to && e.kind === 'record');
      expect(received.length, `flight ${step.number}`).toBeGreaterThan(0);
    }
    // The first flight: the client's key share and ClientHello; the server reads it.
    const names = (step: Step) => step.events.map((e) => `${e.side} ${e.kind} ${e.kind === 'secret' ? e.name : e.kind === 'message' ? e.type : ''}`.trim());
    const [first, second] = [names(steps[0]!), names(steps[1]!)];
    expect(first.slice(0, 4)).toEqual(['client secret client_x25519_private', 'client secret client_x25519_public', 'client message ClientHello', 'client record']);
    expect(first).toContain('server message ClientHello');
    // The server makes its key share for its answer: it shows in the flight that carries it, with the shared secret.
    expect(first.filter((e) => e.startsWith('server secret'))).toEqual([]);
    expect(second.slice(0, 5)).toEqual(['server secret server_x25519_private', 'server secret server_x25519_public', 'server secret ecdhe_shared_secret', 'server secret early_secret', 'server message ServerHello']);
  });

  it('EncryptedExtensions carries what the keys do not need: the chosen ALPN protocol, the server_name answer, 0-RTT accepted', () => {
    const extensionsOf = (steps: Step[]) => {
      const ee = steps[1]!.events.find((e) => e.kind === 'message' && e.type === 'EncryptedExtensions' && e.direction === 'sent');
      if (ee?.kind !== 'message') throw new Error('no EncryptedExtensions in flight 2');
      // msg_type, length, then the body: EncryptedExtensions { Extension extensions<..> }.
      const block = ee.fields.at(-1)!.children!.find((f) => f.name === 'extensions')!;
      return block.children!.filter((f) => f.name === 'Extension').map((f) => f.value);
    };
    const full = run();
    expect(extensionsOf(full.steps)).toEqual(['server_name', 'application_layer_protocol_negotiation']);
    expect([full.stepper.client.info.alpnProtocol, full.stepper.server.info.alpnProtocol]).toEqual(['http/1.1', 'http/1.1']);
    expect(extensionsOf(run({ resumption: true, earlyData: true }).steps)).toEqual(['server_name', 'application_layer_protocol_negotiation', 'early_data']);
  });

  it('shows what is on the wire between flights', () => {
    const stepper = new HandshakeStepper(DEFAULT_OPTIONS, pki);
    expect(stepper.inFlight).toMatchObject({ from: 'client', to: 'server', carried: ['ClientHello'] });
    stepper.next();
    const flight = stepper.inFlight!;
    expect(flight.carried).toEqual(['ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']);
    expect(flight.length).toBeGreaterThan(500);
    // The engine answered at once: the server already waits for the client's Finished.
    expect(stepper.server.stateName).toBe('ExpectFinished');
    expect(stepper.client.stateName).toBe('ExpectServerHello');
  });

  it('retries with a HelloRetryRequest when the client guesses the other group', () => {
    for (const group of GROUPS) {
      const { stepper, steps } = run({ group, helloRetryRequest: true });
      expect(flights(steps).slice(0, 4)).toEqual([
        'client: ClientHello',
        'server: HelloRetryRequest',
        'client: ClientHello',
        'server: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
      ]);
      expect(stepper.client.info.helloRetryRequest).toBe(true);
      expect(stepper.client.info.group).toBe(group);
    }
  });

  it('negotiates every cipher suite with every group', () => {
    for (const cipherSuite of CIPHER_SUITES) {
      for (const group of GROUPS) {
        const { stepper, steps } = run({ cipherSuite, group });
        expect(steps).toHaveLength(6);
        expect([stepper.client.info.cipherSuite?.name, stepper.server.info.cipherSuite?.name]).toEqual([cipherSuite, cipherSuite]);
        expect(stepper.client.info.group).toBe(group);
        expect(stepper.client.info.helloRetryRequest).toBe(false);
      }
    }
  });

  it('resumes a session, with 0-RTT data answered in the server’s first flight', () => {
    const { stepper, steps } = run({ resumption: true, earlyData: true, cipherSuite: 'TLS_AES_256_GCM_SHA384' });
    expect(flights(steps)).toEqual([
      'client: ClientHello, early data',
      'server: ServerHello, EncryptedExtensions, Finished, application data',
      'client: EndOfEarlyData, Finished',
      'server: NewSessionTicket',
    ]);
    expect(steps[0]!.earlyData).toBe(DEFAULT_OPTIONS.applicationData);
    expect(steps[1]!.applicationData).toContain('You sent 40 bytes');
    expect(stepper.client.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(stepper.client.info.cipherSuite?.name).toBe('TLS_AES_256_GCM_SHA384');
    expect(steps[0]!.events.some((e) => e.kind === 'secret' && e.label === 'c e traffic')).toBe(true);
  });

  it('sends rejected early data again after the handshake (a HelloRetryRequest rejects it)', () => {
    const { stepper, steps } = run({ resumption: true, earlyData: true, helloRetryRequest: true });
    expect(flights(steps)).toEqual([
      'client: ClientHello, early data',
      'server: HelloRetryRequest',
      'client: ClientHello',
      'server: ServerHello, EncryptedExtensions, Finished',
      'client: Finished',
      'server: NewSessionTicket',
      'client: application data',
      'server: application data',
    ]);
    expect(steps[0]!.earlyData).toBeUndefined();
    expect(steps[0]!.events.some((e) => e.kind === 'record' && e.side === 'server' && e.dropped)).toBe(true);
    expect(steps[6]!.applicationData).toBe(DEFAULT_OPTIONS.applicationData);
    expect(stepper.client.info).toMatchObject({ resumed: true, earlyData: 'rejected', helloRetryRequest: true });
  });

  it('resumes without early data: no certificates, then the data after the handshake', () => {
    const { stepper, steps } = run({ resumption: true });
    expect(flights(steps)).toEqual([
      'client: ClientHello',
      'server: ServerHello, EncryptedExtensions, Finished',
      'client: Finished',
      'server: NewSessionTicket',
      'client: application data',
      'server: application data',
    ]);
    expect(stepper.client.info).toMatchObject({ resumed: true, earlyData: 'none' });
  });

  it('sends a client certificate, in middlebox compatibility mode, with an Ed25519 server', () => {
    const { stepper, steps } = run({ clientCertificate: true, middleboxCompatibility: true, serverKey: 'ed25519' });
    expect(flights(steps).slice(0, 3)).toEqual([
      'client: ClientHello',
      'server: ServerHello, change_cipher_spec, EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished',
      'client: change_cipher_spec, Certificate, CertificateVerify, Finished',
    ]);
    expect(stepper.server.info.peerCertificates).toHaveLength(1);
    expect(stepper.client.info.signatureScheme).toBe('ed25519');
  });

  it('times each kind of handshake from its own trace: full 3 round trips, HelloRetryRequest 4, resumed 3, 0-RTT 2; TLS 1.2 full 4, resumed 3', () => {
    const timelines = MODES.map((mode) => timelineOf({ ...DEFAULT_OPTIONS, ...mode.options }, pki));
    expect(timelines.map((t) => t.response?.arrives)).toEqual([3, 4, 3, 2, 4, 3]);
    expect(timelines.map((t) => t.flights.length)).toEqual([3, 5, 3, 3, 4, 3]);
    // 0-RTT: the request rides with the ClientHello, the answer with the server's first flight.
    expect(timelines[3]!.request).toEqual({ leaves: 1, arrives: 1.5, early: true });
    expect(timelines[3]!.flights[1]!.carried).toEqual(['ServerHello', 'EncryptedExtensions', 'Finished', 'application data']);
    // The stepper's flights are the timeline's: its links go to the right step.
    const { steps } = run();
    expect(timelines[0]!.flights.map((f) => `${f.from}: ${f.carried.join(', ')}`)).toEqual(flights(steps).slice(0, 3));
  });

  it('steps through a TLS 1.2 handshake: two round trips, change_cipher_spec, the key exchange messages', () => {
    const { stepper, steps } = run({ version: 'TLSv1.2', cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' });
    expect(flights(steps)).toEqual([
      'client: ClientHello',
      'server: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone',
      'client: ClientKeyExchange, change_cipher_spec, Finished',
      'server: NewSessionTicket, change_cipher_spec, Finished',
      'client: application data',
      'server: application data',
    ]);
    expect(steps[5]!.applicationData).toMatch(/Hello from a TLS 1\.2 server/);
    const info = stepper.client.info;
    expect([info.protocol, info.cipherSuite?.name, info.group]).toEqual(['TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'x25519']);
    // The change_cipher_spec switches the receiver's keys: its Finished record opens under them.
    const received = steps[1]!.events.filter((e) => e.side === 'client' && e.kind === 'record' && e.direction === 'received');
    expect(received.every((e) => e.kind === 'record' && !e.protected)).toBe(true);
    const finished = steps[3]!.events.filter((e) => e.side === 'client' && e.kind === 'record' && e.direction === 'received');
    expect(finished.map((e) => (e.kind === 'record' ? `${e.innerType}${e.protected ? ' (protected)' : ''}` : ''))).toEqual(['handshake', 'change_cipher_spec', 'handshake (protected)']);
  });

  it('TLS 1.2 with an RSA certificate, resumption and a client certificate; the TLS 1.3-only choices are ignored', () => {
    const rsa = run({ version: 'TLSv1.2', serverKey: 'rsa', helloRetryRequest: true, middleboxCompatibility: true });
    expect(rsa.stepper.client.info.cipherSuite?.name).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(rsa.stepper.client.info.helloRetryRequest).toBe(false);
    const resumed = run({ version: 'TLSv1.2', resumption: true, earlyData: true });
    expect(flights(resumed.steps).slice(0, 3)).toEqual(['client: ClientHello', 'server: ServerHello, change_cipher_spec, Finished', 'client: change_cipher_spec, Finished']);
    expect(resumed.stepper.client.info).toMatchObject({ protocol: 'TLSv1.2', resumed: true, earlyData: 'none' });
    const mutual = run({ version: 'TLSv1.2', clientCertificate: true });
    expect(flights(mutual.steps)[2]).toBe('client: Certificate, ClientKeyExchange, CertificateVerify, change_cipher_spec, Finished');
  });

  it('TLS 1.2: every suite with every group, for an ECDSA and an RSA certificate', () => {
    for (const serverKey of ['ec', 'rsa'] as const) {
      for (const cipherSuite of CIPHER_SUITES) {
        for (const group of GROUPS) {
          const { stepper, steps } = run({ version: 'TLSv1.2', cipherSuite, group, serverKey });
          const expected = tls12Suite(cipherSuite, serverKey);
          expect(expected).toMatch(serverKey === 'rsa' ? /^TLS_ECDHE_RSA_WITH_/ : /^TLS_ECDHE_ECDSA_WITH_/);
          expect(steps).toHaveLength(6);
          expect([stepper.client.info.cipherSuite?.name, stepper.server.info.cipherSuite?.name]).toEqual([expected, expected]);
          expect([stepper.client.info.protocol, stepper.client.info.group]).toEqual(['TLSv1.2', group]);
          expect(steps.every((s) => s.error === undefined)).toBe(true);
        }
      }
    }
  });

  it('TLS 1.2: each secret appears in the flight that makes it, with its RFC name', () => {
    const { steps } = run({ version: 'TLSv1.2' });
    const secrets = (step: Step, side: string) => step.events.flatMap((e) => (e.kind === 'secret' && e.side === side ? [`${e.name} (${e.label})`] : []));
    // Flight 3: the client made its key share from the server's, and both sides derived the same secrets.
    const keys = ['pre_master_secret (ECDHE)', 'session_hash (session_hash)', 'master_secret (extended master secret)', 'client_write_key (key expansion)', 'server_write_key (key expansion)', 'client_write_IV (key expansion)', 'server_write_IV (key expansion)'];
    expect(secrets(steps[2]!, 'client')).toEqual(expect.arrayContaining(keys));
    expect(secrets(steps[2]!, 'server')).toEqual(expect.arrayContaining(keys));
    // The key exchange is not finished before flight 3: no master secret in the first two flights.
    expect(steps.slice(0, 2).flatMap((s) => [...secrets(s, 'client'), ...secrets(s, 'server')]).filter((n) => n.startsWith('master_secret'))).toEqual([]);
    const value = (side: string) => steps[2]!.events.find((e) => e.kind === 'secret' && e.side === side && e.name === 'master_secret');
    expect(value('client')).toMatchObject({ hex: (value('server') as { hex: string }).hex });
  });

  it('TLS 1.2: every item a flight carries has its own TLS 1.2 explanation where the message differs from TLS 1.3', () => {
    const items = new Set([run({ version: 'TLSv1.2', clientCertificate: true }), run({ version: 'TLSv1.2', resumption: true })].flatMap((r) => r.steps.flatMap((s) => s.carried)));
    expect([...items].sort()).toEqual(['Certificate', 'CertificateRequest', 'CertificateVerify', 'ClientHello', 'ClientKeyExchange', 'Finished', 'NewSessionTicket', 'ServerHello', 'ServerHelloDone', 'ServerKeyExchange', 'application data', 'change_cipher_spec']);
    for (const item of items) {
      expect(explain(item, 'TLSv1.2'), item).toMatch(/RFC \d+/);
      expect(explain(item, 'TLSv1.2'), item).not.toBe(explain(item, 'TLSv1.3'));
    }
  });

  it('TLS 1.2: a ServerKeyExchange signature damaged on the wire fails flight 2, and the client’s alert is the next flight', () => {
    const stepper = new HandshakeStepper({ ...DEFAULT_OPTIONS, version: 'TLSv1.2' }, pki);
    stepper.next();
    // The flight ends with ServerHelloDone's 9-byte record; the byte before it is the signature's last.
    const flight = (stepper as unknown as { flight: { bytes: Uint8Array } }).flight;
    flight.bytes = Uint8Array.from(flight.bytes);
    flight.bytes[flight.bytes.length - 10]! ^= 0xff;
    const step = stepper.next()!;
    expect(step.error).toMatch(/^decrypt_error: the ServerKeyExchange signature does not verify/);
    expect(stepper.next()?.carried).toEqual(['alert decrypt_error']);
    expect(stepper.handshakeComplete).toBe(false);
  });
});
