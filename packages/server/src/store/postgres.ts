/**
 * The distributed store: PostgreSQL through Kysely on `pg`, with the same queries (sql/*) and the
 * same migrations as SQLite. Write transactions run at PostgreSQL's default READ COMMITTED: every
 * atomic operation in sql/* is a conditional statement (UPDATE … WHERE rotated_at IS NULL, INSERT …
 * ON CONFLICT, a partial unique index) whose row lock makes concurrent callers wait and re-check,
 * so no SERIALIZABLE retry loop is needed. The one thing READ COMMITTED does not give is a feed
 * cursor that never skips: `serialize` below is why.
 * Private signing keys are encrypted by `keyCipher` (domain/keys/master-key-cipher.ts) before they reach
 * the database, and decrypted on the way out (store/encrypted-keys.ts).
 */
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { type EncryptedStore, type RewrappingCipher, withEncryptedKeys } from './encrypted-keys.js';
import { StoreError } from './errors.js';
import type { KeyCipher } from './key-sealing.js';
import { assertMigrated, migrateToLatest } from './migrations/index.js';
import { createKyselyStore } from './sql/kysely-store.js';
import { OwnSchemaPostgresDialect } from './sql/own-schema-dialect.js';
import { postgresAuditWriter } from './sql/postgres-audit.js';
import { groupStatementPool } from './sql/postgres-group-pool.js';
import { postgresRefreshBatch } from './sql/postgres-refresh-batch.js';
import { postgresRotation } from './sql/postgres-rotation.js';
import type { Database as Tables } from './sql/schema.js';
import type { Store } from './types.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (the password never appears in an error). */
  url: string;
  /** The clock for housekeeping on open. Default Date.now. */
  now?: () => number;
  /** Apply pending migrations on open (default true); `sesame migrate` runs them explicitly. */
  migrate?: boolean;
  /** With `migrate: false`: refuse (ERR_STORE_SCHEMA) a database with pending migrations. */
  requireMigrated?: boolean;
  /** Encrypts private signing keys at rest; required by the server in PostgreSQL mode. */
  keyCipher?: KeyCipher | RewrappingCipher;
  /** A schema to use (created when missing) instead of the URL's search_path: tests, or tenants. */
  schema?: string;
  /** Connections in this process's pool (default 10); the grouped statements have 4 more of their own. */
  poolSize?: number;
  /** How long to wait for a connection before failing the request (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** A PostgreSQL store, plus re-encryption of its secrets under the current master key. */
export type PostgresStore = EncryptedStore;

/**
 * One fixed advisory-lock id for "appending to the revocation feed" (any 64-bit number; this is
 * the ASCII of "sesamerv"). It only has to differ from other applications' ids in the database.
 */
