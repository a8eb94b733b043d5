/**
 * The embedded store: SQLite through Kysely on better-sqlite3. Several processes may open one file
 * (the CLI while the server runs; later `--workers N`), so:
 *  - WAL lets readers run beside the one writer, and busy_timeout makes a writer wait its turn;
 *  - write transactions start with BEGIN IMMEDIATE. Kysely's default (deferred) BEGIN reads under a
 *    snapshot and upgrades to a write lock later; if another connection committed in between, that
 *    upgrade fails at once with SQLITE_BUSY, without waiting (test/store/sqlite-locking.process.test.ts
 *    shows it). IMMEDIATE takes the write lock first, so the busy handler applies;
 *  - within one process, writers on one file also queue on an async mutex: better-sqlite3 waits for
 *    a lock synchronously, so a second connection waiting on the first in the same process would
 *    block the event loop the first needs to finish.
 *  - synchronous = NORMAL by default (SQLite's recommendation for WAL): a commit is consistent after
 *    any crash and durable against an application crash; an OS crash or power loss may roll back
 *    the last commits. Writes that must never be undone (revocations, refresh rotation, signing
 *    keys, single-use markers: `write(fn, DURABLE)`) switch the connection to FULL for their own
 *    transaction, whose commit syncs the WAL (and with it every commit before). SQLite refuses to
 *    change the setting inside a transaction ("Safety level may not be changed inside a
 *    transaction"), so it is set before BEGIN and restored after COMMIT, under the write mutex, so
 *    no other transaction of this connection runs in between. `synchronous: 'full'` syncs all.
 *    Refresh rotations (`DURABLE_WHEN_ANSWERED`) instead commit under NORMAL and wait for a WAL
 *    fsync shared by all the rotations committed meanwhile (sqlite-wal-sync.ts), off the event loop.
 * The data dir is created 0700 and the file 0600: signing keys live in it. With a master key
 * (`keyCipher`, SESAME_MASTER_KEY), the private keys and the settings' secrets are also encrypted
 * in the file, as in PostgreSQL (store/encrypted-keys.ts), so a copy of the file alone (a backup,
 * a leaked volume) does not give them away.
 */
