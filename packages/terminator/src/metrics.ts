/**
 * Metrics in the Prometheus text exposition format (version 0.0.4), served at
 * `GET /metrics` on their own plain-HTTP listener (`--metrics HOST:PORT`). Kept by hand in
 * a few counters, gauges and one histogram: the format is simple enough that a library
 * would add more than it saves.
 *
 * | metric | type | what |
 * | --- | --- | --- |
 * | `lucid_tls_handshakes_total{result}` | counter | handshakes by `success`, `failure` (alert, bad client, disconnect) or `timeout` |
 * | `lucid_tls_handshakes_by_protocol_total{protocol}` | counter | successful handshakes by protocol version (`TLSv1.2`, `TLSv1.3`) |
 * | `lucid_tls_handshakes_resumed_total` | counter | successful handshakes that resumed a session (PSK) |
 * | `lucid_tls_resumed_ratio` | gauge | resumed / successful handshakes |
 * | `lucid_tls_handshake_duration_seconds` | histogram | TCP accept to handshake complete |
 * | `lucid_tls_active_connections` | gauge | TLS connections open now |
 * | `lucid_tls_connections_refused_total` | counter | connections dropped at the `maxConnections` limit |
 * | `lucid_http_requests_total{status}` | counter | HTTPS requests by response status |
 * | `lucid_http_early_data_requests_total` | counter | requests received as 0-RTT early data |
 * | `lucid_upstream_errors_total{kind}` | counter | upstream failures (`unavailable` → 502, `timeout` → 504) |
 * | `lucid_certificate_reloads_total{result}` | counter | certificate reloads by `success` or `failure` |
 * | `lucid_proxy_protocol_refused_total{reason}` | counter | connections closed for their PROXY protocol header: `untrusted` peer, `malformed`, `timeout`, `closed` before it was complete |
 * | `lucid_certificate_expiry_timestamp_seconds{name}` | gauge | when the certificate served for each name expires (its notAfter, Unix seconds) |
 * | `lucid_acme_failures_total{reason}` | counter | failed ACME orders, by the problem type (`unauthorized`, `connection`, `rateLimited`, `lucid-tls:transport`, …; `other` for failures that are not ACME's) |
 *
 * With workers (`--workers N`), the primary process serves `/metrics`: when asked, it
 * asks every worker for a {@link MetricsSnapshot} and adds them up ({@link Metrics.add}).
 * The primary runs the ACME client, so the ACME failures are its own, added to the sum;
 * the expiry gauges are the workers' (what they serve), the same in each: they are
 * merged by taking the latest per name, not added.
 * @module
 */
import { createServer, type Server } from 'node:http';

/** The bucket bounds of the handshake-duration histogram, in seconds. */
export const HANDSHAKE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A value in the exposition format (`+Inf`, integers without a fraction). */
function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** A label value escaped as the format asks (backslash, quote, newline). */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Counts by one label. */
class LabeledCounter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly label: string,
    initial: readonly string[] = [],
  ) {
    for (const value of initial) this.values.set(value, 0);
  }
  inc(labelValue: string, by = 1): void {
    this.values.set(labelValue, (this.values.get(labelValue) ?? 0) + by);
  }
  get(labelValue: string): number {
    return this.values.get(labelValue) ?? 0;
  }
  /** The counts by label value. */
  entries(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [value, count] of this.values) lines.push(`${this.name}{${this.label}="${labelValue(value)}"} ${formatNumber(count)}`);
    return lines.join('\n');
  }
}

/** A histogram with cumulative buckets, as Prometheus expects. */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i]! += 1;
    });
  }
  /** The bucket counts, sum and count, as data. */
  snapshot(): HistogramSnapshot {
    return { counts: [...this.counts], sum: this.sum, count: this.count };
  }
  /** Adds another histogram's observations (same buckets). */
  add(other: HistogramSnapshot): void {
    other.counts.forEach((n, i) => (this.counts[i]! += n));
    this.sum += other.sum;
    this.count += other.count;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${formatNumber(bound)}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${formatNumber(this.sum)}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

/** A gauge by one label, merged across processes by taking the largest value per label. */
class LabeledGauge {
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly label: string,
  ) {}
  /** Replaces every value. */
  replace(values: Iterable<[string, number]>): void {
    this.values = new Map(values);
  }
  get(labelValue: string): number | undefined {
    return this.values.get(labelValue);
  }
  entries(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
  /** Another process's values: the largest per label wins. */
  merge(values: Record<string, number>): void {
    for (const [label, n] of Object.entries(values)) this.values.set(label, Math.max(n, this.values.get(label) ?? -Infinity));
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [value, n] of this.values) lines.push(`${this.name}{${this.label}="${labelValue(value)}"} ${formatNumber(n)}`);
    return lines.join('\n');
  }
}

