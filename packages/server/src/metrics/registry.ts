/**
 * The server's Prometheus metrics (docs/operations.md lists each one): a registry per process,
 * counted from the two places every request and every business step pass through — Fastify's
 * response hook (http/metrics.ts) and the domain's one audit function (wiring.ts) — plus gauges
 * read when Prometheus scrapes. No label takes a value a client chooses: routes are Fastify's
 * patterns (never a raw path), methods and error codes are checked against fixed shapes, audit
 * types are literals of the code, and client ids exist only once an operator registered them.
 */
import {
  type Aggregator,
  AggregatorRegistry,
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Registry,
} from 'prom-client';
import type { SinkMetrics } from '../audit-sink/sink.js';
import type { AuditInput } from '../domain/context.js';
import type { Services } from '../domain/services.js';
import type { RevocationHub } from '../domain/tokens/revocation-hub.js';
import { inner, type Tally, talliedCounter } from './tally.js';

/** What the gauges read at each scrape: narrow readers of the services, never the store. */
export interface MetricsSources {
  keys: Pick<Services['keys'], 'list'>;
  health: Pick<Services['health'], 'ping' | 'dependencies'>;
  revocationFeed: Pick<RevocationHub, 'stats'>;
  /** The automatic rotation period (keyRotationPeriod), milliseconds. */
  keyRotationPeriodMs: number;
  now: () => number;
}

export interface ServerMetrics {
  /** prom-client's registry of this process: what a single process serves, or a worker reports. */
  readonly registry: Registry;
  /** One answered HTTP request: its route pattern (undefined: no route matched). */
  request(route: string | undefined, method: string, status: number, seconds: number): void;
  /** An error answered by the token endpoint, by its RFC 6749 §5.2 `error`. */
  tokenError(error: string): void;
  /** An audit event written by a domain step (wiring.ts wraps the one audit function). */
  audited(event: AuditInput): void;
  /** The audit webhook's deliveries, failures and lag (audit-sink/sink.ts). */
  readonly auditSink: SinkMetrics;
  /** Gives the gauges their sources, once the services exist. */
  observe(sources: MetricsSources): void;
}

/** The HTTP methods counted by name; anything else is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** An audit type or an OAuth error code as the code writes them; anything else is `other`. */
const CODE_WORD = /^[a-z][a-z0-9_.]{0,63}$/;
/** A grant type: a short name or an extension URI (RFC 6749 §4.5), registered in code. */
const GRANT_TYPE = /^[\w.:/-]{1,128}$/;
/**
 * Distinct client ids labelled in `sesame_tokens_issued_total`; tokens of clients beyond them are
 * counted under `other`. Dynamic registration lets anyone add clients, so the label set must be
 * bounded by more than registration.
 */
export const MAX_CLIENT_LABELS = 500;
/** A store that has not answered within this is down, for the scrape. */
const PING_TIMEOUT_MS = 2_000;

const bounded = (value: unknown, shape: RegExp) =>
  typeof value === 'string' && shape.test(value) ? value : 'other';

