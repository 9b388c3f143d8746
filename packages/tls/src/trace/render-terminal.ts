/**
 * Renders trace events as text for a terminal, in the manner of "The Illustrated TLS 1.3
 * Connection": every record with its header, every handshake message as a tree of its
 * fields with their bytes, every secret with how it was derived, every state transition
 * and alert. Meant for learning, so secrets are printed: treat the output like a key log.
 *
 * ```text
 * client sends ClientHello  RFC 8446 §4.1.2  196 bytes
 * ├─ msg_type                        01           client_hello (1)
 * ├─ length                          00 00 c0     192
 * │                                  Length of the body that follows, in bytes.
 * ├─ legacy_version                  03 03        0x0303 (TLS 1.2, frozen)
 * …
 * client sends record  handshake  length 196  plaintext
 *     header     16 03 01 00 c4
 *
 * server ◆ client_handshake_traffic_secret  "c hs traffic"
 *     Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)
 *     context  860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8
 *     value    b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21
 *
 *   client: ExpectServerHello → ExpectEncryptedExtensions
 * ```
 * When both sides are traced, what the second side receives or derives identically is
 * shown in one line, not a second time in full.
 * @module
 */
import { unwrapMessage, type AlertEvent, type MessageEvent, type RecordEvent, type SecretEvent, type Side, type StateEvent, type TraceEvent, type TraceField } from './events.js';

/**
 * How to render: colors are off unless asked for (only a terminal understands them).
 * @category Trace
 */
export interface TerminalRenderOptions {
  /** Use ANSI colors: client and server in their own colors, notes dimmed. Default `false`. */
  color?: boolean;
  /** The terminal's width in columns; lines are wrapped to fit. Default 100, at least 60. */
  width?: number;
}

/**
 * Renders a whole trace at once, one line per `\n`.
 *
 * @example
 * ```ts
 * import { renderTrace } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const { events } = runScenario('simple_1rtt');
 * console.log(renderTrace(events).split('\n')[0]); // → client ◆ client_x25519_private  key share
 * ```
 * @category Trace
 */
export function renderTrace(events: Iterable<TraceEvent>, options?: TerminalRenderOptions): string {
  let text = '';
  const render = createTerminalRenderer((chunk) => (text += chunk), options);
  for (const event of events) render(event);
  return text;
}

/**
 * Returns an observer that renders each event as it comes and passes the text (whole
 * lines, each ending in `\n`) to `write`: usable as a connection's `trace` option.
 * Writing every event of a trace gives exactly what {@link renderTrace} returns.
 *
 * @example
 * ```ts
 * import { ClientConnection, createTerminalRenderer, insecureSkipVerify } from '@lucid-tls/tls';
 * const client = new ClientConnection({
 *   serverName: 'example.com',
 *   verifyServerCertificate: insecureSkipVerify,
 *   trace: createTerminalRenderer((text) => process.stdout.write(text), { color: process.stdout.isTTY ?? false }),
 * });
 * client.takeOutgoing();
 * ```
 * @category Trace
 */
export function createTerminalRenderer(write: (text: string) => void, options: TerminalRenderOptions = {}): (event: TraceEvent) => void {
  const r: Renderer = {
    paint: options.color ? ansi : plain,
    width: Math.max(60, Math.floor(options.width ?? 100)),
    unseen: new Map(),
  };
  let previous: string | undefined;
  return (event) => {
    const lines = renderEvent(r, event);
    // A blank line before each record, message and alert, and around runs of secrets or states.
    const group = event.kind === 'secret' || event.kind === 'state' ? event.kind : undefined;
    if (previous !== undefined && (group === undefined || group !== previous)) lines.unshift([]);
    previous = group ?? event.kind;
    write(lines.map((line) => toText(r, line) + '\n').join(''));
  };
}

// ---------------------------------------------------------------------------------------------
// Styles

type Style = 'client' | 'server' | 'title' | 'dim' | 'value' | 'rfc' | 'warning' | 'fatal';

