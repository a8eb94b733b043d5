/**
 * `sesame backup FILE` and `sesame restore FILE`: the SQLite store of a data dir copied while the
 * server runs (SQLite's online backup: one consistent moment), and put back while it does not.
 * Signing keys sealed under SESAME_MASTER_KEY stay sealed in the copy: restoring needs that key.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { SesameConfig } from '../../config/config.js';
import { copyStoreFile, inspectStoreFile, knownMigrations, replaceStoreFile } from '../../store-files.js';
import { commandConfig, requireExistingStore, storeFile, withStoreOptions } from '../context.js';
import { refused, usage } from '../failure.js';
import { servingPid } from '../serve-marker.js';

interface StoreOptions {
  dataDir?: string;
  config?: string;
}

/** The schema a list of applied migrations amounts to: its last one. */
const schemaOf = (migrations: readonly string[]) => migrations.at(-1) ?? 'empty';

function sqliteOnly(config: SesameConfig, verb: string): void {
  if (config.databaseUrl)
    throw usage(
      `${verb} works on the SQLite store of a data dir; with SESAME_DATABASE_URL use pg_dump and pg_restore (docs/deploy.md)`,
    );
}

/** The backup file, checked to be a whole Sesame store this version can open. */
function checkedBackup(file: string): string[] {
  const verdict = inspectStoreFile(file);
  if (verdict.kind !== 'sesame') {
    const why = {
      'not-sqlite': 'is not a SQLite database',
      damaged: "fails SQLite's integrity check; it cannot be restored",
      'not-sesame': 'is not a Sesame store',
    }[verdict.kind];
    throw refused('ERR_BACKUP_INVALID', `${file} ${why}`);
  }
  if (verdict.newer.length > 0)
    throw refused(
      'ERR_BACKUP_NEWER',
      `${file} was made by a newer Sesame (schema ${schemaOf(verdict.migrations)}; this one knows up to ${schemaOf(knownMigrations())}): upgrade Sesame before restoring it`,
    );
  return verdict.migrations;
}

/** Registers `sesame backup` and `sesame restore`. */
export function registerBackup(program: Command): void {
  withStoreOptions(program.command('backup <file>'))
    .description('copy the SQLite store to a new file, consistently, even while the server runs')
    .action(async (file: string, options: StoreOptions) => {
      const config = commandConfig(options);
      sqliteOnly(config, 'backup');
      requireExistingStore(config);
      const target = resolve(file);
      if (existsSync(target)) throw refused('ERR_BACKUP_EXISTS', `${target} exists; name a new file`);
      const { bytes } = await copyStoreFile(storeFile(config), target);
      // The copy is read back before it is called a backup.
      const migrations = checkedBackup(target);
      process.stdout.write(`backup written: ${target} (${bytes} bytes, schema ${schemaOf(migrations)})\n`);
    });

  withStoreOptions(program.command('restore <file>'))
    .description(
      'replace the SQLite store with a backup (the server must be stopped; the old store is kept aside)',
    )
    .action(async (file: string, options: StoreOptions) => {
      const config = commandConfig(options);
      sqliteOnly(config, 'restore');
      const source = resolve(file);
      if (!existsSync(source)) throw refused('ERR_BACKUP_MISSING', `no file at ${source}`);
      const migrations = checkedBackup(source);
      const pid = servingPid(config);
      if (pid !== undefined)
        throw refused(
          'ERR_STORE_IN_USE',
          `a Sesame server (pid ${pid}) is running on ${resolve(config.dataDir)}; stop it, then restore`,
        );
      const store = resolve(storeFile(config));
      const aside = `${store}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const hadStore = existsSync(store);
      mkdirSync(dirname(store), { recursive: true, mode: 0o700 });
      await replaceStoreFile(source, store, aside);
      const kept = hadStore ? `; the previous store is kept at ${aside}` : '';
      process.stdout.write(`restored ${source} (schema ${schemaOf(migrations)}) into ${store}${kept}\n`);
      if (migrations.length < knownMigrations().length)
        process.stdout.write(
          'it is migrated to the current schema when the server starts (or by `sesame migrate`)\n',
        );
    });
}
