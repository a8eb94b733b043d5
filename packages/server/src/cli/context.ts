import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type SesameConfig } from '../config/config.js';
import type { Services } from '../domain/services.js';
import { openConfiguredStore } from '../open-store.js';
import { createServices } from '../wiring.js';
import { unavailable } from './failure.js';

/** The options every store-using command takes. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'folder of the store (default ./.sesame, or SESAME_DATA_DIR)')
    .option('--config <file>', 'JSON configuration file');
}

/** The configuration of a command: defaults < --config file < SESAME_* < flags. */
export function commandConfig(
  options: { config?: string; dataDir?: string },
  flags: Record<string, unknown> = {},
): SesameConfig {
  return loadConfig({
    file: options.config,
    env: process.env,
    flags: { dataDir: options.dataDir, ...flags },
  });
}

/** The SQLite file of a data dir. */
export function storeFile(config: SesameConfig): string {
  return join(config.dataDir, 'sesame.db');
}

/**
 * Refuses a data dir without a store, naming the path: a command that reads or changes what is
 * there (`users list`, `users disable`) must not create an empty store where it was pointed by
 * mistake (a typo in --data-dir, or run from another folder, whose ./.sesame is not the server's).
 * Only the commands that add something (`users add`, `clients add`, `migrate`) create a store.
 *
 * @example requireExistingStore(config); // throws ERR_STORE_MISSING, exit 5
 */
export function requireExistingStore(config: SesameConfig): void {
  if (config.databaseUrl) return; // a missing database is reported by the connection itself
  const file = resolve(storeFile(config));
  if (!existsSync(file)) {
    throw unavailable(
      'ERR_STORE_MISSING',
      `no Sesame store at ${file}; pass the --data-dir (or SESAME_DATA_DIR) of an existing store`,
    );
  }
}

/**
 * Opens the store of the data dir and the services over it, runs `work` with the services (never
 * the store: commands change things through the domain's steps), and closes both, also on failure.
 * The CLI and a running server share the file safely (WAL, immediate write transactions).
 */
export async function withServices<T>(
  config: SesameConfig,
  work: (services: Services) => Promise<T>,
): Promise<T> {
  // With Redis when configured: a change made here (a rotation, a revocation) is announced at once.
  const store = await openConfiguredStore(config);
  let services: Services | undefined;
  try {
    services = await createServices({ config, store, now: Date.now, rotateKeys: false });
    return await work(services);
  } finally {
    // A command that ended sessions (disabling a user) tells their clients before it exits: the
    // back-channel logouts it started are delivered, or given up after their retries.
    await services?.backchannelLogout.settled();
    await services?.close();
    await store.close();
  }
}

/**
 * `withServices` for a command that reads or changes what exists (`users list`, `users disable`):
 * a missing store is refused with one line naming its path (requireExistingStore), never created.
 *
 * @example await withExistingStore(commandConfig(options), async (services) => services.users.list());
 */
export async function withExistingStore<T>(
  config: SesameConfig,
  work: (services: Services) => Promise<T>,
): Promise<T> {
  requireExistingStore(config);
  return withServices(config, work);
}