/** ANSI SGR codes for each style: bold cyan client, bold magenta server, dim notes, green values. */
const ANSI_CODES: Record<Style, string> = {
  client: '1;36',
  server: '1;35',
  title: '1',
  dim: '2',
  value: '32',
  rfc: '34',
  warning: '1;33',
  fatal: '1;31',
};

type Paint = (text: string, style: Style) => string;
const ansi: Paint = (text, style) => `\x1b[${ANSI_CODES[style]}m${text}\x1b[0m`;
const plain: Paint = (text) => text;

interface Renderer {
  paint: Paint;
  width: number;
  /**
   * Messages and secrets one side has shown and the other not yet: when the peer receives
   * the same message or derives the same secret, it is not printed twice.
   */
  unseen: Map<string, Side>;
}

/** How many shown messages and secrets to remember (when only one side is traced, none repeat). */
const UNSEEN_LIMIT = 64;

/** Remembers that `side` showed `key` in full. */
function remember(r: Renderer, key: string, side: Side): void {
  r.unseen.set(key, side);
  if (r.unseen.size > UNSEEN_LIMIT) r.unseen.delete(r.unseen.keys().next().value!);
}

/** Whether the peer of `side` showed `key` in full (each is matched once). */
function shownByPeer(r: Renderer, key: string, side: Side): boolean {
  if (r.unseen.get(key) !== (side === 'client' ? 'server' : 'client')) return false;
  r.unseen.delete(key);
  return true;
}

/** A line as styled pieces; its width is measured on the text alone. */
type Piece = [text: string, style?: Style];
type Line = Piece[];

/** The width of a piece of text in columns (every character we print is one column wide). */
function columns(text: string): number {
  return [...text].length;
}

function lineWidth(line: Line): number {
  return line.reduce((n, [text]) => n + columns(text), 0);
}

/** Paints a line, without trailing spaces. */
function toText(r: Renderer, line: Line): string {
  const pieces = line.map(([text, style]): Piece => [text, style]);
  while (pieces.length > 0) {
    const last = pieces[pieces.length - 1]!;
    last[0] = last[0].trimEnd();
    if (last[0] !== '') break;
    pieces.pop();
  }
  return pieces.map(([text, style]) => (style && text !== '' ? r.paint(text, style) : text)).join('');
}

/** Pads a line with spaces to `column`. */
function padTo(line: Line, column: number): Line {
  const w = lineWidth(line);
  return w < column ? [...line, [' '.repeat(column - w)]] : line;
}

/**
 * Adds `items` to `line`, two spaces apart, starting new lines (indented by `indent`)
 * when the next item would pass the right margin; an item too long for a line of its own
 * is wrapped.
 */
function flow(r: Renderer, line: Line, items: Piece[], indent: string): Line[] {
  const lines: Line[] = [line];
  for (const [text, style] of items) {
    const current = lines[lines.length - 1]!;
    if (lineWidth(current) + 2 + columns(text) <= r.width) {
      current.push(['  '], [text, style]);
      continue;
    }
    const room = Math.max(20, r.width - columns(indent));
    for (const part of wrap(text, room)) lines.push([[indent], [part, style]]);
  }
  return lines;
}

/** Breaks text at spaces into lines of at most `width` columns (a longer word is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (let word of text.split(/\s+/).filter((w) => w !== '')) {
    while (columns(word) > width) {
      if (current !== '') lines.push(current);
      const chars = [...word];
      lines.push(chars.slice(0, width).join(''));
      word = chars.slice(width).join('');
      current = '';
    }
    if (current === '') current = word;
    else if (columns(current) + 1 + columns(word) <= width) current += ' ' + word;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** Lines of `text` in `style`, each starting with `indent`, wrapped to the renderer's width. */
function paragraph(r: Renderer, indent: string, text: string, style: Style): Line[] {
  const room = Math.max(20, r.width - columns(indent));
  return wrap(text, room).map((t) => [[indent], [t, style]]);
}

// ---------------------------------------------------------------------------------------------
// Hex

