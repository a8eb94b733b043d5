/**
 * The SQLite rotation runs the rotations presented together in one transaction, each in a
 * savepoint (store/sqlite-rotation.ts). What that must not change: one rotation failing fails
 * alone and leaves its token as it was; one token presented twice in a group is claimed once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { aFamily, hash, successorOf, T0 } from './conformance/fixtures.js';
import { present } from './conformance/refresh.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-rotation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const noSync = async () => {};

describe('SQLite refresh rotation in groups', () => {
  it('a rotation that fails in a group fails alone: its claim is rolled back, the others rotate', async () => {
    const store = await openSqliteStore({ file: join(root, 'alone.db'), syncFile: noSync });
    const good = [aFamily(), aFamily()];
    const bad = aFamily();
    for (const { family, first } of [...good, bad]) await store.createRefreshFamily(family, first);
    // The bad token's successor already exists: its insert violates the primary key.
    const squatter = aFamily();
    await store.createRefreshFamily(squatter.family, {
      ...squatter.first,
      tokenHash: hash(successorOf(bad.token)),
    });

    const [first, failing, second] = await Promise.allSettled([
      present(store, good[0]!.token, T0 + 1000),
      present(store, bad.token, T0 + 1000),
      present(store, good[1]!.token, T0 + 1000),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated' } });
    expect(second).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated' } });
    expect(failing.status).toBe('rejected');
    expect(String((failing as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    // The failed rotation changed nothing: its token is still live, and nothing was inserted for it.
    expect((await store.findRefreshToken(bad.first.tokenHash))?.rotatedAt).toBeNull();
    expect((await store.findRefreshToken(hash(successorOf(bad.token))))?.familyId).toBe(squatter.family.id);
    for (const { first: token } of good) {
      expect((await store.findRefreshToken(token.tokenHash))?.rotatedAt).toBe(T0 + 1000);
    }
    await store.close();
  });

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

  it('one token presented twice in a group is rotated once; the other presentation gets the grace answer', async () => {
    const store = await openSqliteStore({ file: join(root, 'twice.db'), syncFile: noSync });
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    const results = await Promise.all([present(store, token, T0 + 1000), present(store, token, T0 + 1000)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['grace', 'rotated']);
    const [a, b] = results as [{ next: { tokenHash: string } }, { next: { tokenHash: string } }];
    expect(a.next.tokenHash).toBe(b.next.tokenHash);
    await store.close();
  });

  it('with no grace window, the second presentation in a group is reuse and ends the family', async () => {
    const store = await openSqliteStore({ file: join(root, 'reuse.db'), syncFile: noSync });
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    const results = await Promise.all([
      present(store, token, T0 + 1000, 0),
      present(store, token, T0 + 1000, 0),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['reused', 'rotated']);
    expect((await store.findRefreshFamily(family.id))?.revokedAt).toBe(T0 + 1000);
    await store.close();
  });

  it('a group larger than one turn of rotations keeps every answer with its own token', async () => {
    const store = await openSqliteStore({ file: join(root, 'many.db'), syncFile: noSync });
    const families = Array.from({ length: 50 }, () => aFamily());
    for (const { family, first } of families) await store.createRefreshFamily(family, first);
    const results = await Promise.all(families.map(({ token }) => present(store, token, T0 + 1000)));
    for (const [index, result] of results.entries()) {
      expect(result).toMatchObject({ kind: 'rotated', family: { id: families[index]!.family.id } });
      if (result.kind === 'rotated')
        expect(result.next.tokenHash).toBe(hash(successorOf(families[index]!.token)));
    }
    await store.close();
  });
});