function single(name: string, type: 'counter' | 'gauge', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${formatNumber(value)}`;
}

/** A histogram's state as data. */
export interface HistogramSnapshot {
  counts: number[];
  sum: number;
  count: number;
}

/** The counters of a {@link Metrics}, as plain data: what a worker sends its primary. */
export interface MetricsSnapshot {
  handshakes: Record<string, number>;
  protocols: Record<string, number>;
  handshakeDuration: HistogramSnapshot;
  requests: Record<string, number>;
  upstreamErrors: Record<string, number>;
  reloads: Record<string, number>;
  proxyProtocolRefused: Record<string, number>;
  certificateExpiry: Record<string, number>;
  acmeFailures: Record<string, number>;
  resumed: number;
  activeConnections: number;
  refusedConnections: number;
  earlyDataRequests: number;
}

/** The terminator's metrics. */
export class Metrics {
  readonly handshakes = new LabeledCounter('lucid_tls_handshakes_total', 'TLS handshakes by result.', 'result', ['success', 'failure', 'timeout']);
  readonly protocols = new LabeledCounter('lucid_tls_handshakes_by_protocol_total', 'Successful TLS handshakes by protocol version.', 'protocol', ['TLSv1.2', 'TLSv1.3']);
  readonly handshakeDuration = new Histogram('lucid_tls_handshake_duration_seconds', 'Time from TCP accept to the end of the TLS handshake.', HANDSHAKE_BUCKETS);
  readonly requests = new LabeledCounter('lucid_http_requests_total', 'HTTPS requests by response status.', 'status');
  readonly upstreamErrors = new LabeledCounter('lucid_upstream_errors_total', 'Upstream failures: unavailable (502) or timeout (504).', 'kind', ['unavailable', 'timeout']);
  readonly reloads = new LabeledCounter('lucid_certificate_reloads_total', 'Certificate reloads by result.', 'result', ['success', 'failure']);
  readonly proxyProtocolRefused = new LabeledCounter('lucid_proxy_protocol_refused_total', 'Connections closed for their PROXY protocol header, by reason.', 'reason');
  readonly certificateExpiry = new LabeledGauge('lucid_certificate_expiry_timestamp_seconds', 'When the certificate served for each name expires (notAfter, Unix seconds).', 'name');
  readonly acmeFailures = new LabeledCounter('lucid_acme_failures_total', 'Failed ACME orders, by problem type.', 'reason');
  resumed = 0;
  activeConnections = 0;
  refusedConnections = 0;
  earlyDataRequests = 0;

  /** Records a completed handshake. */
  handshakeSucceeded(seconds: number, resumed: boolean, protocol: string): void {
    this.handshakes.inc('success');
    this.protocols.inc(protocol);
    this.handshakeDuration.observe(seconds);
    if (resumed) this.resumed += 1;
  }

  /** Every value, as data (JSON-safe). */
  snapshot(): MetricsSnapshot {
    return {
      handshakes: this.handshakes.entries(),
      protocols: this.protocols.entries(),
      handshakeDuration: this.handshakeDuration.snapshot(),
      requests: this.requests.entries(),
      upstreamErrors: this.upstreamErrors.entries(),
      reloads: this.reloads.entries(),
      proxyProtocolRefused: this.proxyProtocolRefused.entries(),
      certificateExpiry: this.certificateExpiry.entries(),
      acmeFailures: this.acmeFailures.entries(),
      resumed: this.resumed,
      activeConnections: this.activeConnections,
      refusedConnections: this.refusedConnections,
      earlyDataRequests: this.earlyDataRequests,
    };
  }

  /**
   * Adds another process's values to these: counters, gauges and histograms alike are
   * sums over the processes (the resumed ratio is computed from the sums), except the
   * certificate expiry gauges: every process serves the same certificates, so the latest
   * expiry per name is taken.
   *
   * @example
   * ```ts
   * const a = new Metrics(), b = new Metrics(), total = new Metrics();
   * a.requests.inc('200'); b.requests.inc('200', 2);
   * total.add(a.snapshot()); total.add(b.snapshot());
   * total.requests.get('200'); // → 3
   * ```
   */
  add(other: MetricsSnapshot): void {
    const addAll = (counter: LabeledCounter, values: Record<string, number>) => Object.entries(values).forEach(([label, n]) => counter.inc(label, n));
    addAll(this.handshakes, other.handshakes);
    addAll(this.protocols, other.protocols);
    this.handshakeDuration.add(other.handshakeDuration);
    addAll(this.requests, other.requests);
    addAll(this.upstreamErrors, other.upstreamErrors);
    addAll(this.reloads, other.reloads);
    addAll(this.proxyProtocolRefused, other.proxyProtocolRefused);
    this.certificateExpiry.merge(other.certificateExpiry);
    addAll(this.acmeFailures, other.acmeFailures);
    this.resumed += other.resumed;
    this.activeConnections += other.activeConnections;
    this.refusedConnections += other.refusedConnections;
    this.earlyDataRequests += other.earlyDataRequests;
  }

  /** The whole exposition text. */
  render(): string {
    const successes = this.handshakes.get('success');
    return (
      [
        this.handshakes.render(),
        this.protocols.render(),
        single('lucid_tls_handshakes_resumed_total', 'counter', 'Successful handshakes that resumed a session.', this.resumed),
        single('lucid_tls_resumed_ratio', 'gauge', 'Resumed handshakes over successful handshakes.', successes === 0 ? 0 : this.resumed / successes),
        this.handshakeDuration.render(),
        single('lucid_tls_active_connections', 'gauge', 'TLS connections open now.', this.activeConnections),
        single('lucid_tls_connections_refused_total', 'counter', 'Connections dropped at the connection limit.', this.refusedConnections),
        this.requests.render(),
        single('lucid_http_early_data_requests_total', 'counter', 'Requests received as TLS 1.3 early data.', this.earlyDataRequests),
        this.upstreamErrors.render(),
        this.reloads.render(),
        this.proxyProtocolRefused.render(),
        this.certificateExpiry.render(),
        this.acmeFailures.render(),
      ].join('\n') + '\n'
    );
  }
}

/**
 * A plain-HTTP server answering `GET /metrics` with `metrics.render()`, 404 otherwise.
 * `render` may be asynchronous (a cluster's primary gathers its workers' values first);
 * if it fails, the answer is 503 and the reason, never numbers that are not the sum.
 */
export function createMetricsServer(metrics: { render(): string | Promise<string> }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    Promise.resolve()
      .then(() => metrics.render())
      .then(
        (body) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`metrics unavailable: ${(error as Error).message}\n`),
      );
  });
}
