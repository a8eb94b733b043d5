import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFor } from '../../src/store/migrations/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { expiringRowsConformance } from './conformance/expiring-rows.js';
import { aFamily, aUser, codeOf, T0 } from './conformance/fixtures.js';
import { describeStoreConformance } from './conformance/suite.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(root, `db-${++n}`, 'sesame.db');

describeStoreConformance('sqlite', async () => {
  const file = freshFile();
  return { store: await openSqliteStore({ file }), openSecond: () => openSqliteStore({ file }) };
});

describe('SQLite store: expiring rows', () => {
  expiringRowsConformance(async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file });
    return {
      store,
      async countRows(table) {
        const side = new Database(file, { readonly: true });
        try {
          return (side.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
        } finally {
          side.close();
        }
      },
      close: () => store.close(),
    };
  });
});

describe('SQLite store: files and migrations', () => {
  it('creates the data dir 0700 and the database file 0600, WAL files included', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file });
    await store.createUser(aUser());
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(path).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('runs the migrations on an empty file and records them', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file });
    await store.close();
    const raw = new Database(file, { readonly: true });
    const names = raw.prepare('select name from kysely_migration order by name').all();
    // Every migration of the index, whoever adds one (names sort in the order they run).
    expect(names).toEqual(Object.keys(migrationsFor('sqlite')).map((name) => ({ name })));
    expect(names).toContainEqual({ name: '003_client_permissions' });
    expect(names).toContainEqual({ name: '004_browser_sessions' });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps the data of a filled store when it is opened again', async () => {
    const file = freshFile();
    const first = await openSqliteStore({ file });
    const user = aUser({ username: 'Keep' });
    const { family, first: token } = aFamily({ userId: user.id });
    await first.createUser(user);
    await first.createRefreshFamily(family, token);
    await first.initSetting('secret', 's1');
    await first.close();
    const again = await openSqliteStore({ file });
    expect(await again.findUserByName('keep')).toEqual(user);
    expect(await again.findRefreshFamily(family.id)).toEqual(family);
    expect(await again.initSetting('secret', 's2')).toBe('s1');
    await again.close();
  });

  it('with migrate: false leaves an empty file unmigrated', async () => {
    const store = await openSqliteStore({ file: freshFile(), migrate: false });
    expect(await codeOf(store.countUsers())).toBeDefined();
    await store.close();
  });

  it('with requireMigrated refuses pending migrations, and opens once they are applied', async () => {
    const file = freshFile();
    expect(await codeOf(openSqliteStore({ file, migrate: false, requireMigrated: true }))).toBe(
      'ERR_STORE_SCHEMA',
    );
    await (await openSqliteStore({ file })).close();
    const store = await openSqliteStore({ file, migrate: false, requireMigrated: true });
    expect(await store.countUsers()).toBe(0);
    await store.close();
  });

  it('refuses a database migrated by a newer version', async () => {
    const file = freshFile();
    await (await openSqliteStore({ file })).close();
    const raw = new Database(file);
    raw.prepare("insert into kysely_migration (name, timestamp) values ('999_future', 'now')").run();
    raw.close();
    expect(await codeOf(openSqliteStore({ file }))).toBe('ERR_STORE_SCHEMA');
  });

  it('drops expired single-use markers and throttle counters on open', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, now: () => T0 });
    await store.markUsedOnce('code', T0 + 10, T0);
    await store.recordLoginFailure('user:x', T0, 10);
    await store.close();
    const raw = new Database(file);
    expect(raw.prepare('select count(*) n from used_once').get()).toEqual({ n: 1 });
    raw.close();
    await (await openSqliteStore({ file, now: () => T0 + 10 })).close();
    const after = new Database(file);
    expect(
      after
        .prepare('select (select count(*) from used_once) + (select count(*) from login_throttle) n')
        .get(),
    ).toEqual({ n: 0 });
    after.close();
  });
});
