/**
 * `npm run bench:distributed` (issue 5): client_credentials issuance, refresh (every request a
 * real rotation) and introspection throughput of `sesame serve` on PostgreSQL + Redis with 2
 * workers, against SQLite with 2 workers and with 1 — in one run, one configuration at a time,
 * each on the machine's PostgreSQL (127.0.0.1:5432, database `test`, a schema of its own, dropped
 * after) and Redis (a key prefix of its own). Writes the `<!-- bench:distributed -->` section of
 * bench/RESULTS.md (lib/distributed-section.ts), leaving every other section as it is.
 *
 * Beside them, in the same run, the issuance ceiling of bench:server (bench/targets/ceiling.ts: a
 * bare route signing with node:crypto, one process): issue 16's targets are ratios to it and to
 * SQLite. The CPU time per request of the server's processes (the primary and its workers) is
 * measured with every figure, as req/s on a shared machine is noisy.
 *
 * Flags: `--seconds N` per scenario (default 8, after a 2 s warm-up), `--quick` (2 s, no file).
 */
import { randomBytes } from 'node:crypto';
import { type Config, writeDistributedSection } from './lib/distributed-section.js';
import { freshDistributedStore, PG_URL } from './lib/instances.js';
import { type LoadOptions, type LoadResult, measure } from './lib/load.js';
import { load1 } from './lib/machine.js';
import { childPids, freePort, servicePids, startNode, TSX_IMPORT } from './lib/processes.js';
import { refreshRotation } from './lib/refresh-load.js';
import { addClient, addUser, basic, postForm, startSesame } from './lib/sesame.js';
import { postgresCounters } from './lib/store-stats.js';
import { makeEs256Key } from './lib/tokens.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const at = args.indexOf('--seconds');
const seconds = quick ? 2 : Number(at === -1 ? 8 : args[at + 1]);
const LOAD: LoadOptions = { connections: 32, seconds, warmupSeconds: quick ? 1 : 2 };
const FORM = 'application/x-www-form-urlencoded';

const CONFIGS: Config[] = [
  { name: 'PostgreSQL + Redis, 2 workers', store: 'postgres', workers: 2 },
  { name: 'SQLite, 2 workers', store: 'sqlite', workers: 2 },
  { name: 'SQLite, 1 worker', store: 'sqlite', workers: 1 },
];

/** Starts one configuration, measures its three scenarios, stops it. */
async function run(config: Config): Promise<Record<string, LoadResult>> {
  const store = config.store === 'postgres' ? await freshDistributedStore('bench') : undefined;
  const env = { SESAME_LOG_LEVEL: 'warn', ...store?.env };
  const sesame = await startSesame({ workers: config.workers, env });
  // The primary and its workers: the CPU time per request is theirs together.
  const servers = [sesame.pid, ...childPids(sesame.pid)];
  // PostgreSQL's and Redis's CPU on the same cores, for the configurations that use them.
  const counters = config.store === 'postgres' ? await postgresCounters(PG_URL) : undefined;
  const services = counters ? { servicePids, counters: counters.read } : {};
  try {
    const cc = await addClient(sesame, 'bench-service', 'client_credentials', 'api');
    const app = await addClient(sesame, 'bench-app', 'password,refresh_token', 'openid api');
    const password = randomBytes(18).toString('base64url');
    await addUser(sesame, 'bench-user', password, 'openid api');
    const tokenUrl = `${sesame.issuer}/oauth/token`;
    const headers = { authorization: basic(cc), 'content-type': FORM };
    const label = (what: string) => `${what}: ${config.name}`;
    const out: Record<string, LoadResult> = {};
    out.issue = await measure(
      {
        name: label('client_credentials'),
        url: tokenUrl,
        method: 'POST',
        headers,
        body: 'grant_type=client_credentials&scope=api',
        pids: servers,
        ...services,
      },
      LOAD,
    );
    const refreshLoad = {
      tokenUrl,
      client: app,
      username: 'bench-user',
      password,
      scope: 'openid api',
      size: LOAD.connections * 2,
    };
    out.refresh = await measure(
      await refreshRotation(refreshLoad, { name: label('refresh_token'), pids: servers, ...services }),
      LOAD,
    );
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++)
      tokens.push(
        (await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api' }, basic(cc)))
          .access_token as string,
      );
    let next = 0;
    out.introspect = await measure(
      {
        name: label('introspection'),
        url: `${sesame.issuer}/oauth/introspect`,
        method: 'POST',
        headers,
        setupRequest: (request) => ({ ...request, body: `token=${tokens[next++ % tokens.length]}` }),
        onResponse: (_status, body) => {
          if (!body.startsWith('{"active":true')) throw new Error(`an inactive answer: ${body.slice(0, 80)}`);
        },
        pids: servers,
        ...services,
      },
      LOAD,
    );
    return out;
  } finally {
    await counters?.close();
    await sesame.dispose();
    await store?.drop();
  }
}

/** The issuance ceiling of bench:server, measured once in this run (the reference of the refresh target). */
async function ceiling(): Promise<LoadResult> {
  const key = makeEs256Key();
  const port = await freePort();
  const client = { clientId: 'bench-ceiling', clientSecret: randomBytes(24).toString('base64url') };
  const started = await startNode({
    name: 'ceiling',
    args: [...TSX_IMPORT, 'bench/targets/ceiling.ts'],
    env: {
      CEILING_PORT: String(port),
      CEILING_KEY: JSON.stringify(key.privateJwk),
      CEILING_KID: key.kid,
      CEILING_ISSUER: `http://127.0.0.1:${port}`,
      CEILING_CLIENT_ID: client.clientId,
      CEILING_CLIENT_SECRET: client.clientSecret,
    },
    ready: /ceiling listening/,
  });
  try {
    return await measure(
      {
        name: 'client_credentials: ceiling (bare route)',
        url: `http://127.0.0.1:${port}/oauth/token`,
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': FORM },
        body: 'grant_type=client_credentials&scope=api',
        pid: started.pid,
      },
      LOAD,
    );
  } finally {
    await started.stop();
  }
}

const startedAt = new Date();
const loadBefore = load1();
const results: Record<string, Record<string, LoadResult>> = {};
const reference = await ceiling();
for (const config of CONFIGS) results[config.name] = await run(config);
if (!quick) {
  writeDistributedSection(CONFIGS, results, reference, {
    startedAt,
    loadAverage: [loadBefore, load1()],
    options: LOAD,
  });
  process.stdout.write('wrote the distributed section of bench/RESULTS.md\n');
}
