/**
 * The floor of a durable refresh rotation on SQLite: a bare Fastify route doing what any rotating
 * token endpoint with Sesame's guarantees must do, and nothing else —
 *  - check the client secret (SHA-256 compared in constant time) and hash the presented token;
 *  - read the token's row with its family (one prepared statement, better-sqlite3, WAL) and check
 *    that the family is the client's;
 *  - claim it with a compare-and-set on `rotated_at IS NULL` and insert its successor, for the
 *    requests that arrived together in one transaction (one BEGIN and COMMIT per group);
 *  - answer only once an fdatasync of the WAL begun after the commit is done (one per group), so a
 *    rotation is durable when answered;
 *  - sign the ES256 access token with node:crypto, as the ceiling route does.
 * The tables are Sesame's (a text primary key on the token's hash, the unique (family, generation)
 * pair, the families' foreign key), on the same page size and `synchronous = NORMAL`. No audit
 * trail, no logging, no schema validation, no user read, no checkpoint off the default.
 *
 * `POST /oauth/token` with `grant_type=refresh_token`; `grant_type=password` opens a family without
 * checking anything (it seeds the load's pool and is not measured).
 *
 * Run as its own process by the benchmark: `node --import tsx bench/targets/rotation-floor.ts` with
 * FLOOR_PORT, FLOOR_DIR (an empty directory for the database), FLOOR_KEY (a private JWK, JSON),
 * FLOOR_KID, FLOOR_ISSUER, FLOOR_CLIENT_ID, FLOOR_CLIENT_SECRET. Prints "floor listening" when ready.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fdatasync, openSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { ACCESS_TOKEN_LIFE, accessTokenInput, basicClient, es256Signature } from './bare-token.js';

const env = process.env;
const privateKey = createPrivateKey({ key: JSON.parse(env.FLOOR_KEY!), format: 'jwk' });
const clientId = env.FLOOR_CLIENT_ID!;
const client = basicClient(clientId, env.FLOOR_CLIENT_SECRET!);
const tokenInput = accessTokenInput(env.FLOOR_KID!, env.FLOOR_ISSUER!);
const REFRESH_LIFE_MS = 30 * 24 * 3600 * 1000;

const file = join(env.FLOOR_DIR!, 'floor.db');
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.exec(`
  create table refresh_families (id text primary key, user_id text, client_id text not null,
    scope text not null, created_at bigint not null, expires_at bigint not null, revoked_at bigint);
  create table refresh_tokens (token_hash text primary key,
    family_id text not null references refresh_families (id) on delete cascade,
    generation integer not null, created_at bigint not null, expires_at bigint not null, rotated_at bigint,
    unique (family_id, generation));
`);
const read = db.prepare<
  [string, number],
  { family_id: string; client_id: string; scope: string; user_id: string | null }
>(
  `select t.family_id, f.client_id, f.scope, f.user_id from refresh_tokens t join refresh_families f on f.id = t.family_id
   where t.token_hash = ? and t.rotated_at is null and t.expires_at > ? and f.revoked_at is null`,
);
const claim = db.prepare<[number, string, number], { family_id: string; generation: number }>(
  `update refresh_tokens set rotated_at = ? where token_hash = ? and rotated_at is null and expires_at > ?
   returning family_id, generation`,
);
const insert = db.prepare(
  'insert into refresh_tokens (token_hash, family_id, generation, created_at, expires_at) values (?, ?, ?, ?, ?)',
);
const openFamily = db.prepare(
  'insert into refresh_families (id, user_id, client_id, scope, created_at, expires_at) values (?, ?, ?, ?, ?, ?)',
);
// The WAL exists once the database is in WAL mode and written to; it stays while this connection is open.
openFamily.run('seed', null, clientId, 'api', Date.now(), Date.now());
const wal = openSync(`${file}-wal`, 'r');

interface Pending {
  presented: string;
  next: string;
  done: (claimed: boolean) => void;
}

/** Every rotation that arrived since the last group: one transaction, then one fdatasync. */
let waiting: Pending[] = [];
let scheduled = false;
const rotateGroup = db.transaction((group: Pending[], now: number) =>
  group.map(({ presented, next }) => {
    const claimed = claim.get(now, presented, now);
    if (claimed === undefined) return false;
    insert.run(next, claimed.family_id, claimed.generation + 1, now, now + REFRESH_LIFE_MS);
    return true;
  }),
);
/** One fdatasync at a time; the callers that come while one runs share the next. */
let syncInFlight: Promise<void> | undefined;
let syncNext: Promise<void> | undefined;
const fdatasyncWal = () =>
  new Promise<void>((resolve, reject) => fdatasync(wal, (error) => (error ? reject(error) : resolve())));
function synced(): Promise<void> {
  if (syncInFlight === undefined) {
    syncInFlight = fdatasyncWal().finally(() => {
      syncInFlight = undefined;
    });
    return syncInFlight;
  }
  syncNext ??= syncInFlight
    .catch(() => undefined)
    .then(() => {
      syncNext = undefined;
      return synced();
    });
  return syncNext;
}
function flush() {
  scheduled = false;
  const group = waiting;
  waiting = [];
  const results = rotateGroup.immediate(group, Date.now());
  synced().then(
    () => {
      for (const [i, pending] of group.entries()) pending.done(results[i]!);
    },
    () => {
      for (const pending of group) pending.done(false);
    },
  );
}
function rotate(presented: string, next: string): Promise<boolean> {
  return new Promise((done) => {
    waiting.push({ presented, next, done });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const app = Fastify({ logger: false });
await app.register(formbody);
app.post('/oauth/token', async (request, reply) => {
  const id = client(request.headers.authorization);
  if (id === undefined) return reply.code(401).send({ error: 'invalid_client' });
  const body = request.body as Record<string, string>;
  const now = Date.now();
  if (body.grant_type === 'password') {
    const family = randomUUID();
    const token = randomBytes(32).toString('base64url');
    db.transaction(() => {
      openFamily.run(family, body.username ?? null, clientId, 'api', now, now + REFRESH_LIFE_MS);
      insert.run(hashOf(token), family, 0, now, now + REFRESH_LIFE_MS);
    })();
    return { refresh_token: token };
  }
  if (body.grant_type !== 'refresh_token') return reply.code(400).send({ error: 'unsupported_grant_type' });
  const presented = hashOf(String(body.refresh_token ?? ''));
  const row = read.get(presented, now);
  // Bound to the client it was issued to, checked before rotating (RFC 6749 §6).
  if (row === undefined || row.client_id !== id) return reply.code(400).send({ error: 'invalid_grant' });
  const next = randomBytes(32).toString('base64url');
  if (!(await rotate(presented, hashOf(next)))) return reply.code(400).send({ error: 'invalid_grant' });
  const input = tokenInput(row.user_id ?? clientId, clientId, row.scope);
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({
      access_token: `${input}.${es256Signature(input, privateKey)}`,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFE,
      refresh_token: next,
      scope: row.scope,
    });
});

await app.listen({ host: '127.0.0.1', port: Number(env.FLOOR_PORT) });
process.stdout.write('floor listening\n');
process.on(
  'SIGTERM',
  () =>
    void app.close().then(() => {
      closeSync(wal);
      db.close();
      process.exit(0);
    }),
);
