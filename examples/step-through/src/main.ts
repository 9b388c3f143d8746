/**
 * The step-through page: reads the options, runs a {@link HandshakeStepper}, and shows each
 * delivered flight — a heading, a few plain sentences, any application data read, and the
 * flight's trace rendered by the engine's HTML renderer, folded to one line per event —
 * with both sides' states, a ladder of the flights so far, what was negotiated, and what
 * the handshake costs in time: its timeline on a link whose round trip the reader chooses,
 * beside the other kinds of handshake.
 * @module
 */
import './style.css';
import type { CipherSuiteName, NamedGroupName, ProtocolName, TraceEvent } from '@lucid-tls/tls';
import type { IssuedKeyType } from '@lucid-tls/tls/x509';
import { explain } from './explanations.js';
import { Pki } from './pki.js';
import { CIPHER_SUITES, DEFAULT_OPTIONS, GROUPS, HandshakeStepper, MODES, timelineOf, VERSIONS, type Step, type StepperOptions } from './stepper.js';
import { createHtmlRenderer, describeRtt, escapeHtml, formatMs, renderTimelineHtml, TIMELINE_RTTS, TIMELINE_STYLE, TRACE_HTML_STYLE, type Timeline } from '@lucid-tls/tls';

/** The element with a `data-testid`: the page's parts are named once, for people and tests alike. */
function part<T extends HTMLElement>(testid: string): T {
  const element = document.querySelector<T>(`[data-testid="${testid}"]`);
  if (!element) throw new Error(`the page has no ${testid}`);
  return element;
}

const form = part<HTMLFormElement>('options');
const nextButton = part<HTMLButtonElement>('next');
const runAllButton = part<HTMLButtonElement>('run-all');
const resetButton = part<HTMLButtonElement>('reset');
const counter = part('step-counter');
const clientState = part('client-state');
const serverState = part('server-state');
const status = part('handshake-status');
const wire = part('in-flight');
const summary = part('summary');
const ladder = part<HTMLOListElement>('ladder');
const steps = part('steps');
const timelineBox = part('timeline-box');
const modesTable = part<HTMLTableElement>('modes');

const style = document.createElement('style');
style.textContent = TRACE_HTML_STYLE + TIMELINE_STYLE;
document.head.append(style);

// ---------------------------------------------------------------------------------------------
// Options

function fillSelect(name: string, values: readonly string[], selected: string): void {
  const select = form.elements.namedItem(name) as HTMLSelectElement;
  select.innerHTML = values.map((v) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
}
fillSelect('version', VERSIONS, DEFAULT_OPTIONS.version);
fillSelect('cipherSuite', CIPHER_SUITES, DEFAULT_OPTIONS.cipherSuite);
fillSelect('group', GROUPS, DEFAULT_OPTIONS.group);
(form.elements.namedItem('applicationData') as HTMLTextAreaElement).value = DEFAULT_OPTIONS.applicationData;

function readOptions(): StepperOptions {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  const checked = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).checked;
  const tls13 = value('version') === 'TLSv1.3';
  return {
    version: value('version') as ProtocolName,
    cipherSuite: value('cipherSuite') as CipherSuiteName,
    group: value('group') as NamedGroupName,
    serverKey: value('serverKey') as IssuedKeyType,
    helloRetryRequest: tls13 && checked('helloRetryRequest'),
    resumption: checked('resumption'),
    earlyData: tls13 && checked('resumption') && checked('earlyData'),
    clientCertificate: checked('clientCertificate'),
    middleboxCompatibility: tls13 && checked('middleboxCompatibility'),
    applicationData: value('applicationData'),
  };
}

// ---------------------------------------------------------------------------------------------
// The handshake

let pki: Pki | undefined;
let stepper: HandshakeStepper | undefined;
let render: (events: TraceEvent | readonly TraceEvent[]) => string = createHtmlRenderer();
/** The whole handshake's timeline, from a run of its own to the end. */
let timeline: Timeline | undefined;
/** Round trips to the first byte of the answer, for each kind of handshake (the same whatever the suite or group). */
let modeRoundTrips: number[] | undefined;
/** Which of TIMELINE_RTTS the slider is on: 100 ms to start with. */
let rttIndex = 2;
let failure: string | undefined;
/** Counts resets: a reset still waiting to make its stepper gives way to a later one. */
let generation = 0;

