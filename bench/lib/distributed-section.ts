/**
 * The `<!-- bench:distributed -->` section of bench/RESULTS.md, written by
 * `npm run bench:distributed` through results-file.ts: its bars (issue 16's targets for
 * PostgreSQL + Redis) join the summary and the chart, though bench:all neither runs nor empties
 * the section (it needs PostgreSQL and Redis).
 */
import type { LoadOptions, LoadResult } from './load.js';
import { type Bar, writeSection } from './results-file.js';

export interface Config {
  name: string;
  store: 'postgres' | 'sqlite';
  workers: number;
}

const SCENARIOS = [
  ['issue', 'client_credentials issuance'],
  ['refresh', 'refresh_token (every request rotates)'],
  ['introspect', 'introspection'],
] as const;

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cpu = (r: LoadResult) => (r.cpuPerRequest === undefined ? '—' : num(r.cpuPerRequest));
const serviceCpu = (r: LoadResult) =>
  r.serviceCpuPerRequest === undefined ? '—' : num(r.serviceCpuPerRequest);

interface Run {
  startedAt: Date;
  loadAverage: [number, number];
  options: LoadOptions;
}

/** Issue 16's targets: PostgreSQL + Redis against SQLite per worker, and refresh against the ceiling. */
export function distributedBars(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
  ceiling: LoadResult,
): Bar[] {
  const pg = configs.find((c) => c.store === 'postgres')!;
  const lite = configs.find((c) => c.store === 'sqlite' && c.workers === pg.workers)!;
  const perWorker = (config: Config, key: string) => results[config.name]![key]!.rps / config.workers;
  const pgIssue = perWorker(pg, 'issue');
  const liteIssue = perWorker(lite, 'issue');
  const pgRefresh = results[pg.name]!.refresh!;
  return [
    {
      label: 'client_credentials per worker, PostgreSQL + Redis',
      ratio: pgIssue / liteIssue,
      reference: `SQLite per worker (${pg.workers} workers each)`,
      target: { value: 0.9, kind: 'min' },
      detail: `${num(pgIssue)} vs ${num(liteIssue)} req/s`,
    },
    {
      label: 'refresh rotation, PostgreSQL + Redis',
      ratio: pgRefresh.rps / ceiling.rps,
      reference: 'the issuance ceiling (bare route)',
      target: { value: 0.3, kind: 'min' },
      detail: `${num(pgRefresh.rps)} req/s with ${pg.workers} workers vs ${num(ceiling.rps)}`,
    },
  ];
}

/** The section's markdown: one table of every scenario and configuration, then the ceiling. */
export function distributedMarkdown(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
  ceiling: LoadResult,
  run: Run,
): string {
  const base = configs.find((c) => c.store === 'sqlite' && c.workers === 1)!;
  const lines = [
    `Run ${run.startedAt.toISOString()}; load average (1 min) before ${run.loadAverage[0].toFixed(2)}, after ${run.loadAverage[1].toFixed(2)}.`,
    '',
    '| scenario | configuration | req/s | per worker | server CPU µs/req | PostgreSQL + Redis CPU µs/req | p50 ms | p99 ms | errors | vs SQLite, 1 worker |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [key, title] of SCENARIOS) {
    const reference = results[base.name]![key]!.rps;
    for (const config of configs) {
      const r = results[config.name]![key]!;
      lines.push(
        `| ${title} | ${config.name} | ${num(r.rps)} | ${num(r.rps / config.workers)} | ${cpu(r)} | ${serviceCpu(r)} | ${num(r.p50, 1)} | ${num(r.p99, 1)} | ${r.errors} | ${(r.rps / reference).toFixed(2)}× |`,
      );
    }
  }
  lines.push(
    `| client_credentials issuance | ceiling (bare route, 1 process) | ${num(ceiling.rps)} | ${num(ceiling.rps)} | ${cpu(ceiling)} | — | ${num(ceiling.p50, 1)} | ${num(ceiling.p99, 1)} | ${ceiling.errors} | ${(ceiling.rps / results[base.name]!.issue!.rps).toFixed(2)}× |`,
    '',
    ...postgresPart(configs, results),
    '### How',
    '',
    `- autocannon, ${run.options.connections} connections, no pipelining, ${run.options.warmupSeconds} s warm-up then ${run.options.seconds} s measured per scenario, from the benchmark's own process on the same machine (it competes with the server for the same cores).`,
    "- `sesame serve --workers N` from the built dist, log level `warn`, ES256, default token lives; one configuration at a time. PostgreSQL and Redis are the machine's own (127.0.0.1, untuned, on the same cores), each run in a fresh schema and key prefix; the master key is random per run.",
    "- Server CPU µs/req: the user + system time of the `serve` primary and its workers over the measured seconds, divided by the requests answered. PostgreSQL's and Redis's own CPU is not in it: it is the next column, the user + system time over the same seconds of every postgres and redis-server process of the machine (server, background workers, the connections' backends) divided by the same requests; it shares the two cores with the server.",
    "- The ceiling is bench:server's (bench/targets/ceiling.ts: parse, check a SHA-256 secret, sign ES256 with node:crypto; no store), measured first in the same run.",
    '- Refresh: a pool of refresh tokens from password logins; every request rotates one (never the grace-window replay). Introspection: 100 distinct access tokens in turn, every answer checked `active: true`.',
    "- PostgreSQL's commits and WAL fsyncs: `pg_stat_database.xact_commit` (the benchmark's database) and `pg_stat_wal.wal_sync`, read right before and after the measured seconds. A busy backend publishes its counts at most once a second, so each reading trails by up to a second of 8; the two ends' lags mostly cancel.",
    '',
  );
  return lines.join('\n');
}

