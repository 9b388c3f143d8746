import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rfc8448Command } from '../../src/cli/rfc8448-command.js';
import { rfc8448Inputs } from '../../src/rfc8448/inputs.js';
import { runScenario } from '../../src/rfc8448/replay.js';
import type { RecordEvent, SecretEvent, TraceEvent } from '../../src/trace/events.js';
import { createHtmlRenderer, escapeHtml, renderHtml, rfcSectionUrl } from '../../src/trace/render-html.js';
import { pump, utf8 } from '../connection/harness/pair.js';
import { tls12Pair } from '../tls12/helpers.js';

/** The page's text without tags or entities, as a reader sees it (roughly). */
const visibleText = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** Hex as the page's hex dumps show it: 16 spaced bytes a line. */
const dumpLines = (hex: string) => (hex.match(/.{1,32}/g) ?? []).map((line) => line.match(/../g)!.join(' '));

describe('renderHtml on RFC 8448 simple 1-RTT', () => {
  let events: TraceEvent[];
  let html: string;
  let text: string;
  beforeAll(() => {
    events = runScenario('simple_1rtt').events;
    html = renderHtml(events, { title: 'RFC 8448 simple_1rtt' });
    text = visibleText(html);
  });

  it('is one HTML document with its title', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<title>RFC 8448 simple_1rtt</title>');
    expect(html).toContain('<meta charset="utf-8">');
    // Every element the renderer opens, it closes.
    for (const tag of ['details', 'summary', 'div', 'section', 'p', 'code', 'table', 'tr', 'dl']) {
      const opened = html.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
      const closed = html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(closed, tag).toBe(opened);
    }
  });

  it('loads nothing from elsewhere', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|audio|video|source)\b/i);
    expect(html).not.toMatch(/@import|url\((?!#lt-head-)/i); // the timeline's arrowheads are in the page
    // Links to the RFCs are ordinary anchors, followed only when clicked.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.every((h) => h.startsWith('#') || h.startsWith('https://www.rfc-editor.org/rfc/rfc'))).toBe(true);
    // The script is inline and small: expand and collapse.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('shows every handshake message, on its side, in the order of the handshake', () => {
    const flight = [
      'client sends ClientHello',
      'server sends ServerHello',
      'server sends EncryptedExtensions',
      'server sends Certificate ',
      'server sends CertificateVerify',
      'server sends Finished',
      'client sends Finished',
      'server sends NewSessionTicket',
    ];
    const at = flight.map((title) => text.indexOf(title));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // The receiving side's copy points back to the sender's.
    expect(text).toContain('server receives ClientHello the same 196 bytes the client sent');
    // Folded to one line each until opened.
    expect(html).toMatch(/<details class="lt-event lt-message lt-server" id="lt-\d+" data-kind="message" data-side="server" data-type="ServerHello">/);
    expect(html).not.toMatch(/<details class="lt-(event|secrets)[^>]* open>/);
  });

  it('shows fields with their bytes, values, notes and RFC sections', () => {
    for (const name of ['msg_type', 'legacy_version', 'random', 'cipher_suites', 'extensions', 'key_share', 'supported_versions', 'verify_data', 'certificate_list', 'signature']) {
      expect(html).toContain(`>${name}</span>`);
    }
    // legacy_version: name, bytes, value and note in one row.
    expect(html).toMatch(/<span class="name" style="--depth:0">legacy_version<\/span><code class="hex">03 03<\/code><span class="meaning"><span class="value">0x0303 \(TLS 1\.2, frozen\)<\/span><span class="note">Frozen at 0x0303/);
    expect(html).toContain('<code class="hex">13 01</code><span class="meaning"><span class="value">TLS_AES_128_GCM_SHA256</span>');
    // The client's x25519 share (RFC 8448), 16 bytes a line.
    expect(html).toContain('99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe\nb3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c');
    // The whole server certificate is there (in a scrolling box), not cut short.
    const cert = rfc8448Inputs.scenarios.simple_1rtt.serverCertificate;
    expect(html).toContain(`<code class="hex long">${dumpLines(cert).join('\n')}</code>`);
    expect(html).toContain('<a class="rfc" href="https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2">RFC 8446 §4.1.2</a>');
    expect(html).toContain('<a class="rfc" href="https://www.rfc-editor.org/rfc/rfc6066#section-3">RFC 6066 §3</a>');
  });

  it('shows every secret with its label, derivation and value', () => {
    const secrets = events.filter((e): e is SecretEvent => e.kind === 'secret');
    for (const label of ['c hs traffic', 's hs traffic', 'c ap traffic', 's ap traffic', 'exp master', 'res master', 'derived', 'finished', 'resumption']) {
      expect(text).toContain(`“${label}”`);
    }
    for (const s of secrets) {
      expect(text).toContain(`derives ${s.name} `);
      // Shown in full by whichever side derived it first; values wrap at 32 bytes.
      expect(html).toContain((s.hex.match(/.{1,64}/g) ?? []).join('\n'));
    }
    const chts = secrets.find((s) => s.name === 'client_handshake_traffic_secret')!;
    expect(text).toContain('Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)');
    expect(html).toContain(chts.contextHex!);
    // The peer derived the same: one line, linked to the first.
    expect(text).toContain('client derives client_handshake_traffic_secret “c hs traffic” the same value as the server');
  });

  it('shows the decrypted content of every protected record', () => {
    const records = events.filter((e): e is RecordEvent => e.kind === 'record' && e.protected && e.direction === 'sent');
    expect(records.length).toBeGreaterThanOrEqual(6);
    for (const r of records) {
      expect(text).toContain(`Decrypted: ${r.innerType} content (${r.contentHex.length / 2} bytes)`);
      for (const line of dumpLines(r.contentHex)) expect(text).toContain(line);
      for (const line of dumpLines(r.hex.slice(10))) expect(text).toContain(line);
    }
    // The application data of RFC 8448 §3, both ways: 50 bytes, 00 .. 31.
    const data = rfc8448Inputs.scenarios.simple_1rtt.clientApplicationData;
    expect(text).toContain('Decrypted: application_data content (50 bytes)');
    expect(text).toContain(`0000  ${dumpLines(data)[0]}  ................`);
    expect(text).toContain(`0030  ${dumpLines(data)[3]}${' '.repeat(3 * 14)}  01`);
  });

  it('groups the events by flight, each run of secrets under one line', () => {
    const titles = [...html.matchAll(/<section class="lt-flight from-(\w+)" id="flight-(\d+)">\n<h2>(.*?)<\/h2>/g)].map((m) => visibleText(m[3]!));
    expect(titles.slice(0, 3)).toEqual([
      'Flight 1 client → server ClientHello',
      'Flight 2 server → client ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished',
      'Flight 3 client → server Finished',
    ]);
    // The server's key share is made for flight 2, which carries it, not in flight 1.
    const flight2 = html.slice(html.indexOf('id="flight-2"'), html.indexOf('id="flight-3"'));
    expect(flight2).toContain('server_x25519_private');
    expect(html.slice(0, html.indexOf('id="flight-2"'))).not.toContain('data-name="server_x25519_private"');
    expect(text).toMatch(/server derives 4 values server_x25519_private, server_x25519_public, ecdhe_shared_secret, early_secret/);
  });

  it('draws the round trips: TCP, each flight, and when the first byte can leave and arrive', () => {
    const timeline = html.slice(html.indexOf('<figure class="lt-timeline"'), html.indexOf('</figure>'));
    expect(visibleText(timeline)).toContain('The first application byte can leave the client at 200 ms; the first byte of the answer arrives after 300 ms: 3 round trips, TCP’s included.');
    expect(timeline).toContain('data-rtt-slider');
    for (const label of ['TCP: SYN', 'SYN-ACK', '1. ClientHello', '2. ServerHello +4 more', '3. Finished', 'request', 'response']) expect(timeline).toContain(`>${label}</text>`);
    // Each flight's arrow links to its section; dashed in the clear, solid encrypted.
    expect(timeline).toMatch(/<a href="#flight-1"><g class="flight client clear">/);
    expect(timeline).toMatch(/<a href="#flight-2"><g class="flight server partly">/);
    expect(timeline).toMatch(/<a href="#flight-3"><g class="flight client encrypted">/);
    expect(html).toContain('function ltTimelines()');
  });

  it('shows the key, IV, nonce and additional data of each protected record', () => {
    const aead = visibleText(html.slice(html.indexOf('<dl class="aead">'), html.indexOf('</dl>', html.indexOf('<dl class="aead">'))));
    expect(aead).toContain('sealed withAES-128-GCM keys from server_handshake_traffic_secret');
    expect(aead).toContain('key3fce516009c21727d0f2e4e86ee403bcserver_handshake_key');
    expect(aead).toContain('nonce5d313eb2671276ee13000b30the IV XOR the sequence number 0');
    expect(aead).toContain('additional data17030302a2the record header');
  });

  it('puts a "check it yourself" command beside each secret, signature and record', () => {
    const commands = [...html.matchAll(/<pre class="command" data-prints="([^"]*)">([^<]*)<\/pre>/g)];
    expect(commands.length).toBeGreaterThan(30);
    expect(commands.some((m) => m[2]!.startsWith('openssl kdf'))).toBe(true);
    expect(commands.some((m) => m[1] === 'true' && m[2]!.includes('CertificateVerify'))).toBe(true);
  });

  it('shows state transitions and alerts', () => {
    expect(text).toContain('client state: ExpectServerHello → ExpectEncryptedExtensions');
    expect(text).toContain('client sends alert: warning close_notify');
  });
});

