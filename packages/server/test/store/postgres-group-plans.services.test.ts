/**
 * How PostgreSQL plans the refresh path's grouped statements (store/sql/postgres-refresh-batch.ts,
 * store/sql/postgres-group-pool.ts): once per connection whatever the group's size.
 */
import { PG_URL } from '@sesame/testkit';
import pg from 'pg';
import { expect, it } from 'vitest';
import { groupStatementPool } from '../../src/store/sql/postgres-group-pool.js';
import { describeWithServices } from '../helpers/services.js';

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
});
