/**
 * Refresh rotations on SQLite are durable when answered, sharing one WAL fsync: each rotation
 * commits without a sync, then waits for an fsync of the WAL that began after its commit. The sync
 * is a fake here that records what it flushed and can be held, so "not answered before the fsync"
 * is seen directly: a held fsync keeps every rotation behind it pending.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { type SyncFile, syncFile, walSync } from '../../src/store/sqlite-wal-sync.js';
import { aFamily, T0 } from './conformance/fixtures.js';
import { present } from './conformance/refresh.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-walsync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A sync that records `kind:file` and, while held, waits until released. */
function fakeSync() {
  const calls: string[] = [];
  let held: (() => void)[] | undefined;
  let called: (() => void) | undefined;
  const sync: SyncFile = async (path, kind) => {
    calls.push(`${kind}:${basename(path)}`);
    called?.();
    if (held) await new Promise<void>((resolve) => held!.push(resolve));
  };
  return {
    sync,
    calls,
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const resolve of waiting) resolve();
    },
    /** Resolves at the next call of the sync. */
    nextCall: () => new Promise<void>((resolve) => (called = resolve)),
  };
}

/** Whether `promise` settled after the turns already queued have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('walSync', () => {
  it('syncs the directory once, then the WAL for each group', async () => {
    const fake = fakeSync();
    const synced = walSync('/data/a.db', fake.sync);
    await synced();
    await synced();
    expect(fake.calls).toEqual(['directory:data', 'file:a.db-wal', 'file:a.db-wal']);
  });

  it('a caller that arrives during an fsync waits for the next one; callers waiting together share it', async () => {
    const fake = fakeSync();
    const synced = walSync('/data/b.db', fake.sync);
    await synced(); // the directory
    fake.hold();
    const first = fake.nextCall();
    const a = synced();
    await first;
    const second = Array.from({ length: 5 }, () => synced());
    expect(await settled(a)).toBe(false);
    fake.release();
    await a;
    // The five came after `a`'s fsync had begun: it did not cover them.
    expect(fake.calls.filter((c) => c === 'file:b.db-wal')).toHaveLength(2);
    fake.hold();
    const third = fake.nextCall();
    await third;
    expect(await settled(Promise.all(second))).toBe(false);
    fake.release();
    await Promise.all(second);
    expect(fake.calls.filter((c) => c === 'file:b.db-wal')).toHaveLength(3);
  });

  it('a failed fsync fails its group only; the directory is synced again after its own failure', async () => {
    let fail = true;
    const calls: string[] = [];
    const synced = walSync('/data/c.db', async (path, kind) => {
      calls.push(`${kind}:${basename(path)}`);
      if (fail) throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    await expect(synced()).rejects.toThrow('EIO');
    fail = false;
    await synced();
    expect(calls).toEqual(['directory:data', 'directory:data', 'file:c.db-wal']);
  });

  it('with no WAL file, syncs the database file', async () => {
    const calls: string[] = [];
    const synced = walSync('/data/d.db', async (path, kind) => {
      calls.push(`${kind}:${basename(path)}`);
      if (path.endsWith('-wal')) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    });
    await synced();
    expect(calls).toEqual(['directory:data', 'file:d.db-wal', 'file:d.db']);
  });

  it('the real sync flushes an existing file and directory, and fails on a missing one', async () => {
    const file = join(root, 'real.db');
    const store = await openSqliteStore({ file });
    await syncFile(`${file}-wal`, 'file');
    await syncFile(root, 'directory');
    await expect(syncFile(join(root, 'missing'), 'file')).rejects.toMatchObject({ code: 'ENOENT' });
    await store.close();
  });
});

describe('SQLite refresh rotation: durable when answered', () => {
  it('a rotation is answered only after an fsync of the WAL that began after its commit', async () => {
    const fake = fakeSync();
    const store = await openSqliteStore({ file: join(root, 'rotate.db'), syncFile: fake.sync });
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    expect(fake.calls).toEqual([]); // a new family is not a durable write
    fake.hold();
    const called = fake.nextCall();
    const rotation = present(store, token, T0 + 1000);
    await called;
    expect(await settled(rotation)).toBe(false);
    // Committed already (visible to readers), but not answered.
    expect((await store.findRefreshToken(first.tokenHash))?.rotatedAt).toBe(T0 + 1000);
    fake.release();
    expect((await rotation).kind).toBe('rotated');
    expect(fake.calls).toEqual([`directory:${basename(root)}`, 'file:rotate.db-wal']);
    await store.close();
  });

  it('concurrent rotations share the fsyncs: twenty rotations, at most two WAL syncs', async () => {
    const fake = fakeSync();
    const store = await openSqliteStore({ file: join(root, 'group.db'), syncFile: fake.sync });
    const families = Array.from({ length: 20 }, () => aFamily());
    for (const { family, first } of families) await store.createRefreshFamily(family, first);
    fake.hold(); // the first fsync is held: every other rotation commits meanwhile
    const rotations = families.map(({ token }) => present(store, token, T0 + 1000));
    await fake.nextCall();
    fake.release();
    const results = await Promise.all(rotations);
    expect(results.every((r) => r.kind === 'rotated')).toBe(true);
    const walSyncs = fake.calls.filter((c) => c.endsWith('-wal'));
    expect(walSyncs.length).toBeGreaterThan(0);
    expect(walSyncs.length).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('a rotation whose fsync fails is not answered as a success', async () => {
    const store = await openSqliteStore({
      file: join(root, 'failing.db'),
      syncFile: async () => {
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
    });
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    await expect(present(store, token, T0 + 1000)).rejects.toThrow('EIO');
    await store.close();
  });

  it('with synchronous = full, SQLite syncs each commit itself: no extra fsync', async () => {
    const fake = fakeSync();
    const store = await openSqliteStore({
      file: join(root, 'full.db'),
      synchronous: 'full',
      syncFile: fake.sync,
    });
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    expect((await present(store, token, T0 + 1000)).kind).toBe('rotated');
    expect(fake.calls).toEqual([]);
    await store.close();
  });
});
