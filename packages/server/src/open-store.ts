/**
 * The store a configuration names, for `sesame serve`, every command and every worker, and for
 * code outside the package (`openStore`, exported by index.ts): PostgreSQL when SESAME_DATABASE_URL
 * is set (signing keys encrypted with SESAME_MASTER_KEY; config.ts refuses the URL without one),
 * otherwise the SQLite file of the data dir (its signing keys and secrets encrypted too when
 * SESAME_MASTER_KEY is set); with SESAME_REDIS_URL, Redis in front for what
 * instances share (store/redis/store.ts). Every command and every worker opens it the same way.
 */
import { join } from 'node:path';
import type { SesameConfig } from './config/config.js';
import { createMasterKeyCipher } from './domain/keys/master-key-cipher.js';
import type { EncryptedStore } from './store/encrypted-keys.js';
import { openPostgresStore, type PostgresStore } from './store/postgres.js';
import { connectRedis } from './store/redis/connection.js';
import { withRedis } from './store/redis/store.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';
import { traceRedisCommands } from './tracing/redis.js';
import { traceStore } from './tracing/store.js';

/**
 * How `openStore` opens the configured store.
 *
 * @example const store = await openStore(config, { migrate: false, withoutRedis: true });
 */
export interface OpenStoreOptions {
  /**
   * Apply pending migrations. Default: the configuration's `migrateOnStart`; when that is false, a
   * store with pending migrations is refused. `sesame migrate` passes true.
   */
  migrate?: boolean;
  /** Leave Redis out (one-shot commands that only read or write the database). */
  withoutRedis?: boolean;
  /** Where Redis state changes are told (default: one line on stderr). */
  log?: (message: string) => void;
  /** Tell Redis's state at start, not only its changes (default true; one worker of a group). */
  announceRedisStart?: boolean;
  /** Spans for the store's methods and Redis's commands (tracing/; `sesame serve` with OTEL_*). */
  tracing?: boolean;
}

/** The cipher of SESAME_MASTER_KEY, or undefined when none is configured (SQLite only). */
function masterKeyCipher(config: SesameConfig) {
  if (config.masterKey === '') return undefined;
  return createMasterKeyCipher({ current: config.masterKey, previous: config.masterKeyPrevious });
}

/** The PostgreSQL store of the configuration (for commands that need its extras, like rewrap). */
export function openConfiguredPostgres(config: SesameConfig, migrate = true): Promise<PostgresStore> {
  return openPostgresStore({
    requireMigrated: !migrate,
    url: config.databaseUrl,
    keyCipher: createMasterKeyCipher({ current: config.masterKey, previous: config.masterKeyPrevious }),
    poolSize: config.dbPoolSize,
    migrate,
  });
}

/**
 * The configured database without Redis, with its rewrap step (`sesame keys rewrap`): PostgreSQL,
 * or the SQLite file. `migrate` false opens without migrating and without rewrapping.
 */
export function openConfiguredDatabase(config: SesameConfig, migrate = true): Promise<EncryptedStore> {
  if (config.databaseUrl) return openConfiguredPostgres(config, migrate);
  return openSqliteStore({
    rewrapOnOpen: migrate,
    file: join(config.dataDir, 'sesame.db'),
    migrate,
    requireMigrated: !migrate,
    synchronous: config.sqliteSynchronous,
    keyCipher: masterKeyCipher(config),
  });
}

/**
 * Opens the store the configuration names: the SQLite file `sesame.db` in `config.dataDir` (the
 * folder is made if missing), or PostgreSQL at `config.databaseUrl` (which needs `config.masterKey`);
 * with `config.redisUrl`, Redis in front. Pending migrations are applied unless
 * `config.migrateOnStart` (or `options.migrate`) is false, in which case a store that needs them is
 * refused. The caller closes it (`await store.close()`) after the app that uses it.
 *
 * @example
 * const config = loadConfig({ values: { dataDir: './.sesame' } });       // or { databaseUrl, masterKey }
 * const store = await openStore(config);
 * const app = await buildApp({ config, store });
 */
export function openStore(config: SesameConfig, options: OpenStoreOptions = {}): Promise<Store> {
  return openConfiguredStore(config, options);
}

/**
 * @example const store = await openConfiguredStore(commandConfig(options));
 */
export async function openConfiguredStore(
  config: SesameConfig,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const migrate = options.migrate ?? config.migrateOnStart;
  const store: Store = config.databaseUrl
    ? await openConfiguredPostgres(config, migrate)
    : await openSqliteStore({
        file: join(config.dataDir, 'sesame.db'),
        migrate,
        requireMigrated: !migrate,
        synchronous: config.sqliteSynchronous,
        keyCipher: masterKeyCipher(config),
      });
  if (!config.redisUrl || options.withoutRedis) return options.tracing ? traceStore(store) : store;
  const log = options.log ?? ((message: string) => process.stderr.write(`sesame: ${message}\n`));
  const redis = connectRedis({ url: config.redisUrl, prefix: config.redisKeyPrefix });
  if (options.tracing) traceRedisCommands(redis.client);
  // A short wait, so a one-shot command's change (a rotation, a revocation) is announced, and a
  // server does not start out failing closed; Redis down only delays this, never blocks it.
  await redis.whenUp(2000);
  const distributed = withRedis(store, redis, {
    failMode: config.revocationFailMode,
    log,
    announceStart: options.announceRedisStart,
  });
  return options.tracing ? traceStore(distributed) : distributed;
}
