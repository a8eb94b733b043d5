/**
 * An in-process queue of writers per database file. better-sqlite3 waits for SQLite's write lock
 * synchronously (busy_timeout), so two connections of one process must never wait on each other
 * inside SQLite: the waiting one would block the event loop the holder needs to commit. Writers of
 * one file therefore queue here first; other processes are kept in order by SQLite's own lock.
 */

interface FileMutex {
  /** Runs `fn` when every earlier writer of this file in this process has finished. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Forgets this holder; the mutex is dropped when the last store of the file closes. */
  release(): void;
}

const mutexes = new Map<string, { tail: Promise<unknown>; holders: number }>();

/**
 * The mutex of one database file (by real path), shared by every store of this process on it.
 *
 * @example const lock = fileMutex('/data/sesame.db'); await lock.run(() => db.transaction().execute(fn));
 */
export function fileMutex(file: string): FileMutex {
  let entry = mutexes.get(file);
  if (!entry) {
    entry = { tail: Promise.resolve(), holders: 0 };
    mutexes.set(file, entry);
  }
  entry.holders++;
  const shared = entry;
  let released = false;
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = shared.tail.then(fn);
      // The queue goes on whether this writer succeeded or failed.
      shared.tail = result.catch(() => undefined);
      return result;
    },
    release() {
      if (released) return;
      released = true;
      if (--shared.holders === 0 && mutexes.get(file) === shared) mutexes.delete(file);
    },
  };
}
