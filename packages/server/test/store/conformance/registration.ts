import { describe, expect, it } from 'vitest';
import { aClient, type ConformanceContext, hash, MINUTE, T0 } from './fixtures.js';

/** RFC 7591 / 7592: registration access token hashes and initial access tokens. */
export function registrationConformance(ctx: ConformanceContext): void {
  describe('dynamic registration (RFC 7591, RFC 7592)', () => {
    it("keeps a registered client's token hash, none for others, and drops it with the client", async () => {
      await ctx.store.createClient(aClient({ clientId: 'dyn-1' }), hash('rat'));
      await ctx.store.createClient(aClient({ clientId: 'admin-made' }));
      expect(await ctx.store.findRegistrationTokenHash('dyn-1')).toBe(hash('rat'));
      expect(await ctx.store.findRegistrationTokenHash('admin-made')).toBeNull();
      expect(await ctx.store.findRegistrationTokenHash('unknown')).toBeUndefined();
      await ctx.store.deleteClient('dyn-1');
      expect(await ctx.store.findRegistrationTokenHash('dyn-1')).toBeUndefined();
    });

    const token = (id: string, usesLeft: number | null, expiresAt = T0 + MINUTE) =>
      ctx.store.createInitialAccessToken({
        id,
        tokenHash: hash(id),
        label: `label ${id}`,
        createdAt: T0,
        expiresAt,
        usesLeft,
      });

    it('spends a use of an initial access token once, even for concurrent callers on two instances', async () => {
      const other = await ctx.second();
      await token('once', 1);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ctx.store).spendInitialAccessToken(hash('once'), T0),
        ),
      );
      expect(results.filter((r) => r !== undefined)).toEqual(['once']);
      const listed = (await ctx.store.listInitialAccessTokens()).find((t) => t.id === 'once');
      expect(listed?.usesLeft).toBe(0);
    });

    it('a token without a limit is spent any number of times until it expires (exclusive)', async () => {
      await token('many', null, T0 + 10);
      expect(await ctx.store.spendInitialAccessToken(hash('many'), T0)).toBe('many');
      expect(await ctx.store.spendInitialAccessToken(hash('many'), T0 + 9)).toBe('many');
      expect(await ctx.store.spendInitialAccessToken(hash('many'), T0 + 10)).toBeUndefined();
      expect(await ctx.store.spendInitialAccessToken(hash('unknown'), T0)).toBeUndefined();
    });

    it('lists without spending and deletes by id', async () => {
      await token('gone', 3);
      const listed = (await ctx.store.listInitialAccessTokens()).find((t) => t.id === 'gone');
      expect(listed).toEqual({
        id: 'gone',
        tokenHash: hash('gone'),
        label: 'label gone',
        createdAt: T0,
        expiresAt: T0 + MINUTE,
        usesLeft: 3,
      });
      expect(await ctx.store.deleteInitialAccessToken('gone')).toBe(true);
      expect(await ctx.store.deleteInitialAccessToken('gone')).toBe(false);
      expect(await ctx.store.spendInitialAccessToken(hash('gone'), T0)).toBeUndefined();
    });
  });
}
