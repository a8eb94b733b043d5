/**
 * The `<!-- bench:distributed -->` section of bench/RESULTS.md, written by
 * `npm run bench:distributed`. It lives beside the sections of results-file.ts without joining
 * them: that module's summary and chart describe one `npm run bench:all` run, which this suite is
 * not part of (it needs PostgreSQL and Redis). Only the text between this section's own markers is
 * replaced; the section is appended at the end the first time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { LoadOptions, LoadResult } from './load.js';
import { machineLines } from './machine.js';
import { RESULTS_FILE } from './results-file.js';

export interface Config {
  name: string;
  store: 'postgres' | 'sqlite';
  workers: number;
}

const OPEN = '<!-- bench:distributed -->';
const CLOSE = '<!-- /bench:distributed -->';
const SCENARIOS = [
  ['issue', 'client_credentials issuance'],
  ['refresh', 'refresh_token (every request rotates)'],
  ['introspect', 'introspection'],
] as const;

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The section's markdown: one table per scenario, each configuration against SQLite × 1. */
export function distributedMarkdown(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
  run: { startedAt: Date; loadAverage: [number, number]; options: LoadOptions },
): string {
  const base = configs.find((c) => c.store === 'sqlite' && c.workers === 1)!;
  const lines = [
    '## `npm run bench:distributed` — PostgreSQL + Redis against SQLite',
    '',
    `Run ${run.startedAt.toISOString()}; load average (1 min) before ${run.loadAverage[0].toFixed(2)}, after ${run.loadAverage[1].toFixed(2)}.`,
    '',
    ...machineLines(),
    '',
    '| scenario | configuration | req/s | p50 ms | p99 ms | errors | vs SQLite, 1 worker |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [key, title] of SCENARIOS) {
    const reference = results[base.name]![key]!.rps;
    for (const config of configs) {
      const r = results[config.name]![key]!;
      lines.push(
        `| ${title} | ${config.name} | ${num(r.rps)} | ${num(r.p50, 1)} | ${num(r.p99, 1)} | ${r.errors} | ${(r.rps / reference).toFixed(2)}× |`,
      );
    }
  }
  lines.push(
    '',
    '### How',
    '',
    `- autocannon, ${run.options.connections} connections, no pipelining, ${run.options.warmupSeconds} s warm-up then ${run.options.seconds} s measured per scenario, from the benchmark's own process on the same machine (it competes with the server for the same cores).`,
    "- `sesame serve --workers N` from the built dist, log level `warn`, ES256, default token lives; one configuration at a time. PostgreSQL and Redis are the machine's own (127.0.0.1, untuned, on the same cores), each run in a fresh schema and key prefix; the master key is random per run.",
    '- Refresh: a pool of refresh tokens from password logins; every request rotates one (never the grace-window replay). Introspection: 100 distinct access tokens in turn, every answer checked `active: true`.',
    '',
  );
  return lines.join('\n');
}

/** Replaces (or appends) this section of bench/RESULTS.md; nothing else in the file changes. */
export function writeDistributedSection(
  configs: readonly Config[],
  results: Record<string, Record<string, LoadResult>>,
  run: { startedAt: Date; loadAverage: [number, number]; options: LoadOptions },
): void {
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Sesame benchmark results\n';
  const section = `${OPEN}\n\n${distributedMarkdown(configs, results, run)}\n${CLOSE}`;
  const start = text.indexOf(OPEN);
  const end = text.indexOf(CLOSE);
  const next =
    start !== -1 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + CLOSE.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS_FILE, next);
}
