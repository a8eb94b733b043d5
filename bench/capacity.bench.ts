/**
 * `npm run bench:capacity` (issue 16, target 7): what one request COSTS `sesame serve` on
 * PostgreSQL + Redis (one worker), not how many it answers — server CPU, PostgreSQL statements,
 * transactions and connection time, Redis commands — for client_credentials, a refresh rotation,
 * introspection and a revocation; and what the revocation feed costs per entry delivered to K
 * guards and per connected guard. A probe preloaded into the server counts (lib/server-probe.mjs);
 * PostgreSQL's pg_stat_database and Redis's INFO commandstats are read beside it as a cross-check.
 * From those figures it writes docs/capacity.md (lib/capacity-doc.ts): the model, never a hand-set
 * number.
 *
 * Each scenario sends a fixed number of requests after a fixed number of warm-up requests (by count,
 * not by time: on a loaded machine a timed warm-up leaves the code cold). `--quick`: a tenth of
 * the requests, small feed runs, no cross-check waits, no file written.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCapacityDoc } from './lib/capacity-doc.js';
import { measureFeed } from './lib/capacity-feed.js';
import type { FeedRun, RequestCost } from './lib/capacity-model.js';
import { freshDistributedStore, PG_URL, REDIS_URL } from './lib/instances.js';
import { measure, type Scenario } from './lib/load.js';
import { load1 } from './lib/machine.js';
import { costBetween, PROBE_NODE_ARGS, probeOf, removeProbeDir } from './lib/probe.js';
import { refreshRotation } from './lib/refresh-load.js';
import { addClient, addUser, basic, postForm, startSesame } from './lib/sesame.js';
import { storeDelta, storeStatsReader } from './lib/store-stats.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const scale = quick ? 0.1 : 1;
/** Warm-up and measured requests per scenario. */
const COUNTS = {
  cc: [3000, 6000],
  refresh: [600, 1500],
  introspect: [3000, 6000],
  revoke: [500, 3000],
} as const;
const count = (key: keyof typeof COUNTS, i: 0 | 1) => Math.round(COUNTS[key][i] * scale);
const CONNECTIONS = 16;
const FEED_GUARDS = quick ? [20, 100] : [200, 1000];
const TRICKLE = quick ? 5 : 30;
const BURST = quick ? 40 : 300;
// PostgreSQL 15 publishes an idle backend's counts after 10 s (see lib/store-stats.ts).
const SETTLE_MS = quick ? 0 : 11_000;
const FORM = 'application/x-www-form-urlencoded';

