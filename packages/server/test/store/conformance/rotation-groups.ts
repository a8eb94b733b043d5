/**
 * What a store that rotates refresh tokens in groups must keep (the SQLite rotation in one
 * transaction with a savepoint each, store/sqlite-rotation.ts; the PostgreSQL rotation in one
 * statement, store/sql/postgres-refresh-batch.ts): one rotation failing fails alone and leaves its
 * token as it was; one token presented twice in a group is claimed once; every answer goes with
 * its own token, and a token the group could not claim is told why.
 */
import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { aFamily, hash, successorOf, T0 } from './fixtures.js';
import { present } from './refresh.js';

/** `open` gives a fresh, empty store; the tests close it. */
export function rotationGroupConformance(open: () => Promise<Store>): void {
  it('a rotation that fails in a group fails alone: nothing of it is stored, the others rotate', async () => {
    const store = await open();
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
    expect(String((failing as PromiseRejectedResult).reason)).toMatch(/UNIQUE|duplicate key/);
    expect((await store.findRefreshToken(bad.first.tokenHash))?.rotatedAt).toBeNull();
    expect((await store.findRefreshToken(hash(successorOf(bad.token))))?.familyId).toBe(squatter.family.id);
    for (const { first: token } of good) {
      expect((await store.findRefreshToken(token.tokenHash))?.rotatedAt).toBe(T0 + 1000);
    }
    await store.close();
  });

  it('one token presented twice in a group is rotated once; the other presentation gets the grace answer', async () => {
    const store = await open();
    const { family, first, token } = aFamily();
    await store.createRefreshFamily(family, first);
    const results = await Promise.all([present(store, token, T0 + 1000), present(store, token, T0 + 1000)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['grace', 'rotated']);
    const [a, b] = results as [{ next: { tokenHash: string } }, { next: { tokenHash: string } }];
    expect(a.next.tokenHash).toBe(b.next.tokenHash);
    await store.close();
  });

  it('with no grace window, the second presentation in a group is reuse and ends the family', async () => {
    const store = await open();
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

  it('a group of rotations keeps every answer with its own token, and tells the unclaimed ones why', async () => {
    const store = await open();
    const families = Array.from({ length: 50 }, () => aFamily());
    for (const { family, first } of families) await store.createRefreshFamily(family, first);
    await store.revokeRefreshFamily(families[7]!.family.id, 'test', T0 + 500);
    const results = await Promise.all([
      ...families.map(({ token }) => present(store, token, T0 + 1000)),
      present(store, 'never-issued', T0 + 1000),
    ]);
    for (const [index, result] of results.slice(0, 50).entries()) {
      if (index === 7) {
        expect(result.kind).toBe('invalid');
        continue;
      }
      expect(result).toMatchObject({ kind: 'rotated', family: { id: families[index]!.family.id } });
      if (result.kind === 'rotated') {
        expect(result.previous.tokenHash).toBe(families[index]!.first.tokenHash);
        expect(result.next.tokenHash).toBe(hash(successorOf(families[index]!.token)));
        expect(result.next.generation).toBe(families[index]!.first.generation + 1);
      }
    }
    expect(results[50]!.kind).toBe('invalid');
    await store.close();
  });
}
