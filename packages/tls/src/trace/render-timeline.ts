/**
 * A {@link Timeline} drawn as HTML: a ladder diagram in SVG (client on the left, server on
 * the right, time going down, each flight an arrow across the link), a slider for the
 * round-trip time, and a sentence saying when the first byte of the answer arrives. Times
 * are written in round trips in `data-rtt` attributes, so a few lines of script (the
 * HTML trace's, or a page's own) turn them into milliseconds for the chosen RTT.
 * @module
 */
import type { Side } from './events.js';
import type { Timeline, TimedFlight } from './timeline.js';

/**
 * The round-trip times the slider offers, in milliseconds, and what each is like: a data
 * centre, a region, an ocean, a geostationary satellite hop.
 * @category Trace
 */
export const TIMELINE_RTTS: readonly { readonly ms: number; readonly like: string }[] = [
  { ms: 1, like: 'a data centre' },
  { ms: 20, like: 'within a region' },
  { ms: 100, like: 'across an ocean' },
  { ms: 300, like: 'a satellite link' },
];

/** The slider's starting point: 100 ms, a phone across an ocean. */
const DEFAULT_RTT_INDEX = 2;

/**
 * How to draw a timeline.
 * @category Trace
 */
export interface TimelineHtmlOptions {
  /** The link from a flight's arrow to where the flight is shown (its index counts from 0). */
  flightHref?: (index: number) => string;
  /** How many flights have been delivered so far: later ones are drawn faint (a step-by-step page). */
  delivered?: number;
}

/**
 * A timeline as an HTML figure (class `lt-timeline`) with its RTT slider. Without script
 * it shows the times for 100 ms; {@link TIMELINE_SCRIPT} makes the slider work.
 *
 * @example
 * ```ts
 * import { handshakeTimeline, renderTimelineHtml } from '@lucid-tls/tls';
 * import { runScenario } from '@lucid-tls/tls/learn';
 * const figure = renderTimelineHtml(handshakeTimeline(runScenario('simple_1rtt').events));
 * console.log(figure.includes('<svg'), /first byte of the answer arrives after <b data-rtt="3">300 ms<\/b>/.test(figure)); // → true true
 * ```
 * @category Trace
 */
export function renderTimelineHtml(timeline: Timeline, options: TimelineHtmlOptions = {}): string {
  const rtt = TIMELINE_RTTS[DEFAULT_RTT_INDEX]!.ms;
  const ms = (units: number) => `<b data-rtt="${units}">${formatMs(units * rtt)}</b>`;
  const { request, response } = timeline;
  const rounds = (units: number) => `${units} round trip${units === 1 ? '' : 's'}`;
  const summary =
    request && response
      ? `<p class="lt-timeline-summary">The first application byte can leave the client at ${ms(request.leaves)}${request.early ? ', with its ClientHello (0-RTT data)' : ''}; the first byte of the answer arrives after ${ms(response.arrives)}: ${rounds(response.arrives)}${timeline.tcp ? ', TCP’s included' : ''}.</p>`
      : '<p class="lt-timeline-summary">The handshake did not complete: no application data.</p>';
  return `<figure class="lt-timeline" data-testid="timeline">
<div class="lt-timeline-controls"><label>Round trip <input type="range" min="0" max="${TIMELINE_RTTS.length - 1}" step="1" value="${DEFAULT_RTT_INDEX}" data-rtt-slider aria-label="round-trip time"></label> <output>${describeRtt(DEFAULT_RTT_INDEX)}</output></div>
${timelineSvg(timeline, rtt, options)}
${summary}
<figcaption>Solid arrows are encrypted, dashed ones in the clear (partly encrypted: some records of the flight are). Green: the first application data each way, at the earliest the handshake allows.</figcaption>
</figure>`;
}

/**
 * The slider's round trip in words: `100 ms: across an ocean`.
 *
 * @example
 * ```ts
 * import { describeRtt } from '@lucid-tls/tls';
 * console.log(describeRtt(3)); // → 300 ms: a satellite link
 * ```
 * @category Trace
 */
export function describeRtt(index: number): string {
  const rtt = TIMELINE_RTTS[index];
  return rtt ? `${formatMs(rtt.ms)}: ${rtt.like}` : '';
}

/**
 * Milliseconds as the timeline writes them, to a tenth below 10.
 *
 * @example
 * ```ts
 * import { formatMs } from '@lucid-tls/tls';
 * console.log(formatMs(0.5), formatMs(250)); // → 0.5 ms 250 ms
 * ```
 * @category Trace
 */
export function formatMs(ms: number): string {
  return `${ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms)} ms`;
}

