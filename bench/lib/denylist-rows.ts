/**
 * Live denylist entries for `npm run bench:memory`, written straight into a running server's SQLite
 * store (`revocations`, the table the denylist and the revocation feed read), in one transaction:
 * a million revocations through the HTTP API would take most of an hour on this machine. The
 * server learns of them as it learns of a revocation made by the `sesame` CLI or a sibling worker:
 * its denylist reads the store's feed on the next check, the feed's hub on its next poll.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** What `revokeToken` writes for an access token: kind jti, a random UUID (Sesame's jti). */
export interface Inserted {
  count: number;
  /** Seconds the insert took. */
  seconds: number;
}

/**
 * Adds `count` jti entries that expire `lifeMs` from now (default 16 minutes: a 15-minute token
 * revoked at once, plus the clock tolerance — the longest a jti entry of the default config lives).
 *
 * @example addJtiRevocations(sesame.dataDir, 1_000_000)
 */
export function addJtiRevocations(dataDir: string, count: number, lifeMs = 16 * 60_000): Inserted {
  const started = performance.now();
  const db = new Database(join(dataDir, 'sesame.db'), { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(
    `insert into revocations (kind, value, issued_before, expires_at, created_at) values ('jti', ?, null, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(randomUUID(), now + lifeMs, now);
  })();
  db.close();
  return { count, seconds: (performance.now() - started) / 1000 };
}
