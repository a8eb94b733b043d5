/**
 * The stores' own counters, read from outside Sesame as a cross-check of the probe's client-side
 * counts: PostgreSQL's committed transactions for the database (pg_stat_database.xact_commit) and
 * Redis's calls per command (INFO commandstats). Both are server-wide: other work on the same
 * database or Redis in the same moments is counted too, which is why the probe counts at the client.
 */

import { Redis } from 'ioredis';
import pg from 'pg';

export interface StoreStats {
  xactCommit: number;
  redisCalls: Record<string, number>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StoreStatsReader {
  /**
   * The counters now. PostgreSQL 15 publishes a backend's counts when it commits (at most once a
   * second) or after 10 s idle, so `settleMs` waits that long first, for the counts of a run just ended.
   */
  read(settleMs?: number): Promise<StoreStats>;
  close(): Promise<void>;
}

export async function storeStatsReader(pgUrl: string, redisUrl: string): Promise<StoreStatsReader> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return {
    async read(settleMs = 0) {
      if (settleMs > 0) await pause(settleMs);
      const { commits } = await postgresCounts(client);
      const info = await redis.info('commandstats');
      const redisCalls: Record<string, number> = {};
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
        redisCalls[match[1]!] = Number(match[2]);
      return {
        xactCommit: commits,
        redisCalls,
      };
    },
    async close() {
      await client.end();
      redis.disconnect();
    },
  };
}

/** Transactions committed and Redis calls between two readings (the reader's own queries left out). */
export function storeDelta(
  before: StoreStats,
  after: StoreStats,
): { xactCommit: number; redisCalls: number } {
  let redisCalls = 0;
  for (const [name, calls] of Object.entries(after.redisCalls)) {
    // The reader's own INFO is one call per reading.
    if (name === 'info') continue;
    redisCalls += calls - (before.redisCalls[name] ?? 0);
  }
  // The later reading commits two transactions of its own (pg_stat_clear_snapshot and the select).
  return { xactCommit: after.xactCommit - before.xactCommit - 2, redisCalls };
}

/**
 * The database's committed transactions and the server's WAL fsyncs so far, from a fresh snapshot
 * of the statistics (not the one PostgreSQL caches for the reading's own transaction).
 */
async function postgresCounts(client: pg.Client): Promise<{ commits: number; walSyncs: number }> {
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ commits: string; syncs: string }>(
    'select (select xact_commit from pg_stat_database where datname = current_database()) as commits, ' +
      '(select wal_sync from pg_stat_wal) as syncs',
  );
  return { commits: Number(rows[0]!.commits), walSyncs: Number(rows[0]!.syncs) };
}

/**
 * PostgreSQL's commits (in the benchmark's database) and WAL flushes (server-wide) so far, for
 * `Scenario.counters`: how many durable commits a request costs (each a WAL fsync unless it shared
 * one). A backend under load publishes its counts at most once a second, so each reading trails by
 * up to a second; over a run of several seconds the two ends' lags mostly cancel.
 *
 * @example const counters = await postgresCounters(PG_URL); scenario.counters = counters.read;
 */
export async function postgresCounters(
  pgUrl: string,
): Promise<{ read: () => Promise<Record<string, number>>; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  return { read: () => postgresCounts(client), close: () => client.end() };
}
