/**
 * `npm run bench:scaleout` (issue 16, target 5): three `sesame serve` instances on PostgreSQL +
 * Redis behind Debian's haproxy, started here. Measures client_credentials and introspection
 * through haproxy over 1, 2 and 3 instances (CPU time per request summed over the instances), then
 * SIGKILLs one instance under load, twice (client_credentials, never replayed by haproxy; refresh
 * rotation, replayed): only its in-flight requests may fail, nothing acknowledged may be lost.
 * Last, the control: three ceiling routes that share nothing, behind the same haproxy, measured
 * the same way (lib/scaleout-control.ts), so the machine's part of the CPU growth is known.
 * Writes the `<!-- bench:scaleout -->` section of bench/RESULTS.md (lib/scaleout-section.ts).
 *
 * Flags: `--seconds N` per round (default 8), `--rounds N` (default 3), `--quick` (2 s, one round,
 * no file). Needs haproxy (`apt-get install -y haproxy`), PostgreSQL and Redis (BENCH_DATABASE_URL,
 * BENCH_REDIS_URL; default the machine's own).
 */
import { randomBytes } from 'node:crypto';
import { type Haproxy, haproxyBinary, type RetryRules, startHaproxy } from './lib/haproxy.js';
import { PG_URL, startCluster } from './lib/instances.js';
import { type KillResult, killTest } from './lib/kill-test.js';
import { measureRounds, type Scenario } from './lib/load.js';
import { load1 } from './lib/machine.js';
import { servicePids } from './lib/processes.js';
import { replayCheck } from './lib/replay-check.js';
import { writeSection } from './lib/results-file.js';
import { measureControl, WARM_EACH_SECONDS, warmEach } from './lib/scaleout-control.js';
import { type ScaleoutRun, scaleoutBars, scaleoutMarkdown } from './lib/scaleout-section.js';
import { addClient, addUser, basic, postForm, type SesameProcess } from './lib/sesame.js';
import { postgresCounters } from './lib/store-stats.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string, otherwise: number) => {
  const at = args.indexOf(name);
  return at === -1 ? otherwise : Number(args[at + 1]);
};
const OPTIONS = {
  connections: 32,
  seconds: quick ? 2 : flag('--seconds', 8),
  warmupSeconds: quick ? 1 : 2,
  rounds: quick ? 1 : flag('--rounds', 3),
};
const KILL_SECONDS = quick ? 4 : 9;
const FORM = 'application/x-www-form-urlencoded';

try {
  haproxyBinary();
} catch (error) {
  process.stderr.write(`bench:scaleout: ${(error as Error).message}\n`);
  process.exit(1);
}

const servers = (instances: readonly SesameProcess[]) =>
  instances.map((instance, i) => ({ name: `s${i + 1}`, port: Number(new URL(instance.issuer).port) }));

async function withHaproxy<T>(
  instances: readonly SesameProcess[],
  retryRules: RetryRules,
  log: boolean,
  work: (haproxy: Haproxy) => Promise<T>,
): Promise<T> {
  const haproxy = await startHaproxy({ servers: servers(instances), retryRules, log });
  try {
    return await work(haproxy);
  } finally {
    await haproxy.stop();
  }
}

