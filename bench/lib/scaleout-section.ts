/**
 * The `<!-- bench:scaleout -->` section of bench/RESULTS.md, written by `npm run bench:scaleout`:
 * CPU time per request through haproxy with one, two and three instances, and the kill test.
 */
import { cpus } from 'node:os';
import type { KillResult } from './kill-test.js';
import { cpuCapacityRatio, type LoadOptions, type LoadResult, pairedRatio } from './load.js';
import type { ReplayCheck } from './replay-check.js';
import type { Bar } from './results-file.js';
import type { ControlCounts } from './scaleout-control.js';

/** The most CPU per request three instances may spend per request of one (cross-instance contention). */
export const CPU_TARGET = 1.1;

export interface ScaleoutRun {
  startedAt: Date;
  load: [number, number];
  options: LoadOptions & { rounds: number };
  /**
   * Per scenario (client_credentials, introspection), per instance count (1, 2, 3), and `alone`:
   * one instance with a third of the connections (the load each of three instances gets).
   */
  scaling: Record<string, Record<'1' | '2' | '3' | 'alone', LoadResult>>;
  /** The same over three ceiling routes that share nothing (lib/scaleout-control.ts). */
  control?: Record<string, Record<ControlCounts, LoadResult>>;
  kills: KillResult[];
  replay: ReplayCheck;
}

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** CPU per request of `a` over `b`, the median of the rounds' ratios (cpuCapacityRatio is its inverse). */
function cpuRatio(a: LoadResult, b: LoadResult): number {
  return 1 / cpuCapacityRatio(a, b)!;
}

export function scaleoutBars(run: ScaleoutRun): Bar[] {
  const bars: Bar[] = [];
  for (const [scenario, by] of Object.entries(run.scaling)) {
    bars.push({
      label: `${scenario}: CPU per request, 3 instances`,
      ratio: cpuRatio(by[3], by[1]),
      reference: `1 instance, ${by[1].connections} connections`,
      target: { value: CPU_TARGET, kind: 'max' },
      detail: `${num(by[3].cpuPerRequest!)} vs ${num(by[1].cpuPerRequest!)} µs`,
    });
    bars.push({
      label: `${scenario}: CPU per request, 3 instances`,
      ratio: cpuRatio(by[3], by.alone),
      reference: `1 instance, ${by.alone.connections} connections (a third of the load)`,
      target: { value: CPU_TARGET, kind: 'max' },
      detail: `${num(by[3].cpuPerRequest!)} vs ${num(by.alone.cpuPerRequest!)} µs`,
    });
  }
  for (const [scenario, by] of Object.entries(run.control ?? {})) {
    const sesame = run.scaling[scenario];
    for (const reference of ['1', 'alone'] as const) {
      const machine = cpuRatio(by[3], by[reference]);
      const label =
        reference === '1'
          ? `1 instance, ${by[1].connections} connections`
          : `1 instance, ${by.alone.connections} connections`;
      bars.push({
        label: `control, ${scenario}: CPU per request, 3 ceilings sharing nothing`,
        ratio: machine,
        reference: label.replace('instance', 'ceiling'),
        detail: `${num(by[3].cpuPerRequest!)} vs ${num(by[reference].cpuPerRequest!)} µs`,
      });
      if (sesame !== undefined) {
        bars.push({
          label: `${scenario}: Sesame's 3-instance CPU ratio over the control's`,
          ratio: cpuRatio(sesame[3], sesame[reference]) / machine,
          reference: `against ${label}`,
          detail: `${cpuRatio(sesame[3], sesame[reference]).toFixed(2)}× ÷ ${machine.toFixed(2)}×: what the shared store adds`,
        });
      }
    }
  }
  const rulesHeld = Number(run.replay.clientCredentials === 502) + Number(run.replay.refreshToken === 200);
  bars.push({
    label: 'haproxy replay rules, held requests',
    ratio: rulesHeld / 2,
    reference: '2 cases',
    target: { value: 1, kind: 'min' },
    detail: `client_credentials ${run.replay.clientCredentials}, refresh_token ${run.replay.refreshToken}`,
  });
  for (const kill of run.kills) {
    const inFlight = Math.max(kill.inFlightOnVictim, kill.sessionsBeforeKill);
    bars.push({
      label: `${kill.grant} kill: failed requests`,
      ratio: kill.failed / Math.max(inFlight, 1),
      reference: 'in flight on the killed instance',
      target: { value: 1, kind: 'max' },
      detail: `${kill.failed} failed, ${inFlight} in flight`,
    });
    bars.push({
      label: `${kill.grant} kill: failures elsewhere`,
      ratio: kill.failedElsewhere / Math.max(kill.failed, 1),
      reference: 'failed requests',
      target: { value: 0, kind: 'max' },
      detail: `${kill.failedElsewhere} of ${kill.failed} not in flight on it`,
    });
    bars.push({
      label: `${kill.grant} kill: acknowledged answers lost`,
      ratio: kill.lost / Math.max(kill.acknowledged, 1),
      reference: 'acknowledged',
      target: { value: 0, kind: 'max' },
      detail: `${kill.lost} of ${num(kill.acknowledged)}`,
    });
  }
  return bars;
}