/** How to lay out bytes: how many per line, spaced or not, and when to cut them short. */
interface HexLayout {
  perLine: number;
  spaced: boolean;
  /** Longer values are truncated... */
  max: number;
  /** ...to their first `shown` bytes, followed by '…'. */
  shown: number;
}

/** Field bytes up to this many are shown whole; longer ones (certificates, signatures) are cut. */
const FIELD_MAX_BYTES = 96;
const FIELD_SHOWN_BYTES = 32;
/** On a narrow terminal, the bytes of fields start at most this far right. */
const NARROW_HEX_COLUMN = 36;
/** The width of up to 4 spaced bytes, `00 00 00 1e`. */
const SHORT_HEX = 11;

/** Splits hex into lines; a truncated value ends in '…'. */
function hexLines(hex: string, layout: HexLayout): string[] {
  const total = hex.length / 2;
  const shown = total > layout.max ? layout.shown : total;
  const lines: string[] = [];
  for (let i = 0; i < shown; i += layout.perLine) {
    const chunk = hex.slice(2 * i, 2 * Math.min(shown, i + layout.perLine));
    lines.push(layout.spaced ? (chunk.match(/../g) ?? []).join(' ') : chunk);
  }
  if (shown < total) lines[lines.length - 1] += ' …';
  return lines;
}

/** The most bytes per line (32, 16, 8 or 4) that fit in `room` columns. */
function bytesPerLine(room: number, spaced: boolean): number {
  for (const n of [32, 16, 8]) if ((spaced ? 3 * n - 1 : 2 * n) <= room) return n;
  return 4;
}