export const FEED_LOCK = 0x73657361_6d657276n;
/** The advisory-lock id serialising migrations ("sesamemg"). */
const MIGRATION_LOCK = 0x73657361_6d656d67n;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a PostgreSQL store and migrates it to the latest schema.
 *
 * @example
 * const store = await openPostgresStore({ url: process.env.SESAME_DATABASE_URL!, keyCipher });
 * await store.ping();
 * await store.close();
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const now = options.now ?? Date.now;
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema))
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the PostgreSQL schema name is not a plain identifier');
  const connection: pg.PoolConfig = {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle connection dropped by the server (restart, failover) emits 'error' on the pool; without
  // a listener that would crash the process. The pool discards the connection and makes a new one.
  pool.on('error', () => undefined);
  const db = new Kysely<Tables>({ dialect: new OwnSchemaPostgresDialect({ pool }) });
  const write = <T>(fn: (trx: Kysely<Tables>) => Promise<T>) => db.transaction().execute(fn);
  try {
    if (options.migrate !== false) await migrateExclusively(db, options.schema);
    else if (options.requireMigrated) await assertMigrated(db as Kysely<unknown>, 'postgres', options.schema);
    if (options.migrate !== false) await sweep(db, now());
  } catch (error) {
    await db.destroy();
    if (error instanceof StoreError) throw error;
    throw new StoreError('ERR_STORE_UNAVAILABLE', describeConnectFailure(error, options.url), {
      cause: error,
    });
  }
  const grouped = groupStatementPool(connection);
  const shared = createKyselyStore({
    kind: 'postgres',
    db,
    write,
    // READ COMMITTED hands out sequence values at insert time but makes rows visible at commit, so
    // entry 6 can commit before entry 5; a guard reading "after 5" then "after 6" would skip 5.
    // Appends to the feed therefore hold one transaction-level advisory lock: the next seq is only
    // drawn after the previous append has committed (or rolled back), so seq order = commit order.
    async serialize(trx, name) {
      if (name === 'revocations') await sql`select pg_advisory_xact_lock(${FEED_LOCK})`.execute(trx);
    },
    close: async () => {
      await db.destroy();
      if (!grouped.ended) await grouped.end();
    },
  });
  const store: Store = Object.freeze({
    ...shared,
    // The refresh path's reads and rotation, each one statement for the requests that arrive
    // together; the rotation is one statement where the shared queries take a transaction (on
    // PostgreSQL every BEGIN and COMMIT is a round trip of its own).
    ...postgresRefreshBatch(
      grouped,
      db,
      postgresRotation(db, shared.rotateRefreshToken),
      shared.rotateRefreshToken,
    ),
    // A group of audit events is one prepared INSERT: all of it commits, or none of it.
    addAuditEvent: postgresAuditWriter(grouped),
  });
  try {
    // Rewrapping needs the tables: a store opened without migrating rewraps on `sesame keys rewrap`.
    return await withEncryptedKeys(store, { db, write }, options.keyCipher, options.migrate !== false);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * What failed when the store could not open, in words an operator can act on. The server answered
 * for a missing database or a refused login (SQLSTATE 3D000, 28P01/28000): saying "could not be
 * reached" then sent people looking at the network. Names come from the URL, never the password;
 * pg's own messages are not repeated.
 *
 * @example describeConnectFailure({ code: '3D000' }, 'postgres://u@h/app') // 'the PostgreSQL database "app" does not exist'
 */
export function describeConnectFailure(error: unknown, url: string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  let database = '';
  let user = '';
  try {
    const parsed = new URL(url);
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    user = decodeURIComponent(parsed.username);
  } catch {
    // not a URL: the generic message below
  }
  if (code === '3D000' && database !== '')
    return `the PostgreSQL database "${database}" does not exist (create it: createdb ${database})`;
  if ((code === '28P01' || code === '28000') && user !== '')
    return `the PostgreSQL server refused the login of user "${user}" (password or pg_hba.conf)`;
  return 'the PostgreSQL database could not be reached';
}

/**
 * Migrates under a session-level advisory lock. Kysely's migrator locks only after creating its own
 * bookkeeping tables (CREATE TABLE IF NOT EXISTS, which races in PostgreSQL: two workers starting
 * on an empty database would both try), so the whole run is serialised here, on one connection.
 */
async function migrateExclusively(db: Kysely<Tables>, schema: string | undefined): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      // Inside the lock too: CREATE SCHEMA IF NOT EXISTS is no safer against a racing twin.
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      // The bookkeeping tables go in the schema in use: without naming it, Kysely takes a
      // kysely_migration table of any schema in the database for its own.
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(conn);
      await migrateToLatest(conn as Kysely<unknown>, 'postgres', rows[0]?.schema);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

/** Drops expired single-use markers and throttle counters (as the SQLite store does on open). */
async function sweep(db: Kysely<Tables>, at: number): Promise<void> {
  await db.deleteFrom('used_once').where('expires_at', '<=', at).execute();
  await db.deleteFrom('dpop_proofs').where('expires_at', '<=', at).execute();
  await db.deleteFrom('pushed_requests').where('expires_at', '<=', at).execute();
  await db.deleteFrom('login_throttle').where('window_ends_at', '<=', at).execute();
}
