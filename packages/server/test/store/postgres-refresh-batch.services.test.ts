/**
 * The PostgreSQL refresh path in groups (store/sql/postgres-refresh-batch.ts): requests arriving
 * together share one read of their tokens, one of their users and one rotation statement. What
 * that must not change: every caller gets its own row (or none); one rotation failing fails alone
 * and leaves its token as it was; one token presented twice in a group is claimed once.
 */
import { expect, it } from 'vitest';
import { describeWithServices, openTestPostgresStore } from '../helpers/services.js';
import { aFamily, aUser, hash } from './conformance/fixtures.js';
import { rotationGroupConformance } from './conformance/rotation-groups.js';

await describeWithServices(['PostgreSQL'], 'PostgreSQL refresh path in groups', () => {
  it('reads a group of tokens and users at once, each caller getting its own row or none', async () => {
    const { store } = await openTestPostgresStore();
    const families = [aFamily(), aFamily(), aFamily()];
    for (const { family, first } of families) await store.createRefreshFamily(family, first);
    const users = [aUser(), aUser()];
    for (const user of users) await store.createUser(user);
    const hashes = [
      ...families.map(({ first }) => first.tokenHash),
      hash('unknown'),
      families[0]!.first.tokenHash,
    ];
    const found = await Promise.all(hashes.map((tokenHash) => store.findRefreshTokenAndFamily(tokenHash)));
    expect(found.map((entry) => entry?.family.id)).toEqual([
      ...families.map(({ family }) => family.id),
      undefined,
      families[0]!.family.id,
    ]);
    expect(found.map((entry) => entry?.token.tokenHash)).toEqual(
      hashes.map((h, i) => (i === 3 ? undefined : h)),
    );
    const ids = [users[1]!.id, 'no-such-user', users[0]!.id];
    const people = await Promise.all(ids.map((id) => store.findUserById(id)));
    expect(people.map((user) => user?.username)).toEqual([users[1]!.username, undefined, users[0]!.username]);
    await store.close();
  });

  rotationGroupConformance(async () => (await openTestPostgresStore()).store);
});
