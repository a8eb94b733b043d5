/**
 * The SQLite rotation runs the rotations presented together in one transaction, each in a
 * savepoint (store/sqlite-rotation.ts). What any grouped rotation must keep is
 * conformance/rotation-groups.ts (run here and on PostgreSQL); what is SQLite's own is below: an
 * error that ends the whole transaction fails the whole group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { aFamily, hash, successorOf, T0 } from './conformance/fixtures.js';
import { present } from './conformance/refresh.js';
import { rotationGroupConformance } from './conformance/rotation-groups.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-rotation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const noSync = async () => {};

describe('SQLite refresh rotation in groups', () => {
  it('an error that ends the whole transaction fails the whole group: nothing after it commits on its own', async () => {
    const file = join(root, 'rollback.db');
    const store = await openSqliteStore({ file, syncFile: noSync });
    const tokens = [aFamily(), aFamily(), aFamily()];
    for (const { family, first } of tokens) await store.createRefreshFamily(family, first);
    // The middle rotation's insert rolls back the whole transaction, as a full disk or an I/O
    // error does: SQLite leaves no transaction open for the rotations after it.
    const other = new Database(file);
    other.exec(`create trigger fail_one before insert on refresh_tokens
      when new.token_hash = '${hash(successorOf(tokens[1]!.token))}' begin select raise(rollback, 'gone'); end`);
    other.close();
    const results = await Promise.allSettled(tokens.map(({ token }) => present(store, token, T0 + 1000)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const { first } of tokens)
      expect((await store.findRefreshToken(first.tokenHash))?.rotatedAt).toBeNull();
    await store.close();
  });

  let n = 0;
  rotationGroupConformance(() => openSqliteStore({ file: join(root, `group-${++n}.db`), syncFile: noSync }));
});
