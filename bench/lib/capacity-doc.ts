/**
 * Writes docs/capacity.md from one run of `npm run bench:capacity`: the measured costs, the model
 * (lib/capacity-model.ts) applied to them, and the published figures of other servers with their
 * addresses. Every Sesame number in the file comes from the run; nothing is set by hand.
 */
import { writeFileSync } from 'node:fs';
import {
  DEFAULT_POOL_SIZE,
  type FeedRun,
  fitFeed,
  GUARDS,
  HEARTBEAT_SECONDS,
  mix,
  RATES,
  REFRESH_SHARE,
  type RequestCost,
  STREAMS_PER_PROCESS,
  sizeFeed,
  sizeTokens,
  TARGET_UTILISATION,
} from './capacity-model.js';
import { machineLines } from './machine.js';

export interface CapacityRun {
  startedAt: Date;
  /** 1-minute load averages sampled every 5 s through the run. */
  loads: number[];
  /** Warm-up and measured requests per scenario. */
  counts: Record<string, readonly [number, number]>;
  connections: number;
  costs: Record<string, RequestCost>;
  feed: FeedRun[];
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const bytes = (value: number) =>
  value >= 2 ** 30
    ? `${n(value / 2 ** 30, 1)} GiB`
    : value >= 2 ** 20
      ? `${n(value / 2 ** 20, 1)} MiB`
      : `${n(value / 1024, 1)} KiB`;
const commands = (byCommand: Record<string, number>) =>
  Object.entries(byCommand)
    .map(([name, count]) => `${name} ${n(count, 2)}`)
    .join(', ') || 'none';

function costTable(run: CapacityRun): string[] {
  const rows = ['cc', 'refresh', 'introspect', 'revoke'].map((key) => {
    const c = run.costs[key]!;
    const check =
      c.xactCommit === undefined
        ? '—'
        : `${n(c.xactCommit, 2)} commits, ${n(c.redisCalls ?? 0, 2)} Redis calls`;
    return `| ${c.label} | ${n(c.cpuMicros)} | ${n(c.pgStatements, 2)} | ${n(c.pgTransactions, 2)} | ${n(c.pgBusyMicros)} | ${n(c.redis, 2)} (${commands(c.redisByCommand)}) | ${check} | ${n(c.requests)} | ${n(c.rps)} / ${n(c.p99)} ms |`;
  });
  return [
    '| request | server CPU µs | PostgreSQL statements | transactions | connection held µs | Redis commands | server-wide cross-check | requests measured | req/s / p99 (context only) |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |',
    ...rows,
  ];
}

function tokenTable(run: CapacityRun): string[] {
  const { cc, refresh } = run.costs;
  return [
    '| token requests/s | CPU busy (cores) | cores at 60 % | PostgreSQL transactions/s | statements/s | connections busy (Little) | connections at 60 % | `SESAME_DB_POOL_SIZE` per worker | Redis commands/s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...RATES.map((rate) => {
      const s = sizeTokens(rate, cc!, refresh!);
      return `| ${n(rate)} | ${n(s.busyCores, 1)} | ${n(s.cores)} | ${n(s.pgTransactionsPerSecond)} | ${n(s.pgStatementsPerSecond)} | ${n(s.pgBusyConnections, 1)} | ${n(s.pgConnections)} | ${n(s.poolPerWorker)} | ${n(s.redisOpsPerSecond)} |`;
    }),
  ];
}

