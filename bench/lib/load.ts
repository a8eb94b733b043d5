/**
 * One HTTP scenario measured with autocannon: a warm-up run whose figures are thrown away, then
 * the measured run. Every response is counted; a scenario with errors or unexpected statuses is
 * reported as such (never silently averaged in).
 */
import autocannon from 'autocannon';

/** A request as autocannon builds it (the fields a scenario may set per request). */
export interface RequestShape {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Scenario {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request (e.g. a different token each time); called for every request sent. */
  setupRequest?: (request: RequestShape) => RequestShape;
  /** Sees every response body (e.g. to keep the new refresh token). */
  onResponse?: (status: number, body: string) => void;
  /** Status expected of every response (default 200). */
  expectStatus?: number;
}

export interface LoadOptions {
  connections: number;
  /** Seconds of measurement. */
  seconds: number;
  /** Seconds of warm-up before it, not counted. */
  warmupSeconds: number;
}

export interface LoadResult {
  name: string;
  /** Mean requests per second over the measured run. */
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors and timeouts, plus responses of another status than expected. */
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  connections: number;
}

/** Sizes for a 2-core machine shared with the target: enough connections to keep one core busy. */
export const DEFAULT_LOAD: LoadOptions = { connections: 32, seconds: 10, warmupSeconds: 3 };

async function fire(scenario: Scenario, connections: number, seconds: number): Promise<autocannon.Result> {
  const request: autocannon.Request = {};
  if (scenario.setupRequest) {
    const setup = scenario.setupRequest;
    request.setupRequest = (raw) => setup(raw as RequestShape) as autocannon.Request;
  }
  if (scenario.onResponse) {
    const seen = scenario.onResponse;
    request.onResponse = (status, body) => seen(status, body);
  }
  return autocannon({
    url: scenario.url,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    requests: [request],
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
}

/** Runs the warm-up, then the measured run, of one scenario. */
export async function measure(scenario: Scenario, options: LoadOptions = DEFAULT_LOAD): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await fire(scenario, options.connections, options.warmupSeconds);
  const result = await fire(scenario, options.connections, options.seconds);
  const expected = String(scenario.expectStatus ?? 200);
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = Number(count);
    if (status !== expected) unexpected += Number(count);
  }
  const out: LoadResult = {
    name: scenario.name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + unexpected,
    statuses,
    seconds: result.duration,
    connections: options.connections,
  };
  const line = `${scenario.name.padEnd(44)} ${out.rps.toFixed(0).padStart(7)} req/s  p50 ${out.p50.toFixed(1)} ms  p99 ${out.p99.toFixed(1)} ms  errors ${out.errors}`;
  process.stdout.write(`${line}\n`);
  return out;
}