describe('renderHtml on a TLS 1.2 handshake (RFC 5246)', () => {
  let events: TraceEvent[];
  let html: string;
  let text: string;
  beforeAll(() => {
    const { client, server, log } = tls12Pair({ cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] });
    pump(client, server);
    client.write(utf8('GET / HTTP/1.1\r\n\r\n'));
    client.close();
    pump(client, server);
    events = log.events;
    html = renderHtml(events, { title: 'TLS 1.2' });
    text = visibleText(html);
  });

  it('shows TLS 1.2’s messages with their RFC sections, every element closed', () => {
    for (const [what, rfc] of [['server sends ServerKeyExchange', 'RFC 8422 §5.4'], ['client sends ClientKeyExchange', 'RFC 8422 §5.7'], ['server sends ServerHelloDone', 'RFC 5246 §7.4.5']]) {
      expect(text).toMatch(new RegExp(`${what} \\d+ bytes ${rfc}`));
    }
    for (const tag of ['details', 'summary', 'div', 'section', 'p', 'code', 'table', 'tr', 'dl']) {
      expect(html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0, tag).toBe(html.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0);
    }
  });

  it('reads protected records as TLS 1.2 writes them: the real type in the header, no inner type, no padding', () => {
    const records = events.filter((e): e is RecordEvent => e.kind === 'record' && e.protected && e.direction === 'sent');
    expect(records.map((r) => r.outerType)).toEqual(expect.arrayContaining(['handshake', 'application_data', 'alert']));
    for (const r of records) {
      expect(r.outerType).toBe(r.innerType);
      expect(text).toContain(`Decrypted: ${r.innerType} content (${r.contentHex.length / 2} bytes)`);
      for (const line of dumpLines(r.hex.slice(10))) expect(text).toContain(line);
    }
    expect(text).toContain('TLS 1.2 shows the real type, even in a protected record.');
    expect(text).toContain('No inner type, no padding');
    expect(text).not.toContain('TLSInnerPlaintext');
    expect(text).not.toContain('Every protected record says application_data');
    expect(text).not.toMatch(/record application_data → handshake/);
  });

  it('shows the PRF’s secrets under their labels and RFC sections', () => {
    for (const [label, rfc] of [['extended master secret', 'RFC 7627 §4'], ['key expansion', 'RFC 5246 §6.3'], ['client finished', 'RFC 5246 §7.4.9'], ['server finished', 'RFC 5246 §7.4.9']]) {
      expect(text).toMatch(new RegExp(`derives \\w+ “${label}” ${rfc}`));
    }
    expect(text).toMatch(/derives pre_master_secret ECDHE RFC 8422 §5\.10/);
    for (const s of events.filter((e): e is SecretEvent => e.kind === 'secret')) expect(text).toContain(`derives ${s.name} `);
  });

  it('links its alerts to RFC 5246 §7.2', () => {
    expect(text).toContain('client sends alert: warning close_notify RFC 5246 §7.2');
    expect(html).toContain('href="https://www.rfc-editor.org/rfc/rfc5246#section-7.2"');
  });
});

