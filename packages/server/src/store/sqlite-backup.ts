/**
 * The SQLite store as a file to copy: SQLite's online backup API (through better-sqlite3), which
 * copies a consistent snapshot page by page while the server goes on writing, and a check that a
 * file is a Sesame store before it replaces one. The copy is byte for byte: signing keys and secret
 * settings sealed under a master key stay sealed in it.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { migrationsFor } from './migrations/index.js';

/** What a file holds, as far as restoring it is concerned. */
export type StoreFileVerdict =
  | { kind: 'sesame'; migrations: string[]; newer: string[] }
  | { kind: 'not-sqlite' | 'not-sesame' | 'damaged' };

/** The migrations this version of Sesame knows, in order. */
export function knownMigrations(): string[] {
  return Object.keys(migrationsFor('sqlite')).sort();
}

/**
 * Reads a file without changing it: a SQLite database whose integrity check passes and which has
 * Sesame's migration table. `newer` lists the migrations this version does not know (a backup made
 * by a newer Sesame), which the caller must refuse.
 *
 * @example const verdict = inspectStoreFile('/backups/sesame-2026-12-01.db');
 */
export function inspectStoreFile(file: string): StoreFileVerdict {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return { kind: 'not-sqlite' };
  }
  try {
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') return { kind: 'damaged' };
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (table === undefined) return { kind: 'not-sesame' };
    const rows = db.prepare('select name from kysely_migration order by name').all() as { name: string }[];
    const migrations = rows.map((row) => row.name);
    const known = new Set(knownMigrations());
    return { kind: 'sesame', migrations, newer: migrations.filter((name) => !known.has(name)) };
  } catch {
    // "file is not a database" surfaces on the first read, not on open.
    return { kind: 'not-sqlite' };
  } finally {
    db.close();
  }
}

/**
 * Copies the store at `source` to `target` (a new file) with the online backup API: a snapshot of
 * one moment, taken while writers go on (each step copies some pages and starts again if a writer
 * changed a page already copied). Answers the size of the copy.
 *
 * @example const { bytes } = await copyStoreFile('.sesame/sesame.db', '/backups/today.db');
 */
export async function copyStoreFile(source: string, target: string): Promise<{ bytes: number }> {
  // Made here first, readable by its owner only (a store holds password hashes), and never over an
  // existing file (EEXIST): a backup must not replace whatever the name pointed at.
  closeSync(openSync(target, 'wx', 0o600));
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    await db.backup(target);
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  } finally {
    db.close();
  }
  return { bytes: statSync(target).size };
}

/**
 * Puts the store in `backup` in place of the one at `store`, whose file moves to `aside` (with its
 * write-ahead log, so what it holds stays whole and openable there): nothing is lost. The backup is
 * copied next to the store first, so a copy that fails leaves the store as it was. No server may
 * have the store open.
 *
 * @example replaceStoreFile('/backups/today.db', '.sesame/sesame.db', '.sesame/sesame.db.before-restore');
 */
export async function replaceStoreFile(backup: string, store: string, aside: string): Promise<void> {
  const incoming = `${store}.restoring`;
  rmSync(incoming, { force: true }); // the leftover of a restore that was interrupted
  await copyStoreFile(backup, incoming);
  if (existsSync(store)) {
    renameSync(store, aside);
    // The log belongs to its file: left beside the new one, SQLite would replay it into it. The
    // shared-memory index is rebuilt from the log, so it is dropped.
    if (existsSync(`${store}-wal`)) renameSync(`${store}-wal`, `${aside}-wal`);
  }
  rmSync(`${store}-shm`, { force: true });
  renameSync(incoming, store);
}