function byteCount(hex: string): number {
  return hex.length / 2;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Events

function renderEvent(r: Renderer, event: TraceEvent): Line[] {
  switch (event.kind) {
    case 'record':
      return renderRecord(r, event);
    case 'message':
      return renderMessage(r, event);
    case 'secret':
      return renderSecret(r, event);
    case 'state':
      return renderState(r, event);
    case 'alert':
      return renderAlert(r, event);
  }
}

/** The first words of an event's heading: `client sends`, `server receives`. */
function actor(side: Side, direction: 'sent' | 'received'): Piece[] {
  return [[side, side], [direction === 'sent' ? ' sends ' : ' receives ']];
}

/** Indentation of the lines under an event's heading. */
const DETAIL = '    ';

/** A record: its header line (§5.1), then its header bytes and, if protected, its payload (§5.2). */
function renderRecord(r: Renderer, e: RecordEvent): Line[] {
  const length = byteCount(e.hex) - 5;
  const type = e.protected || e.outerType !== e.innerType ? `${e.outerType} → ${e.innerType}` : e.innerType;
  const facts: Piece[] = [[`length ${length}`], [e.protected ? 'protected' : 'plaintext', 'dim']];
  if (e.sequenceNumber !== undefined) facts.push([`seq ${e.sequenceNumber}`, 'dim']);
  if (e.paddingLength !== undefined && e.paddingLength > 0) facts.push([`padding ${e.paddingLength}`, 'dim']);
  const lines = flow(r, [...actor(e.side, e.direction), ['record', 'title'], ['  '], [type, 'title']], facts, DETAIL);

  // Record bytes take one line at most: what matters is their size, shown beside them.
  const column = DETAIL.length + 11;
  const perLine = Math.min(16, bytesPerLine(r.width - column - 2, true));
  const layout: HexLayout = { perLine, spaced: true, max: perLine, shown: perLine };
  const bytes = (name: string, hex: string, comment: string) => {
    const [first] = hexLines(hex, layout);
    const line: Line = [...padTo([[DETAIL], [name, 'dim']], column), first === undefined ? ['(empty)', 'dim'] : [first]];
    lines.push(...flow(r, line, [[comment, 'dim']], ' '.repeat(column)));
  };
  const size = (hex: string) => plural(byteCount(hex), 'byte');
  bytes('header', e.hex.slice(0, 10), 'type, legacy_record_version, length (§5.1)');
  if (e.protected) bytes('encrypted', e.hex.slice(10), size(e.hex.slice(10)));
  // Handshake content is shown as messages; other content (data, alerts, change_cipher_spec) here.
  if (e.innerType !== 'handshake') bytes(e.protected ? 'plaintext' : 'content', e.contentHex, size(e.contentHex));
  if (e.dropped) lines.push(...paragraph(r, DETAIL, `dropped: ${e.dropped}`, 'warning'));
  return lines;
}

/**
 * A handshake message: a title with its RFC section, then its fields as a tree. The body of
 * the message (the struct named in the RFC) is unwrapped, so its fields sit beside the
 * handshake header's `msg_type` and `length` (§4).
 */
function renderMessage(r: Renderer, e: MessageEvent): Line[] {
  const { fields, body, rfc } = unwrapMessage(e);
  const facts: Piece[] = [];
  if (rfc) facts.push([rfc, 'rfc']);
  facts.push([plural(byteCount(e.hex), 'byte'), 'dim']);

  // The peer's copy of a message already shown: one line is enough.
  const repeated = e.direction === 'received' && shownByPeer(r, e.hex, e.side);
  if (e.direction === 'sent') remember(r, e.hex, e.side);
  if (repeated) facts.push(['(same bytes as sent above)', 'dim']);
  const lines = flow(r, [...actor(e.side, e.direction), [e.type, 'title']], facts, DETAIL);
  if (repeated) return lines;

  if (body?.note) lines.push(...paragraph(r, '', body.note, 'dim'));
  const hexColumn = fieldHexColumn(r, fields);
  renderFields(r, fields, '', hexColumn, lines);
  return lines;
}

/**
 * Where field bytes start: just right of the longest name, but leaving room for 16 bytes a
 * line (on a narrow terminal, for 8); longer names put their bytes on the next line.
 */
function fieldHexColumn(r: Renderer, fields: TraceField[]): number {
  let widest = 0;
  const measure = (fs: TraceField[], depth: number) => {
    for (const f of fs) {
      if (f.children) measure(f.children, depth + 1);
      else widest = Math.max(widest, 3 * (depth + 1) + columns(f.name));
    }
  };
  measure(fields, 0);
  return Math.min(widest + 2, Math.max(r.width - (3 * 16 - 1) - 2, NARROW_HEX_COLUMN));
}

/**
 * Renders fields as a tree. `prefix` holds the guide lines of the ancestors; inner nodes
 * show their value, size and RFC section, leaves their bytes beside their decoded value.
 */
function renderFields(r: Renderer, fields: TraceField[], prefix: string, hexColumn: number, lines: Line[]): void {
  fields.forEach((f, i) => {
    const last = i === fields.length - 1;
    const head: Line = [[prefix + (last ? '└─ ' : '├─ '), 'dim'], [f.name]];
    const under = prefix + (last ? '   ' : '│  ');
    const describe: Piece[] = [];
    if (f.value !== undefined) describe.push([f.value, 'value']);
    else if (f.name === 'length' && !f.children && f.length > 0 && f.length <= 4) describe.push([String(parseInt(f.hex, 16)), 'value']);

    if (f.children) {
      describe.push([plural(f.length, 'byte'), 'dim']);
      if (f.rfc) describe.push([f.rfc, 'rfc']);
      lines.push(...flow(r, head, describe, under + '│  '));
      if (f.note) lines.push(...paragraph(r, under + '│    ', f.note, 'dim').map(guide));
      renderFields(r, f.children, under, hexColumn, lines);
      return;
    }

    const indent: Line = [[under, 'dim']];
    // Deep fields whose guides reach past the column of bytes start theirs further right.
    const column = Math.max(hexColumn, columns(under));
    const truncated = f.length > FIELD_MAX_BYTES;
    const layout: HexLayout = {
      perLine: bytesPerLine(r.width - column - (truncated ? 2 : 0), true),
      spaced: true,
      max: FIELD_MAX_BYTES,
      shown: FIELD_SHOWN_BYTES,
    };
    const hex = hexLines(f.hex, layout);
    if (hex.length === 0) hex.push('(empty)');
    if (truncated) describe.push([plural(f.length, 'byte'), 'dim']);
    if (f.rfc) describe.push([f.rfc, 'rfc']);
    // The bytes, in a column; a name too long for it puts them on the next line.
    const rows: Line[] = [];
    if (lineWidth(head) + 2 > column) rows.push(head);
    hex.forEach((h, k) => {
      const start = k === 0 && rows.length === 0 ? head : indent;
      rows.push([...padTo(start, column), h === '(empty)' ? [h, 'dim'] : [h]]);
    });
    // Short bytes (up to 4) leave their values in a column of their own.
    let tail = rows.pop()!;
    if (hex.length === 1 && columns(hex[0]!) <= SHORT_HEX) tail = padTo(tail, column + SHORT_HEX);
    const hexIndent = under.padEnd(column);
    rows.push(...flow(r, tail, describe, hexIndent));
    lines.push(...rows.map(guide));
    if (f.note) {
      // Notes sit in the column of the bytes when it leaves room for them, else under the name.
      const noteIndent = r.width - column >= 40 ? hexIndent : under + '  ';
      lines.push(...paragraph(r, noteIndent, f.note, 'dim').map(guide));
    }
  });
}

/** Dims the tree guides (`│  │`) at the start of a line. */
function guide(line: Line): Line {
  const [first, ...rest] = line;
  return first && first[1] === undefined ? [[first[0], 'dim'], ...rest] : line;
}

/**
 * A secret: its name and label, how it was derived, the context it was bound to and its
 * value (RFC 8446 §7.1). When the peer derived the same value the same way, one line says so.
 */
function renderSecret(r: Renderer, e: SecretEvent): Line[] {
  // "HKDF-Extract" or "key share" name a step, not an HKDF label: only labels are quoted.
  const label = e.derivation.includes(`"${e.label}"`) ? `"${e.label}"` : e.label;
  const heading: Line = [[e.side, e.side], [' ◆ ', 'dim'], [e.name, 'title']];
  const facts: Piece[] = [[label, 'value']];
  const key = `${e.name} ${e.derivation} ${e.hex}`;
  if (shownByPeer(r, key, e.side)) {
    facts.push([`(same as the ${e.side === 'client' ? 'server' : 'client'}’s)`, 'dim']);
    return flow(r, heading, facts, DETAIL);
  }
  remember(r, key, e.side);

  const lines = flow(r, heading, facts, DETAIL);
  lines.push(...paragraph(r, DETAIL, e.derivation, 'dim'));
  const keyWidth = 9;
  const hexIndent = DETAIL + ' '.repeat(keyWidth);
  const perLine = bytesPerLine(r.width - hexIndent.length, false);
  const bytes = (name: string, hex: string) => {
    const rows = hexLines(hex, { perLine, spaced: false, max: Infinity, shown: Infinity });
    rows.forEach((row, i) => lines.push([[i === 0 ? DETAIL + name.padEnd(keyWidth) : hexIndent, 'dim'], [row]]));
    if (rows.length === 0) lines.push([[DETAIL + name.padEnd(keyWidth), 'dim'], ['(empty)', 'dim']]);
  };
  if (e.contextHex !== undefined) bytes('context', e.contextHex);
  bytes('value', e.hex);
  return lines;
}

/** A state transition, as a quiet line. */
function renderState(r: Renderer, e: StateEvent): Line[] {
  return paragraph(r, '  ', `${e.side}: ${e.from} → ${e.to}`, 'dim');
}

/** An alert (§6), in the color of its level. */
function renderAlert(r: Renderer, e: AlertEvent): Line[] {
  const style: Style = e.level === 'fatal' ? 'fatal' : 'warning';
  const lines = flow(r, [...actor(e.side, e.direction), [`alert: ${e.level} ${e.description}`, style]], [['RFC 8446 §6', 'rfc']], DETAIL);
  if (e.reason) lines.push(...paragraph(r, DETAIL, e.reason, style));
  return lines;
}