describe('renderHtml on RFC 8448 0-RTT resumption', () => {
  it('draws the early data in the first flight, and decrypts it', () => {
    const html = renderHtml(runScenario('resumed_0rtt').events);
    const text = visibleText(html);
    expect(html).toContain('>1. ClientHello, early data</text>');
    expect(text).toContain('The first application byte can leave the client at 100 ms, with its ClientHello (0-RTT data); the first byte of the answer arrives after 200 ms: 2 round trips');
    // RFC 8448 §4: the early data is the six bytes "ABCDEF".
    expect(text).toContain('Decrypted: application_data content (6 bytes)');
    expect(text).toContain('0000  41 42 43 44 45 46');
    expect(text).toContain('client derives client_early_traffic_secret “c e traffic”');
  });
});

describe('renderHtml escaping', () => {
  const evil = `<script>alert("x")</script> & 'quotes'`;
  const events: TraceEvent[] = [
    {
      kind: 'message',
      side: 'client',
      direction: 'sent',
      type: `Hello${evil}`,
      hex: '0100',
      fields: [{ name: `name${evil}`, offset: 0, length: 2, hex: '0100', value: `value${evil}`, note: `note${evil}`, rfc: `RFC 1 ${evil}` }],
    },
    { kind: 'secret', side: 'server', name: `secret${evil}`, label: `label${evil}`, derivation: `derivation${evil}`, hex: '00' },
    { kind: 'state', side: 'server', from: `from${evil}`, to: `to${evil}` },
    { kind: 'alert', side: 'server', direction: 'sent', level: 'fatal', description: `description${evil}`, reason: `reason${evil}` },
    {
      kind: 'record',
      side: 'client',
      direction: 'sent',
      outerType: `outer${evil}`,
      innerType: `inner${evil}`,
      protected: false,
      hex: '170303000141',
      contentHex: '3c3e26', // "<>&" in the ASCII column
      dropped: `dropped${evil}`,
    },
  ];
  const html = renderHtml(events, { title: `title${evil}` });

  it('escapes every piece of text from the trace', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(`'quotes'`);
    expect(html.match(/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;quotes&#39;/g)!.length).toBeGreaterThanOrEqual(14);
    expect(html).toContain('<span class="ascii">&lt;&gt;&amp;</span>');
    // A reference that names no section is not a link.
    expect(html).toContain('<span class="rfc">RFC 1 &lt;script&gt;');
    // The only script is the page's own.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('createHtmlRenderer', () => {
  it('renders one event at a time, numbering elements and remembering what the peer showed', () => {
    const render = createHtmlRenderer();
    const sent = render({ kind: 'message', side: 'client', direction: 'sent', type: 'Finished', hex: '14000000', fields: [] });
    const received = render({ kind: 'message', side: 'server', direction: 'received', type: 'Finished', hex: '14000000', fields: [] });
    const again = render({ kind: 'message', side: 'server', direction: 'received', type: 'Finished', hex: '14000000', fields: [] });
    expect(sent).toContain('id="lt-1"');
    expect(received).toContain('id="lt-2"');
    expect(received).toContain('<a href="#lt-1">the same 4 bytes the client sent</a>');
    // Matched once only: a second copy is shown in full.
    expect(again).not.toContain('the same');
    expect(again).toContain('<details');
  });
});

describe('rfcSectionUrl', () => {
  it('links sections and appendices, and nothing else', () => {
    expect(rfcSectionUrl('RFC 8446 §4.2.11')).toBe('https://www.rfc-editor.org/rfc/rfc8446#section-4.2.11');
    expect(rfcSectionUrl('RFC 8446 §D.4')).toBe('https://www.rfc-editor.org/rfc/rfc8446#appendix-D.4');
    expect(rfcSectionUrl('RFC 8449 §4')).toBe('https://www.rfc-editor.org/rfc/rfc8449#section-4');
    expect(rfcSectionUrl('RFC 8446')).toBeUndefined();
    expect(rfcSectionUrl('see §4')).toBeUndefined();
  });
});

describe('lucid-tls rfc8448 --html', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-html-'));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one scenario as a page', () => {
    const file = join(dir, 'hrr.html');
    expect(rfc8448Command(['hello_retry_request', '--html', file])).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('<title>RFC 8448 hello_retry_request: a TLS 1.3 connection, byte by byte</title>');
    expect(visibleText(page)).toContain('server sends HelloRetryRequest');
    expect(page).toContain('cookie');
  });

  it('needs exactly one scenario and a file', () => {
    expect(rfc8448Command(['--html', join(dir, 'all.html')])).toBe(2);
    expect(rfc8448Command(['simple_1rtt', '--html'])).toBe(2);
    expect(rfc8448Command(['simple_1rtt', '--trace', '--html', join(dir, 'x.html')])).toBe(2);
  });
});
