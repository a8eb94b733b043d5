/**
 * How PostgreSQL plans the refresh path's grouped statements (store/sql/postgres-refresh-batch.ts,
 * store/sql/postgres-group-pool.ts): once per connection whatever the group's size, and as lookups
 * by primary key even when planned on tables that were nearly empty and never analyzed (a new
 * store), so that what a group costs does not grow with the tables.
 */
import { PG_URL } from '@sesame/testkit';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { groupStatementPool } from '../../src/store/sql/postgres-group-pool.js';
import { groupReadText, ROTATE_GROUP } from '../../src/store/sql/postgres-refresh-batch.js';
import { tokenAndFamilyQuery } from '../../src/store/sql/refresh-lookup.js';
import type { Database } from '../../src/store/sql/schema.js';
import { describeWithServices, openTestPostgresStore } from '../helpers/services.js';

/** A statement whose estimated cost grows with its array, as the grouped statements' do. */
const BY_ARRAY = {
  name: 'sesame_test_by_array',
  text: 'select g from generate_series(1, 10000) g where g = any($1::int[])',
};

/** How often the statement was planned for its values (custom) and once for all (generic). */
async function plansForGroupsOfTwo(pool: pg.Pool): Promise<{ generic: number; custom: number }> {
  const client = await pool.connect();
  try {
    for (let i = 0; i < 8; i++) await client.query({ ...BY_ARRAY, values: [[i, i + 1]] });
    const { rows } = await client.query(
      'select generic_plans, custom_plans from pg_prepared_statements where name = $1',
      [BY_ARRAY.name],
    );
    return { generic: Number(rows[0].generic_plans), custom: Number(rows[0].custom_plans) };
  } finally {
    client.release();
  }
}

const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const READ_GROUP = groupReadText(tokenAndFamilyQuery(compiler, sql.ref<string>('k.value')).compile().sql);
const WITHOUT_KEY_LIMIT = (text: string) => text.replaceAll('limit cardinality($1::text[])', '');

/**
 * The tables each statement reads whole in the plan PostgreSQL keeps for it, when that plan was
 * made on empty tables (as at a new store's first groups) and the tables grew after.
 */
async function tablesReadWhole(rotate: string, read: string): Promise<string[]> {
  const { store, schema } = await openTestPostgresStore();
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    // As on the grouped statements' connections: planned once, at the first execution.
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query(`prepare rotate(text[], text[], bigint[], bigint[]) as ${rotate}`);
    await client.query(`prepare read(text[]) as ${read}`);
    const rotateNone = "execute rotate('{}', '{}', '{}', '{}')";
    const readNone = "execute read('{}')";
    await client.query(rotateNone);
    await client.query(readNone);
    await client.query(`insert into refresh_families (id, client_id, scope, created_at, expires_at)
      select 'f' || g, 'c', 'openid', 0, 9000000000000 from generate_series(1, 3000) g`);
    await client.query(`insert into refresh_tokens (token_hash, family_id, generation, created_at, expires_at)
      select 'h' || g, 'f' || g, 0, 0, 9000000000000 from generate_series(1, 3000) g`);
    const scanned: string[] = [];
    for (const statement of [rotateNone, readNone]) {
      const { rows } = await client.query(`explain (format json) ${statement}`);
      const visit = (node: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }) => {
        if (node['Node Type'] === 'Seq Scan') scanned.push(node['Relation Name'] ?? '?');
        for (const child of node.Plans ?? []) visit(child as typeof node);
      };
      visit(rows[0]['QUERY PLAN'][0].Plan);
    }
    return scanned.sort();
  } finally {
    await client.end();
    await store.close();
  }
}

await describeWithServices(['PostgreSQL'], 'PostgreSQL grouped statements: plans', () => {
  it('are planned once per connection, for groups of any size', async () => {
    const grouped = groupStatementPool({ connectionString: PG_URL });
    // Left to choose, PostgreSQL plans such a statement again for every group smaller than ten.
    const plain = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      expect(await plansForGroupsOfTwo(grouped)).toEqual({ generic: 8, custom: 0 });
      expect(await plansForGroupsOfTwo(plain)).toEqual({ generic: 0, custom: 8 });
    } finally {
      await grouped.end();
      await plain.end();
    }
  });

  it('look tokens and families up by key, even planned on empty tables that grew after', async () => {
    expect(await tablesReadWhole(ROTATE_GROUP.text, READ_GROUP)).toEqual([]);
  });

  it('without the key LIMIT, the same statements are planned to read refresh_tokens whole (what the check above catches)', async () => {
    const scanned = await tablesReadWhole(
      WITHOUT_KEY_LIMIT(ROTATE_GROUP.text),
      WITHOUT_KEY_LIMIT(READ_GROUP),
    );
    expect(scanned).toContain('refresh_tokens');
  });
});
