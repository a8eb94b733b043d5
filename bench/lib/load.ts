/**
 * One HTTP scenario measured with autocannon: a warm-up run whose figures are thrown away, then
 * the measured run. Every response is counted; a scenario with errors or unexpected statuses is
 * reported as such (never silently averaged in).
 */
import autocannon from 'autocannon';
import { cpuSeconds } from './processes.js';

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
  /** The target's process: its CPU time per request is measured too. */
  pid?: number;
  /** Connections for this scenario alone (default: the options' connections). */
  connections?: number;
  /** Several target processes (instances behind a balancer): their CPU time is summed. */
  pids?: readonly number[];
  /**
   * The processes of the services the target uses (PostgreSQL, Redis), listed when the measured
   * run starts: their CPU time per request is measured beside the target's.
   */
  servicePids?: () => readonly number[];
  /**
   * Counters of the target's store (committed transactions, WAL flushes), read right before and
   * right after the measured run: their growth per request is reported.
   */
  counters?: () => Promise<Record<string, number>>;
}

export interface LoadOptions {
  connections: number;
  /** Seconds of measurement. */
  seconds: number;
  /** Seconds of warm-up before it, not counted. */
  warmupSeconds: number;
  /** Send exactly this many requests instead of running for `seconds` (e.g. single-use tokens). */
  amount?: number;
}

export interface LoadResult {
  name: string;
  /** With measureRounds: each round's requests per second, in round order. */
  rounds?: number[];
  /** CPU time the target process spent per request, in microseconds (when its pid is known). */
  cpuPerRequest?: number;
  /** With measureRounds: each round's CPU time per request. */
  cpuRounds?: number[];
  /** CPU time the scenario's services (servicePids) spent per request, in microseconds. */
  serviceCpuPerRequest?: number;
  /** With the scenario's counters: how much each grew per request answered. */
  countersPerRequest?: Record<string, number>;
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

async function fire(
  scenario: Scenario,
  connections: number,
  seconds: number,
  amount?: number,
): Promise<autocannon.Result> {
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
    ...(amount === undefined ? { duration: seconds } : { amount }),
    pipelining: 1,
    timeout: 10,
  });
}

/** CPU seconds of the scenario's target processes, summed; undefined without any or when one is gone. */
function targetCpu(scenario: Scenario): number | undefined {
  const pids = [...(scenario.pid === undefined ? [] : [scenario.pid]), ...(scenario.pids ?? [])];
  if (pids.length === 0) return undefined;
  let sum = 0;
  for (const pid of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds === undefined) return undefined;
    sum += seconds;
  }
  return sum;
}

/** CPU seconds of each process that exists now. */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const value = cpuSeconds(pid);
    if (value !== undefined) seconds.set(pid, value);
  }
  return seconds;
}

/** The CPU seconds processes spent between two readings (those present at both). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, seconds] of after) {
    const start = before.get(pid);
    if (start !== undefined) sum += seconds - start;
  }
  return sum;
}

/** Load on a scenario for `seconds`, nothing measured (e.g. to warm each instance behind a balancer). */
export async function warmUp(scenario: Scenario, connections: number, seconds: number): Promise<void> {
  await fire(scenario, connections, seconds);
}

/** Runs the warm-up, then the measured run, of one scenario. */
export async function measure(scenario: Scenario, options: LoadOptions = DEFAULT_LOAD): Promise<LoadResult> {
  const connections = scenario.connections ?? options.connections;
  if (options.warmupSeconds > 0) await fire(scenario, connections, options.warmupSeconds);
  const services = scenario.servicePids?.() ?? [];
  const servicesBefore = cpuOf(services);
  const countersBefore = await scenario.counters?.();
  const cpuBefore = targetCpu(scenario);
  const result = await fire(scenario, connections, options.seconds, options.amount);
  const cpuAfter = targetCpu(scenario);
  const servicesAfter = cpuOf(services);
  const countersAfter = await scenario.counters?.();
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
    connections,
  };
  if (cpuBefore !== undefined && cpuAfter !== undefined && out.requests > 0) {
    out.cpuPerRequest = ((cpuAfter - cpuBefore) / out.requests) * 1e6;
  }
  if (services.length > 0 && out.requests > 0) {
    out.serviceCpuPerRequest = (cpuBetween(servicesBefore, servicesAfter) / out.requests) * 1e6;
  }
  if (countersBefore !== undefined && countersAfter !== undefined && out.requests > 0) {
    out.countersPerRequest = Object.fromEntries(
      Object.entries(countersAfter).map(([name, after]) => [
        name,
        (after - (countersBefore[name] ?? 0)) / out.requests,
      ]),
    );
  }
  const cpu = out.cpuPerRequest === undefined ? '' : `  cpu ${out.cpuPerRequest.toFixed(1)} µs/req`;
  const serviceCpu =
    out.serviceCpuPerRequest === undefined ? '' : `  services ${out.serviceCpuPerRequest.toFixed(1)} µs/req`;
  const line = `${scenario.name.padEnd(44)} ${out.rps.toFixed(0).padStart(7)} req/s  p50 ${out.p50.toFixed(1)} ms  p99 ${out.p99.toFixed(1)} ms  errors ${out.errors}${cpu}${serviceCpu}`;
  process.stdout.write(`${line}\n`);
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Contenders measured side by side on a shared machine: after one warm-up each, `rounds` rounds in
 * which every contender runs `seconds`, the running order rotating from round to round. A
 * neighbour's burst hits the contenders of one round alike, so `pairedRatio` compares them round by
 * round; each figure is the median of its rounds.
 */
