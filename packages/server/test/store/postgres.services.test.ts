/**
 * The PostgreSQL store: the ONE conformance suite (the same file SQLite runs, refresh rotation race
 * included), then what only PostgreSQL has: the feed cursor under READ COMMITTED, keys encrypted at
 * rest, and failures to connect. Each store lives in its own schema, dropped after.
 */

import { PG_URL, TEST_MASTER_KEY } from '@sesame/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createMasterKeyCipher } from '../../src/domain/keys/master-key-cipher.js';
import { migrationsFor } from '../../src/store/migrations/index.js';
import { describeConnectFailure, FEED_LOCK, openPostgresStore } from '../../src/store/postgres.js';
import { describeWithServices, dropSchema, freshSchema, openTestPostgresStore } from '../helpers/services.js';
import { expiringRowsConformance } from './conformance/expiring-rows.js';
import { aKey, codeOf, MINUTE, T0 } from './conformance/fixtures.js';
import { describeStoreConformance } from './conformance/suite.js';

const cipher = createMasterKeyCipher({ current: TEST_MASTER_KEY });

describe('describeConnectFailure', () => {
  const url = 'postgres://app%20user:hunter2@db.example:5432/sesame_prod';
  it('names the missing database, the refused user, or says the server could not be reached', () => {
    expect(describeConnectFailure({ code: '3D000' }, url)).toBe(
      'the PostgreSQL database "sesame_prod" does not exist (create it: createdb sesame_prod)',
    );
    expect(describeConnectFailure({ code: '28P01' }, url)).toBe(
      'the PostgreSQL server refused the login of user "app user" (password or pg_hba.conf)',
    );
    expect(describeConnectFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), url)).toBe(
      'the PostgreSQL database could not be reached',
    );
    expect(describeConnectFailure({ code: '3D000' }, 'not a url')).toBe(
      'the PostgreSQL database could not be reached',
    );
  });
});

