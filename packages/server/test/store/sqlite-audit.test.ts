/**
 * The SQLite store's audit inserts (store/sqlite-audit.ts), written on the connection directly:
 * events sent in one turn share one transaction, so a group that fails is rolled back whole and
 * every caller in it is refused; the write queue keeps them apart from the store's other writes;
 * the rows read back as the Kysely queries wrote them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { aFamily, anAuditEvent } from './conformance/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function opened() {
  const file = join(root, `audit-${++n}.db`);
  const store = await openSqliteStore({ file });
  const side = new Database(file);
  return { store, side, file };
}

describe('SQLite audit inserts', () => {
  it('writes every event of a burst, in order, and reads them back as they were given', async () => {
    const { store, side } = await opened();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.addAuditEvent(anAuditEvent(i))));
    const rows = await store.listAuditEvents({ afterId: 0, limit: 100 });
    expect(rows).toHaveLength(50);
    expect(rows.map(({ id: _, ...row }) => row)).toEqual(
      Array.from({ length: 50 }, (_, i) => anAuditEvent(i)),
    );
    side.close();
    await store.close();
  });

  it('events of one turn share one transaction: one refused event rolls back the group, every caller is refused', async () => {
    const { store, side } = await opened();
    side.exec(`create trigger refuse_bad after insert on audit_events when new.type = 'bad' begin
      select raise(abort, 'refused');
    end`);
    const results = await Promise.allSettled([
      store.addAuditEvent(anAuditEvent(1)),
      store.addAuditEvent({ ...anAuditEvent(2), type: 'bad' }),
      store.addAuditEvent(anAuditEvent(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(side.prepare('select count(*) as n from audit_events').get()).toEqual({ n: 0 });
    // The connection is usable afterwards: the next group commits.
    await store.addAuditEvent(anAuditEvent(4));
    expect(side.prepare('select count(*) as n from audit_events').get()).toEqual({ n: 1 });
    side.close();
    await store.close();
  });

  it("waits its turn behind the store's other writes (one writer queue per file)", async () => {
    const { store, side } = await opened();
    const { family, first } = aFamily();
    // Started together: the family's write transaction and the audit group must not interleave.
    await Promise.all([store.createRefreshFamily(family, first), store.addAuditEvent(anAuditEvent(1))]);
    expect(side.prepare('select count(*) as n from audit_events').get()).toEqual({ n: 1 });
    expect(side.prepare('select count(*) as n from refresh_families').get()).toEqual({ n: 1 });
    side.close();
    await store.close();
  });
});