/** Starts again with the current options; certificates are made the first time (RSA keys take a moment). */
function reset(): void {
  stepper = undefined;
  ladder.replaceChildren();
  steps.replaceChildren();
  summary.hidden = true;
  failure = undefined;
  timeline = undefined;
  // TLS 1.2 has no HelloRetryRequest, no 0-RTT and no middlebox compatibility mode: those choices are TLS 1.3's.
  const tls12 = (form.elements.namedItem('version') as HTMLSelectElement).value === 'TLSv1.2';
  for (const name of ['helloRetryRequest', 'middleboxCompatibility']) (form.elements.namedItem(name) as HTMLInputElement).disabled = tls12;
  (form.elements.namedItem('earlyData') as HTMLInputElement).disabled = tls12 || !(form.elements.namedItem('resumption') as HTMLInputElement).checked;
  status.textContent = 'preparing…';
  status.className = 'handshake-status';
  setButtons(false);
  // Let the page paint "preparing…" before the keys are made.
  const mine = ++generation;
  setTimeout(() => {
    if (mine !== generation) return;
    try {
      pki ??= new Pki();
      const options = readOptions();
      stepper = new HandshakeStepper(options, pki);
      render = createHtmlRenderer();
      timeline = timelineOf(options, pki);
      modeRoundTrips ??= MODES.map((mode) => timelineOf({ ...DEFAULT_OPTIONS, ...mode.options }, pki!).response?.arrives ?? NaN);
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
    update();
  }, 10);
}

/** Delivers one flight and shows it; returns it, or undefined when there was none. */
function next(): Step | undefined {
  const step = stepper?.next();
  if (!step) return undefined;
  showStep(step);
  update();
  return step;
}

function setButtons(enabled: boolean): void {
  nextButton.disabled = !enabled;
  runAllButton.disabled = !enabled;
}

/**
 * Refreshes the bar: both sides' states, the flight on the wire, the handshake status, the
 * counter and buttons; and the summary once complete. The states are the engines' own: an
 * engine answers a flight at once, so the sender of the flight on the wire is already
 * waiting for what comes back.
 */
function update(): void {
  clientState.textContent = stepper?.client.stateName ?? '';
  serverState.textContent = stepper?.server.stateName ?? '';
  wire.innerHTML = describeWire();
  const done = !stepper || stepper.done;
  setButtons(!done);
  const delivered = stepper?.steps.length ?? 0;
  counter.textContent = `${delivered} flight${delivered === 1 ? '' : 's'} delivered${stepper && done ? ' · nothing more to send' : ''}`;
  const error = failure ?? describeError();
  if (error) {
    status.textContent = `handshake failed: ${error}`;
    status.className = 'handshake-status failed';
  } else if (stepper?.handshakeComplete) {
    status.textContent = 'handshake complete';
    status.className = 'handshake-status complete';
    showSummary(stepper);
  } else {
    status.textContent = delivered === 0 ? 'ready: press next' : 'handshake in progress';
    status.className = 'handshake-status';
  }
  showTimeline();
}

// ---------------------------------------------------------------------------------------------
// Round trips

/** The timeline (flights delivered so far drawn solid), and the kinds of handshake compared. */
function showTimeline(): void {
  if (!timeline) {
    timelineBox.replaceChildren();
    modesTable.replaceChildren();
    return;
  }
  timelineBox.innerHTML = renderTimelineHtml(timeline, { flightHref: (i: number) => `#step-${i + 1}`, delivered: stepper?.steps.length ?? 0 });
  const slider = timelineBox.querySelector<HTMLInputElement>('[data-rtt-slider]')!;
  slider.value = String(rttIndex);
  slider.addEventListener('input', () => {
    rttIndex = Number(slider.value);
    showTimes();
  });
  const current = MODES.findIndex((mode) => Object.entries(mode.options).every(([k, v]) => readOptions()[k as keyof StepperOptions] === v));
  const rows = MODES.map((mode, i) => {
    const rounds = modeRoundTrips?.[i] ?? NaN;
    return `<tr${i === current ? ' class="current"' : ''}><td>${escapeHtml(mode.name)}${i === current ? ' <small>(this one)</small>' : ''}</td><td>${rounds}</td><td data-rtt="${rounds}"></td></tr>`;
  });
  modesTable.innerHTML = `<thead><tr><th>handshake</th><th>round trips</th><th>first byte of the answer</th></tr></thead><tbody>${rows.join('')}</tbody>`;
  showTimes();
}

/** Writes every time of the round-trips section for the slider's round trip. */
function showTimes(): void {
  const rtt = TIMELINE_RTTS[rttIndex]!.ms;
  for (const element of document.querySelectorAll<HTMLElement>('.round-trips [data-rtt]')) element.textContent = formatMs(Number(element.dataset.rtt) * rtt);
  const output = timelineBox.querySelector('output');
  if (output) output.textContent = describeRtt(rttIndex);
}

/** What the next click will deliver. */
function describeWire(): string {
  const flight = stepper?.inFlight;
  if (flight) {
    const what = items(flight, stepper!.steps).join(', ').replace('ClientHello again', 'ClientHello');
    return `<b>On the wire:</b> <span class="from-${flight.from}">${flight.from} → ${flight.to}</span>, ${flight.length} bytes: ${escapeHtml(what)}. Press <b>next</b> to deliver it.`;
  }
  if (stepper && !stepper.done) return '<b>On the wire:</b> nothing. Press <b>next</b> and the client sends its application data.';
  return stepper ? '<b>On the wire:</b> nothing more.' : '';
}

function describeError(): string | undefined {
  const error = stepper?.client.error ?? stepper?.server.error;
  return error ? `${error.alert} (${error.reason})` : undefined;
}

/** What was negotiated, as the client sees it (and whether the server got a client certificate). */
function showSummary(s: HandshakeStepper): void {
  const info = s.client.info;
  const facts: [string, string][] = [
    ['protocol', info.protocol],
    ['cipher suite', info.cipherSuite?.name ?? '—'],
    ['key exchange', info.group ?? 'none (pre-shared key only)'],
    ['server signature', info.resumed ? `none: resumed with ${info.protocol === 'TLSv1.2' ? 'the session’s master secret' : 'a pre-shared key'}` : (info.signatureScheme ?? '—')],
    ['application protocol (ALPN)', info.alpnProtocol ?? 'none'],
    ['HelloRetryRequest', info.helloRetryRequest ? 'yes' : 'no'],
    ['resumed', info.resumed ? 'yes' : 'no'],
    ['early data', info.earlyData],
    ['client certificate', s.server.info.peerCertificates.length > 0 ? 'sent and verified' : 'none'],
  ];
  summary.innerHTML = `<h2>Negotiated</h2><dl>${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
  summary.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// A step on screen

/** A flight's items, with a repeated ClientHello named as the second one. */
function items(step: Pick<Step, 'carried'>, earlier: readonly Step[]): string[] {
  const helloBefore = earlier.some((s) => s.carried.includes('ClientHello'));
  return step.carried.map((item) => (item === 'ClientHello' && helloBefore ? 'ClientHello again' : item));
}

function showStep(step: Step): void {
  const earlier = stepper!.steps.slice(0, step.number - 1);
  const carried = items(step, earlier);
  const section = document.createElement('section');
  section.className = `step from-${step.from}`;
  section.id = `step-${step.number}`;
  section.dataset.testid = 'step';
  section.dataset.step = String(step.number);
  const protocol = stepper!.options.version;
  const explanations = [...new Set(carried)].map((item) => `<li>${item.startsWith('alert') ? '' : `<b>${escapeHtml(item.replace(' again', ''))}</b>: `}${escapeHtml(explain(item, protocol))}</li>`);
  const read = (who: string, what: string, text: string) =>
    `<div class="delivered" data-testid="delivered"><p>The ${who} read ${what}:</p><pre>${escapeHtml(text)}</pre></div>`;
  section.innerHTML = `
<h2 data-testid="step-title"><span class="number">Flight ${step.number}</span> <span class="direction">${step.from} → ${step.to}</span> ${escapeHtml(carried.join(', ').replace('ClientHello again', 'ClientHello'))}</h2>
<ul class="explanations">${explanations.join('')}</ul>
${step.earlyData !== undefined ? read('server', '0-RTT early data', step.earlyData) : ''}
${step.applicationData !== undefined ? read(step.to, 'application data', step.applicationData) : ''}
${step.error ? `<p class="error" data-testid="step-error">The ${step.to} failed: ${escapeHtml(step.error)}</p>` : ''}
<div class="lt-trace">${render(step.events)}</div>`;
  steps.append(section);

  const li = document.createElement('li');
  li.className = `from-${step.from}`;
  li.innerHTML = `<a href="#step-${step.number}"><span class="number">${step.number}</span> <span class="what">${escapeHtml(carried.join(', ').replace('ClientHello again', 'ClientHello'))}</span><span class="arrow">${step.from === 'client' ? '⟶' : '⟵'}</span></a>`;
  ladder.append(li);
  section.scrollIntoView({ block: 'start' });
}

// ---------------------------------------------------------------------------------------------
// Wiring

nextButton.addEventListener('click', () => next());
runAllButton.addEventListener('click', () => {
  while (next());
});
resetButton.addEventListener('click', reset);
for (const [testid, open] of [['expand-all', true], ['collapse-all', false]] as const) {
  // Folding closes everything, secrets included; expanding leaves raw bytes and commands folded.
  part(testid).addEventListener('click', () => {
    for (const d of steps.querySelectorAll('details')) if (!open || !d.matches('.raw, .check')) d.open = open;
  });
}
form.addEventListener('change', reset);
form.addEventListener('submit', (e) => e.preventDefault());
reset();
