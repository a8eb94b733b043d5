/**
 * The commands of distributed mode: `sesame keys rewrap` (re-encrypt every signing key and secret
 * setting under the current master key, the middle step of a master-key rotation, docs/deploy.md;
 * PostgreSQL, or SQLite with a master key) and `sesame migrate` (apply pending migrations now, e.g. before rolling out new instances started with
 * migrations disabled). Both work on the configured store: PostgreSQL or the SQLite file.
 */
import type { Command } from 'commander';
import { openConfiguredDatabase, openConfiguredStore } from '../../open-store.js';
import { commandGroup } from '../command-group.js';
import { commandConfig, withStoreOptions } from '../context.js';
import { usage } from '../failure.js';

/** Registers `sesame keys rewrap` and `sesame migrate`. */
export function registerDistributed(program: Command): void {
  const keys = commandGroup(program, 'keys', 'signing keys');
  withStoreOptions(keys.command('rewrap'))
    .description(
      're-encrypt the signing keys and secrets under SESAME_MASTER_KEY (after a master-key change)',
    )
    .action(async (options: { dataDir?: string; config?: string }) => {
      const config = commandConfig(options);
      if (!config.masterKey) throw usage('keys rewrap: set SESAME_MASTER_KEY (the key to encrypt under)');
      // Opened without migrating or rewrapping, so the rewrap below is the one that runs (and is counted).
      const store = await openConfiguredDatabase(config, false);
      try {
        const changed = await store.rewrapSigningKeys();
        process.stdout.write(
          `re-encrypted ${changed} signing key(s) and secret(s) under the current master key\n`,
        );
      } finally {
        await store.close();
      }
    });

  withStoreOptions(program.command('migrate'))
    .description('apply pending database migrations now')
    .action(async (options: { dataDir?: string; config?: string }) => {
      const store = await openConfiguredStore(commandConfig(options), { withoutRedis: true, migrate: true });
      await store.close();
      process.stdout.write(`the ${store.kind} store is at the latest schema\n`);
    });
}
