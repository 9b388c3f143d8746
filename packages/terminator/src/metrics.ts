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
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${formatNumber(bound)}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${formatNumber(this.sum)}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

function single(name: string, type: 'counter' | 'gauge', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${formatNumber(value)}`;
}

/** The terminator's metrics. */
export class Metrics {
  readonly handshakes = new LabeledCounter('lucid_tls_handshakes_total', 'TLS handshakes by result.', 'result', ['success', 'failure', 'timeout']);
  readonly protocols = new LabeledCounter('lucid_tls_handshakes_by_protocol_total', 'Successful TLS handshakes by protocol version.', 'protocol', ['TLSv1.2', 'TLSv1.3']);
  readonly handshakeDuration = new Histogram('lucid_tls_handshake_duration_seconds', 'Time from TCP accept to the end of the TLS handshake.', HANDSHAKE_BUCKETS);
  readonly requests = new LabeledCounter('lucid_http_requests_total', 'HTTPS requests by response status.', 'status');
  readonly upstreamErrors = new LabeledCounter('lucid_upstream_errors_total', 'Upstream failures: unavailable (502) or timeout (504).', 'kind', ['unavailable', 'timeout']);
  readonly reloads = new LabeledCounter('lucid_certificate_reloads_total', 'Certificate reloads by result.', 'result', ['success', 'failure']);
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
      ].join('\n') + '\n'
    );
  }
}

/** A plain-HTTP server answering `GET /metrics` with `metrics.render()`, 404 otherwise. */
export function createMetricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    const body = metrics.render();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
