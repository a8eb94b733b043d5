/**
 * The connections the PostgreSQL store's grouped statements run on (the refresh path's reads and
 * rotation, postgres-refresh-batch.ts; the audit inserts, postgres-audit.ts): a pool of their own
 * whose sessions plan each named statement once (`plan_cache_mode = force_generic_plan`).
 *
 * Why: each of these statements takes the group's values as arrays, and PostgreSQL estimates a
 * plan's cost from an array's length when it knows the values (a custom plan) and from ten elements
 * when it does not (the generic plan kept for the statement). Left to choose, it found the custom
 * plan cheaper for every group of fewer than ten and planned the statement again on every group:
 * under load, most of PostgreSQL's CPU for a refresh was planning. The plan does not depend on the
 * group's size (a lookup by primary key per element), so one plan per connection serves all groups.
 * It is made again when the tables' statistics change (ANALYZE, autovacuum's included).
 *
 * A pool apart, because the setting is a session's: on the store's main pool it would also hold
 * for the statements Kysely sends with their values, which are planned once each anyway and are
 * better planned with them.
 */
import pg from 'pg';

/** At most one statement of each grouped kind runs at a time per process (group-commit.ts). */
export const GROUP_POOL_SIZE = 4;

/**
 * @example const grouped = groupStatementPool({ connectionString: url }); await grouped.query(...);
 */
export function groupStatementPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({
    ...config,
    max: GROUP_POOL_SIZE,
    // Run on each new connection before it is handed out (pg-pool awaits what it returns). A server
    // that does not know the setting (before PostgreSQL 12) refuses it and keeps its own choice.
    onConnect: (client) =>
      client.query('set plan_cache_mode = force_generic_plan').then(
        () => undefined,
        () => undefined,
      ),
  });
  // As for the main pool: an idle connection dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}