function feedTables(run: CapacityRun): string[] {
  const rows = run.feed.map((f) => {
    const per = (d: FeedRun['trickle']) =>
      `${n(d.cpuMicros / d.revocations / f.guards, 2)} µs, ${n(d.streamBytes / d.revocations / f.guards)} B`;
    return `| ${n(f.guards)} | ${n(f.caughtUp)} | ${n(f.connect.cpuMicros)} µs | ${bytes(f.connect.rssBytes)} / ${bytes(f.connect.heapBytes)} | ${per(f.trickle)} (${f.trickle.revocations}) | ${per(f.burst)} (${f.burst.revocations}) |`;
  });
  const trickle = fitFeed(run.feed, (f) => f.trickle);
  const burst = fitFeed(run.feed, (f) => f.burst);
  const large = [...run.feed].sort((a, b) => b.guards - a.guards)[0]!;
  const s = sizeFeed(trickle, large);
  const cores = (rate: number) => n((rate * s.coresPerRevocationPerSecond) / TARGET_UTILISATION, 1);
  return [
    '| guards | entries caught up on connecting | CPU per connection | memory per connection (RSS / heap + external) | per delivered entry, one at a time (revocations) | per delivered entry, in a burst (revocations) |',
    '| ---: | ---: | ---: | --- | --- | --- |',
    ...rows,
    '',
    `Fitted over the two runs (the slope between ${run.feed.map((f) => n(f.guards)).join(' and ')} guards): one entry written to one stream costs **${n(trickle.cpuPerDelivery, 2)} µs** of server CPU one at a time and **${n(burst.cpuPerDelivery, 2)} µs** in a burst, and about **${n(trickle.bytesPerDelivery)} bytes** on the wire one at a time (${n(burst.bytesPerDelivery)} in a burst, where one write carries several entries); the part that does not grow with the guards (the revoke request itself, the store read) is ${n(trickle.cpuPerRevocation)} µs per revocation.`,
    '',
    `**1,000,000 guards.** One process cannot hold a million sockets usefully (file descriptors, and ${bytes(GUARDS * large.connect.rssBytes)} of stream memory at the measured ${bytes(large.connect.rssBytes)} each), so the model spreads them over serving processes, ${n(STREAMS_PER_PROCESS)} streams each (an assumption: well inside a default 64 k descriptor limit, ${bytes(STREAMS_PER_PROCESS * large.connect.rssBytes)} of stream memory per process):`,
    '',
    '| | figure |',
    '| --- | ---: |',
    `| serving processes (workers) holding streams | ${n(s.processes)} |`,
    `| stream memory across them | ${bytes(s.streamMemory)} |`,
    `| CPU busy per revocation per second reaching every guard (one at a time) | ${n(s.coresPerRevocationPerSecond, 2)} cores |`,
    `| cores at 60 % for 1 / 10 / 100 revocations per second | ${cores(1)} / ${cores(10)} / ${cores(100)} |`,
    `| heartbeats (one ${HEARTBEAT_SECONDS} s comment per stream, costed as a one-entry write) | ${n(s.heartbeatCores, 2)} cores busy |`,
    `| bytes on the wire per revocation per second | ${bytes(s.bytesPerRevocationPerSecond)}/s |`,
    `| CPU to accept every guard again after a full reconnection | ${n(s.reconnectCpuSeconds)} CPU-seconds |`,
    `| PostgreSQL reads per revocation (one per process's hub, whatever its streams) | ${n(s.storeReadsPerRevocation)} |`,
    `| Redis pub/sub messages per revocation (one per process) | ${n(s.processes)} |`,
  ];
}

