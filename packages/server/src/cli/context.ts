import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type SesameConfig } from '../config.js';
import type { Services } from '../services.js';
import type { Store } from '../store/types.js';
import { createServices } from '../wiring.js';
import { openConfiguredStore } from './open-store.js';

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
 * Opens the store of the data dir and the services, runs `work`, and closes both, also on failure.
 * The CLI and a running server share the file safely (WAL, immediate write transactions).
 */
export async function withServices<T>(
  config: SesameConfig,
  work: (services: Services, store: Store) => Promise<T>,
): Promise<T> {
  // With Redis when configured: a change made here (a rotation, a revocation) is announced at once.
  const store = await openConfiguredStore(config);
  let services: Services | undefined;
  try {
    services = await createServices({ config, store, now: Date.now, rotateKeys: false });
    return await work(services, store);
  } finally {
    await services?.close();
    await store.close();
  }
}