/**
 * What PostgreSQL's durable commits cost each scenario, and where client_credentials' per-worker
 * gap to SQLite goes: the configurations share the machine's cores with PostgreSQL and Redis, so
 * their rates follow the CPU a request costs every process, and the server's CPU alone says what a
 * worker would do with PostgreSQL on machines of its own.
 */
function postgresPart(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
): string[] {
  const pg = configs.find((c) => c.store === 'postgres')!;
  const lite = configs.find((c) => c.store === 'sqlite' && c.workers === pg.workers)!;
  const lines = [
    "### PostgreSQL's durable commits",
    '',
    '| scenario | commits per request | WAL fsyncs per request | PostgreSQL + Redis CPU per commit µs |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const [key, title] of SCENARIOS) {
    const r = results[pg.name]![key]!;
    const commits = r.countersPerRequest?.commits;
    const syncs = r.countersPerRequest?.walSyncs;
    const perCommit =
      commits && r.serviceCpuPerRequest !== undefined ? num(r.serviceCpuPerRequest / commits) : '—';
    lines.push(
      `| ${title} | ${commits === undefined ? '—' : num(commits, 3)} | ${syncs === undefined ? '—' : num(syncs, 3)} | ${perCommit} |`,
    );
  }
  const p = results[pg.name]!.issue!;
  const l = results[lite.name]!.issue!;
  if (
    p.cpuPerRequest !== undefined &&
    p.serviceCpuPerRequest !== undefined &&
    l.cpuPerRequest !== undefined
  ) {
    const total = p.cpuPerRequest + p.serviceCpuPerRequest;
    const perWorker = p.rps / pg.workers / (l.rps / lite.workers);
    lines.push(
      '',
      `client_credentials per worker on PostgreSQL + Redis runs at ${perWorker.toFixed(2)}× SQLite's. ` +
        "Both share the machine's cores with everything they use, so the rate follows the CPU a request costs all processes: " +
        `SQLite's server ${num(l.cpuPerRequest)} µs, against PostgreSQL's server ${num(p.cpuPerRequest)} µs plus ${num(p.serviceCpuPerRequest)} µs of PostgreSQL and Redis ` +
        `(${num(l.cpuPerRequest)} ÷ ${num(total)} = ${(l.cpuPerRequest / total).toFixed(2)}×). ` +
        `By the server's CPU alone, what a worker's rate would follow with PostgreSQL on other cores, it is ${(l.cpuPerRequest / p.cpuPerRequest).toFixed(2)}×; measured with PostgreSQL on the same cores, so that is a lower bound.`,
    );
  }
  lines.push('');
  return lines;
}

/** Replaces this section of bench/RESULTS.md and regenerates the summary and the chart. */
export function writeDistributedSection(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
  ceiling: LoadResult,
  run: Run,
): void {
  writeSection('distributed', distributedMarkdown(configs, results, ceiling, run), {
    at: run.startedAt.toISOString(),
    load: run.loadAverage,
    bars: distributedBars(configs, results, ceiling),
  });
}