function lines(run: CapacityRun): string[] {
  const { cc, refresh, introspect, revoke } = run.costs as Record<string, RequestCost>;
  const m = mix(cc!, refresh!);
  const loads = run.loads;
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  const perCore = (c: RequestCost) => n(1e6 / c.cpuMicros);
  return [
    '# Capacity: sizing Sesame from measured costs',
    '',
    '<!-- Generated by `npm run bench:capacity` (bench/capacity.bench.ts, bench/lib/capacity-*.ts): do not edit; run it again. -->',
    '',
    `Generated by \`npm run bench:capacity\` from its run of ${run.startedAt.toISOString()}: ${Object.entries(
      run.counts,
    )
      .map(([key, [warm, measured]]) => `${key} ${n(measured)} requests after ${n(warm)} of warm-up`)
      .join(
        ', ',
      )}; ${run.connections} connections, \`sesame serve\` with **one worker** on PostgreSQL + Redis. Load average (1 min) through the run: ${n(Math.min(...loads), 2)} to ${n(Math.max(...loads), 2)}, mean ${n(mean, 2)} — the machine was shared with other work, which is why this model is built on CPU time per request (what the process itself spent) rather than on requests per second.`,
    '',
    ...machineLines(),
    '- PostgreSQL and Redis on the same machine (127.0.0.1, untuned; `synchronous_commit` on), in a schema and key prefix of the run, dropped after.',
    '',
    '## What one request costs (measured)',
    '',
    ...costTable(run),
    '',
    'How each figure is taken (bench/lib/server-probe.mjs, preloaded into the measured server):',
    '',
    '- **Server CPU**: `process.cpuUsage()` (utime + stime of every thread: the event loop, libuv and the GC) over the run, divided by the requests the server itself started (node:diagnostics_channel), warm-up excluded.',
    "- **PostgreSQL statements** are counted at the client: every call of `pg`'s `Client#query`. `pg_stat_statements` is not loaded on this machine (it needs `shared_preload_libraries` and a restart of a shared server). **Transactions** are counted the same way (BEGIN … COMMIT, or one statement on its own); the cross-check column is `pg_stat_database.xact_commit` of the database over the same run, which also counts anything else using that database then. Issuance writes only its audit event, group-committed with its neighbours, so its transactions per request fall as the rate rises.",
    "- **Connection held**: from a transaction's BEGIN (or a lone statement) being sent to its end being answered, summed: by Little's law, connections busy = rate × this. Measured on 2 shared cores with PostgreSQL beside the server, so it is long; a dedicated database shortens it.",
    "- **Redis commands**: every command ioredis sends, by name; the cross-check is `INFO commandstats` over the run (server-wide, so a neighbour's commands count too; commands a script runs count there, not here).",
    '',
    '## The model',
    '',
    `- Traffic: token requests, ${100 - REFRESH_SHARE * 100} % client_credentials and ${REFRESH_SHARE * 100} % refresh rotations: per request ${n(m.cpuMicros)} µs CPU, ${n(m.pgStatements, 2)} statements, ${n(m.pgTransactions, 2)} transactions, ${n(m.pgBusyMicros)} µs of connection time, ${n(m.redis, 2)} Redis commands.`,
    `- Cores = rate × CPU per request ÷ ${TARGET_UTILISATION} (a core kept ${TARGET_UTILISATION * 100} % busy leaves room for bursts, GC and a failed neighbour's share). One \`--workers\` process per core; CPU per request is constant with the number of instances when they share nothing but the stores (\`bench:distributed\`), so instances × workers = cores.`,
    `- PostgreSQL connections = rate × connection time (Little's law), ÷ ${TARGET_UTILISATION}. The pool is per worker (\`SESAME_DB_POOL_SIZE\`, default ${DEFAULT_POOL_SIZE}), so the column gives the per-worker size that opens that many across the cores; \`max_connections\` must exceed instances × workers × (pool + 4): each process also keeps up to 4 connections for the grouped refresh and audit statements.`,
    '- Redis commands/s = rate × commands per request. Introspection and revocations are added below per 1,000/s and per 100/s.',
    "- Not in the model: TLS (terminate it at the balancer, or add its handshake cost), the network between tiers, and PostgreSQL's own CPU and disk (the commit rate is the figure to give its sizing: each commit with `synchronous_commit` on waits for a WAL flush, shared by concurrent commits).",
    '',
    `## Token requests: ${100 - REFRESH_SHARE * 100} % client_credentials, ${REFRESH_SHARE * 100} % refresh rotations`,
    '',
    ...tokenTable(run),
    '',
    `Add for introspection, per 1,000 requests/s: ${n((introspect!.cpuMicros * 1000) / 1e6 / TARGET_UTILISATION, 2)} cores, ${n(introspect!.redis * 1000)} Redis commands/s, ${n(introspect!.pgStatements * 1000)} PostgreSQL statements/s. Per 100 revocations/s: ${n((revoke!.cpuMicros * 100) / 1e6 / TARGET_UTILISATION, 2)} cores, ${n(revoke!.pgTransactions * 100)} transactions/s, ${n(revoke!.redis * 100)} Redis commands/s (and the feed below). A revocation holds a PostgreSQL connection ${n(revoke!.pgBusyMicros / 1000, 1)} ms on average here: appends to the feed are serialised by one advisory lock (store/postgres.ts, so that a guard's cursor never skips an entry), and ${run.connections} concurrent revocations wait for each other inside their transactions; at high revocation rates that lock, not the CPU, is the limit.`,
    '',
    '## The revocation feed',
    '',
    `Guards follow \`/oauth/revocations/stream\` (Server-Sent Events) with @sesame/guard's feed client; each process reads the store once per new batch of entries and writes it to every stream it holds (domain/tokens/revocation-hub.ts). Measured with the guard's own client in the benchmark's process:`,
    '',
    ...feedTables(run),
    '',
    'What this says: delivery is cheap per entry but multiplies by the guards, so at a million guards the feed, not issuance, sets the size of the fleet when revocations are frequent; batching (a burst) cuts the cost per entry, and the store and Redis load grow with the number of serving processes, not with the guards. A fan-out tier — Sesame instances that serve only the feed, behind the same balancer — keeps that cost off the token path; Sesame ships no separate relay, and none was measured. A mass reconnection (an instance restarting) costs the reconnection CPU above spread over the remaining processes; the guards back off and resume from their last event id, so nothing is lost, only delayed.',
    '',
    '## Compared with published figures',
    '',
    '| server | published figure | where | Sesame, this run |',
    '| --- | --- | --- | --- |',
    `| Keycloak | 1 vCPU per 120 client credentials grants/s (tested to 2,000/s; most of that CPU is new TLS connections, one request per client); 1 vCPU per 120 refresh token requests/s (tested to 435/s); leave 150 % headroom | [Keycloak: Concepts for sizing CPU and memory resources](https://www.keycloak.org/high-availability/single-cluster/concepts-memory-and-cpu-sizing) | ${perCore(cc!)} client_credentials/s and ${perCore(refresh!)} refresh rotations/s per fully busy core (keep-alive HTTP without TLS) |`,
    `| Ory Hydra | no per-core or client_credentials figure found: its benchmark script runs against the in-memory store and publishes no database figures; Ory's performance post describes moving flow state to the client to cut database writes, without a per-core rate | [scripts/run-bench.sh](https://github.com/ory/hydra/blob/a52494d561653839f2c46ad3342542c4a9702f54/scripts/run-bench.sh), [Ory Hydra performance tuning](https://www.ory.sh/oauth2-oidc-server-performance-tuning-scale/) | — |`,
    `| Zitadel | 424 k6 iterations/s of \`machine_client_credentials_login\` (600 virtual users; containers of 6 vCPU autoscaled between 2 and 7, PostgreSQL on 8 vCPU), so between about 10 and 35 per container vCPU depending on the scale reached, which the page does not state per minute | [Zitadel v4 benchmark: machine client credentials login](https://zitadel.com/docs/apis/benchmarks/v4/machine_client_credentials_login) | ${perCore(cc!)} client_credentials/s per fully busy core |`,
    '',
    "Not like for like: Keycloak's figure includes a TLS handshake per request and Zitadel's runs over a network with its own database; Sesame's is CPU time per request on plain keep-alive HTTP with the stores on the same machine. They are the only published figures found; compare the shapes (per-core cost, what the database sees), not the digits.",
    '',
  ];
}

export function writeCapacityDoc(run: CapacityRun): void {
  writeFileSync(new URL('../../docs/capacity.md', import.meta.url), lines(run).join('\n'));
}