import { chmodSync, closeSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import {
  assertNothingSealed,
  type EncryptedStore,
  type RewrappingCipher,
  withEncryptedKeys,
} from './encrypted-keys.js';
import { StoreError } from './errors.js';
import { assertMigrated, migrateToLatest } from './migrations/index.js';
import type { WriteOptions } from './sql/context.js';
import { createKyselyStore } from './sql/kysely-store.js';
import type { Database as Tables } from './sql/schema.js';
import { sqliteAuditWriter } from './sqlite-audit.js';
import { fileMutex } from './sqlite-mutex.js';
import { sqlitePreparedReads } from './sqlite-prepared-reads.js';
import { sqliteRotation } from './sqlite-rotation.js';
import { type SyncFile, walSync } from './sqlite-wal-sync.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created (0700) when missing. */
  file: string;
  /** The clock for housekeeping on open (dropping expired markers and counters). Default Date.now. */
  now?: () => number;
  /** Apply pending migrations on open (default true); `sesame migrate` runs them explicitly. */
  migrate?: boolean;
  /** With `migrate: false`: refuse (ERR_STORE_SCHEMA) a database with pending migrations. */
  requireMigrated?: boolean;
  /** How long a writer waits for another process's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): commits are fsynced at checkpoints, durable ones (`write(fn, DURABLE)`) at
   * commit, and refresh rotations before they are answered. `full`: every commit is fsynced.
   */
  synchronous?: 'normal' | 'full';
  /**
   * Encrypts private signing keys and settings at rest (keys/master-key-cipher.ts). A store in
   * clear is encrypted on open; without it, a store holding ciphertext is refused.
   */
  keyCipher?: RewrappingCipher;
  /** With a `keyCipher`: rewrap what is not under the current key on open (default true). */
  rewrapOnOpen?: boolean;
  /** How the WAL is flushed after the commits that are durable when answered (for tests; fdatasync). */
  syncFile?: SyncFile;
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Opens (creating when missing) a SQLite store and migrates it to the latest schema.
 *
 * @example
 * const store = await openSqliteStore({ file: '.sesame/sesame.db' });
 * await store.ping();
 * await store.close();
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<EncryptedStore> {
  const now = options.now ?? Date.now;
  const file = prepareFile(options.file);
  const synchronous = options.synchronous ?? 'normal';
  let raw: Database.Database;
  try {
    raw = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    // With a master key, what is deleted or replaced is overwritten with zeros, not left in free pages.
    if (options.keyCipher) raw.pragma('secure_delete = ON');
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  } catch (error) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the SQLite database could not be opened', {
      cause: error,
    });
  }
  const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: keepStatements(raw) }) });
  const lock = fileMutex(file);
  const synced = walSync(file, options.syncFile);
  const write = async <T>(fn: (trx: Kysely<Tables>) => Promise<T>, writeOptions?: WriteOptions) => {
    if (synchronous === 'full' || writeOptions?.durable !== true) {
      return lock.run(() => db.transaction().execute(fn));
    }
    if (writeOptions.visibleBeforeSync === true) {
      // Committed without a sync, then answered once an fsync begun after the commit is done.
      const result = await lock.run(() => db.transaction().execute(fn));
      await synced();
      return result;
    }
    return lock.run(async () => {
      // Outside any transaction (writes are serialised by the mutex; reads are autocommit).
      raw.pragma('synchronous = FULL');
      try {
        return await db.transaction().execute(fn);
      } finally {
        raw.pragma('synchronous = NORMAL');
      }
    });
  };
  const close = async () => {
    await db.destroy();
    lock.release();
  };
  const migrated = options.migrate !== false || options.requireMigrated === true;
  try {
    if (options.migrate !== false) await lock.run(() => migrateToLatest(db as Kysely<unknown>, 'sqlite'));
    else if (options.requireMigrated) await assertMigrated(db as Kysely<unknown>, 'sqlite');
    if (options.migrate !== false) await sweep(write, now());
    // Checked with the tables there; an unmigrated store is refused on first read instead.
    if (migrated && !options.keyCipher) await assertNothingSealed(db);
    const kysely = createKyselyStore({ kind: 'sqlite', db, write, close });
    const store = Object.freeze({
      ...kysely,
      ...sqlitePreparedReads(raw, db),
      addAuditEvent: sqliteAuditWriter(raw, (fn) => lock.run(fn)),
      rotateRefreshToken: sqliteRotation(raw, {
        queue: (fn) => lock.run(fn),
        synced: synchronous === 'full' ? undefined : synced,
        diagnose: kysely.rotateRefreshToken,
      }),
    });
    const encrypted = await withEncryptedKeys(store, { db, write }, options.keyCipher, false);
    if (options.keyCipher && migrated && options.rewrapOnOpen !== false) {
      if ((await encrypted.rewrapSigningKeys()) > 0) await lock.run(async () => forgetOldText(raw));
    }
    return encrypted;
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The database as Kysely sees it, with its prepared statements kept: Kysely prepares every query
 * anew, and preparing costs more than running the small statements of the token path. A kept
 * statement is never in use twice at once: Kysely's SQLite driver runs one query at a time on its
 * single connection, and better-sqlite3 re-prepares a statement itself after a schema change.
 */
function keepStatements(raw: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        // Bounded: the text varies with list lengths (IN (...), multi-row inserts).
        if (statements.size >= 1000) statements.clear();
        statement = raw.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Creates the directory (0700) and the file (0600) before SQLite does, so neither is ever wider. */
function prepareFile(path: string): string {
  const absolute = resolve(path);
  try {
    mkdirSync(dirname(absolute), { recursive: true, mode: 0o700 });
    closeSync(openSync(absolute, 'a', 0o600));
    chmodSync(absolute, 0o600); // an existing file made under a looser umask is tightened too
    return realpathSync(absolute);
  } catch (error) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the SQLite database file could not be created', {
      cause: error,
    });
  }
}

/**
 * After secrets were re-encrypted (a clear store upgraded, or a master-key rotation), the texts they
 * replaced may still sit in free pages of the file and in old frames of the WAL. VACUUM rewrites the
 * file without free pages; the TRUNCATE checkpoint copies the WAL in and empties it.
 */
function forgetOldText(raw: Database.Database): void {
  raw.exec('VACUUM');
  raw.pragma('wal_checkpoint(TRUNCATE)');
}

/** Drops expired single-use markers and throttle counters, which have no delete method of their own. */
async function sweep(write: <T>(fn: (trx: Kysely<Tables>) => Promise<T>) => Promise<T>, at: number) {
  await write(async (trx) => {
    await trx.deleteFrom('used_once').where('expires_at', '<=', at).execute();
    await trx.deleteFrom('dpop_proofs').where('expires_at', '<=', at).execute();
    await trx.deleteFrom('pushed_requests').where('expires_at', '<=', at).execute();
    await trx.deleteFrom('login_throttle').where('window_ends_at', '<=', at).execute();
  });
}