// ---------------------------------------------------------------------------------------------
// The diagram

const WIDTH = 340;
const X: Record<Side, number> = { client: 96, server: 316 };
const TOP = 30;
/** Pixels a round trip takes, top to bottom. */
const PER_RTT = 84;
const LABEL_CHARS = 27;

/** The arrowheads, one per color: each side's flights, the application data, TCP. */
const HEADS: Record<string, string> = { client: '#1f6fb2', server: '#8a3ca4', data: '#17663a', tcp: '#8b939e' };

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function timelineSvg(timeline: Timeline, rtt: number, options: TimelineHtmlOptions): string {
  const y = (units: number) => TOP + units * PER_RTT;
  const end = Math.max(timeline.response?.arrives ?? 0, ...timeline.flights.map((f) => f.arrives));
  const height = y(end) + 18;
  const parts: string[] = [];
  // The two ends of the link, and a time mark every half round trip.
  for (const side of ['client', 'server'] as const) {
    parts.push(`<text x="${X[side]}" y="14" class="end ${side}" text-anchor="middle">${side}</text>`);
    parts.push(`<line x1="${X[side]}" y1="${TOP - 8}" x2="${X[side]}" y2="${height - 6}" class="end-line"/>`);
  }
  for (let t = 0; t <= end; t += 0.5) {
    const strong = t === timeline.response?.arrives ? ' strong' : '';
    parts.push(`<text x="4" y="${y(t) + 4}" class="tick${strong}" data-rtt="${t}">${formatMs(t * rtt)}</text>`);
    parts.push(`<line x1="62" y1="${y(t)}" x2="${X.client - 4}" y2="${y(t)}" class="tick-line"/>`);
  }
  if (timeline.tcp) {
    parts.push(arrow('client', 0, 'TCP: SYN', 'tcp', 'the client opens the TCP connection'));
    parts.push(arrow('server', 0.5, 'SYN-ACK', 'tcp', 'the client’s first bytes go with its ACK'));
  }
  timeline.flights.forEach((f, i) => parts.push(flightArrow(f, i, options)));
  const { request, response } = timeline;
  if (request && response) {
    // Drawn a little lower than the flight they travel with, so that both show.
    parts.push(arrow('client', request.leaves, 'request', 'data', 'the first application byte from the client', 9));
    parts.push(arrow('server', response.leaves, 'response', 'data', 'the first byte of the answer', 9));
    parts.push(`<circle cx="${X.client}" cy="${y(response.arrives) + 9}" r="4" class="first-byte"/>`);
  }
  return `<svg class="lt-timeline-svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="The handshake on the link, time going down">
<defs>${Object.entries(HEADS)
    .map(([kind, color]) => `<marker id="lt-head-${kind}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="${color}"/></marker>`)
    .join('')}</defs>
${parts.join('\n')}
</svg>`;
}

/** A flight's arrow, linked to where it is shown. */
function flightArrow(f: TimedFlight, index: number, options: TimelineHtmlOptions): string {
  const encryption = f.protectedRecords === 0 ? 'clear' : f.protectedRecords === f.records ? 'encrypted' : 'partly';
  const what = f.carried.join(', ');
  const state = options.delivered !== undefined && index >= options.delivered ? ' pending' : '';
  const title = `Flight ${index + 1}, ${f.from} → ${f.from === 'client' ? 'server' : 'client'}: ${what} (${f.bytes} bytes in ${f.records} record${f.records === 1 ? '' : 's'}, ${encryption === 'clear' ? 'in the clear' : encryption === 'partly' ? `${f.protectedRecords} encrypted` : 'encrypted'})`;
  const drawn = arrow(f.from, f.leaves, `${index + 1}. ${shorten(f.carried)}`, `flight ${f.from} ${encryption}${state}`, title);
  return options.flightHref ? `<a href="${esc(options.flightHref(index))}">${drawn}</a>` : drawn;
}

/** An arrow across the link from `from`, leaving at `leaves` (round trips), with a label above it. */
function arrow(from: Side, leaves: number, label: string, kind: string, title: string, offset = 0): string {
  // The application data's labels go under their arrows, the flights' above.
  const below = kind === 'data';
  const to: Side = from === 'client' ? 'server' : 'client';
  const [y1, y2] = [TOP + leaves * PER_RTT + offset, TOP + (leaves + 0.5) * PER_RTT + offset];
  const [x1, x2] = [X[from] + (from === 'client' ? 2 : -2), X[to] + (to === 'client' ? 2 : -2)];
  const slope = (y2 - y1) / (x2 - x1);
  const angle = (Math.atan(slope) * 180) / Math.PI;
  const [mx, my] = [(x1 + x2) / 2, (y1 + y2) / 2];
  const head = kind.startsWith('flight') ? from : kind;
  return `<g class="${kind}"><title>${esc(title)}</title><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#lt-head-${head})"/><text x="${mx}" y="${below ? my + 12 : my - 5}" text-anchor="middle" transform="rotate(${angle.toFixed(1)} ${mx} ${my})">${esc(label)}</text></g>`;
}