const startedAt = new Date();
const loads: number[] = [load1()];
const sampler = setInterval(() => loads.push(load1()), 5000);
const store = await freshDistributedStore('capacity');
const scratch = join(tmpdir(), `sesame-capacity-${randomBytes(4).toString('hex')}`);
mkdirSync(scratch, { recursive: true });
const probeFile = join(scratch, 'probe.json');
const sesame = await startSesame({
  workers: 1,
  nodeArgs: PROBE_NODE_ARGS,
  env: {
    SESAME_LOG_LEVEL: 'warn',
    ...store.env,
    BENCH_PROBE_FILE: probeFile,
  },
});
const stats = await storeStatsReader(PG_URL, REDIS_URL);
const probe = probeOf(sesame.pid, probeFile);
try {
  const cc = await addClient(sesame, 'bench-service', 'client_credentials', 'api');
  const app = await addClient(sesame, 'bench-app', 'password,refresh_token', 'openid api');
  const guard = await addClient(sesame, 'bench-guard', 'client_credentials', 'api', [
    '--permission',
    'revocations',
  ]);
  const password = randomBytes(18).toString('base64url');
  await addUser(sesame, 'bench-user', password, 'openid api');
  const tokenUrl = `${sesame.issuer}/oauth/token`;
  const ccHeaders = { authorization: basic(cc), 'content-type': FORM };
  const issue = async () =>
    (await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api' }, basic(cc)))
      .access_token as string;
  const many = async (count: number) => {
    const out: string[] = [];
    while (out.length < count) out.push(...(await Promise.all(Array.from({ length: 16 }, issue))));
    return out.slice(0, count);
  };

  /** Warm-up, then the measured run between two snapshots of the probe and of the stores. */
  async function cost(key: keyof typeof COUNTS, scenario: Scenario) {
    await measure(scenario, {
      connections: CONNECTIONS,
      seconds: 0,
      warmupSeconds: 0,
      amount: count(key, 0),
    });
    const storesBefore = await stats.read(SETTLE_MS);
    const before = await probe.settled();
    const run = await measure(
      { ...scenario, pid: sesame.pid },
      { connections: CONNECTIONS, seconds: 0, warmupSeconds: 0, amount: count(key, 1) },
    );
    const after = await probe.settled();
    const storesAfter = await stats.read(SETTLE_MS);
    const spent = costBetween(before, after);
    const stores = storeDelta(storesBefore, storesAfter);
    const n = spent.requests;
    const result: RequestCost = {
      label: scenario.name,
      requests: n,
      rps: run.rps,
      p99: run.p99,
      errors: run.errors,
      cpuMicros: spent.cpuMicros / n,
      pgStatements: spent.pgStatements / n,
      pgTransactions: spent.pgTransactions / n,
      pgBusyMicros: spent.pgBusyMicros / n,
      redis: spent.redisTotal / n,
      redisByCommand: Object.fromEntries(Object.entries(spent.redisCommands).map(([k, v]) => [k, v / n])),
      ...(quick ? {} : { xactCommit: stores.xactCommit / n, redisCalls: stores.redisCalls / n }),
    };
    process.stdout.write(
      `  ${n} requests: cpu ${result.cpuMicros.toFixed(0)} µs, pg ${result.pgStatements.toFixed(2)} statements / ${result.pgTransactions.toFixed(2)} transactions / ${result.pgBusyMicros.toFixed(0)} µs held, redis ${result.redis.toFixed(2)} (${JSON.stringify(result.redisByCommand)})${quick ? '' : `; server-wide: ${result.xactCommit!.toFixed(2)} commits, ${result.redisCalls!.toFixed(2)} redis calls`}\n`,
    );
    if (run.errors > 0)
      throw new Error(`${scenario.name}: ${run.errors} errors (${JSON.stringify(run.statuses)})`);
    return result;
  }

  const costs: Record<string, RequestCost> = {};
  costs.cc = await cost('cc', {
    name: 'client_credentials',
    url: tokenUrl,
    method: 'POST',
    headers: ccHeaders,
    body: 'grant_type=client_credentials&scope=api',
  });
  const refreshLoad = {
    tokenUrl,
    client: app,
    username: 'bench-user',
    password,
    scope: 'openid api',
    size: CONNECTIONS * 2,
  };
  costs.refresh = await cost(
    'refresh',
    await refreshRotation(refreshLoad, { name: 'refresh_token (every request rotates)' }),
  );
  const live = await many(100);
  let nextLive = 0;
  costs.introspect = await cost('introspect', {
    name: 'introspection',
    url: `${sesame.issuer}/oauth/introspect`,
    method: 'POST',
    headers: ccHeaders,
    setupRequest: (request) => ({ ...request, body: `token=${live[nextLive++ % live.length]}` }),
    onResponse: (_status, body) => {
      if (!body.startsWith('{"active":true')) throw new Error(`an inactive answer: ${body.slice(0, 80)}`);
    },
  });

  // The feed first, while it is empty: the revocation scenario below leaves thousands of entries.
  let revoked = 0;
  const feedTokens = await many(FEED_GUARDS.length * (TRICKLE + BURST));
  const feed: FeedRun[] = [];
  for (const guards of FEED_GUARDS) {
    const run = await measureFeed(
      {
        issuer: sesame.issuer,
        probe,
        guard,
        liveEntries: () => revoked,
        async revoke() {
          await postForm(`${sesame.issuer}/oauth/revoke`, { token: feedTokens.pop()! }, basic(cc));
          revoked++;
        },
      },
      guards,
      TRICKLE,
      BURST,
    );
    process.stdout.write(
      `feed, ${guards} guards: connect ${run.connect.cpuMicros.toFixed(0)} µs cpu, ${(run.connect.rssBytes / 1024).toFixed(1)} KiB rss per guard; trickle ${(run.trickle.cpuMicros / run.trickle.revocations / guards).toFixed(2)} µs and ${(run.trickle.streamBytes / run.trickle.revocations / guards).toFixed(0)} B per delivery; burst ${(run.burst.cpuMicros / run.burst.revocations / guards).toFixed(2)} µs and ${(run.burst.streamBytes / run.burst.revocations / guards).toFixed(0)} B\n`,
    );
    feed.push(run);
  }

  const revocable = await many(count('revoke', 0) + count('revoke', 1));
  costs.revoke = await cost('revoke', {
    name: 'revocation (an access token, RFC 7009)',
    url: `${sesame.issuer}/oauth/revoke`,
    method: 'POST',
    headers: ccHeaders,
    setupRequest: (request) => ({ ...request, body: `token=${revocable.pop()}` }),
  });

  clearInterval(sampler);
  loads.push(load1());
  if (!quick) {
    writeCapacityDoc({ startedAt, loads, counts: COUNTS, connections: CONNECTIONS, costs, feed });
    process.stdout.write('wrote docs/capacity.md\n');
  }
} finally {
  clearInterval(sampler);
  await sesame.dispose();
  await stats.close();
  await store.drop();
  removeProbeDir(scratch);
}