/**
 * @example
 * const metrics = createMetrics();
 * const app = await buildApp({ config, store, metrics });
 * response.end(await metrics.registry.metrics());
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServerMetrics {
  // An AggregatorRegistry is a Registry; being one here also lets a cluster worker answer the
  // primary's requests for its metrics (cluster.ts).
  const registry: Registry = new AggregatorRegistry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'sesame_' });
  let sources: MetricsSources | undefined;
  const registers = [registry];
  /**
   * Gauges read at scrape time, registered once their sources are given: a gauge without labels
   * would otherwise read 0 meanwhile (a worker still starting would report the store down). With
   * workers, `aggregator` says how the primary combines them.
   */
  const gauges: Gauge[] = [];
  const gauge = <L extends string>(
    name: string,
    help: string,
    aggregator: Aggregator,
    collect: (gauge: Gauge<L>, from: MetricsSources) => void | Promise<void>,
    labelNames: readonly L[] = [],
  ) => {
    const made = new Gauge<L>({
      name,
      help,
      labelNames,
      aggregator,
      registers: [],
      async collect() {
        this.reset();
        if (sources) await collect(this, sources);
      },
    });
    gauges.push(made as unknown as Gauge);
  };

  // The counters of every request and token are tallied (tally.ts); the rare ones use prom-client's inc.
  const requests = talliedCounter({
    name: 'sesame_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const durations = new Histogram({
    name: 'sesame_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern, method and status class',
    labelNames: ['route', 'method', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const tokensIssued = talliedCounter({
    name: 'sesame_tokens_issued_total',
    help: 'Access tokens issued by the token endpoint, by grant type and client id',
    labelNames: ['grant_type', 'client_id'] as const,
    registers,
  });
  const refreshRotations = talliedCounter({
    name: 'sesame_refresh_rotations_total',
    help: 'Refresh tokens rotated (grant refresh_token answered with a new pair)',
    registers,
  }).series({});
  const tokenErrors = new Counter({
    name: 'sesame_token_errors_total',
    help: 'Errors answered by the token endpoint, by OAuth error code',
    labelNames: ['error'] as const,
    registers,
  });
  const auditEvents = talliedCounter({
    name: 'sesame_audit_events_total',
    help: 'Audit events written (logins, failures, throttling, refresh reuse, revocations, key changes, logouts), by type',
    labelNames: ['type'] as const,
    registers,
  });

  // With workers, the sum says how many processes answered this scrape.
  gauge(
    'sesame_serving_processes',
    'Processes serving requests (with --workers: those that answered)',
    'sum',
    (g) => {
      g.set(1);
    },
  );
  gauge('sesame_revocation_feed_subscribers', 'Open revocation feed streams', 'sum', (g, from) => {
    g.set(from.revocationFeed.stats().subscribers);
  });
  gauge(
    'sesame_signing_key_age_seconds',
    'Age of the current signing key, by algorithm (none in HMAC mode)',
    'max',
    (g, from) => {
      for (const key of from.keys.list()) {
        if (key.state !== 'current') continue;
        g.set({ alg: key.alg }, (from.now() - (key.activatedAt ?? key.createdAt)) / 1000);
      }
    },
    ['alg'],
  );
  gauge(
    'sesame_signing_key_next_rotation_seconds',
    'Seconds until the current signing key is due to rotate, by algorithm (negative: overdue)',
    'min',
    (g, from) => {
      for (const key of from.keys.list()) {
        if (key.state !== 'current') continue;
        const due = (key.activatedAt ?? key.createdAt) + from.keyRotationPeriodMs;
        g.set({ alg: key.alg }, (due - from.now()) / 1000);
      }
    },
    ['alg'],
  );

  // One ping per scrape, shared by the two gauges that report it (prom-client collects in parallel).
  let probe: Promise<{ up: boolean; seconds: number }> | undefined;
  const ping = (from: MetricsSources) => {
    probe ??= timedPing(from).finally(() => setImmediate(() => (probe = undefined)));
    return probe;
  };
  gauge(
    'sesame_store_up',
    'Whether the store (SQLite or PostgreSQL) answered a ping: 1 or 0',
    'min',
    async (g, from) => {
      g.set((await ping(from)).up ? 1 : 0);
    },
  );
  gauge(
    'sesame_store_ping_seconds',
    'Time the store took to answer the ping of this scrape',
    'max',
    async (g, from) => {
      g.set((await ping(from)).seconds);
    },
  );
  gauge(
    'sesame_dependency_up',
    "Whether each of the store's own dependencies (Redis) is reachable: 1 or 0",
    'min',
    (g, from) => {
      for (const [dependency, state] of Object.entries(from.health.dependencies() ?? {})) {
        g.set({ dependency }, state === 'ok' ? 1 : 0);
      }
    },
    ['dependency'],
  );

  // The audit webhook: one process delivers (with workers, one worker), the others report 0.
  const sinkDelivered = new Counter({
    name: 'sesame_audit_sink_delivered_total',
    help: 'Audit events the audit webhook delivered (a 2xx answer)',
    registers,
  });
  const sinkFailures = new Counter({
    name: 'sesame_audit_sink_failures_total',
    help: 'Failed attempts of the audit webhook, by reason (timeout, network, redirect, 4xx, 5xx, store)',
    labelNames: ['reason'] as const,
    registers,
  });
  const sinkLag = new Gauge({
    name: 'sesame_audit_sink_lag_seconds',
    help: 'Age of the oldest audit event the audit webhook has not delivered yet (0: caught up, or off)',
    aggregator: 'max',
    registers,
  });
  const auditSink: SinkMetrics = Object.freeze({
    delivered: (events: number) => sinkDelivered.inc(events),
    failed: (reason: Parameters<SinkMetrics['failed']>[0]) => sinkFailures.inc({ reason }),
    lag: (seconds: number) => sinkLag.set(seconds),
  });

  // The hot path: each label set's series are made once and found again by the values as given,
  // in maps (no string built, no closure made per request). A value is a key only once its shape
  // is checked or its set is bounded, so the maps stay as bounded as the labels.
  type Series = { count: Tally; time: { observe(value: number): void } };
  const perRequest = new Map<string | undefined, Map<string, Map<number, Series>>>();
  const perAuditType = new Map<string, Tally>();
  const perIssue = new Map<string, Map<string, Tally>>();
  const labelledClients = new Set<string>();
  const newSeries = (route: string | undefined, method: string, status: number): Series => {
    const labels = { route: route ?? 'unmatched', method };
    return {
      count: requests.series({ ...labels, status: String(status) }),
      time: durations.labels({ ...labels, status_class: `${Math.floor(status / 100)}xx` }),
    };
  };

  return Object.freeze({
    registry,
    auditSink,
    request(route, method, status, seconds) {
      const shown = METHODS.has(method) ? method : 'other';
      const byStatus = inner(inner(perRequest, route), shown);
      let series = byStatus.get(status);
      if (series === undefined) {
        series = newSeries(route, shown, status);
        byStatus.set(status, series);
      }
      series.count.n++;
      series.time.observe(seconds);
    },
    tokenError(error) {
      tokenErrors.inc({ error: bounded(error, CODE_WORD) });
    },
    audited(event) {
      const type = bounded(event.type, CODE_WORD);
      let ofType = perAuditType.get(type);
      if (ofType === undefined) {
        ofType = auditEvents.series({ type });
        perAuditType.set(type, ofType);
      }
      ofType.n++;
      if (event.type !== 'token.issued') return;
      const grantType = bounded(event.details?.grant_type, GRANT_TYPE);
      let clientId = event.clientId ?? 'none';
      if (!labelledClients.has(clientId)) {
        if (labelledClients.size < MAX_CLIENT_LABELS) labelledClients.add(clientId);
        else clientId = 'other';
      }
      const byClient = inner(perIssue, grantType);
      let issued = byClient.get(clientId);
      if (issued === undefined) {
        issued = tokensIssued.series({ grant_type: grantType, client_id: clientId });
        byClient.set(clientId, issued);
      }
      issued.n++;
      if (grantType === 'refresh_token') refreshRotations.n++;
    },
    observe(given) {
      if (sources === undefined) for (const made of gauges) registry.registerMetric(made);
      sources = given;
    },
  } satisfies ServerMetrics);
}

/** Pings the store with a deadline: a store that hangs is down for this scrape, not a stuck scrape. */
async function timedPing(from: MetricsSources): Promise<{ up: boolean; seconds: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error('store ping timed out')), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([from.health.ping(), deadline]);
    return { up: true, seconds: (performance.now() - started) / 1000 };
  } catch {
    return { up: false, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
  }
}
