/**
 * `npm run soak [-- --seconds N]` (60 s by default): mixed load on loopback against `sesame serve`
 * with 2 workers (1 process when this build has no --workers, and the report says so) and the
 * quiz example behind @sesame/guard — logins, client_credentials, refreshes (some concurrent on the
 * same token), guarded API calls, revocations of access and refresh tokens. Reports throughput,
 * p50/p99 latency, errors, and resident memory of the server processes and of the guard's process
 * (the quiz API), sampled every 30 s and printed as a series, after warm-up and at the end (at most
 * 20% growth for each). Access tokens live `--access-ttl` seconds (120 by default), so in a long
 * soak the denylist entries of the server and the guard expire and are purged: their memory must
 * level off, not grow with the number of revocations. Then checks that every refresh family in the SQLite store is consistent (one live token, no
 * half rotation), that every revoked token is still refused (guard and introspection) and every
 * held session still works. Exits 1 on any violation. Not part of `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { childPids, freePort, residentBytes, type Started, startNode, TSX_IMPORT } from './lib/processes.js';
import { RssSeries } from './lib/rss-series.js';
import { addClient, addUser, basic, type Credentials, startSesame, supportsWorkers } from './lib/sesame.js';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const SECONDS = at === -1 ? 60 : Number(args[at + 1]);
if (!Number.isFinite(SECONDS) || SECONDS < 10) throw new Error('--seconds must be at least 10');
const WARMUP_MS = Math.min(15_000, SECONDS * 200); // a fifth of the run, at most 15 s
const ttlAt = args.indexOf('--access-ttl');
const ACCESS_TTL_SECONDS = ttlAt === -1 ? 120 : Number(args[ttlAt + 1]);
if (!Number.isInteger(ACCESS_TTL_SECONDS) || ACCESS_TTL_SECONDS < 10)
  throw new Error('--access-ttl must be at least 10 seconds');
// About twenty samples in a short run, one every 30 s in a long one.
const SAMPLE_MS = Math.min(30_000, Math.max(2_000, Math.round((SECONDS * 1000) / 20)));
const USERS = 6;
const VIRTUAL_USERS = 24;
const MAX_RSS_GROWTH = 0.2;

const FORM = 'application/x-www-form-urlencoded';
const violations: string[] = [];
const processes: Started[] = [];

interface Session {
  access: string;
  refresh: string;
}

type Action = 'api' | 'cc' | 'refresh' | 'refresh-concurrent' | 'login' | 'revoke-access' | 'revoke-refresh';
const WEIGHTS: [Action, number][] = [
  ['api', 50],
  ['cc', 20],
  ['refresh', 14],
  ['refresh-concurrent', 4],
  ['login', 2],
  ['revoke-access', 5],
  ['revoke-refresh', 5],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
function pick(): Action {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [action, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return 'api';
}

const latencies: number[] = [];
const counts = new Map<string, number>();
const errors = new Map<string, number>();
const revokedAccess: string[] = [];
const revokedRefresh: string[] = [];
let measuring = false;

async function call(
  label: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  expect = 200,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const started = performance.now();
  let status = 0;
  let json: Record<string, unknown> = {};
  try {
    const response = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
    });
    status = response.status;
    const text = await response.text();
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch (error) {
    json = { error: (error as Error).message };
  }
  if (measuring) {
    latencies.push(performance.now() - started);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  if (status !== expect) {
    const key = `${label}: ${status} ${String(json.error ?? '')}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  return { status, json };
}

async function main() {
  const workersAvailable = await supportsWorkers();
  const sesame = await startSesame({
    workers: workersAvailable ? 2 : 1,
    env: { SESAME_ACCESS_TOKEN_TTL: `${ACCESS_TTL_SECONDS}s` },
  });
  processes.push(sesame);
  const token = `${sesame.issuer}/oauth/token`;
  // Also the resource server that introspects the users' tokens afterwards.
  const service = await addClient(sesame, 'soak-service', 'client_credentials', 'api', [
    '--permission',
    'introspect',
  ]);
  const feed = await addClient(sesame, 'soak-quiz-feed', 'client_credentials', '', [
    '--permission',
    'revocations',
  ]);
  const app = JSON.parse(
    await sesame.cli([
      'clients',
      'add',
      'soak quiz app',
      '--public',
      '--grant',
      'password,refresh_token',
      '--scopes',
      'openid quiz',
      '--audience',
      'quiz-api',
      '--json',
    ]),
  ) as { client_id: string };
  const passwords: string[] = [];
  for (let i = 0; i < USERS; i++) {
    passwords.push(randomBytes(12).toString('base64url'));
    await addUser(sesame, `player${i}`, passwords[i]!, 'openid quiz');
  }

  const quizPort = await freePort();
  const quiz = await startNode({
    name: 'quiz-api',
    args: ['--conditions=sesame-source', ...TSX_IMPORT, 'examples/quiz-api/src/main.ts'],
    env: {
      SESAME_ISSUER: sesame.issuer,
      QUIZ_FEED_CLIENT_ID: feed.clientId,
      QUIZ_FEED_CLIENT_SECRET: feed.clientSecret,
      QUIZ_PORT: String(quizPort),
    },
    ready: /quiz api listening/,
  });
  processes.push(quiz);
  const quizUrl = `http://127.0.0.1:${quizPort}`;
  const serverPids = () => [sesame.pid, ...childPids(sesame.pid)];
  process.stdout.write(
    `soak: ${SECONDS} s, sesame serve ${workersAvailable ? 'with 2 workers' : 'as 1 process (this build has no --workers)'} (pids ${serverPids().join(', ')}), quiz-api ${quiz.pid}, ${VIRTUAL_USERS} virtual users, access tokens of ${ACCESS_TTL_SECONDS} s\n`,
  );

  const appAuth = { 'content-type': FORM };
  const login = async (vu: number): Promise<Session | undefined> => {
    const user = vu % USERS;
    const { status, json } = await call('login', token, {
      headers: appAuth,
      body: new URLSearchParams({
        grant_type: 'password',
        username: `player${user}`,
        password: passwords[user]!,
        client_id: app.client_id,
        scope: 'openid quiz',
      }).toString(),
    });
    return status === 200
      ? { access: json.access_token as string, refresh: json.refresh_token as string }
      : undefined;
  };
  const refresh = (session: Session, label = 'refresh') =>
    call(label, token, {
      headers: appAuth,
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: session.refresh,
        client_id: app.client_id,
      }).toString(),
    });
  const revoke = (value: string, label: string) =>
    call(label, `${sesame.issuer}/oauth/revoke`, {
      headers: appAuth,
      body: new URLSearchParams({ token: value, client_id: app.client_id }).toString(),
    });

  const sessions: (Session | undefined)[] = [];
  const deadline = Date.now() + WARMUP_MS + SECONDS * 1000;
  let measuredSince = 0;
  let rssStart: Map<number, number> | undefined;
  const warm = setTimeout(() => {
    measuring = true;
    measuredSince = performance.now();
    rssStart = new Map(serverPids().map((pid) => [pid, residentBytes(pid) ?? 0]));
    rssStart.set(quiz.pid, residentBytes(quiz.pid) ?? 0);
  }, WARMUP_MS);
  const startedAt = performance.now();
  const pids = () => [...serverPids(), quiz.pid];
  const series = new RssSeries();
  const sample = () => series.sample((performance.now() - startedAt) / 1000, pids());
  sample();
  const sampler = setInterval(sample, SAMPLE_MS);

  async function virtualUser(vu: number): Promise<void> {
    while (Date.now() < deadline) {
      let session = sessions[vu];
      if (session === undefined) {
        sessions[vu] = session = await login(vu);
        continue;
      }
      const action = pick();
      if (action === 'api') {
        await call('guarded API call', `${quizUrl}/answers`, {
          headers: { authorization: `Bearer ${session.access}`, 'content-type': 'application/json' },
          body: JSON.stringify({ questionId: 1, choice: vu % 3 }),
        });
      } else if (action === 'cc') {
        await call('client_credentials', token, {
          headers: { authorization: basic(service as Credentials), 'content-type': FORM },
          body: 'grant_type=client_credentials&scope=api',
        });
      } else if (action === 'refresh') {
        const { status, json } = await refresh(session);
        if (status === 200)
          sessions[vu] = { access: json.access_token as string, refresh: json.refresh_token as string };
        else sessions[vu] = undefined;
      } else if (action === 'refresh-concurrent') {
        // Two tabs refreshing at once: both succeed, with the same new refresh token (grace window).
        const [a, b] = await Promise.all([
          refresh(session, 'refresh (concurrent)'),
          refresh(session, 'refresh (concurrent)'),
        ]);
        if (a.status === 200 && b.status === 200 && a.json.refresh_token !== b.json.refresh_token) {
          violations.push('two concurrent refreshes of one token got different refresh tokens');
        }
        const good = a.status === 200 ? a : b.status === 200 ? b : undefined;
        sessions[vu] = good && {
          access: good.json.access_token as string,
          refresh: good.json.refresh_token as string,
        };
      } else if (action === 'login') {
        sessions[vu] = await login(vu);
      } else if (action === 'revoke-access') {
        const { status } = await revoke(session.access, 'revoke access token');
        if (status === 200) revokedAccess.push(session.access);
        const { status: s, json } = await refresh(session);
        sessions[vu] =
          s === 200
            ? { access: json.access_token as string, refresh: json.refresh_token as string }
            : undefined;
      } else {
        const { status } = await revoke(session.refresh, 'revoke refresh token');
        if (status === 200) revokedRefresh.push(session.refresh);
        sessions[vu] = undefined;
      }
    }
  }

  await Promise.all(Array.from({ length: VIRTUAL_USERS }, (_, vu) => virtualUser(vu)));
  clearTimeout(warm);
  clearInterval(sampler);
  sample();
  const measuredSeconds = (performance.now() - measuredSince) / 1000;
  measuring = false;
  const rssEnd = new Map([...serverPids(), quiz.pid].map((pid) => [pid, residentBytes(pid) ?? 0]));

  // --- afterwards: revoked tokens stay refused, held sessions still work, families are consistent
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the feed reaches the guard within ~1 s
  const introspect = (value: string) =>
    call('check: introspection', `${sesame.issuer}/oauth/introspect`, {
      headers: { authorization: basic(service as Credentials), 'content-type': FORM },
      body: new URLSearchParams({ token: value }).toString(),
    });
  let accepted = 0;
  for (const revoked of revokedAccess) {
    const api = await call(
      'check: revoked access token at the guard',
      `${quizUrl}/answers`,
      {
        headers: { authorization: `Bearer ${revoked}`, 'content-type': 'application/json' },
        body: JSON.stringify({ questionId: 1, choice: 0 }),
      },
      401,
    );
    const seen = await introspect(revoked);
    if (api.status !== 401 || seen.json.active !== false) accepted++;
  }
  for (const revoked of revokedRefresh) {
    const seen = await introspect(revoked);
    if (seen.json.active !== false) accepted++;
  }
  if (accepted > 0) violations.push(`${accepted} revoked tokens were still accepted`);
  let heldDead = 0;
  for (const session of sessions) {
    if (session === undefined) continue;
    const seen = await introspect(session.refresh);
    if (seen.json.active !== true) heldDead++;
  }
  if (heldDead > 0) violations.push(`${heldDead} held refresh tokens are not active`);

  const db = new Database(join(sesame.dataDir, 'sesame.db'), { readonly: true, fileMustExist: true });
  const families = db.prepare('select count(*) as n from refresh_families').get() as { n: number };
  const badLive = db
    .prepare(
      `select f.id, f.revoked_at, count(t.token_hash) as live, max(t.generation) as top,
        (select max(generation) from refresh_tokens where family_id = f.id) as newest
       from refresh_families f left join refresh_tokens t on t.family_id = f.id and t.rotated_at is null
       group by f.id having live != 1 or top != newest`,
    )
    .all() as { id: string; live: number }[];
  const gaps = db
    .prepare(
      `select family_id, count(*) as n, min(generation) as lo, max(generation) as hi from refresh_tokens
       group by family_id having hi - lo + 1 != n`,
    )
    .all() as unknown[];
  const halfRotated = db
    .prepare(
      `select count(*) as n from refresh_tokens t where t.rotated_at is not null and not exists
        (select 1 from refresh_tokens s where s.family_id = t.family_id and s.generation = t.generation + 1)`,
    )
    .get() as { n: number };
  db.close();
  if (badLive.length > 0)
    violations.push(`${badLive.length} families without exactly one live (newest) token`);
  if (gaps.length > 0) violations.push(`${gaps.length} families with a gap in their generations`);
  if (halfRotated.n > 0)
    violations.push(`${halfRotated.n} rotated tokens without a successor (half rotation)`);

  // --- the report
  const unexpected = [...errors].filter(([key]) => !key.startsWith('check:'));
  const unexpectedCount = unexpected.reduce((sum, [, n]) => sum + n, 0);
  if (unexpectedCount > 0) violations.push(`${unexpectedCount} unexpected error responses`);
  const checkErrors = [...errors].filter(([key]) => key.startsWith('check:'));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const total = latencies.length;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const lines = [
    '',
    `throughput: ${(total / measuredSeconds).toFixed(0)} requests/s over ${measuredSeconds.toFixed(0)} s after ${(WARMUP_MS / 1000).toFixed(0)} s of warm-up (${total} requests)`,
    `latency: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`,
    `by kind: ${[...counts].map(([label, n]) => `${label} ${n}`).join(', ')}`,
    `errors: ${unexpectedCount}${unexpected.length ? ` (${unexpected.map(([k, n]) => `${k} ×${n}`).join('; ')})` : ''}`,
    `revoked during the run: ${revokedAccess.length} access tokens, ${revokedRefresh.length} refresh tokens; all still refused: ${accepted === 0 ? 'yes' : 'NO'}${checkErrors.length ? ` (${checkErrors.map(([k, n]) => `${k} ×${n}`).join('; ')})` : ''}`,
    `refresh families in the store: ${families.n}; consistent: ${badLive.length + gaps.length + halfRotated.n === 0 ? 'yes' : 'NO'}`,
  ];
  const roles = new Map<number, string>();
  for (const [pid, end] of rssEnd) {
    const start = rssStart?.get(pid) ?? 0;
    const growth = start > 0 ? end / start - 1 : 0;
    const role =
      pid === sesame.pid
        ? workersAvailable
          ? 'sesame primary'
          : 'sesame'
        : pid === quiz.pid
          ? 'quiz-api'
          : 'sesame worker';
    // The guard's entries live as long as the tokens they cover (--access-ttl plus the clock
    // tolerance), then its purge drops them: the quiz API is held to the same limit as the server.
    roles.set(pid, role);
    lines.push(
      `resident memory ${role} ${pid}: ${mib(start)} after warm-up → ${mib(end)} at the end (${(growth * 100).toFixed(1)}%)`,
    );
    if (growth > MAX_RSS_GROWTH) {
      violations.push(`${role} ${pid} grew ${(growth * 100).toFixed(1)}% (limit 20%)`);
    }
  }
  lines.push(
    '',
    `resident memory over time (MiB, a sample every ${SAMPLE_MS / 1000} s):`,
    ...series.table(roles),
  );
  lines.push(violations.length === 0 ? 'soak: passed' : `soak: FAILED\n- ${violations.join('\n- ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  await quiz.stop();
  await sesame.dispose();
  processes.length = 0;
}

try {
  await main();
} finally {
  await Promise.all(processes.map((p) => p.stop()));
}
process.exitCode = violations.length === 0 ? 0 : 1;
