import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, SCENARIOS } from '../../src/rfc8448/replay.js';
import type { MessageEvent, TraceEvent } from '../../src/trace/events.js';
import { createTerminalRenderer, renderTrace } from '../../src/trace/render-terminal.js';

const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible width of a line: ANSI codes take no room, every other character one column. */
const visibleWidth = (line: string) => [...line.replace(ANSI, '')].length;

describe('renderTrace on RFC 8448 simple 1-RTT', () => {
  let events: TraceEvent[];
  let text: string;
  beforeAll(() => {
    events = runScenario('simple_1rtt').events;
    text = renderTrace(events);
  });

  it('titles every handshake message, with its RFC section', () => {
    const titles: [string, string][] = [
      ['ClientHello', '§4.1.2'],
      ['ServerHello', '§4.1.3'],
      ['EncryptedExtensions', '§4.3.1'],
      ['Certificate', '§4.4.2'],
      ['CertificateVerify', '§4.4.3'],
      ['Finished', '§4.4.4'],
      ['NewSessionTicket', '§4.6.1'],
    ];
    for (const [type, section] of titles) {
      expect(text).toContain(`sends ${type}  RFC 8446 ${section}`);
      expect(text).toContain(`receives ${type}  RFC 8446 ${section}`);
    }
    // In the order of the handshake.
    const flight = ['client sends ClientHello', 'server sends ServerHello', 'server sends EncryptedExtensions', 'server sends Certificate ',
      'server sends CertificateVerify', 'server sends Finished', 'client sends Finished', 'server sends NewSessionTicket'];
    const at = flight.map((title) => text.indexOf(title));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('shows fields as a tree with their bytes and decoded values', () => {
    for (const name of ['legacy_version', 'random', 'cipher_suites', 'extensions', 'key_share', 'supported_versions', 'verify_data']) {
      expect(text).toContain(name);
    }
    const line = (pattern: RegExp) => text.split('\n').find((l) => pattern.test(l));
    expect(line(/├─ legacy_version\s+03 03\s+0x0303 \(TLS 1\.2, frozen\)$/)).toBeDefined();
    expect(line(/CipherSuite\s+13 01\s+TLS_AES_128_GCM_SHA256$/)).toBeDefined();
    expect(line(/Extension {2}key_share {2}42 bytes {2}RFC 8446 §4\.2\.8$/)).toBeDefined();
    // The client's x25519 share (RFC 8448), wrapped 16 bytes a line.
    expect(text).toContain('99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe\n');
    expect(line(/^\s*│?\s+b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c$/)).toBeDefined();
    // Notes explain fields in plain words.
    expect(text).toContain('so old middleboxes let TLS 1.3');
  });

  it('truncates long values with their byte count', () => {
    // The server certificate's RSA key: 162 bytes of DER, the first 32 shown.
    expect(text).toMatch(/├─ subjectPublicKeyInfo\s+30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01\n[│ ]+05 00 03 81 8d [0-9a-f ]+ …  RSA 1024\n[│ ]+162 bytes  RFC 5280 §4\.1\.2\.7\n/);
    // Bytes 32 to 47 of the key are left out.
    const certificate = events.find((e): e is MessageEvent => e.kind === 'message' && e.type === 'Certificate')!;
    const spki = certificate.hex.indexOf('30819f300d06092a864886f70d010101');
    const hidden = certificate.hex.slice(spki + 64, spki + 96).match(/../g)!.join(' ');
    expect(hidden).toMatch(/^[0-9a-f ]{47}$/);
    expect(text).not.toContain(hidden);
  });

  it('decodes certificates inline: subject, issuer, validity, key, extensions, signature', () => {
    expect(text).toMatch(/└─ data {2}CN=rsa, issued by CN=rsa {2}432 bytes {2}RFC 5280 §4\.1\n/);
    for (const line of [/├─ issuer\s+30 0e .* CN=rsa$/m, /└─ notAfter\s+17 0d .*\n[│ ]+2026-07-30T01:23:59\.000Z$/m, /├─ basicConstraints\s+30 09 .*not a CA {2}RFC 5280 §4\.2$/m]) {
      expect(text).toMatch(line);
    }
  });

  it('shows the key, IV, nonce and additional data of each protected record', () => {
    // RFC 8448 §3: the server's first protected record, under server_handshake_traffic_secret.
    expect(text).toContain(
      '    encrypted  d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 …  674 bytes, AES-128-GCM\n' +
        '    key        3fce516009c21727d0f2e4e86ee403bc\n' +
        '               server_handshake_key, from server_handshake_traffic_secret (§7.3)\n' +
        '    iv         5d313eb2671276ee13000b30  server_handshake_iv\n' +
        '    nonce      5d313eb2671276ee13000b30  iv XOR sequence number 0 (§5.3)\n' +
        '    aad        17030302a2  additional data: the record header (§5.2)\n',
    );
    // The second record under the same key: the nonce's last byte flips with the sequence number.
    expect(text).toContain('    nonce      5b78923dee08579033e523d8  iv XOR sequence number 1 (§5.3)\n');
  });

  it('shows each record with its content types, length and sequence number', () => {
    expect(text).toContain('client sends record  handshake  length 196  plaintext\n    header     16 03 01 00 c4');
    expect(text).toContain('server sends record  application_data → handshake  length 674  protected  seq 0\n');
    expect(text).toContain('client sends record  application_data → alert  length 19  protected  seq 1\n');
    expect(text).toMatch(/plaintext {2}01 00 {2}2 bytes/);
  });

  it('shows secrets with their labels, derivations and values', () => {
    for (const label of ['"c hs traffic"', '"s hs traffic"', '"c ap traffic"', '"s ap traffic"', '"exp master"', '"res master"', '"derived"']) {
      expect(text).toContain(label);
    }
    // RFC 8448's client_handshake_traffic_secret, and what it was derived from.
    expect(text).toContain(
      'server ◆ client_handshake_traffic_secret  "c hs traffic"\n' +
        '    Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)\n' +
        '    context  860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8\n' +
        '    value    b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21\n',
    );
    // The client derives the same secret: said in one line, not repeated.
    expect(text).toContain('client ◆ client_handshake_traffic_secret  "c hs traffic"  (same as the server’s)\n');
    // The (EC)DHE secret is computed differently on each side, so each is shown.
    expect(text).toContain('x25519(client private key, server key_share)');
    expect(text).toContain('x25519(server private key, client key_share)');
  });

  it('shows state transitions and alerts', () => {
    expect(text).toContain('\n  client: ExpectServerHello → ExpectEncryptedExtensions\n');
    expect(text).toContain('\n  server: ExpectFinished → Connected\n');
    expect(text).toContain('client sends alert: warning close_notify  RFC 8446 §6\n');
    expect(text).toContain('client receives alert: warning close_notify');
  });

  it('is plain text without color, with no trailing spaces', () => {
    expect(text).not.toMatch(/\x1b/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.startsWith('\n')).toBe(false);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('colors sides, notes and alerts when asked, with the same text underneath', () => {
    const colored = renderTrace(events, { color: true });
    expect(colored).toMatch(/\x1b\[1;36mclient\x1b\[0m sends/);
    expect(colored).toMatch(/\x1b\[1;35mserver\x1b\[0m sends/);
    expect(colored).toContain('\x1b[2mFrozen at 0x0303');
    expect(colored).toContain('\x1b[1;33malert: warning close_notify\x1b[0m');
    expect(colored.replace(ANSI, '')).toBe(text);
    for (const line of colored.split('\n')) expect(line.replace(ANSI, '')).toBe(line.replace(ANSI, '').trimEnd());
  });

  it('renders incrementally exactly what it renders at once, in whole lines', () => {
    for (const options of [{}, { color: true, width: 72 }]) {
      const chunks: string[] = [];
      const render = createTerminalRenderer((chunk) => chunks.push(chunk), options);
      for (const event of events) render(event);
      expect(chunks).toHaveLength(events.length);
      for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
      expect(chunks.join('')).toBe(renderTrace(events, options));
    }
  });
});

describe('renderTrace width', () => {
  it('keeps every line of every RFC 8448 scenario within the width', () => {
    for (const name of SCENARIOS) {
      const { events } = runScenario(name);
      for (const width of [60, 80, 100, 140]) {
        const lines = renderTrace(events, { width, color: true }).split('\n');
        const widest = Math.max(...lines.map(visibleWidth));
        expect(widest, `${name} at ${width} columns`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('uses up to 32 bytes a line when the terminal is wide', () => {
    const { events } = runScenario('simple_1rtt');
    expect(renderTrace(events, { width: 140 })).toContain('99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c\n');
  });
});

describe('renderTrace on single events', () => {
  it('shows a fatal alert and its reason', () => {
    const text = renderTrace([
      { kind: 'alert', side: 'server', direction: 'sent', level: 'fatal', description: 'handshake_failure', reason: 'no cipher suite in common' },
    ]);
    expect(text).toBe('server sends alert: fatal handshake_failure  RFC 8446 §6\n    no cipher suite in common\n');
    expect(renderTrace([{ kind: 'alert', side: 'server', direction: 'sent', level: 'fatal', description: 'x' }], { color: true })).toContain(
      '\x1b[1;31malert: fatal x\x1b[0m',
    );
  });

  it('shows a message the peer was not traced sending in full', () => {
    const serverOnly = runScenario('simple_1rtt').events.filter((e) => e.side === 'server');
    const text = renderTrace(serverOnly);
    expect(text).toContain('server receives ClientHello  RFC 8446 §4.1.2  196 bytes\n├─ msg_type');
    expect(text).not.toContain('same');
  });

  it('shows a dropped record and why', () => {
    const text = renderTrace([
      {
        kind: 'record',
        side: 'client',
        direction: 'received',
        outerType: 'change_cipher_spec',
        innerType: 'change_cipher_spec',
        protected: false,
        hex: '140303000101',
        contentHex: '01',
        dropped: 'change_cipher_spec for middlebox compatibility',
      },
    ]);
    expect(text).toBe(
      'client receives record  change_cipher_spec  length 1  plaintext\n' +
        '    header     14 03 03 00 01  type, legacy_record_version, length (§5.1)\n' +
        '    content    01  1 byte\n' +
        '    dropped: change_cipher_spec for middlebox compatibility\n',
    );
  });
});