export async function measureRounds<K extends string>(
  scenarios: Record<K, Scenario>,
  options: LoadOptions & {
    rounds: number;
    /**
     * Called before each contender's warm-up and each of its runs, outside the timing, with the
     * seconds it is about to run and its last result (none before the warm-up): to prepare what
     * the run spends, such as single-use codes.
     */
    prepare?: (name: K, seconds: number, last: LoadResult | undefined) => Promise<void>;
  },
): Promise<Record<K, LoadResult>> {
  const names = Object.keys(scenarios) as K[];
  for (const name of names) {
    await options.prepare?.(name, options.warmupSeconds, undefined);
    await fire(scenarios[name], scenarios[name].connections ?? options.connections, options.warmupSeconds);
  }
  const runs = new Map<K, LoadResult[]>(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      await options.prepare?.(name, options.seconds, runs.get(name)!.at(-1));
      runs.get(name)!.push(await measure(scenarios[name], { ...options, warmupSeconds: 0 }));
    }
  }
  const out = {} as Record<K, LoadResult>;
  for (const name of names) {
    const list = runs.get(name)!;
    const statuses: Record<string, number> = {};
    for (const run of list) {
      for (const [status, count] of Object.entries(run.statuses))
        statuses[status] = (statuses[status] ?? 0) + count;
    }
    out[name] = {
      name: scenarios[name].name,
      rounds: list.map((run) => run.rps),
      rps: median(list.map((run) => run.rps)),
      ...(list.every((run) => run.cpuPerRequest !== undefined)
        ? {
            cpuRounds: list.map((run) => run.cpuPerRequest!),
            cpuPerRequest: median(list.map((run) => run.cpuPerRequest!)),
          }
        : {}),
      ...(list.every((run) => run.serviceCpuPerRequest !== undefined)
        ? { serviceCpuPerRequest: median(list.map((run) => run.serviceCpuPerRequest!)) }
        : {}),
      ...(list.every((run) => run.countersPerRequest !== undefined)
        ? {
            countersPerRequest: Object.fromEntries(
              Object.keys(list[0]!.countersPerRequest!).map((counter) => [
                counter,
                median(list.map((run) => run.countersPerRequest![counter] ?? 0)),
              ]),
            ),
          }
        : {}),
      p50: median(list.map((run) => run.p50)),
      p99: median(list.map((run) => run.p99)),
      requests: list.reduce((sum, run) => sum + run.requests, 0),
      errors: list.reduce((sum, run) => sum + run.errors, 0),
      statuses,
      seconds: list.reduce((sum, run) => sum + run.seconds, 0),
      connections: scenarios[name].connections ?? options.connections,
    };
  }
  return out;
}

/** The median over rounds of a's rate divided by b's in the same round (plain rates without rounds). */
export function pairedRatio(a: LoadResult, b: LoadResult): number {
  if (a.rounds === undefined || b.rounds === undefined || a.rounds.length !== b.rounds.length) {
    return a.rps / b.rps;
  }
  return median(a.rounds.map((rate, i) => rate / b.rounds![i]!));
}

/**
 * How many of b's requests one CPU second of a's process serves relative to b's: the median over
 * rounds of b's CPU time per request divided by a's (undefined without CPU figures). Unlike the
 * request rate, it does not flatten when the load generator, not the target, is the limit.
 */
export function cpuCapacityRatio(a: LoadResult, b: LoadResult): number | undefined {
  if (a.cpuRounds === undefined || b.cpuRounds === undefined || a.cpuRounds.length !== b.cpuRounds.length) {
    return a.cpuPerRequest && b.cpuPerRequest ? b.cpuPerRequest / a.cpuPerRequest : undefined;
  }
  return median(a.cpuRounds.map((cpu, i) => b.cpuRounds![i]! / cpu));
}