/** What a flight carries, short enough for its arrow: `ServerHello +4 more` when all of it is too long. */
function shorten(items: string[]): string {
  const all = items.join(', ');
  if (all.length <= LABEL_CHARS || items.length < 2) return all.length <= LABEL_CHARS ? all : `${all.slice(0, LABEL_CHARS - 1)}…`;
  return `${items[0]} +${items.length - 1} more`;
}

/**
 * The script that makes a timeline's slider work: it rewrites every `data-rtt` time in the
 * figure for the chosen round trip. The HTML trace includes it; a page that adds timelines
 * later calls `ltTimelines()` again.
 * @category Trace
 */
export const TIMELINE_SCRIPT = `function ltTimelines() {
  var rtts = ${JSON.stringify(TIMELINE_RTTS)};
  var format = function (ms) { return (ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms)) + ' ms'; };
  document.querySelectorAll('.lt-timeline').forEach(function (figure) {
    var slider = figure.querySelector('[data-rtt-slider]');
    if (!slider || slider.getAttribute('data-ready')) return;
    slider.setAttribute('data-ready', '1');
    var update = function () {
      var rtt = rtts[Number(slider.value)];
      figure.querySelectorAll('[data-rtt]').forEach(function (el) { el.textContent = format(Number(el.getAttribute('data-rtt')) * rtt.ms); });
      figure.querySelector('output').textContent = format(rtt.ms) + ': ' + rtt.like;
    };
    slider.addEventListener('input', update);
    update();
  });
}
ltTimelines();`;

/**
 * The style of {@link renderTimelineHtml}'s figure.
 * @category Trace
 */
export const TIMELINE_STYLE = `
.lt-timeline { margin: 0.5rem 0; max-width: 34rem; }
.lt-timeline-controls { display: flex; flex-wrap: wrap; gap: 0.3rem 0.8rem; align-items: center; font-size: 0.92em; }
.lt-timeline-controls input { vertical-align: middle; width: 9rem; }
.lt-timeline-controls output { font-weight: 600; }
.lt-timeline-svg { display: block; width: 100%; height: auto; max-width: 34rem; font: 11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.lt-timeline-svg .end { font-weight: 700; font-size: 12px; }
.lt-timeline-svg .end.client { fill: #1f6fb2; }
.lt-timeline-svg .end.server { fill: #8a3ca4; }
.lt-timeline-svg .end-line { stroke: #b8c0cc; stroke-width: 2; }
.lt-timeline-svg .tick { fill: #5d6470; font-size: 10px; }
.lt-timeline-svg .tick.strong { fill: #17663a; font-weight: 700; }
.lt-timeline-svg .tick-line { stroke: #e3e7ec; }
.lt-timeline-svg line { stroke-width: 1.6; }
.lt-timeline-svg .tcp line { stroke: #8b939e; stroke-dasharray: 2 3; }
.lt-timeline-svg .tcp text { fill: #5d6470; }
.lt-timeline-svg .flight.client line { stroke: #1f6fb2; }
.lt-timeline-svg .flight.server line { stroke: #8a3ca4; }
.lt-timeline-svg .flight.client text { fill: #1f6fb2; }
.lt-timeline-svg .flight.server text { fill: #8a3ca4; }
.lt-timeline-svg .flight.clear line { stroke-dasharray: 6 4; }
.lt-timeline-svg .flight.encrypted line { stroke-width: 2.6; }
.lt-timeline-svg .flight.partly line { stroke-width: 2.6; stroke-dasharray: 10 3 2 3; }
.lt-timeline-svg .flight.pending { opacity: 0.3; }
.lt-timeline-svg .data line { stroke: #17663a; stroke-width: 1.4; }
.lt-timeline-svg .data text { fill: #17663a; font-style: italic; }
.lt-timeline-svg .first-byte { fill: #17663a; }
.lt-timeline-svg a:hover text { text-decoration: underline; }
.lt-timeline-summary { margin: 0.3rem 0; }
.lt-timeline figcaption { color: #5d6470; font-size: 0.85em; }
`;
