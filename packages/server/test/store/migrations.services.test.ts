/**
 * A schema change never loses data: a store made by the first migration and filled through the
 * store API (users and clients in SQL, since today's store API writes columns later migrations
 * added) is opened by the current code, which applies every later migration; everything written
 * before reads back the same. Run on SQLite always, and on PostgreSQL when it is reachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_URL } from '@sesame/testkit';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFor, type SqlDialectName } from '../../src/store/migrations/index.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Client, Store, User } from '../../src/store/types.js';
import { describeWithServices, dropSchema, freshSchema } from '../helpers/services.js';
import { aClient, aFamily, aKey, aUser, codeOf, MINUTE, T0 } from './conformance/fixtures.js';

const FIRST = Object.keys(migrationsFor('sqlite'))[0]!;

/** Brings an empty database to the first migration only, as the first release left it. */
async function migrateToFirst(db: Kysely<unknown>, dialect: SqlDialectName, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor(dialect) },
    migrationTableSchema: schema,
  });
  const { error } = await migrator.migrateTo(FIRST);
  if (error) throw error;
}

/**
 * A client row as the first schema holds it, written in SQL: the store API of today writes columns
 * later migrations added. It reads back with what those migrations give an existing client.
 */
async function insertFirstClient(db: Kysely<unknown>, overrides: Partial<Client> = {}) {
  const { permissions: _added, ...client } = aClient(overrides);
  const row = {
    client_id: client.clientId,
    name: client.name,
    type: client.type,
    secret_hash: client.secretHash,
    grant_types: JSON.stringify(client.grantTypes),
    scopes: JSON.stringify(client.scopes),
    redirect_uris: JSON.stringify(client.redirectUris),
    audience: JSON.stringify(client.audience),
    created_at: client.createdAt,
    updated_at: client.updatedAt,
  };
  await (db as Kysely<{ clients: typeof row }>).insertInto('clients').values(row).execute();
  // 003_client_permissions: an existing client has no permissions. 008_client_registration: no
  // logout URIs, the server's algorithm, PKCE required, and a public client authenticates with none.
  return {
    ...client,
    permissions: [] as string[],
    postLogoutRedirectUris: [] as string[],
    backchannelLogoutUri: null,
    idTokenSignedResponseAlg: null,
    tokenEndpointAuthMethod: client.type === 'public' ? ('none' as const) : null,
    requirePkce: true,
    subjectType: 'public' as const,
    // 013_client_keys: no keys registered.
    jwks: null,
    jwksUri: null,
  };
}

