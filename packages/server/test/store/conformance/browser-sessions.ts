import { describe, expect, it } from 'vitest';
import { aUser, type ConformanceContext, MINUTE, T0 } from './fixtures.js';

const HOUR_MS = 60 * MINUTE;

export function browserSessionConformance(ctx: ConformanceContext): void {
  describe('browser sessions', () => {
    const session = (userId: string, id: string, createdAt = T0) => ({
      id,
      userId,
      createdAt,
      expiresAt: createdAt + 12 * HOUR_MS,
    });

    it('finds a live session by id, and not once it expired', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 's1'));
      expect(await ctx.store.findBrowserSession('s1', T0 + 1)).toEqual(session(user.id, 's1'));
      expect(await ctx.store.findBrowserSession('s1', T0 + 12 * HOUR_MS)).toBeUndefined();
      expect(await ctx.store.findBrowserSession('unknown', T0)).toBeUndefined();
    });

    it('ends one session (logout), seen at once by another instance', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 's1'));
      await ctx.store.createBrowserSession(session(user.id, 's2'));
      const other = await ctx.second();
      expect(await other.findBrowserSession('s1', T0)).toBeDefined();
      expect(await ctx.store.endBrowserSession('s1')).toBe(true);
      expect(await ctx.store.endBrowserSession('s1')).toBe(false);
      expect(await other.findBrowserSession('s1', T0)).toBeUndefined();
      expect(await other.findBrowserSession('s2', T0)).toBeDefined();
    });

    it('ends every session of one user, and only theirs; answers how many were live', async () => {
      const [alice, bob] = [aUser(), aUser()];
      await ctx.store.createUser(alice);
      await ctx.store.createUser(bob);
      await ctx.store.createBrowserSession(session(alice.id, 'a1'));
      await ctx.store.createBrowserSession(session(alice.id, 'a2', T0 + HOUR_MS));
      await ctx.store.createBrowserSession(session(bob.id, 'b1'));
      expect(await ctx.store.endUserBrowserSessions(alice.id, T0 + 12 * HOUR_MS)).toBe(1);
      expect(await ctx.store.findBrowserSession('a2', T0 + 2 * HOUR_MS)).toBeUndefined();
      expect(await ctx.store.findBrowserSession('b1', T0)).toBeDefined();
      expect(await ctx.store.endUserBrowserSessions(alice.id, T0)).toBe(0);
    });

    it("drops a user's expired sessions at their next login", async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 'old'));
      await ctx.store.createBrowserSession(session(user.id, 'new', T0 + 13 * HOUR_MS));
      // Had 'old' stayed, ending the user's sessions at T0 would count two live ones.
      expect(await ctx.store.endUserBrowserSessions(user.id, T0)).toBe(1);
    });
  });
}