await describeWithServices(['PostgreSQL'], 'PostgreSQL store', () => {
  // The production configuration: keys encrypted with a master key, transparently.
  describeStoreConformance('postgres', () => openTestPostgresStore({ keyCipher: cipher }));
  describe('expiring rows', () => {
    expiringRowsConformance(async () => {
      const { store, schema } = await openTestPostgresStore({ keyCipher: cipher });
      return {
        store,
        async countRows(table) {
          const client = new pg.Client({ connectionString: PG_URL });
          await client.connect();
          try {
            const { rows } = await client.query(`select count(*)::int as n from "${schema}"."${table}"`);
            return rows[0].n as number;
          } finally {
            await client.end();
          }
        },
        close: () => store.close(),
      };
    });
  });

  it('stores private keys only as ciphertext, and lists them decrypted', async () => {
    const { store, schema } = await openTestPostgresStore({ keyCipher: cipher });
    const key = aKey('current');
    await store.insertSigningKey(key);
    expect(await store.listSigningKeys()).toEqual([key]);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const { rows } = await client.query(`select private_jwk from "${schema}".signing_keys`);
    await client.end();
    expect(rows[0].private_jwk).toMatch(new RegExp(`^mk1\\.${cipher.keyId}\\.`));
    expect(rows[0].private_jwk).not.toContain('private');
    await store.close();
  });

  it('refuses to open when a stored key cannot be decrypted with the configured master keys', async () => {
    const { store, schema } = await openTestPostgresStore({ keyCipher: cipher });
    await store.insertSigningKey(aKey('current'));
    const other = createMasterKeyCipher({ current: Buffer.alloc(32, 9).toString('base64') });
    const error = await openPostgresStore({ url: PG_URL, schema, keyCipher: other }).catch((e) => e);
    expect(error.code).toBe('ERR_KEYRING_KEY_UNREADABLE');
    expect(error.message).not.toContain(TEST_MASTER_KEY);
    await store.close();
  });

  it('fails with ERR_STORE_UNAVAILABLE, without the password, when the server cannot be reached', async () => {
    const url = 'postgres://sesame:hunter2-secret@127.0.0.1:1/test';
    const error = await openPostgresStore({ url, connectTimeoutMs: 500 }).catch((e) => e);
    expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(`${error.message} ${String(error.stack)}`).not.toContain('hunter2');
  });

  it('names a database that does not exist instead of calling the server unreachable', async () => {
    const url = new URL(PG_URL);
    url.pathname = '/sesame_no_such_database';
    url.password = 'hunter2-secret';
    const error = await openPostgresStore({ url: url.toString(), connectTimeoutMs: 5000 }).catch((e) => e);
    expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(error.message).toBe(
      'the PostgreSQL database "sesame_no_such_database" does not exist (create it: createdb sesame_no_such_database)',
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    expect(await codeOf(openPostgresStore({ url: PG_URL, schema: 'x"; drop table users; --' }))).toBe(
      'ERR_STORE_UNAVAILABLE',
    );
  });

  it('records the migrations it applied, and a second open applies none', async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ url: PG_URL, schema });
    const again = await openPostgresStore({ url: PG_URL, schema });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const { rows } = await client.query(`select name from "${schema}".kysely_migration order by name`);
    await client.end();
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrationsFor('postgres')));
    await Promise.all([store.close(), again.close()]);
    await dropSchema(schema);
  });

  it('workers opening one empty database at once migrate it exactly once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStore({ url: PG_URL, schema, poolSize: 2 })),
    );
    expect(await stores[0]!.countUsers()).toBe(0);
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });

  it('entries appended concurrently by two instances reach a cursor reader with no gap', async () => {
    const { store, openSecond } = await openTestPostgresStore();
    const other = await openSecond();
    const seen: number[] = [];
    let cursor = 0;
    let writing = true;
    const reader = (async () => {
      while (writing || seen.length < 200) {
        const page = await store.listRevocations(cursor, T0, 1000);
        for (const entry of page) seen.push(entry.seq);
        cursor = page.at(-1)?.seq ?? cursor;
        if (!writing && page.length === 0) break;
      }
    })();
    const entry = (i: number) => ({
      kind: 'jti' as const,
      value: `j${i}`,
      issuedBefore: null,
      expiresAt: T0 + MINUTE,
      createdAt: T0,
    });
    const added = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? other : store).addRevocation(entry(i))),
    );
    writing = false;
    await reader;
    expect(seen.sort((a, b) => a - b)).toEqual(added.map((a) => a.seq).sort((a, b) => a - b));
    await store.close();
  });

  describe('the feed cursor under READ COMMITTED', () => {
    const jti = (value: string) => ({
      kind: 'jti' as const,
      value,
      issuedBefore: null,
      expiresAt: T0 + MINUTE,
      createdAt: T0,
    });
    /** A raw transaction that has drawn a seq but not committed: an append in flight elsewhere. */
    async function inFlight(schema: string, takeLock: boolean) {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await client.connect();
      await client.query('begin');
      if (takeLock) await client.query('select pg_advisory_xact_lock($1)', [FEED_LOCK.toString()]);
      const { rows } = await client.query(
        "insert into revocations (kind, value, expires_at, created_at) values ('jti', 'slow', $1, $2) returning seq",
        [T0 + MINUTE, T0],
      );
      return { seq: Number(rows[0].seq), commit: () => client.query('commit').then(() => client.end()) };
    }

    it('without the lock, a later seq commits first and a cursor reader skips the earlier one (the hazard)', async () => {
      const { store, schema } = await openTestPostgresStore();
      const slow = await inFlight(schema, false); // bypasses the store, so takes no lock
      const fast = await store.addRevocation(jti('fast'));
      expect(fast.seq).toBeGreaterThan(slow.seq);
      const page = await store.listRevocations(0, T0, 10);
      expect(page.map((e) => e.value)).toEqual(['fast']);
      await slow.commit();
      expect(await store.listRevocations(page.at(-1)!.seq, T0, 10)).toEqual([]); // 'slow' is skipped
      await store.close();
    });

    it("the store's append waits for the append in flight, so seq order is commit order and nothing is skipped", async () => {
      const { store, schema } = await openTestPostgresStore();
      const slow = await inFlight(schema, true);
      let settled = false;
      const fast = store.addRevocation(jti('fast')).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      expect(await store.listRevocations(0, T0, 10)).toEqual([]);
      await slow.commit();
      expect((await fast).seq).toBeGreaterThan(slow.seq);
      expect((await store.listRevocations(0, T0, 10)).map((e) => e.value)).toEqual(['slow', 'fast']);
      await store.close();
    });
  });
});
