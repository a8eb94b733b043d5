import { describe, expect, it } from 'vitest';
import type { SessionClient } from '../../../src/store/types.js';
import { aUser, type ConformanceContext, MINUTE, T0 } from './fixtures.js';

const HOUR_MS = 60 * MINUTE;

export function browserSessionConformance(ctx: ConformanceContext): void {
  describe('browser sessions', () => {
    const session = (userId: string, id: string, createdAt = T0, sid: string | null = `sid-of-${id}`) => ({
      id,
      sid,
      userId,
      createdAt,
      expiresAt: createdAt + 12 * HOUR_MS,
    });

    it('finds a live session by id and by its public sid, and by neither once it expired', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 's1'));
      expect(await ctx.store.findBrowserSession('s1', T0 + 1)).toEqual(session(user.id, 's1'));
      expect(await ctx.store.findBrowserSessionBySid('sid-of-s1', T0 + 1)).toEqual(session(user.id, 's1'));
      expect(await ctx.store.findBrowserSession('s1', T0 + 12 * HOUR_MS)).toBeUndefined();
      expect(await ctx.store.findBrowserSessionBySid('sid-of-s1', T0 + 12 * HOUR_MS)).toBeUndefined();
      expect(await ctx.store.findBrowserSession('unknown', T0)).toBeUndefined();
      expect(await ctx.store.findBrowserSessionBySid('unknown', T0)).toBeUndefined();
      // The sid is no id: a lookup by one never finds the other.
      expect(await ctx.store.findBrowserSession('sid-of-s1', T0)).toBeUndefined();
      expect(await ctx.store.findBrowserSessionBySid('s1', T0)).toBeUndefined();
    });

    it('keeps a session without a sid (made before sids) as such', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 'old', T0, null));
      await ctx.store.createBrowserSession(session(user.id, 'older', T0, null));
      expect(await ctx.store.findBrowserSession('old', T0)).toMatchObject({ sid: null });
      expect(await ctx.store.findBrowserSession('older', T0)).toMatchObject({ sid: null });
    });

    it('ends one session (logout), answering it, seen at once by another instance', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 's1'));
      await ctx.store.createBrowserSession(session(user.id, 's2'));
      const other = await ctx.second();
      expect(await other.findBrowserSession('s1', T0)).toBeDefined();
      expect(await ctx.store.endBrowserSession('s1')).toEqual(session(user.id, 's1'));
      expect(await ctx.store.endBrowserSession('s1')).toBeUndefined();
      expect(await other.findBrowserSession('s1', T0)).toBeUndefined();
      expect(await other.findBrowserSessionBySid('sid-of-s1', T0)).toBeUndefined();
      expect(await other.findBrowserSession('s2', T0)).toBeDefined();
    });

    it('ends every session of one user, and only theirs; answers those that were live', async () => {
      const [alice, bob] = [aUser(), aUser()];
      await ctx.store.createUser(alice);
      await ctx.store.createUser(bob);
      await ctx.store.createBrowserSession(session(alice.id, 'a1'));
      await ctx.store.createBrowserSession(session(alice.id, 'a2', T0 + HOUR_MS));
      await ctx.store.createBrowserSession(session(bob.id, 'b1'));
      expect(await ctx.store.endUserBrowserSessions(alice.id, T0 + 12 * HOUR_MS)).toEqual([
        session(alice.id, 'a2', T0 + HOUR_MS),
      ]);
      expect(await ctx.store.findBrowserSession('a2', T0 + 2 * HOUR_MS)).toBeUndefined();
      expect(await ctx.store.findBrowserSession('b1', T0)).toBeDefined();
      expect(await ctx.store.endUserBrowserSessions(alice.id, T0)).toEqual([]);
    });

    it("drops a user's expired sessions at their next login", async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      await ctx.store.createBrowserSession(session(user.id, 'old'));
      await ctx.store.createBrowserSession(session(user.id, 'new', T0 + 13 * HOUR_MS));
      // Had 'old' stayed, ending the user's sessions at T0 would answer two live ones.
      expect((await ctx.store.endUserBrowserSessions(user.id, T0)).map((s) => s.id)).toEqual(['new']);
    });
  });

  describe('the clients of a browser session', () => {
    const entry = (sid: string, clientId: string, createdAt = T0): SessionClient => ({
      sid,
      clientId,
      userId: 'u-1',
      createdAt,
      expiresAt: createdAt + 12 * HOUR_MS,
    });

    it('records each client of a session once, and takes them once: the second take finds none', async () => {
      await ctx.store.addSessionClient(entry('sid-a', 'web'));
      await ctx.store.addSessionClient(entry('sid-a', 'web', T0 + 5)); // again: nothing changes
      await ctx.store.addSessionClient(entry('sid-a', 'app', T0 + 1));
      await ctx.store.addSessionClient(entry('sid-b', 'web', T0 + 2));
      const other = await ctx.second();
      expect(await other.takeSessionClients('sid-a')).toEqual([
        entry('sid-a', 'web'),
        entry('sid-a', 'app', T0 + 1),
      ]);
      expect(await ctx.store.takeSessionClients('sid-a')).toEqual([]);
      expect(await ctx.store.takeSessionClients('sid-b')).toEqual([entry('sid-b', 'web', T0 + 2)]);
      expect(await ctx.store.takeSessionClients('unknown')).toEqual([]);
    });

    it('gives each client of a session to one of two concurrent takes only', async () => {
      for (const client of ['c1', 'c2', 'c3', 'c4']) await ctx.store.addSessionClient(entry('sid-r', client));
      const other = await ctx.second();
      const [a, b] = await Promise.all([
        ctx.store.takeSessionClients('sid-r'),
        other.takeSessionClients('sid-r'),
      ]);
      expect([...a, ...b].map((row) => row.clientId).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    });

    it('drops the rows of sessions that have expired when a client is recorded', async () => {
      await ctx.store.addSessionClient(entry('sid-old', 'web'));
      await ctx.store.addSessionClient(entry('sid-new', 'web', T0 + 12 * HOUR_MS));
      expect(await ctx.store.takeSessionClients('sid-old')).toEqual([]);
      expect(await ctx.store.takeSessionClients('sid-new')).toHaveLength(1);
    });
  });
}
