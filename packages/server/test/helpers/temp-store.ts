/** A SQLite store in a fresh temporary directory, removed when closed. For tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

/**
 * @example const store = await openTempStore(); ... await store.close();
 */
export async function openTempStore(): Promise<Store & { file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-test-'));
  const file = join(dir, 'sesame.db');
  const store = await openSqliteStore({ file });
  return Object.freeze({
    ...store,
    file,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A controllable clock: `now()` for injection, `advance(ms)` to move it. */
export function testClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
