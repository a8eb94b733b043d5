import { describe, expect, it } from 'vitest';
import { type ConformanceContext, MINUTE, T0 } from './fixtures.js';

/** RFC 9126: a pushed request is taken once, by its client, before it expires. */
export function pushedRequestConformance(ctx: ConformanceContext): void {
  describe('pushed authorization requests (RFC 9126)', () => {
    const parameters = { client_id: 'app', response_type: 'code', scope: 'openid quiz', state: 'ü' };
    const saved = (id: string, expiresAt = T0 + MINUTE) =>
      ctx.store.savePushedRequest({ id, clientId: 'app', parameters, expiresAt }, T0);

    it('gives the parameters once, even to concurrent callers on two instances', async () => {
      // Opened first: opening sweeps rows expired by the real clock, as the fixtures' T0 is.
      const other = await ctx.second();
      await saved('r1');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ctx.store).takePushedRequest('r1', 'app', T0 + 1),
        ),
      );
      expect(results.filter((r) => r !== undefined)).toEqual([parameters]);
      expect(await ctx.store.takePushedRequest('r1', 'app', T0 + 2)).toBeUndefined();
    });

    it("never gives a request to another client, and another client's try does not spend it", async () => {
      await saved('r2');
      expect(await ctx.store.takePushedRequest('r2', 'other', T0 + 1)).toBeUndefined();
      expect(await ctx.store.takePushedRequest('r2', 'app', T0 + 1)).toEqual(parameters);
    });

    it('gives nothing for an unknown id or once expired (expiry exclusive)', async () => {
      await saved('r3', T0 + 10);
      expect(await ctx.store.takePushedRequest('unknown', 'app', T0)).toBeUndefined();
      expect(await ctx.store.takePushedRequest('r3', 'app', T0 + 10)).toBeUndefined();
      await saved('r4', T0 + 10);
      expect(await ctx.store.takePushedRequest('r4', 'app', T0 + 9)).toEqual(parameters);
    });

    it('refuses a second request under the same id', async () => {
      await saved('r5');
      await expect(saved('r5')).rejects.toMatchObject({ code: 'ERR_STORE_DUPLICATE' });
    });
  });
}
