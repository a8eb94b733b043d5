/**
 * The migrator's view of the database: only Sesame's own schema. Kysely's stock PostgreSQL
 * introspector looks up every schema by name while it lists them; a schema dropped by someone else
 * in between fails the lookup (SQLSTATE 3F000), and with it Sesame's migration at start. The race
 * is made deterministic here: a REPEATABLE READ snapshot still lists the dropped schema, while name
 * lookups see the catalog as it is now.
 */

import { PG_URL } from '@sesame/testkit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OwnSchemaPostgresDialect } from '../../src/store/sql/own-schema-dialect.js';
import { describeWithServices, dropSchema, freshSchema } from '../helpers/services.js';

async function run(statements: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(statements);
  } finally {
    await client.end();
  }
}

/** Lists tables in a snapshot taken before another session drops a schema and commits. */
async function tablesListedAcrossADrop(dialectOf: (pool: pg.Pool) => PostgresDialect, own: string) {
  const other = freshSchema('sesame_other');
  await run(`create schema "${other}"; create table "${other}".t (id serial primary key)`);
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${own}` });
  const db = new Kysely<unknown>({ dialect: dialectOf(pool) });
  try {
    return await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select 1`.execute(trx); // the snapshot: the other schema is in it
        await run(`drop schema "${other}" cascade`);
        return await trx.introspection.getTables({ withInternalKyselyTables: true });
      });
  } finally {
    await db.destroy();
  }
}

await describeWithServices(['PostgreSQL'], 'PostgreSQL introspection for migrations', () => {
  const own = freshSchema();
  beforeAll(() => run(`create schema "${own}"; create table "${own}".kysely_migration (name text)`));
  afterAll(() => dropSchema(own));

  it('lists the tables of its own schema only, unaffected by a schema dropped meanwhile', async () => {
    const tables = await tablesListedAcrossADrop((pool) => new OwnSchemaPostgresDialect({ pool }), own);
    expect(tables).toEqual([{ name: 'kysely_migration', schema: own, isView: false, columns: [] }]);
  });

  it("Kysely's stock introspector fails on the same drop (the hazard)", async () => {
    await expect(tablesListedAcrossADrop((pool) => new PostgresDialect({ pool }), own)).rejects.toMatchObject(
      { code: '3F000' },
    );
  });
});
