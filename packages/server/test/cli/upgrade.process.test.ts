/**
 * An upgrade as an operator runs it: a data dir left by the first release (the first migration,
 * with a user and a client in it), `sesame migrate` by this version, then the server serves that
 * user. A downgrade — this version started on a store a newer Sesame migrated — is refused by every
 * command in one line that says what to do. (The data kept column by column, on SQLite and
 * PostgreSQL: test/store/migrations.services.test.ts.)
 */
import { join } from 'node:path';
import { freePort, runSesame, spawnSesame, startSesame, tempDir } from '@sesame/testkit';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/domain/accounts/passwords.js';
import { migrationsFor } from '../../src/store/migrations/index.js';

const FIRST = Object.keys(migrationsFor('sqlite'))[0]!;
const PASSWORD = 'first release password';

/** A data dir as the first release left it: its schema, one user, one public client. */
async function firstReleaseDataDir(): Promise<string> {
  const dataDir = tempDir('sesame-upgrade-');
  const db = new Kysely<Record<string, Record<string, unknown>>>({
    dialect: new SqliteDialect({ database: new Database(join(dataDir, 'sesame.db')) }),
  });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor('sqlite') } });
  const { error } = await migrator.migrateTo(FIRST);
  if (error) throw error;
  const now = Date.now();
  await db
    .insertInto('users')
    .values({
      id: 'u-first',
      username: 'veteran',
      username_key: 'veteran',
      password_hash: await createPasswordHasher().hash(PASSWORD),
      scopes: JSON.stringify(['openid', 'quiz']),
      disabled: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('clients')
    .values({
      client_id: 'first-app',
      name: 'first app',
      type: 'public',
      secret_hash: null,
      grant_types: JSON.stringify(['password', 'refresh_token']),
      scopes: JSON.stringify(['openid', 'quiz']),
      redirect_uris: '[]',
      audience: JSON.stringify(['quiz-api']),
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.destroy();
  return dataDir;
}

describe('upgrading a data dir of the first release', () => {
  it('`sesame migrate` brings it to the latest schema and the server then serves its user', async () => {
    const dataDir = await firstReleaseDataDir();
    const migrated = await runSesame(['migrate', '--data-dir', dataDir]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toBe('the sqlite store is at the latest schema\n');

    const port = await freePort();
    const server = await startSesame({ port, dataDir, env: { SESAME_MIGRATE_ON_START: 'false' } });
    try {
      const login = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'first-app',
          username: 'veteran',
          password: PASSWORD,
          scope: 'quiz',
        }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
      const wrong = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'first-app',
          username: 'veteran',
          password: 'not it',
        }),
      });
      expect(wrong.status).toBe(400);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('a server told not to migrate refuses the old schema, naming the command to run', async () => {
    const dataDir = await firstReleaseDataDir();
    const server = spawnSesame({
      port: await freePort(),
      dataDir,
      env: { SESAME_MIGRATE_ON_START: 'false' },
    });
    const { code } = await server.exited;
    expect(code).toBe(5);
    expect(server.output()).toMatch(/error ERR_STORE_SCHEMA: .*pending migration\(s\): run `sesame migrate`/);
  }, 120_000);

  it('a downgrade is refused by serve, migrate and every command, in one line', async () => {
    const dataDir = tempDir('sesame-downgrade-');
    expect((await runSesame(['migrate', '--data-dir', dataDir])).code).toBe(0);
    const raw = new Database(join(dataDir, 'sesame.db'));
    raw
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('999_next_release', new Date().toISOString());
    raw.close();
    const line =
      /^error ERR_STORE_SCHEMA: the database was migrated by a newer Sesame \(999_next_release; this version knows up to \d{3}_\w+\): run that version or a newer one; downgrading is not supported/;
    for (const [args, env] of [
      [['migrate'], {}],
      [['users', 'list'], {}],
      [['users', 'list'], { SESAME_MIGRATE_ON_START: 'false' }],
    ] as const) {
      const result = await runSesame([...args, '--data-dir', dataDir], { env });
      expect(result.code, args.join(' ')).toBe(5);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(line);
    }
    const server = spawnSesame({ port: await freePort(), dataDir });
    expect((await server.exited).code).toBe(5);
    expect(server.output()).toMatch(line);
  }, 120_000);
});
