import { describe, expect, it } from 'vitest';
import type { RotationResult, Store } from '../../../src/store/types.js';
import { aFamily, type ConformanceContext, T0 } from './fixtures.js';
import { present } from './refresh.js';

const N = 20;

function tally(results: RotationResult[]): Record<RotationResult['kind'], number> {
  const counts = { rotated: 0, grace: 0, reused: 0, invalid: 0 };
  for (const result of results) counts[result.kind]++;
  return counts;
}

export function refreshRaceConformance(ctx: ConformanceContext): void {
  describe('refresh rotation race', () => {
    async function race(stores: Store[], graceMs: number) {
      const { family, first, token } = aFamily();
      await ctx.store.createRefreshFamily(family, first);
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) => present(stores[i % stores.length]!, token, T0 + 1000, graceMs)),
      );
      const rotated = results.filter((r) => r.kind === 'rotated');
      const graced = results.filter((r) => r.kind === 'grace');
      // Every answer carries the one successor: no second family member was ever minted.
      for (const r of graced)
        if (r.kind === 'grace' && rotated[0]?.kind === 'rotated') expect(r.next).toEqual(rotated[0].next);
      return { counts: tally(results), family };
    }

    it(`N=${N} concurrent presentations: exactly one rotated, the rest grace`, async () => {
      const { counts } = await race([ctx.store], 30_000);
      expect(counts).toEqual({ rotated: 1, grace: N - 1, reused: 0, invalid: 0 });
    });

    it('with graceMs 0 there is no grace: one rotated, the rest reuse (revoking the family) or invalid', async () => {
      const { counts, family } = await race([ctx.store], 0);
      expect(counts.rotated).toBe(1);
      expect(counts.grace).toBe(0);
      expect(counts.reused).toBe(1);
      expect(counts.invalid).toBe(N - 2);
      expect((await ctx.store.findRefreshFamily(family.id))?.revokedReason).toBe('refresh_token_reuse');
    });

    it('two store instances (two connections) racing: still exactly one rotated', async () => {
      const other = await ctx.second();
      const { counts } = await race([ctx.store, other], 30_000);
      expect(counts).toEqual({ rotated: 1, grace: N - 1, reused: 0, invalid: 0 });
    });

    it('reuse after the window revokes the family, seen by the other instance too', async () => {
      const other = await ctx.second();
      const { family, first, token } = aFamily();
      await ctx.store.createRefreshFamily(family, first);
      expect((await present(ctx.store, token, T0)).kind).toBe('rotated');
      expect((await present(other, token, T0 + 10_000, 5_000)).kind).toBe('reused');
      expect((await ctx.store.findRefreshFamily(family.id))?.revokedAt).toBe(T0 + 10_000);
    });
  });
}