export function scaleoutMarkdown(run: ScaleoutRun): string {
  const lines = [
    `Run ${run.startedAt.toISOString()}; load average (1 min) before ${run.load[0].toFixed(2)}, after ${run.load[1].toFixed(2)}${run.load[0] > 2 || run.load[1] > 2 ? ' — a busy machine: req/s are low and noisy, the CPU ratios less so' : ''}.`,
    '',
    '### CPU per request, one to three instances',
    '',
    '| scenario | instances | req/s | p99 ms | CPU µs/request (all instances) | CPU vs 1 instance | req/s vs 1 instance | PostgreSQL + Redis CPU µs/request | PostgreSQL commits per request | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [scenario, by] of Object.entries(run.scaling)) {
    for (const n of ['1', '2', '3', 'alone'] as const) {
      const r = by[n];
      const label = n === 'alone' ? `1, ${r.connections} connections` : n;
      lines.push(
        `| ${scenario} | ${label} | ${num(r.rps)} | ${num(r.p99, 1)} | ${num(r.cpuPerRequest ?? 0, 1)} | ${cpuRatio(r, by[1]).toFixed(2)}× | ${pairedRatio(r, by[1]).toFixed(2)}× | ${r.serviceCpuPerRequest === undefined ? '—' : num(r.serviceCpuPerRequest, 1)} | ${r.countersPerRequest?.commits === undefined ? '—' : num(r.countersPerRequest.commits, 3)} | ${r.errors} |`,
      );
    }
  }
  lines.push(
    '',
    "PostgreSQL + Redis CPU: the user + system time of every postgres and redis-server process over the same seconds, divided by the same requests (it is not in the instances' CPU, but it runs on the same cores). PostgreSQL commits: `pg_stat_database.xact_commit` before and after (a busy backend publishes its count at most once a second). Each instance commits its own groups of audit events, which the commits column counts.",
  );
  if (run.control) {
    lines.push(
      '',
      'The control: three ceiling routes (bench/targets/ceiling.ts: no store, nothing shared between them) behind the same haproxy, measured the same way after the Sesame instances had stopped.',
      '',
      "| scenario | ceilings | req/s | p99 ms | CPU µs/request (all ceilings) | CPU vs 1 ceiling | Sesame's ratio ÷ the control's |",
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const [scenario, by] of Object.entries(run.control)) {
      const sesame = run.scaling[scenario];
      for (const n of ['1', '3', 'alone'] as const) {
        const r = by[n];
        const label = n === 'alone' ? `1, ${r.connections} connections` : n;
        const own =
          sesame && n !== '1' ? `${(cpuRatio(sesame[n], sesame[1]) / cpuRatio(r, by[1])).toFixed(2)}×` : '—';
        lines.push(
          `| ${scenario} | ${label} | ${num(r.rps)} | ${num(r.p99, 1)} | ${num(r.cpuPerRequest ?? 0, 1)} | ${cpuRatio(r, by[1]).toFixed(2)}× | ${own} |`,
        );
      }
    }
  }
  lines.push(
    '',
    `Target: CPU per request with 3 instances ≤ ${CPU_TARGET.toFixed(2)}× that of 1 (no cross-instance contention: the instances share only PostgreSQL and Redis), against two references: one instance taking all ${run.options.connections} connections, and one instance taking a third of them — the load each of the three gets. The first ratio also holds what one process gains from more requests per event-loop turn and per group commit of the audit trail; the second compares like with like. Throughput is not a target here: ${cpus().length <= 2 ? `this machine has ${cpus().length} shared cores, which one instance, haproxy, PostgreSQL, Redis and the load generator already fill, so three instances cannot serve more requests per second than one — they can only cost the same per request` : `on ${cpus().length} cores shared with haproxy, PostgreSQL, Redis and the load generator, req/s shows how far the instances scale here`}.`,
    '',
    '### One instance SIGKILLed under load',
    '',
    '| grant | haproxy replays | answers by status | acknowledged | checked after | lost | in flight on the killed instance | failed | failed elsewhere | haproxy retries (ended 200) | redispatched |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const k of run.kills) {
    const statuses = Object.entries(k.statuses)
      .map(([status, count]) => `${status}: ${num(count)}`)
      .join(', ');
    const checked =
      k.provenByUse === undefined ? num(k.checked) : `${num(k.checked)} + ${num(k.provenByUse)} by use`;
    lines.push(
      `| ${k.grant} | ${k.grant === 'refresh_token' ? 'yes (grace window)' : 'no (not idempotent)'} | ${statuses}${k.clientErrors ? `, errors ${k.clientErrors}` : ''} | ${num(k.acknowledged)} | ${checked} | ${k.lost} | ${k.inFlightOnVictim} (${k.sessionsBeforeKill} sessions just before) | ${k.failed} | ${k.failedElsewhere} | ${k.retried} (${k.retriedOk}) | ${k.redispatched} |`,
    );
  }
  lines.push(
    '',
    `Replay rules checked with certainty (two stub servers behind the same haproxy config, one reading each token request and never answering, then SIGKILLed): the held client_credentials request got **${run.replay.clientCredentials}** (expected 502: not replayed), the held refresh_token request **${run.replay.refreshToken}** (expected 200: replayed to the other server). In the Sesame kill test above, a request caught inside the dying instance is a matter of timing: haproxy counted its current sessions on it just before the SIGKILL, and the ones it could still send elsewhere (connection refused or reset before the request was taken) appear as retries.`,
    '',
    '### How',
    '',
    `- Three \`sesame serve --workers 1\` instances from the built dist, log level \`warn\`, on one PostgreSQL schema and one Redis key prefix of the run's own (127.0.0.1, untuned, dropped after), one master key. Debian's haproxy, started by the benchmark in the foreground: \`balance roundrobin\`, \`option httpchk GET /readyz\` every 500 ms (down after 2 failures), \`retries 3\`, \`option redispatch 1\` (every retry to another instance), \`retry-on conn-failure empty-response\`.`,
    `- Scaling: one haproxy each over the first 1, 2 and 3 instances; autocannon, ${run.options.connections} connections to haproxy, no pipelining, ${run.options.warmupSeconds} s warm-up each, then ${run.options.rounds} round(s) of ${run.options.seconds} s, the order rotating; CPU is utime + stime of the instances behind that haproxy (/proc), summed, divided by the requests; ratios are medians of per-round ratios. Introspection: 100 distinct access tokens in turn, every answer checked \`active: true\`.`,
    `- What haproxy may replay: a request that never reached an instance (connection refused: the killed one, until the health check takes it out) is always retried on another. A request the killed instance had received is replayed (\`empty-response\`) only when replaying is safe: introspection (a read) and the refresh_token grant, whose successor is derived from the presented token, so a replay within the grace window (30 s) gets the same new refresh token whether or not the dead instance committed the rotation. Every other POST — client_credentials included — is not idempotent (a replay issues a second token and a second audit event; a replayed code exchange is code reuse): \`http-request disable-l7-retry\` leaves it to fail with a 502, and the client to retry. A DPoP-bound refresh would not be replayable either (its proof's jti is already spent).`,
    '- Kill test: load on the token endpoint through haproxy over three instances, SIGKILL to one a third of the way in. Every answer is recorded. After the load, client_credentials: every acknowledged access token is introspected and must be `active: true`; refresh_token (one chain per pooled login, each answer feeding the next request): every acknowledged new refresh token was either rotated with a 200 during the load, or is rotated now and must answer 200. haproxy logs every request (accept time, server, status, retries, time active): "in flight on the killed instance" counts its requests whose life overlapped its death (from the SIGKILL to its exit), "failed elsewhere" counts failures outside that set (must be 0).',
    '',
  );
  return lines.join('\n');
}
