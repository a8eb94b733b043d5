/**
 * The SQLite store's durability: synchronous = NORMAL (or FULL, as configured) on the connection,
 * and FULL for the transactions that must never be rolled back by an OS crash or power loss
 * (revocations, signing keys, single-use markers; refresh rotations are synced after their commit,
 * sqlite-wal-sync.test.ts). Triggers record the setting
 * of the connection that runs each statement, read inside the transaction itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { aFamily, aKey, DAY, T0 } from './conformance/fixtures.js';
import { present } from './conformance/refresh.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-sync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NORMAL = 1;
const FULL = 2;
const WATCHED = [
  ['revocations', 'insert'],
  ['refresh_families', 'insert'],
  ['refresh_families', 'update'],
  ['refresh_tokens', 'update'],
  ['signing_keys', 'insert'],
  ['signing_keys', 'update'],
  ['used_once', 'insert'],
  ['audit_events', 'insert'],
] as const;

/** Opens a store, then adds triggers logging `PRAGMA synchronous` at each watched write. */
async function watchedStore(name: string, synchronous?: 'normal' | 'full') {
  const file = join(root, name);
  const store = await openSqliteStore({ file, synchronous });
  const side = new Database(file);
  side.exec('create table sync_log (id integer primary key, what text, level integer)');
  for (const [table, op] of WATCHED) {
    side.exec(`create trigger log_${table}_${op} after ${op} on ${table} begin
      insert into sync_log (what, level) select '${table}.${op}', synchronous from pragma_synchronous;
    end`);
  }
  const levels = () => {
    const rows = side.prepare('select what, level from sync_log order by id').all() as {
      what: string;
      level: number;
    }[];
    side.exec('delete from sync_log');
    return rows;
  };
  const connectionLevel = () =>
    // Read through the store's own connection, outside any transaction.
    store.addAuditEvent(auditEvent()).then(() => levels().at(-1)?.level);
  return { store, side, levels, connectionLevel };
}

function auditEvent() {
  return { at: T0, type: 'token.issued', actor: null, subject: null, clientId: 'c', ip: null, details: {} };
}

async function everyKindOfWrite(store: Store) {
  const { family, first, token } = aFamily();
  await store.createRefreshFamily(family, first);
  await store.addAuditEvent(auditEvent());
  await present(store, token, T0 + 1000); // rotation
  await store.revokeRefreshFamily(family.id, 'logout', T0 + 2000);
  const other = aFamily({ userId: 'u-2' });
  await store.createRefreshFamily(other.family, other.first);
  await store.revokeUserFamilies('u-2', 'password changed', T0 + 3000);
  await store.addRevocation({
    kind: 'jti',
    value: 'j1',
    issuedBefore: null,
    expiresAt: T0 + DAY,
    createdAt: T0,
  });
  const current = aKey('current');
  const next = aKey('next');
  await store.insertSigningKey(current);
  await store.insertSigningKey(next);
  await store.rotateSigningKeys({
    alg: 'ES256',
    expectCurrent: current.kid,
    expectNext: next.kid,
    newNext: aKey('next', { createdAt: T0 + 10 }),
    now: T0 + 10,
    retiredExpiresAt: T0 + DAY,
  });
  await store.markUsedOnce('code:1', T0 + DAY, T0);
}

describe('SQLite synchronous setting', () => {
  it('defaults to normal in the config', () => {
    expect(loadConfig({ env: {} }).sqliteSynchronous).toBe('normal');
    expect(loadConfig({ env: { SESAME_SQLITE_SYNCHRONOUS: 'full' } }).sqliteSynchronous).toBe('full');
  });

  it('normal: everyday commits run with NORMAL, security-critical ones with FULL, and NORMAL is restored', async () => {
    const { store, side, levels, connectionLevel } = await watchedStore('normal.db');
    await everyKindOfWrite(store);
    const seen = levels();
    const byWhat = (what: string) => [...new Set(seen.filter((r) => r.what === what).map((r) => r.level))];
    expect(byWhat('audit_events.insert')).toEqual([NORMAL]);
    // A new family is not a revocation: NORMAL. Revoking one (update) is FULL.
    expect(byWhat('refresh_families.insert')).toEqual([NORMAL]);
    expect(byWhat('refresh_families.update')).toEqual([FULL]);
    // A rotation commits under NORMAL and is answered after a WAL fsync of its own
    // (sqlite-wal-sync.test.ts): concurrent rotations share that fsync.
    expect(byWhat('refresh_tokens.update')).toEqual([NORMAL]);
    expect(byWhat('revocations.insert')).toEqual([FULL]);
    expect(byWhat('signing_keys.insert')).toEqual([FULL]);
    expect(byWhat('signing_keys.update')).toEqual([FULL]);
    expect(byWhat('used_once.insert')).toEqual([FULL]);
    expect(await connectionLevel()).toBe(NORMAL);
    side.close();
    await store.close();
  });

  it('normal: a durable transaction that fails still restores NORMAL', async () => {
    const { store, side, connectionLevel } = await watchedStore('failed.db');
    const key = aKey('current');
    await store.insertSigningKey(key);
    await expect(store.insertSigningKey(aKey('current'))).rejects.toMatchObject({
      code: 'ERR_STORE_DUPLICATE',
    });
    expect(await connectionLevel()).toBe(NORMAL);
    side.close();
    await store.close();
  });

  it('full: every commit runs with FULL', async () => {
    const { store, side, levels } = await watchedStore('full.db', 'full');
    await everyKindOfWrite(store);
    const seen = levels();
    expect(seen.length).toBeGreaterThan(8);
    expect(new Set(seen.map((r) => r.level))).toEqual(new Set([FULL]));
    side.close();
    await store.close();
  });
});