/** A user row as the first schema holds it, in SQL like the client: 006 added `profile`. */
async function insertFirstUser(db: Kysely<unknown>) {
  const { profile: _added, ...user } = aUser({ username: 'Migrated' });
  const row = {
    id: user.id,
    username: user.username,
    username_key: user.username.toLowerCase(),
    password_hash: user.passwordHash,
    scopes: JSON.stringify(user.scopes),
    disabled: user.disabled ? 1 : 0,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
  await (db as Kysely<{ users: typeof row }>).insertInto('users').values(row).execute();
  // 006_user_profile: an existing user has an empty profile.
  return { ...user, profile: {} };
}

/**
 * A refresh family and its first token as the first schema holds them, in SQL (007_oidc_codes added
 * `auth_time`, which today's store API writes). They read back with no login time.
 */
async function insertFirstFamily(db: Kysely<unknown>, userId: string) {
  const { family, first } = aFamily({ userId }); // authTime: null, as 007 gives an existing family
  await (db as Kysely<{ refresh_families: Record<string, unknown> }>)
    .insertInto('refresh_families')
    .values({
      id: family.id,
      user_id: family.userId,
      client_id: family.clientId,
      scope: family.scope,
      created_at: family.createdAt,
      expires_at: family.expiresAt,
      revoked_at: family.revokedAt,
      revoked_reason: family.revokedReason,
    })
    .execute();
  await (db as Kysely<{ refresh_tokens: Record<string, unknown> }>)
    .insertInto('refresh_tokens')
    .values({
      token_hash: first.tokenHash,
      family_id: first.familyId,
      generation: first.generation,
      created_at: first.createdAt,
      expires_at: first.expiresAt,
      rotated_at: first.rotatedAt,
    })
    .execute();
  return { family, first };
}

/** Writes the rest of what the first schema holds; returns what to expect back. */
async function fill(
  store: Store,
  client: Client,
  user: User,
  seeded: Awaited<ReturnType<typeof insertFirstFamily>>,
) {
  const keys = [aKey('current'), aKey('next', { createdAt: T0 + 1 })];
  const { family, first } = seeded;
  for (const key of keys) await store.insertSigningKey(key);
  const revocation = await store.addRevocation({
    kind: 'sid',
    value: family.id,
    issuedBefore: null,
    expiresAt: T0 + MINUTE,
    createdAt: T0,
  });
  await store.initSetting('refresh_derivation_secret', 'kept');
  await store.addAuditEvent({
    at: T0,
    type: 'login.ok',
    actor: user.id,
    subject: user.id,
    clientId: null,
    ip: null,
    details: { n: 1 },
  });
  return { user, client, keys, family, first, revocation };
}

async function expectKept(store: Store, filled: Awaited<ReturnType<typeof fill>>) {
  expect(await store.findUserByName('migrated')).toEqual(filled.user);
  expect(await store.findClient(filled.client.clientId)).toEqual(filled.client);
  expect(await store.listSigningKeys()).toEqual(filled.keys);
  expect(await store.findRefreshFamily(filled.family.id)).toEqual(filled.family);
  expect(await store.findRefreshToken(filled.first.tokenHash)).toEqual(filled.first);
  expect(await store.listRevocations(0, T0, 10)).toEqual([filled.revocation]);
  expect(await store.getSetting('refresh_derivation_secret')).toBe('kept');
  expect((await store.listAuditEvents({ limit: 10 })).map((e) => e.type)).toEqual(['login.ok']);
  // And the store keeps working: the seq goes on after the migrated entries.
  const next = await store.addRevocation({ ...filled.revocation, value: 'after' });
  expect(next.seq).toBeGreaterThan(filled.revocation.seq);
  // 011_key_per_algorithm: RS256 keys join the kept ES256 ones; still one current ES256 key.
  await store.insertSigningKey(aKey('current', { alg: 'RS256' }));
  await store.insertSigningKey(aKey('next', { alg: 'RS256' }));
  expect(await codeOf(store.insertSigningKey(aKey('current')))).toBe('ERR_STORE_DUPLICATE');
}

describe('migrations keep the data: SQLite', () => {
  const root = mkdtempSync(join(tmpdir(), 'sesame-migrate-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(`upgrades a filled ${FIRST} file to the latest schema`, async () => {
    const file = join(root, 'sesame.db');
    const raw = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    await migrateToFirst(raw, 'sqlite');
    const client = await insertFirstClient(raw);
    const user = await insertFirstUser(raw);
    const seeded = await insertFirstFamily(raw, user.id);
    const pub = await insertFirstClient(raw, { type: 'public', secretHash: null });
    await raw.destroy();
    const old = await openSqliteStore({ file, migrate: false });
    const filled = await fill(old, client, user, seeded);
    await old.close();
    const upgraded = await openSqliteStore({ file });
    await expectKept(upgraded, filled);
    expect(await upgraded.findClient(pub.clientId)).toEqual(pub);
    await upgraded.close();
    const check = new Database(file, { readonly: true });
    const names = check.prepare('select name from kysely_migration order by name').all();
    check.close();
    expect(names.map((n) => (n as { name: string }).name)).toEqual(Object.keys(migrationsFor('sqlite')));
  });

  it('applies a migration whose number is below one already applied (numbers given out in parallel)', async () => {
    const file = join(root, 'unordered.db');
    const raw = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    // A store migrated by a build that had 010 but not yet 009.
    const { '009_claims_request': _later, ...without } = migrationsFor('sqlite');
    const { error } = await new Migrator({
      db: raw,
      provider: { getMigrations: async () => without },
    }).migrateToLatest();
    expect(error).toBeUndefined();
    await raw.destroy();
    const store = await openSqliteStore({ file });
    const family = aFamily({ claims: { userinfo: ['email'], idToken: [] } });
    await store.createRefreshFamily(family.family, family.first);
    expect((await store.findRefreshFamily(family.family.id))?.claims).toEqual({
      userinfo: ['email'],
      idToken: [],
    });
    await store.close();
  });

  it('refuses a file a newer Sesame migrated, migrating or not, and says so', async () => {
    const file = join(root, 'newer.db');
    await (await openSqliteStore({ file })).close();
    const raw = new Database(file);
    raw
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run(NEWER, new Date().toISOString());
    raw.close();
    for (const options of [{}, { migrate: false, requireMigrated: true }]) {
      await expect(openSqliteStore({ file, ...options })).rejects.toMatchObject(DOWNGRADE);
    }
  });
});

const NEWER = '999_from_a_newer_sesame';
const DOWNGRADE = {
  code: 'ERR_STORE_SCHEMA',
  message: expect.stringMatching(
    /^the database was migrated by a newer Sesame \(999_from_a_newer_sesame; this version knows up to \d{3}_\w+\).*downgrading is not supported/,
  ),
};

await describeWithServices(['PostgreSQL'], 'migrations keep the data: PostgreSQL', () => {
  it(`upgrades a filled ${FIRST} schema to the latest`, async () => {
    const schema = freshSchema();
    const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${schema}`, max: 1 });
    const raw = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    await migrateToFirst(raw, 'postgres', schema);
    const client = await insertFirstClient(raw);
    const user = await insertFirstUser(raw);
    const seeded = await insertFirstFamily(raw, user.id);
    await raw.destroy();
    try {
      const old = await openPostgresStore({ url: PG_URL, schema, migrate: false });
      const filled = await fill(old, client, user, seeded);
      await old.close();
      const upgraded = await openPostgresStore({ url: PG_URL, schema });
      await expectKept(upgraded, filled);
      await upgraded.close();
      // A downgrade: the schema as a newer Sesame leaves it, opened by this one.
      const newer = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await newer.connect();
      await newer.query('insert into kysely_migration (name, timestamp) values ($1, $2)', [
        NEWER,
        new Date().toISOString(),
      ]);
      await newer.end();
      for (const options of [{}, { migrate: false, requireMigrated: true }]) {
        await expect(openPostgresStore({ url: PG_URL, schema, ...options })).rejects.toMatchObject(DOWNGRADE);
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