const startedAt = new Date();
const loadBefore = load1();
process.stdout.write(`bench:scaleout; load average ${loadBefore.toFixed(2)}\n`);
const replay = await replayCheck();
process.stdout.write(`replay rules: ${JSON.stringify(replay)}\n`);
const cluster = await startCluster(3);
// PostgreSQL's and Redis's CPU and PostgreSQL's commits beside the instances' own CPU: what the
// store they share costs per request as the instances multiply.
const counters = await postgresCounters(PG_URL);
const store = { servicePids, counters: counters.read };
const scaling: ScaleoutRun['scaling'] = {};
const kills: KillResult[] = [];
let control: ScaleoutRun['control'];
try {
  const first = cluster.instances[0]!;
  const cc = await addClient(first, 'bench-service', 'client_credentials', 'api');
  const app = await addClient(first, 'bench-app', 'password,refresh_token', 'openid api');
  const password = randomBytes(18).toString('base64url');
  await addUser(first, 'bench-user', password, 'openid api');
  const ccHeaders = { authorization: basic(cc), 'content-type': FORM };

  // Scaling: one haproxy over the first 1, 2 and 3 instances, measured side by side in rounds.
  const counts = [1, 2, 3] as const;
  const proxies = new Map<number, Haproxy>();
  try {
    for (const n of counts)
      proxies.set(
        n,
        await startHaproxy({ servers: servers(cluster.instances.slice(0, n)), retryRules: 'safe' }),
      );
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++) {
      const answer = await postForm(
        `${proxies.get(3)!.url}/oauth/token`,
        { grant_type: 'client_credentials', scope: 'api' },
        basic(cc),
      );
      tokens.push(answer.access_token as string);
    }
    let inactive = 0;
    const scenarios = {
      client_credentials: (n: number, connections?: number): Scenario => ({
        name: `client_credentials, ${n} instance(s)${connections ? `, ${connections} connections` : ''}`,
        ...(connections ? { connections } : {}),
        url: `${proxies.get(n)!.url}/oauth/token`,
        method: 'POST',
        headers: ccHeaders,
        body: 'grant_type=client_credentials&scope=api',
        pids: cluster.instances.slice(0, n).map((instance) => instance.pid),
        ...store,
      }),
      introspection: (n: number, connections?: number): Scenario => {
        let next = 0;
        // Counted, not thrown: a throw inside autocannon's callback would end the run uncleaned.
        return {
          name: `introspection, ${n} instance(s)${connections ? `, ${connections} connections` : ''}`,
          ...(connections ? { connections } : {}),
          url: `${proxies.get(n)!.url}/oauth/introspect`,
          method: 'POST',
          headers: ccHeaders,
          setupRequest: (request) => ({ ...request, body: `token=${tokens[next++ % tokens.length]}` }),
          onResponse: (_status, body) => {
            if (!body.startsWith('{"active":true')) inactive++;
          },
          pids: cluster.instances.slice(0, n).map((instance) => instance.pid),
          ...store,
        };
      },
    };
    for (const [name, scenario] of Object.entries(scenarios)) {
      // "alone": one instance with a third of the connections, the load each of three instances
      // gets — apart from what one process gains from more concurrent requests per event-loop turn.
      const alone = Math.ceil(OPTIONS.connections / 3);
      await warmEach(
        scenario(1),
        cluster.instances.map((instance) => new URL(instance.issuer).origin),
        OPTIONS.connections,
        WARM_EACH_SECONDS(OPTIONS),
      );
      const results = await measureRounds(
        { 1: scenario(1), 2: scenario(2), 3: scenario(3), alone: scenario(1, alone) },
        OPTIONS,
      );
      if (inactive > 0) throw new Error(`${inactive} introspection answers were not active: true`);
      scaling[name] = results;
    }
  } finally {
    for (const proxy of proxies.values()) await proxy.stop();
  }

  // Kill test 1: client_credentials, which haproxy does not replay once an instance received it.
  kills.push(
    await withHaproxy(cluster.instances.slice(0, 3), 'safe', true, (haproxy) =>
      killTest({
        haproxy,
        victim: cluster.instances[2]!,
        victimName: 's3',
        connections: OPTIONS.connections,
        seconds: KILL_SECONDS,
        authorization: basic(cc),
        grant: 'client_credentials',
      }),
    ),
  );
  // Kill test 2: refresh rotation over three live instances again (a fresh one replaces the dead).
  const replacement = await cluster.add();
  const live = [cluster.instances[0]!, cluster.instances[1]!, replacement];
  kills.push(
    await withHaproxy(live, 'safe', true, async (haproxy) => {
      const refreshTokens: string[] = [];
      for (let i = 0; i < OPTIONS.connections * 2; i++) {
        const login = await postForm(
          `${haproxy.url}/oauth/token`,
          { grant_type: 'password', username: 'bench-user', password, scope: 'openid api' },
          basic(app),
        );
        refreshTokens.push(login.refresh_token as string);
      }
      return killTest({
        haproxy,
        victim: replacement,
        victimName: 's3',
        connections: OPTIONS.connections,
        seconds: KILL_SECONDS,
        authorization: basic(app),
        grant: 'refresh_token',
        refreshTokens,
      });
    }),
  );
  control = await measureControl(cc, OPTIONS);
} finally {
  await counters.close();
  await cluster.dispose();
}

for (const kill of kills) {
  process.stdout.write(`kill test, ${kill.grant}: ${JSON.stringify({ ...kill, statuses: kill.statuses })}\n`);
}
const run: ScaleoutRun = {
  startedAt,
  load: [loadBefore, load1()],
  options: OPTIONS,
  scaling,
  ...(control ? { control } : {}),
  kills,
  replay,
};
const bars = scaleoutBars(run);
for (const bar of bars) process.stdout.write(`${bar.label}: ${bar.ratio.toFixed(3)} (${bar.detail})\n`);
if (!quick) {
  writeSection('scaleout', scaleoutMarkdown(run), { at: startedAt.toISOString(), load: run.load, bars });
  process.stdout.write('wrote the scaleout section of bench/RESULTS.md\n');
}
