import { describe, expect, it } from 'vitest';
import { aKey, type ConformanceContext, codeOf, T0 } from './fixtures.js';

export function keysConformance(ctx: ConformanceContext): void {
  describe('signing keys', () => {
    it('inserts and lists keys; refuses a duplicate kid and a second current or next key', async () => {
      const current = aKey('current');
      const next = aKey('next', { createdAt: T0 + 1 });
      await ctx.store.insertSigningKey(current);
      await ctx.store.insertSigningKey(next);
      expect(await ctx.store.listSigningKeys()).toEqual([current, next]);
      expect(await codeOf(ctx.store.insertSigningKey(aKey('retired', { kid: current.kid })))).toBe(
        'ERR_STORE_DUPLICATE',
      );
      expect(await codeOf(ctx.store.insertSigningKey(aKey('current')))).toBe('ERR_STORE_DUPLICATE');
      expect(await codeOf(ctx.store.insertSigningKey(aKey('next')))).toBe('ERR_STORE_DUPLICATE');
      await ctx.store.insertSigningKey(aKey('retired'));
      await ctx.store.insertSigningKey(aKey('retired'));
      expect(await ctx.store.listSigningKeys()).toHaveLength(4);
    });

    it('keeps one current and one next key per algorithm', async () => {
      const es = [aKey('current'), aKey('next')];
      const rs = [aKey('current', { alg: 'RS256' }), aKey('next', { alg: 'RS256' })];
      for (const key of [...es, ...rs]) await ctx.store.insertSigningKey(key);
      expect(await ctx.store.listSigningKeys()).toHaveLength(4);
      for (const alg of ['ES256', 'RS256'])
        for (const state of ['current', 'next'] as const)
          expect(await codeOf(ctx.store.insertSigningKey(aKey(state, { alg })))).toBe('ERR_STORE_DUPLICATE');
    });

    it("rotates one algorithm's keys only, and expects that algorithm's current and next", async () => {
      const es = [aKey('current'), aKey('next')] as const;
      const rs = [aKey('current', { alg: 'RS256' }), aKey('next', { alg: 'RS256' })] as const;
      for (const key of [...es, ...rs]) await ctx.store.insertSigningKey(key);
      const step = { alg: 'RS256', now: T0 + 10, retiredExpiresAt: T0 + 1000 };
      // The ES256 kids are not what RS256 has: refused, nothing changes.
      const stale = { ...step, expectCurrent: es[0].kid, expectNext: es[1].kid };
      expect(await ctx.store.rotateSigningKeys({ ...stale, newNext: aKey('next', { alg: 'RS256' }) })).toBe(
        false,
      );
      const newNext = aKey('next', { alg: 'RS256', createdAt: T0 + 10 });
      const ok = await ctx.store.rotateSigningKeys({
        ...step,
        expectCurrent: rs[0].kid,
        expectNext: rs[1].kid,
        newNext,
      });
      expect(ok).toBe(true);
      const byKid = new Map((await ctx.store.listSigningKeys()).map((k) => [k.kid, k.state]));
      expect([es[0].kid, es[1].kid, rs[0].kid, rs[1].kid, newNext.kid].map((kid) => byKid.get(kid))).toEqual([
        'current',
        'next',
        'retired',
        'current',
        'next',
      ]);
    });

    it('gives up an algorithm: with no new next key, its current and next keys both retire', async () => {
      const es = [aKey('current'), aKey('next')] as const;
      const rs = aKey('current', { alg: 'RS256' });
      for (const key of [...es, rs]) await ctx.store.insertSigningKey(key);
      const ok = await ctx.store.rotateSigningKeys({
        alg: 'ES256',
        expectCurrent: es[0].kid,
        expectNext: es[1].kid,
        newNext: null,
        now: T0 + 10,
        retiredExpiresAt: T0 + 1000,
      });
      expect(ok).toBe(true);
      const byKid = new Map((await ctx.store.listSigningKeys()).map((k) => [k.kid, k]));
      for (const kid of [es[0].kid, es[1].kid])
        expect(byKid.get(kid)).toMatchObject({ state: 'retired', retiredAt: T0 + 10, expiresAt: T0 + 1000 });
      expect(byKid.get(rs.kid)?.state).toBe('current');
      expect(byKid.size).toBe(3);
    });

    it('revokes a key whatever its state, once; unknown kids answer undefined; deletes it when expired', async () => {
      const current = aKey('current');
      const retired = aKey('retired', { retiredAt: T0 - 5, expiresAt: T0 + 500 });
      await ctx.store.insertSigningKey(current);
      await ctx.store.insertSigningKey(retired);
      expect(await ctx.store.revokeSigningKey(current.kid, T0 + 10, T0 + 1000)).toBe('current');
      expect(await ctx.store.revokeSigningKey(retired.kid, T0 + 10, T0 + 1000)).toBe('retired');
      const byKid = new Map((await ctx.store.listSigningKeys()).map((k) => [k.kid, k]));
      expect(byKid.get(current.kid)).toMatchObject({
        state: 'revoked',
        retiredAt: T0 + 10,
        expiresAt: T0 + 1000,
      });
      expect(byKid.get(retired.kid)).toMatchObject({
        state: 'revoked',
        retiredAt: T0 - 5,
        expiresAt: T0 + 1000,
      });
      // Again: nothing changes, the answer says it was revoked already.
      expect(await ctx.store.revokeSigningKey(current.kid, T0 + 20, T0 + 2000)).toBe('revoked');
      expect((await ctx.store.listSigningKeys()).find((k) => k.kid === current.kid)?.expiresAt).toBe(
        T0 + 1000,
      );
      expect(await ctx.store.revokeSigningKey('no-such-kid', T0, T0)).toBeUndefined();
      // With no current key left, a new one can be made current.
      await ctx.store.insertSigningKey(aKey('current'));
      expect(await ctx.store.deleteExpiredSigningKeys(T0 + 999)).toBe(0);
      expect(await ctx.store.deleteExpiredSigningKeys(T0 + 1000)).toBe(2);
    });

    it('rotates one step: current retires, next becomes current, the new key is next', async () => {
      const current = aKey('current');
      const next = aKey('next');
      await ctx.store.insertSigningKey(current);
      await ctx.store.insertSigningKey(next);
      const newNext = aKey('next', { createdAt: T0 + 10 });
      const ok = await ctx.store.rotateSigningKeys({
        alg: 'ES256',
        expectCurrent: current.kid,
        expectNext: next.kid,
        newNext,
        now: T0 + 10,
        retiredExpiresAt: T0 + 1000,
      });
      expect(ok).toBe(true);
      const byKid = new Map((await ctx.store.listSigningKeys()).map((k) => [k.kid, k]));
      expect(byKid.get(current.kid)).toMatchObject({
        state: 'retired',
        retiredAt: T0 + 10,
        expiresAt: T0 + 1000,
      });
      expect(byKid.get(next.kid)).toMatchObject({ state: 'current', activatedAt: T0 + 10 });
      expect(byKid.get(newNext.kid)).toEqual(newNext);
    });

    it('refuses a rotation whose expectations are stale, changing nothing', async () => {
      const current = aKey('current');
      const next = aKey('next');
      await ctx.store.insertSigningKey(current);
      await ctx.store.insertSigningKey(next);
      const before = await ctx.store.listSigningKeys();
      const stale = { alg: 'ES256', newNext: aKey('next'), now: T0, retiredExpiresAt: T0 };
      expect(
        await ctx.store.rotateSigningKeys({ ...stale, expectCurrent: 'other', expectNext: next.kid }),
      ).toBe(false);
      expect(
        await ctx.store.rotateSigningKeys({ ...stale, expectCurrent: current.kid, expectNext: null }),
      ).toBe(false);
      expect(await ctx.store.rotateSigningKeys({ ...stale, expectCurrent: null, expectNext: null })).toBe(
        false,
      );
      expect(await ctx.store.listSigningKeys()).toEqual(before);
    });

    it('starts from an empty store with expectations null', async () => {
      const first = aKey('next');
      const ok = await ctx.store.rotateSigningKeys({
        alg: 'ES256',
        expectCurrent: null,
        expectNext: null,
        newNext: first,
        now: T0,
        retiredExpiresAt: T0,
      });
      expect(ok).toBe(true);
      expect((await ctx.store.listSigningKeys()).map((k) => [k.kid, k.state])).toEqual([[first.kid, 'next']]);
    });

    it('lets exactly one of two racing instances rotate', async () => {
      const current = aKey('current');
      const next = aKey('next');
      await ctx.store.insertSigningKey(current);
      await ctx.store.insertSigningKey(next);
      const other = await ctx.second();
      const step = {
        alg: 'ES256',
        expectCurrent: current.kid,
        expectNext: next.kid,
        now: T0,
        retiredExpiresAt: T0 + 1,
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : ctx.store).rotateSigningKeys({ ...step, newNext: aKey('next') }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const states = (await ctx.store.listSigningKeys()).map((k) => k.state).sort();
      expect(states).toEqual(['current', 'next', 'retired']);
    });

    it('deletes only retired keys whose expiry has passed', async () => {
      const expired = aKey('retired', { expiresAt: T0 + 100 });
      const live = aKey('retired', { expiresAt: T0 + 200 });
      const current = aKey('current');
      await ctx.store.insertSigningKey(expired);
      await ctx.store.insertSigningKey(live);
      await ctx.store.insertSigningKey(current);
      expect(await ctx.store.deleteExpiredSigningKeys(T0 + 100)).toBe(1);
      expect(await ctx.store.deleteExpiredSigningKeys(T0 + 100)).toBe(0);
      expect((await ctx.store.listSigningKeys()).map((k) => k.kid).sort()).toEqual(
        [live.kid, current.kid].sort(),
      );
    });
  });
}
