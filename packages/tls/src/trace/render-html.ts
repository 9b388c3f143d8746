/**
 * Renders trace events as one self-contained HTML page, in the manner of "The Illustrated
 * TLS 1.3 Connection": what the handshake costs in time (a timeline of its flights with a
 * round-trip slider), then every event, flight by flight — each record with its header, the
 * key, IV and nonce that protected it and its decrypted content, each handshake message
 * as a tree of its fields with their bytes beside their meaning and RFC section
 * (certificates decoded), each secret with how it was derived and a command that
 * recomputes it with OpenSSL or Node, each state transition and alert. Client events sit
 * to the left, server events to the right.
 *
 * Everything is folded to one line per event until the reader opens it, so a page is a few
 * screens long; "Expand all" and "Collapse all" open and fold everything, secrets included.
 * The layout reflows down to a phone's width.
 *
 * The page needs nothing else: its style and the few lines of script (folding, the
 * timeline's slider) are inline, and it loads no other resource. Every piece of text from
 * the trace is escaped. Secrets are shown, as in the terminal trace: treat the page like a
 * key log.
 *
 * {@link createHtmlRenderer} gives the same HTML for events as they come, for pages that
 * build a handshake step by step (with {@link TRACE_HTML_STYLE} for their look).
 * @module
 */
import { createCheckCommands, type CheckCommand } from './check-commands.js';
import {
  trafficKeyNames,
  unwrapMessage,
  type AlertEvent,
  type MessageEvent,
  type RecordEvent,
  type SecretEvent,
  type Side,
  type StateEvent,
  type TraceEvent,
  type TraceField,
} from './events.js';
import { renderTimelineHtml, TIMELINE_SCRIPT, TIMELINE_STYLE } from './render-timeline.js';
import { flightsOf, handshakeTimeline, splitFlights } from './timeline.js';

/**
 * What to put around the trace.
 * @category Trace
 */
export interface HtmlRenderOptions {
  /** The page's title and heading. Default `"A TLS 1.3 connection, byte by byte"`. */
  title?: string;
}

/**
 * Renders a whole trace as an HTML document.
 *
 * @example
 * ```ts
 * import { renderHtml } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const html = renderHtml(runScenario('simple_1rtt').events, { title: 'RFC 8448 §3, live' });
 * console.log(html.startsWith('<!doctype html>'), html.includes('<title>RFC 8448 §3, live</title>')); // → true true
 * ```
 * @category Trace
 */
