// A peer's alert reaches the local caller under its own name (RFC 8446 §6), sent: false.
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/alert.js';
import { testCert } from './harness/pki.js';
import { pair, pump } from './harness/pair.js';

describe('alerts from the peer', () => {
  it('keep their names, including the ones that start with "unknown_"', () => {
    const cert = testCert('p256');
    const { client, server } = pair({
      client: {
        verifyServerCertificate: () => {
          throw new TlsError('unknown_ca', 'not our CA');
        },
      },
      cert,
    });
    expect(() => pump(client, server)).toThrow(TlsError);
    // The client's alert is waiting to go out: deliver it.
    expect(() => server.receive(client.takeOutgoing())).toThrow(TlsError);
    expect(client.error?.alert).toBe('unknown_ca');
    expect(client.error?.sent).toBe(true);
    expect(server.error?.alert).toBe('unknown_ca');
    expect(server.error?.sent).toBe(false);
  });
});
