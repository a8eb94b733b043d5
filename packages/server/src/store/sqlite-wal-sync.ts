/**
 * Group commit of SQLite's fsync, for the durable writes that many requests make at once (refresh
 * rotations). With `synchronous = FULL`, SQLite writes a commit's frames to the WAL, fsyncs the WAL
 * and only then makes the commit visible; better-sqlite3 does all of it on the event loop, so every
 * rotation stopped the whole server for one fsync (most of a rotation's time, measured by
 * bench:server's profile). Here the commit is made with the everyday setting (frames written, no
 * sync), then the caller waits for an fsync of the WAL that began after its commit: on the libuv
 * thread pool, one for every commit waiting at that moment (sql/group-commit.ts), with the event
 * loop free meanwhile. Once it returns, the commit is on disk just as FULL would have left it: FULL
 * in WAL mode is "sync the WAL after each commit" (sqlite.org/pragma.html#pragma_synchronous), and
 * an fsync flushes the file whichever descriptor wrote it.
 *  - The WAL lives as long as a connection to the database is open (SQLite deletes it when the last
 *    one closes, after checkpointing it into the database file, synced); if it is gone, the
 *    database file is synced instead.
 *  - A checkpoint between the commit and the fsync copies the commit into the database file, and
 *    syncs the WAL before and the database after: the commit is durable either way.
 *  - SQLite also syncs the directory once after creating a WAL, so the file's name survives a
 *    power loss; so does the first sync here.
 * The commit is visible to readers before it is on disk; only writes whose early sight can lead to
 * no acknowledgement of their own use this (store/sql/context.ts `DURABLE_WHEN_ANSWERED`).
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { groupCommit } from './sql/group-commit.js';

/** Flushes one file (`datasync`: its data and size) or directory (`sync`) to disk. */
export type SyncFile = (path: string, kind: 'file' | 'directory') => Promise<void>;

/** The real one: fdatasync(2) as SQLite uses on Linux for files, fsync(2) for the directory. */
export const syncFile: SyncFile = async (path, kind) => {
  const handle = await open(path, 'r');
  try {
    await (kind === 'directory' ? handle.sync() : handle.datasync());
  } finally {
    await handle.close();
  }
};

/**
 * Returns `synced()`, which resolves once every commit made before the call is on disk.
 *
 * @example
 * const synced = walSync('/data/sesame.db');
 * const result = await db.transaction().execute(fn); // synchronous = NORMAL: no fsync in the commit
 * await synced(); // now durable; many callers share one fsync
 */
export function walSync(databaseFile: string, sync: SyncFile = syncFile): () => Promise<void> {
  let directory: Promise<void> | undefined;
  const flush = async () => {
    directory ??= sync(dirname(databaseFile), 'directory').catch((error: unknown) => {
      directory = undefined; // tried again by the next group
      throw error;
    });
    await directory;
    try {
      await sync(`${databaseFile}-wal`, 'file');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await sync(databaseFile, 'file');
    }
  };
  // One group holds every caller waiting when an fsync starts: there is no reason to split it.
  const add = groupCommit<null>(flush, Number.POSITIVE_INFINITY);
  return () => add(null);
}