export function renderHtml(events: Iterable<TraceEvent>, options: HtmlRenderOptions = {}): string {
  const list = [...events];
  const title = options.title ?? 'A TLS 1.3 connection, byte by byte';
  const render = createHtmlRenderer();
  const flights = flightsOf(list);
  const sections = splitFlights(list).map((flight, i) => {
    const to = flight.from === 'client' ? 'server' : 'client';
    const carried = flights[i]?.carried.join(', ') ?? '';
    return `<section class="lt-flight from-${flight.from}" id="flight-${i + 1}">
<h2><span class="number">Flight ${i + 1}</span> <span class="direction">${flight.from} → ${to}</span> ${esc(carried)}</h2>
${render(flight.events)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
${PAGE_STYLE}
${TIMELINE_STYLE}
${TRACE_HTML_STYLE}
</style>
</head>
<body>
<header class="page-header">
<h1>${esc(title)}</h1>
<p>Every record that crossed the wire, every handshake message with each field’s bytes beside its meaning,
every secret with how it was derived, and the decrypted content of every protected record, flight by flight.
<span class="client-name">Client</span> events are on the left, <span class="server-name">server</span> events on the right.
Each line opens; section numbers link to the RFCs.</p>
<p class="warning">This page contains the connection’s secrets and keys: treat it like a key log.</p>
<p class="tools"><button type="button" data-expand="open">Expand all</button> <button type="button" data-expand="close">Collapse all</button></p>
</header>
<section class="round-trips">
<h2>What it costs in time</h2>
${renderTimelineHtml(handshakeTimeline(list), { flightHref: (i) => `#flight-${i + 1}` })}
</section>
<main class="lt-trace">
${sections.join('\n')}
</main>
<script>
${PAGE_SCRIPT}
${TIMELINE_SCRIPT}
</script>
</body>
</html>
`;
}

/**
 * Returns a function that renders events as HTML fragments: one event, or a list (in which
 * a run of secrets one side derives is gathered under one line). It remembers what it
 * rendered: a message, record or secret the peer already showed with the same bytes is
 * rendered as one line pointing back to it, and each secret's "check it yourself" command
 * uses the values before it. Element ids (`lt-1`, `lt-2`, …) count per renderer.
 *
 * @example
 * ```ts
 * import { TRACE_HTML_STYLE, createHtmlRenderer } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const render = createHtmlRenderer();
 * const fragment = render(runScenario('simple_1rtt').events);
 * const page = `<style>${TRACE_HTML_STYLE}</style><div class="lt-trace">${fragment}</div>`;
 * console.log(page.length > 10_000); // → true
 * ```
 * @category Trace
 */
export function createHtmlRenderer(): (events: TraceEvent | readonly TraceEvent[]) => string {
  const r: Renderer = { count: 0, shown: new Map(), check: createCheckCommands(), tls12: false };
  return (events) => (Array.isArray(events) ? renderList(r, events) : renderEvent(r, events as TraceEvent));
}

/** Events in order, each run of secrets (and the state changes among them) from one side under one line. */
function renderList(r: Renderer, events: readonly TraceEvent[]): string {
  const out: string[] = [];
  for (let i = 0; i < events.length; ) {
    const e = events[i]!;
    let j = i + 1;
    if (e.kind === 'secret') while (j < events.length && events[j]!.side === e.side && (events[j]!.kind === 'secret' || events[j]!.kind === 'state')) j++;
    const run = events.slice(i, j);
    const secrets = run.filter((x): x is SecretEvent => x.kind === 'secret');
    if (secrets.length < 2) out.push(...run.map((x) => renderEvent(r, x)));
    else {
      const names = secrets.map((x) => x.name).join(', ');
      out.push(`<details class="lt-secrets lt-${e.side}" data-side="${e.side}"><summary><span class="side">${e.side}</span> derives ${secrets.length} values <span class="facts">${esc(names)}</span></summary>
<div class="lt-secrets-list">${run.map((x) => renderEvent(r, x)).join('\n')}</div>
</details>`);
    }
    i = j;
  }
  return out.join('\n');
}

/**
 * Escapes text for HTML content and quoted attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from '@lucid-tls/tls';
 * console.log(escapeHtml(`<a href="x">Tom & Jerry's</a>`)); // → &lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;
 * ```
 * @category Trace
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = escapeHtml;

/**
 * The link for a section reference such as `"RFC 8446 §4.1.2"` (or `"RFC 8446 §D.4"`, an
 * appendix) on the RFC Editor's site, or undefined when the text names no section.
 *
 * @example
 * ```ts
 * import { rfcSectionUrl } from '@lucid-tls/tls';
 * console.log(rfcSectionUrl('RFC 8446 §4.1.2')); // → https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2
 * console.log(rfcSectionUrl('RFC 8446 §D.4')); // → https://www.rfc-editor.org/rfc/rfc8446#appendix-D.4
 * ```
 * @category Trace
 */
export function rfcSectionUrl(reference: string): string | undefined {
  const m = /^RFC (\d+) §([0-9A-Z][0-9.]*)$/.exec(reference.trim());
  if (!m) return undefined;
  const [, rfc, section] = m;
  const anchor = /^[A-Z]/.test(section!) ? 'appendix' : 'section';
  return `https://www.rfc-editor.org/rfc/rfc${rfc}#${anchor}-${section}`;
}

/** A reference as a link when it names a section, else as plain text. */
function rfcLink(reference: string): string {
  const url = rfcSectionUrl(reference);
  return url ? `<a class="rfc" href="${esc(url)}">${esc(reference)}</a>` : `<span class="rfc">${esc(reference)}</span>`;
}

// ---------------------------------------------------------------------------------------------
// Remembering what was shown

interface Renderer {
  count: number;
  /** What one side showed in full, by key, with the element id: the peer's copy points to it. */
  shown: Map<string, { side: Side; id: string }>;
  /** The "check it yourself" command of each event, from the values before it. */
  check: (event: TraceEvent) => CheckCommand | undefined;
  /** Whether a ServerHello without supported_versions said this is TLS 1.2, whose records differ (RFC 5246 §6.2.3). */
  tls12: boolean;
}

/** How many shown items to remember (when only one side is traced, nothing repeats). */
const SHOWN_LIMIT = 64;

function remember(r: Renderer, key: string, side: Side, id: string): void {
  r.shown.set(key, { side, id });
  if (r.shown.size > SHOWN_LIMIT) r.shown.delete(r.shown.keys().next().value!);
}

/** The id of the element where the peer of `side` showed `key`, if it did (each is matched once). */
function shownByPeer(r: Renderer, key: string, side: Side): string | undefined {
  const seen = r.shown.get(key);
  if (!seen || seen.side === side) return undefined;
  r.shown.delete(key);
  return seen.id;
}

const peerOf = (side: Side): Side => (side === 'client' ? 'server' : 'client');

// ---------------------------------------------------------------------------------------------
// Bytes

const byteCount = (hex: string) => hex.length / 2;
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Hex as spaced bytes, `perLine` a line. */
function spacedHex(hex: string, perLine = 16): string {
  const bytes = hex.match(/../g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += perLine) lines.push(bytes.slice(i, i + perLine).join(' '));
  return lines.join('\n');
}

/** Values longer than this many lines scroll inside their box, so one certificate does not fill the page. */
const LONG_HEX_LINES = 8;

/** Bytes in a box: spaced hex, 16 a line, scrolling when long. */
function hexBox(hex: string, perLine = 16): string {
  if (hex === '') return '<span class="empty">(empty)</span>';
  const long = byteCount(hex) > LONG_HEX_LINES * perLine;
  return `<code class="hex${long ? ' long' : ''}">${spacedHex(hex, perLine)}</code>`;
}

/** Unspaced hex (secrets), 32 bytes a line. */
function secretHex(hex: string): string {
  if (hex === '') return '<span class="empty">(empty)</span>';
  return `<code class="hex">${(hex.match(/.{1,64}/g) ?? []).join('\n')}</code>`;
}

/** A hex dump: offset, 16 bytes, and those bytes as ASCII (others as dots), as `xxd` prints. */
function hexDump(hex: string): string {
  if (hex === '') return '<span class="empty">(empty)</span>';
  const bytes = (hex.match(/../g) ?? []).map((b) => parseInt(b, 16));
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    const hexPart = row.map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(16 * 3 - 1);
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`<span class="offset">${i.toString(16).padStart(4, '0')}</span>  ${hexPart}  <span class="ascii">${esc(ascii)}</span>`);
  }
  const long = lines.length > LONG_HEX_LINES;
  return `<code class="hex dump${long ? ' long' : ''}">${lines.join('\n')}</code>`;
}

