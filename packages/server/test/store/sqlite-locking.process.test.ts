/**
 * Why the SQLite store begins write transactions IMMEDIATE, measured, and the proof that processes
 * sharing one file (the CLI beside the server, `--workers N`) rotate a refresh token exactly once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { aFamily } from './conformance/fixtures.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'sesame-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function twoConnections(name: string) {
  const file = join(root, name);
  const a = new Database(file, { timeout: 2000 });
  a.pragma('journal_mode = WAL');
  a.exec('create table t (x integer)');
  const b = new Database(file, { timeout: 2000 });
  return { a, b };
}

describe('SQLite write locking', () => {
  it('a deferred BEGIN that read before another connection committed fails at once, busy_timeout or not', () => {
    const { a, b } = twoConnections('deferred.db');
    a.exec('begin');
    a.prepare('select count(*) from t').get();
    b.exec('begin');
    b.prepare('select count(*) from t').get();
    a.prepare('insert into t values (1)').run();
    a.exec('commit');
    const started = Date.now();
    let code: string | undefined;
    try {
      b.prepare('insert into t values (2)').run();
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).toBe('SQLITE_BUSY_SNAPSHOT');
    expect(Date.now() - started).toBeLessThan(1000); // the 2 s busy handler never ran
    b.exec('rollback');
    a.close();
    b.close();
  });

  it('BEGIN IMMEDIATE takes the lock first, so the same interleaving just waits its turn', () => {
    const { a, b } = twoConnections('immediate.db');
    a.exec('begin immediate');
    a.prepare('select count(*) from t').get();
    a.prepare('insert into t values (1)').run();
    a.exec('commit');
    b.exec('begin immediate');
    expect(b.prepare('select count(*) n from t').get()).toEqual({ n: 1 });
    b.prepare('insert into t values (2)').run();
    b.exec('commit');
    a.close();
    b.close();
  });

  it('four processes presenting one refresh token 10 times each rotate it exactly once, without errors', async () => {
    const file = join(root, 'processes', 'sesame.db');
    const store = await openSqliteStore({ file });
    const now = Date.now();
    const { family, first, token } = aFamily({ createdAt: now, expiresAt: now + 3_600_000 });
    await store.createRefreshFamily(family, { ...first, createdAt: now, expiresAt: now + 3_600_000 });
    await store.close();
    const worker = fileURLToPath(new URL('./fixtures/rotate-worker.ts', import.meta.url));
    const startAt = String(Date.now() + 1500);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ['--import', 'tsx', worker, file, token, '10', startAt], { timeout: 100_000 }),
      ),
    );
    const total: Record<string, number> = {};
    for (const { stdout } of outputs) {
      for (const [kind, count] of Object.entries(JSON.parse(stdout) as Record<string, number>)) {
        total[kind] = (total[kind] ?? 0) + count;
      }
    }
    expect(total).toEqual({ rotated: 1, grace: 39, keys: 4 });
    // Four tsx processes starting at once take well over the default 20 s on a loaded 2-core machine.
  }, 120_000);
});
