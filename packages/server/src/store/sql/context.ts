import { type Kysely, sql } from 'kysely';
import { isUniqueViolation, StoreError } from '../errors.js';
import type { Database } from './schema.js';

/**
 * What the shared SQL queries need from a dialect: a query builder for reads, and `write`, which
 * runs a function in one write transaction. The dialect decides how that transaction locks:
 * SQLite takes the write lock at BEGIN (IMMEDIATE), PostgreSQL relies on row locks taken by the
 * conditional UPDATEs the queries are written with.
 */
export interface SqlContext {
  readonly db: Kysely<Database>;
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: WriteOptions): Promise<T>;
  /**
   * Called first inside a write that draws a feed cursor (seq), so cursors commit in the order they
   * were drawn. SQLite needs nothing (one writer at a time); PostgreSQL takes an advisory lock.
   */
  serialize?(trx: Kysely<Database>, name: 'revocations'): Promise<void>;
}

export interface WriteOptions {
  /**
   * The commit must survive an OS crash or power loss, whatever the store's everyday setting
   * (revocations, refresh rotation, signing keys, single-use markers). SQLite commits it with
   * `synchronous = FULL`; PostgreSQL commits every transaction durably already.
   */
  durable?: boolean;
  /**
   * With `durable`: the commit may be seen by readers before it is on disk, as long as the caller
   * is answered only once it is. SQLite then commits it with the everyday setting and makes the
   * caller wait for one WAL fsync shared by every commit waiting (store/sqlite-wal-sync.ts), with
   * the event loop free. Only for writes whose early sight leads to no acknowledgement that the
   * commit could take back: a refresh rotation (a second presentation of the token goes through
   * the rotation too, and waits for a later fsync; other readers can only refuse the old token).
   */
  visibleBeforeSync?: boolean;
}

export const DURABLE: WriteOptions = Object.freeze({ durable: true });

/** Durable when answered, with concurrent commits sharing one fsync (see `visibleBeforeSync`). */
export const DURABLE_WHEN_ANSWERED: WriteOptions = Object.freeze({ durable: true, visibleBeforeSync: true });

/** Runs an insert, turning a unique violation into ERR_STORE_DUPLICATE naming only the table. */
export async function insertUnique(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreError('ERR_STORE_DUPLICATE', `${what} already exists`);
    throw error;
  }
}

/** Tables whose rows expire and have no delete method of their own: key column, expiry column. */
const EXPIRING = {
  used_once: ['key', 'expires_at'],
  dpop_proofs: ['key', 'expires_at'],
  pushed_requests: ['id', 'expires_at'],
  login_throttle: ['key', 'window_ends_at'],
} as const;

/** How many expired rows each write drops: more than one, so a table shrinks back after a burst. */
const DROPPED_PER_WRITE = 8;

/**
 * Drops a few expired rows of `table` (by its expiry index), inside the caller's write: each insert
 * into these tables clears more than it adds once the burst is over, so they hold about one lifetime
 * of rows whatever the uptime, without a sweeper and without a long DELETE blocking other work.
 */
export async function dropExpired(trx: Kysely<Database>, table: keyof typeof EXPIRING, now: number) {
  const [key, expiry] = EXPIRING[table];
  await sql`delete from ${sql.table(table)} where ${sql.ref(key)} in (
    select ${sql.ref(key)} from ${sql.table(table)} where ${sql.ref(expiry)} <= ${now} limit ${DROPPED_PER_WRITE})`.execute(
    trx,
  );
}