// ---------------------------------------------------------------------------------------------
// Events

function renderEvent(r: Renderer, event: TraceEvent): string {
  const id = `lt-${++r.count}`;
  switch (event.kind) {
    case 'record':
      return renderRecord(r, id, event);
    case 'message':
      return renderMessage(r, id, event);
    case 'secret':
      return renderSecret(r, id, event);
    case 'state':
      return renderState(id, event);
    case 'alert':
      return renderAlert(r, id, event);
  }
}

/** `client sends`, `server receives`. */
function actor(side: Side, direction: 'sent' | 'received'): string {
  return `<span class="side">${side}</span> ${direction === 'sent' ? 'sends' : 'receives'}`;
}

/** The opening tag of an event's element, with its kind and side as classes and data. Events are folded until opened. */
function open(tag: string, id: string, kind: string, side: Side, extra: Record<string, string> = {}): string {
  const data = Object.entries(extra)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<${tag} class="lt-event lt-${kind} lt-${side}" id="${id}" data-kind="${kind}" data-side="${side}"${data}>`;
}

/** One line for what the peer already showed: the receiving side's copy, or a secret both derived. */
function echo(id: string, kind: string, side: Side, heading: string, what: string, shownAt: string, extra: Record<string, string> = {}): string {
  return `${open('div', id, kind, side, { ...extra, echo: shownAt })}<p class="echo">${heading} <a href="#${shownAt}">${esc(what)}</a></p></div>`;
}

/**
 * "Check it yourself": a command that recomputes the value with OpenSSL or Node, and what
 * it prints. `data-prints` holds the expected output, so tests can run every command.
 */
function checkBlock(check: CheckCommand | undefined, what: string): string {
  if (!check) return '';
  return `<details class="check"><summary>Check it yourself</summary>
<p class="note">${esc(what)} It prints:</p><code class="hex prints">${esc(check.prints)}</code>
<pre class="command" data-prints="${esc(check.prints)}">${esc(check.command)}</pre>
</details>`;
}

/** A record (§5): its header (§5.1), and for protected records what protected it (§5.3), the ciphertext and what it decrypts to (§5.2). */
function renderRecord(r: Renderer, id: string, e: RecordEvent): string {
  const check = r.check(e);
  const length = byteCount(e.hex) - 5;
  const type = (e.protected && !r.tls12) || e.outerType !== e.innerType ? `${e.outerType} → ${e.innerType}` : e.innerType;
  const heading = `${actor(e.side, e.direction)} record <span class="title">${esc(type)}</span>`;
  const key = `record ${e.hex}`;
  if (e.direction === 'received' && !e.dropped) {
    const shownAt = shownByPeer(r, key, e.side);
    if (shownAt) return echo(id, 'record', e.side, heading, `the ${plural(length, 'byte')} the ${peerOf(e.side)} sent`, shownAt, { protected: String(e.protected), type: e.innerType });
  }
  if (e.direction === 'sent') remember(r, key, e.side, id);

  const facts = [plural(length, 'byte'), e.protected ? 'protected' : 'plaintext'];
  if (e.sequenceNumber !== undefined) facts.push(`sequence number ${e.sequenceNumber}`);
  if (e.paddingLength) facts.push(`${plural(e.paddingLength, 'byte')} of padding`);
  const header = e.hex.slice(0, 10);
  const rows: string[] = [
    row('type', header.slice(0, 2), esc(e.outerType), !e.protected ? '' : r.tls12 ? 'TLS 1.2 shows the real type, even in a protected record.' : 'Every protected record says application_data; the real type is inside, encrypted.'),
    row('legacy_record_version', header.slice(2, 6), `0x${header.slice(2, 6)}`, 'Frozen for compatibility; ignored on receipt.'),
    row('length', header.slice(6, 10), String(length), 'Length of the fragment that follows, in bytes.'),
  ];
  let contents: string;
  if (e.protected && r.tls12) {
    contents = `<div class="payload"><h4>Encrypted record body (${plural(length, 'byte')}): for AES-GCM an 8-byte explicit nonce first, then the AEAD ciphertext and 16-byte tag</h4>${hexBox(e.hex.slice(10))}</div>
<div class="payload decrypted"><h4>Decrypted: ${esc(e.innerType)} content (${plural(byteCount(e.contentHex), 'byte')})</h4>
<p class="note">No inner type, no padding: the additional data was the sequence number, the type, the version and this length (${rfcLink('RFC 5246 §6.2.3')}).</p>${hexDump(e.contentHex)}</div>`;
  } else if (e.protected) {
    contents = `${e.aead ? aeadBlock(e) : ''}<div class="payload"><h4>Encrypted record body (${plural(length, 'byte')}): AEAD ciphertext and 16-byte tag</h4>${hexBox(e.hex.slice(10))}</div>
<div class="payload decrypted"><h4>Decrypted: ${esc(e.innerType)} content (${plural(byteCount(e.contentHex), 'byte')})</h4>
<p class="note">TLSInnerPlaintext is this content, then the real content type (${esc(e.innerType)}), then ${plural(e.paddingLength ?? 0, 'zero byte')} of padding (${rfcLink('RFC 8446 §5.2')}).</p>${hexDump(e.contentHex)}</div>
${checkBlock(check, `Decrypt the record with node:crypto, its key and nonce, the header as additional data: the result is the TLSInnerPlaintext, content then type byte${e.paddingLength ? ' then padding' : ''}.`)}`;
  } else {
    contents = `<div class="payload"><h4>Content (${plural(byteCount(e.contentHex), 'byte')})</h4>${hexDump(e.contentHex)}</div>`;
  }
  const dropped = e.dropped ? `<p class="dropped">Dropped: ${esc(e.dropped)}</p>` : '';
  return `${open('details', id, 'record', e.side, { protected: String(e.protected), type: e.innerType })}
<summary>${heading} <span class="facts">${facts.map(esc).join(' · ')}</span> ${rfcLink('RFC 8446 §5.1')}</summary>
<div class="fields"><div class="field-head"><span>header</span><span>bytes</span><span>meaning</span></div>${rows.join('')}</div>
${contents}${dropped}
</details>`;
}

/** The AEAD inputs of a protected record: which traffic secret, key, IV, nonce and additional data (§5.2, §5.3). */
function aeadBlock(e: RecordEvent): string {
  const aead = e.aead!;
  const names = trafficKeyNames(aead.trafficSecret);
  const item = (term: string, hex: string, note: string) => `<dt>${term}</dt><dd>${secretHex(hex)}<span class="note">${note}</span></dd>`;
  return `<dl class="aead"><dt>${e.direction === 'sent' ? 'sealed with' : 'opened with'}</dt><dd><b>${esc(aead.algorithm)}</b> <span class="note">keys from ${esc(aead.trafficSecret)} (${rfcLink('RFC 8446 §7.3')})</span></dd>
${item('key', aead.key, esc(names.key))}${item('iv', aead.iv, esc(names.iv))}${item('nonce', aead.nonce, `the IV XOR the sequence number ${e.sequenceNumber ?? '?'}, left-padded (${rfcLink('RFC 8446 §5.3')})`)}${item('additional data', aead.additionalData, `the record header (${rfcLink('RFC 8446 §5.2')})`)}</dl>`;
}

/** A leaf row of a field table: name, bytes, meaning. */
function row(name: string, hex: string, value: string, note: string): string {
  return `<div class="row"><span class="name">${esc(name)}</span>${hexBox(hex)}<span class="meaning"><span class="value">${value}</span>${note ? `<span class="note">${esc(note)}</span>` : ''}</span></div>`;
}

/**
 * A handshake message (§4): a heading with its RFC section, then its fields as a tree. The
 * body (the struct the RFC names) is unwrapped, so its fields sit beside the handshake
 * header's `msg_type` and `length`. A CertificateVerify comes with the command that checks
 * its signature.
 */
function renderMessage(r: Renderer, id: string, e: MessageEvent): string {
  const check = r.check(e);
  const heading = `${actor(e.side, e.direction)} <span class="title">${esc(e.type)}</span>`;
  const key = `message ${e.hex}`;
  if (e.direction === 'received') {
    const shownAt = shownByPeer(r, key, e.side);
    if (shownAt) return echo(id, 'message', e.side, heading, `the same ${plural(byteCount(e.hex), 'byte')} the ${peerOf(e.side)} sent`, shownAt, { type: e.type });
  } else remember(r, key, e.side, id);

  const { fields, body, rfc } = unwrapMessage(e);
  // A ServerHello without supported_versions settles TLS 1.2 (RFC 8446 §4.2.1): its records read differently.
  if (e.type === 'ServerHello' && !JSON.stringify(e.fields).includes('"value":"supported_versions"')) r.tls12 = true;
  const note = body?.note ? `<p class="note">${esc(body.note)}</p>` : '';
  const signature = checkBlock(check, 'Verify the signature with node:crypto and the certificate’s public key, over 64 spaces, the context string, a zero byte and the transcript hash, which the command computes from the handshake messages before this one (RFC 8446 §4.4.3).');
  return `${open('details', id, 'message', e.side, { type: e.type })}
<summary>${heading} <span class="facts">${plural(byteCount(e.hex), 'byte')}</span> ${rfc ? rfcLink(rfc) : ''}</summary>
${note}<div class="fields"><div class="field-head"><span>field</span><span>bytes</span><span>meaning</span></div>
${renderFields(fields, 0)}</div>
${signature}</details>`;
}

/** Groups longer than this show their raw bytes one click away. */
const RAW_BYTES_FROM = 16;

/** Fields as a tree: inner nodes open and close, leaves show their bytes beside their value and note. */
function renderFields(fields: TraceField[], depth: number): string {
  return fields
    .map((f) => {
      const indent = ` style="--depth:${depth}"`;
      const note = f.note ? `<span class="note">${esc(f.note)}</span>` : '';
      const rfc = f.rfc ? ` ${rfcLink(f.rfc)}` : '';
      if (f.children) {
        const value = f.value !== undefined ? `<span class="value">${esc(f.value)}</span> ` : '';
        const raw = f.length > RAW_BYTES_FROM ? `<details class="raw"><summary>raw bytes</summary>${hexBox(f.hex)}</details>` : '';
        return `<details class="group" open><summary class="row"><span class="name"${indent}>${esc(f.name)}</span><span class="size">${plural(f.length, 'byte')}</span><span class="meaning">${value}${rfc}${note}</span></summary>
${raw ? `<div class="row raw-row"><span></span><span class="meaning">${raw}</span></div>` : ''}${renderFields(f.children, depth + 1)}</details>`;
      }
      // A length prefix's value is its number; other values come from the codec.
      const value = f.value ?? (f.name === 'length' && f.length > 0 && f.length <= 4 ? String(parseInt(f.hex, 16)) : undefined);
      const shown = value !== undefined ? `<span class="value">${esc(value)}</span>` : '';
      const size = f.length > 16 ? `<span class="size">${plural(f.length, 'byte')}</span>` : '';
      return `<div class="row"><span class="name"${indent}>${esc(f.name)}</span>${hexBox(f.hex)}<span class="meaning">${shown}${size}${rfc}${note}</span></div>`;
    })
    .join('\n');
}

/** Where each kind of derived value is defined (in RFC 8446 unless TLS 1.2's), by its label. */
const SECRET_SECTIONS: Record<string, string> = {
  'key share': 'RFC 8446 §4.2.8',
  '(EC)DHE': 'RFC 8446 §7.4',
  key: 'RFC 8446 §7.3',
  iv: 'RFC 8446 §7.3',
  finished: 'RFC 8446 §4.4.4',
  resumption: 'RFC 8446 §4.6.1',
  'Transcript-Hash': 'RFC 8446 §4.4.1',
  'traffic upd': 'RFC 8446 §7.2',
  // TLS 1.2's PRF outputs, by their PRF labels.
  ECDHE: 'RFC 8422 §5.10',
  session_hash: 'RFC 7627 §3',
  'extended master secret': 'RFC 7627 §4',
  'master secret': 'RFC 5246 §8.1',
  'key expansion': 'RFC 5246 §6.3',
  'client finished': 'RFC 5246 §7.4.9',
  'server finished': 'RFC 5246 §7.4.9',
};

/** A secret (§7.1): one line with its name and label; opened, its derivation, context, value and the command that recomputes it. */
function renderSecret(r: Renderer, id: string, e: SecretEvent): string {
  const check = r.check(e);
  // "HKDF-Extract" or "key share" name a step, not an HKDF label: only labels are quoted.
  const label = e.derivation.includes(`"${e.label}"`) ? `“${e.label}”` : e.label;
  const heading = `<span class="side">${e.side}</span> derives <span class="title">${esc(e.name)}</span> <span class="label">${esc(label)}</span>`;
  const key = `secret ${e.name} ${e.derivation} ${e.hex}`;
  const shownAt = shownByPeer(r, key, e.side);
  if (shownAt) return echo(id, 'secret', e.side, heading, `the same value as the ${peerOf(e.side)}`, shownAt, { name: e.name, label: e.label });
  remember(r, key, e.side, id);

  const context = e.contextHex !== undefined ? `<dt>context</dt><dd>${secretHex(e.contextHex)}</dd>` : '';
  const tool = check?.command.startsWith('openssl') ? 'OpenSSL' : 'node:crypto';
  return `${open('details', id, 'secret', e.side, { name: e.name, label: e.label })}
<summary>${heading} ${rfcLink(SECRET_SECTIONS[e.label] ?? 'RFC 8446 §7.1')}</summary>
<dl><dt>derivation</dt><dd><code class="derivation">${esc(e.derivation)}</code></dd>${context}<dt>value</dt><dd>${secretHex(e.hex)}</dd></dl>
${checkBlock(check, `Recompute it with ${tool} from the values before it in this trace.`)}</details>`;
}

/** A state transition of the handshake state machine. */
function renderState(id: string, e: StateEvent): string {
  return `${open('div', id, 'state', e.side, { to: e.to })}<p><span class="side">${e.side}</span> state: ${esc(e.from)} → <b>${esc(e.to)}</b></p></div>`;
}

/** An alert (§6; RFC 5246 §7.2 in TLS 1.2, whose warnings do not end the connection), in the color of its level. */
function renderAlert(r: Renderer, id: string, e: AlertEvent): string {
  const reason = e.reason ? `<p class="reason">${esc(e.reason)}</p>` : '';
  return `${open('div', id, 'alert', e.side, { level: e.level })}<p>${actor(e.side, e.direction)} <span class="title">alert: ${esc(e.level)} ${esc(e.description)}</span> ${rfcLink(r.tls12 ? 'RFC 5246 §7.2' : 'RFC 8446 §6')}</p>${reason}</div>`;
}

// ---------------------------------------------------------------------------------------------
// Style and script

/**
 * The style of the events {@link createHtmlRenderer} renders, scoped under `.lt-trace`:
 * client events to the left in blue, server events to the right in purple, bytes in
 * monospace beside their meaning; on a narrow screen, rows stack and boxes take the width.
 * @category Trace
 */
export const TRACE_HTML_STYLE = `
.lt-trace { --client: #1f6fb2; --server: #8a3ca4; --client-bg: #f1f7fd; --server-bg: #faf3fc; --muted: #5d6470;
  --line: #d9dee5; --value: #17663a; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  display: flex; flex-direction: column; gap: 0.3rem; min-width: 0; }
.lt-trace .lt-event, .lt-trace .lt-secrets { border: 1px solid var(--line); border-radius: 6px; padding: 0.25rem 0.6rem; background: #fff; max-width: 94%; box-sizing: border-box; min-width: 0; }
.lt-trace .lt-client { align-self: flex-start; border-left: 5px solid var(--client); }
.lt-trace .lt-server { align-self: flex-end; border-right: 5px solid var(--server); }
.lt-trace .lt-message, .lt-trace .lt-record { width: 94%; }
.lt-trace .lt-event[data-echo] { width: auto; }
.lt-trace .lt-message.lt-client { background: var(--client-bg); }
.lt-trace .lt-message.lt-server { background: var(--server-bg); }
.lt-trace .lt-client .side { color: var(--client); font-weight: 600; }
.lt-trace .lt-server .side { color: var(--server); font-weight: 600; }
.lt-trace summary { cursor: pointer; overflow-wrap: anywhere; }
.lt-trace .lt-event > summary, .lt-trace .lt-secrets > summary { padding: 0.1rem 0; }
.lt-trace .lt-secrets > summary .facts { display: inline-block; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.lt-trace .lt-secrets-list { display: flex; flex-direction: column; gap: 0.3rem; margin: 0.3rem 0; }
.lt-trace .lt-secrets-list > .lt-event { max-width: 100%; align-self: stretch; }
.lt-trace .title { font-weight: 700; }
.lt-trace .facts, .lt-trace .size { color: var(--muted); font-size: 0.9em; }
.lt-trace .rfc { font-size: 0.85em; white-space: nowrap; }
.lt-trace a.rfc { color: #2a5db0; }
.lt-trace p { margin: 0.2rem 0; }
.lt-trace .note { display: block; color: var(--muted); font-size: 0.88em; }
.lt-trace .value { color: var(--value); font-weight: 600; font-size: 0.92em; margin-right: 0.5em; overflow-wrap: anywhere; }
.lt-trace .empty { color: var(--muted); font-style: italic; font-size: 0.88em; }
.lt-trace code.hex { font-family: var(--mono); font-size: 0.82em; white-space: pre; display: block; overflow-x: auto; max-width: 100%; }
.lt-trace code.hex.long { max-height: ${LONG_HEX_LINES + 0.5}lh; overflow-y: auto; }
.lt-trace code.dump { background: #f6f7f9; padding: 0.3rem 0.5rem; border-radius: 4px; width: fit-content; max-width: 100%; box-sizing: border-box; }
.lt-trace .dump .offset, .lt-trace .dump .ascii { color: var(--muted); }
.lt-trace .fields { --name-col: 16rem; --hex-col: 24rem; margin: 0.3rem 0; }
.lt-trace .fields .row, .lt-trace .fields .field-head { display: grid; grid-template-columns: var(--name-col) var(--hex-col) minmax(10rem, 1fr);
  column-gap: 1rem; padding: 0.12rem 0; border-top: 1px solid #e6e9ee; }
.lt-trace .field-head { color: var(--muted); font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; border-top: none; }
.lt-trace .fields .name { font-family: var(--mono); font-size: 0.85em; padding-left: calc(var(--depth, 0) * 1.1rem); overflow-wrap: anywhere; }
.lt-trace .fields summary.row .name::before { content: "▾ "; color: var(--muted); }
.lt-trace .fields details.group:not([open]) > summary.row .name::before { content: "▸ "; }
.lt-trace .fields summary.row { list-style: none; }
.lt-trace .fields summary.row::-webkit-details-marker { display: none; }
.lt-trace .fields summary.row .name { font-weight: 600; }
.lt-trace .fields .raw-row { border-top: none; padding: 0; }
.lt-trace .fields .raw-row .meaning { grid-column: 2 / 4; }
.lt-trace details.raw > summary, .lt-trace details.check > summary { color: #2a5db0; font-size: 0.85em; }
.lt-trace .payload { margin: 0.4rem 0; }
.lt-trace .payload h4 { margin: 0.2rem 0; font-size: 0.9em; }
.lt-trace .decrypted h4 { color: var(--value); }
.lt-trace .lt-secret, .lt-trace .lt-state, .lt-trace .echo, .lt-trace .lt-secrets { font-size: 0.92em; }
.lt-trace dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); column-gap: 0.8rem; row-gap: 0.1rem; margin: 0.3rem 0; }
.lt-trace dt { color: var(--muted); font-size: 0.85em; }
.lt-trace dd { margin: 0; min-width: 0; }
.lt-trace .derivation { font-family: var(--mono); font-size: 0.85em; overflow-wrap: anywhere; }
.lt-trace .label { font-family: var(--mono); color: var(--value); }
.lt-trace .lt-state { border-style: dashed; color: var(--muted); }
.lt-trace .echo { color: var(--muted); }
.lt-trace .lt-alert { border-color: #c77d00; background: #fff8e6; }
.lt-trace .lt-alert[data-level="fatal"] { border-color: #b3261e; background: #fdeceb; }
.lt-trace .dropped, .lt-trace .reason { color: #9a5b00; }
.lt-trace details.check { margin: 0.3rem 0; }
.lt-trace pre.command { font-family: var(--mono); font-size: 0.78em; white-space: pre-wrap; word-break: break-all; background: #f6f7f9; border: 1px solid var(--line); border-radius: 4px; padding: 0.3rem 0.5rem; margin: 0.2rem 0; max-height: 12lh; overflow-y: auto; }
@media (max-width: 700px) {
  .lt-trace .lt-event, .lt-trace .lt-secrets, .lt-trace .lt-message, .lt-trace .lt-record { max-width: 100%; width: 100%; }
  .lt-trace .lt-event[data-echo] { width: 100%; }
  .lt-trace .fields .row, .lt-trace .fields .field-head { grid-template-columns: minmax(0, 1fr); }
  .lt-trace .fields .field-head { display: none; }
  .lt-trace .fields .row > :not(.name) { padding-left: calc(var(--depth, 0) * 1.1rem + 0.8rem); }
  .lt-trace .fields .raw-row .meaning { grid-column: 1; }
}
`;

/** The page around the trace: header, timeline, flights. */
const PAGE_STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d232b; background: #f3f5f8; margin: 0; padding: 1rem 2rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.3rem 0; }
h2 { font-size: 1.15rem; }
.page-header p { max-width: 60rem; }
.client-name { color: #1f6fb2; font-weight: 600; }
.server-name { color: #8a3ca4; font-weight: 600; }
.warning { color: #9a5b00; }
button { font: inherit; padding: 0.2rem 0.7rem; border: 1px solid #b8c0cc; border-radius: 4px; background: #fff; cursor: pointer; }
.round-trips { background: #fff; border: 1px solid #d9dee5; border-radius: 6px; padding: 0.3rem 1rem 0.6rem; margin: 1rem 0; max-width: 60rem; }
.round-trips h2 { margin: 0.4rem 0; }
.lt-flight { margin: 1.2rem 0 0.6rem; display: flex; flex-direction: column; gap: 0.3rem; min-width: 0; }
.lt-flight h2 { margin: 0 0 0.2rem; font-size: 1.05rem; overflow-wrap: anywhere; }
.lt-flight h2 .number { color: #5d6470; margin-right: 0.3rem; }
.lt-flight.from-client h2 .direction { color: #1f6fb2; }
.lt-flight.from-server h2 .direction { color: #8a3ca4; }
@media (max-width: 700px) { body { padding: 0.6rem 0.6rem 2rem; } h1 { font-size: 1.3rem; } }
`;

/**
 * Expand or fold every part of the page: folding closes everything, secrets included;
 * expanding leaves raw bytes and "check it yourself" commands to be opened one by one.
 */
const PAGE_SCRIPT = `document.querySelectorAll('[data-expand]').forEach(function (button) {
  button.addEventListener('click', function () {
    var open = button.getAttribute('data-expand') === 'open';
    document.querySelectorAll('main details').forEach(function (d) {
      if (!open || !d.matches('.raw, .check')) d.open = open;
    });
  });
});`;
