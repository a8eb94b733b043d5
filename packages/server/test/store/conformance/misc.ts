import { describe, expect, it } from 'vitest';
import { type ConformanceContext, MINUTE, T0 } from './fixtures.js';

export function miscConformance(ctx: ConformanceContext): void {
  describe('revocations', () => {
    const entry = (kind: 'jti' | 'sid' | 'user', value: string, expiresAt: number) => ({
      kind,
      value,
      issuedBefore: kind === 'user' ? T0 : null,
      expiresAt,
      createdAt: T0,
    });

    it('adds entries with increasing seq and lists those after a cursor, unexpired, in order', async () => {
      const a = await ctx.store.addRevocation(entry('jti', 'j1', T0 + MINUTE));
      const b = await ctx.store.addRevocation(entry('sid', 's1', T0 + 10));
      const c = await ctx.store.addRevocation(entry('user', 'u1', T0 + MINUTE));
      expect(a.seq).toBeLessThan(b.seq);
      expect(b.seq).toBeLessThan(c.seq);
      expect(c).toEqual({ seq: c.seq, ...entry('user', 'u1', T0 + MINUTE) });
      expect(await ctx.store.listRevocations(0, T0, 10)).toEqual([a, b, c]);
      expect(await ctx.store.listRevocations(a.seq, T0, 10)).toEqual([b, c]);
      expect(await ctx.store.listRevocations(0, T0 + 10, 10)).toEqual([a, c]);
      expect(await ctx.store.listRevocations(0, T0, 1)).toEqual([a]);
      expect(await ctx.store.listRevocations(c.seq, T0, 10)).toEqual([]);
    });

    it('knows a revoked jti until it expires, and only for kind jti', async () => {
      await ctx.store.addRevocation(entry('jti', 'j1', T0 + MINUTE));
      await ctx.store.addRevocation(entry('sid', 'j2', T0 + MINUTE));
      expect(await ctx.store.isJtiRevoked('j1', T0)).toBe(true);
      expect(await ctx.store.isJtiRevoked('j1', T0 + MINUTE)).toBe(false);
      expect(await ctx.store.isJtiRevoked('j2', T0)).toBe(false);
      expect(await ctx.store.isJtiRevoked('unknown', T0)).toBe(false);
    });

    it('deletes expired entries only; seq never goes back after a deletion', async () => {
      await ctx.store.addRevocation(entry('jti', 'old', T0));
      const last = await ctx.store.addRevocation(entry('jti', 'new', T0 + MINUTE));
      expect(await ctx.store.deleteExpiredRevocations(T0, 1000)).toBe(1);
      expect(await ctx.store.deleteExpiredRevocations(T0, 1000)).toBe(0);
      const after = await ctx.store.addRevocation(entry('jti', 'newer', T0 + MINUTE));
      expect(after.seq).toBeGreaterThan(last.seq);
    });

    it('never hands out again the seq of a deleted entry, even the highest one', async () => {
      await ctx.store.addRevocation(entry('jti', 'live', T0 + MINUTE));
      const highest = await ctx.store.addRevocation(entry('jti', 'expired', T0));
      expect(await ctx.store.deleteExpiredRevocations(T0, 1000)).toBe(1);
      const next = await ctx.store.addRevocation(entry('jti', 'next', T0 + MINUTE));
      // A reader whose cursor is the deleted seq must still be handed the next entry.
      expect(next.seq).toBeGreaterThan(highest.seq);
      expect(await ctx.store.listRevocations(highest.seq, T0, 10)).toEqual([next]);
    });

    it('deletes at most `limit` expired entries a call, all of them over repeated calls', async () => {
      const live = [await ctx.store.addRevocation(entry('jti', 'live-1', T0 + MINUTE))];
      for (let i = 0; i < 5; i++) await ctx.store.addRevocation(entry('jti', `old-${i}`, T0 - i));
      live.push(await ctx.store.addRevocation(entry('sid', 'live-2', T0 + 1)));
      expect(await ctx.store.deleteExpiredRevocations(T0, 2)).toBe(2);
      expect(await ctx.store.deleteExpiredRevocations(T0, 2)).toBe(2);
      expect(await ctx.store.deleteExpiredRevocations(T0, 2)).toBe(1);
      expect(await ctx.store.deleteExpiredRevocations(T0, 2)).toBe(0);
      // Only the live entries are left, expired or not at the time they are read.
      expect(await ctx.store.listRevocations(0, T0 - 10, 10)).toEqual(live);
      expect(await ctx.store.isJtiRevoked('live-1', T0)).toBe(true);
    });
  });

  describe('DPoP proofs (RFC 9449 §11.1)', () => {
    it('remembers a proof once, even for concurrent callers on two instances', async () => {
      const other = await ctx.second();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ctx.store).rememberDpopProof('proof-1', T0 + MINUTE, T0),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await ctx.store.rememberDpopProof('proof-1', T0 + MINUTE, T0 + 1)).toBe(false);
      expect(await ctx.store.rememberDpopProof('proof-2', T0 + MINUTE, T0 + 1)).toBe(true);
    });

    it('forgets a proof once it has expired, and drops expired ones as it writes', async () => {
      expect(await ctx.store.rememberDpopProof('old', T0 + 10, T0)).toBe(true);
      expect(await ctx.store.rememberDpopProof('old', T0 + MINUTE, T0 + 9)).toBe(false);
      // Expired: accepted again (the checker refuses such a proof by its iat before it gets here).
      expect(await ctx.store.rememberDpopProof('old', T0 + 2 * MINUTE, T0 + 10)).toBe(true);
      expect(await ctx.store.rememberDpopProof('old', T0 + 2 * MINUTE, T0 + 11)).toBe(false);
    });
  });

  describe('single-use markers', () => {
    it('is true exactly once, even for concurrent callers on two instances', async () => {
      const other = await ctx.second();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ctx.store).markUsedOnce('code:1', T0 + MINUTE, T0),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await ctx.store.markUsedOnce('code:1', T0 + MINUTE, T0 + 1)).toBe(false);
      expect(await ctx.store.markUsedOnce('code:2', T0 + MINUTE, T0 + 1)).toBe(true);
    });
  });

  describe('login throttle counters', () => {
    it('counts failures atomically, restarts after a quiet window, and clears', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => ctx.store.recordLoginFailure('user:a', T0, MINUTE)),
      );
      expect(results.map((r) => r.failures).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(await ctx.store.getThrottle('user:a', T0 + 1)).toEqual({ failures: 20, lastFailureAt: T0 });
      expect(await ctx.store.recordLoginFailure('user:a', T0 + MINUTE - 1, MINUTE)).toEqual({
        failures: 21,
        lastFailureAt: T0 + MINUTE - 1,
      });
      // The window runs from the last failure: a quiet minute starts over.
      expect(await ctx.store.getThrottle('user:a', T0 + 2 * MINUTE - 1)).toEqual({
        failures: 0,
        lastFailureAt: 0,
      });
      expect(await ctx.store.recordLoginFailure('user:a', T0 + 2 * MINUTE, MINUTE)).toEqual({
        failures: 1,
        lastFailureAt: T0 + 2 * MINUTE,
      });
      await ctx.store.clearThrottle('user:a');
      expect(await ctx.store.getThrottle('user:a', T0 + 2 * MINUTE)).toEqual({
        failures: 0,
        lastFailureAt: 0,
      });
      expect(await ctx.store.getThrottle('never', T0)).toEqual({ failures: 0, lastFailureAt: 0 });
      await ctx.store.clearThrottle('never');
    });
  });

  describe('audit cursors', () => {
    it('starts at 0, moves forward only, per sink name, seen by a second instance', async () => {
      expect(await ctx.store.getAuditCursor('webhook')).toBe(0);
      await ctx.store.advanceAuditCursor('webhook', 41, T0);
      await ctx.store.advanceAuditCursor('webhook', 42, T0 + 1);
      expect(await ctx.store.getAuditCursor('webhook')).toBe(42);
      // An older writer (a process still stopping) never moves it back.
      await ctx.store.advanceAuditCursor('webhook', 40, T0 + 2);
      expect(await ctx.store.getAuditCursor('webhook')).toBe(42);
      expect(await ctx.store.getAuditCursor('other-sink')).toBe(0);
      const other = await ctx.second();
      expect(await other.getAuditCursor('webhook')).toBe(42);
      await other.advanceAuditCursor('webhook', 9_007_199_254_740, T0 + 3);
      expect(await ctx.store.getAuditCursor('webhook')).toBe(9_007_199_254_740);
    });
  });

  describe('audit events', () => {
    it('records events and lists them newest first, filtered by time, type and subject', async () => {
      const base = { actor: 'cli', clientId: null, ip: '127.0.0.1', details: { n: 1, list: ['a'] } };
      await ctx.store.addAuditEvent({ ...base, at: T0, type: 'login.ok', subject: 'u1' });
      await ctx.store.addAuditEvent({ ...base, at: T0 + 1, type: 'login.failed', subject: 'u1' });
      await ctx.store.addAuditEvent({ ...base, at: T0 + 2, type: 'login.ok', subject: 'u2' });
      const all = await ctx.store.listAuditEvents({ limit: 10 });
      expect(all.map((e) => e.at)).toEqual([T0 + 2, T0 + 1, T0]);
      expect(all[0]).toMatchObject({ ...base, type: 'login.ok', subject: 'u2' });
      expect(typeof all[0]!.id).toBe('number');
      expect(
        (await ctx.store.listAuditEvents({ type: 'login.ok', limit: 10 })).map((e) => e.subject),
      ).toEqual(['u2', 'u1']);
      expect((await ctx.store.listAuditEvents({ subject: 'u1', limit: 10 })).map((e) => e.type)).toEqual([
        'login.failed',
        'login.ok',
      ]);
      expect((await ctx.store.listAuditEvents({ since: T0 + 1, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 2,
        T0 + 1,
      ]);
      expect(await ctx.store.listAuditEvents({ limit: 1 })).toHaveLength(1);
      expect(await ctx.store.listAuditEvents({ type: 'none', limit: 10 })).toEqual([]);
      // Forwards from an id, oldest first, in pages, with the other filters.
      const page1 = await ctx.store.listAuditEvents({ afterId: 0, limit: 2 });
      expect(page1.map((e) => e.at)).toEqual([T0, T0 + 1]);
      const page2 = await ctx.store.listAuditEvents({ afterId: page1[1]!.id, limit: 2 });
      expect(page2.map((e) => e.at)).toEqual([T0 + 2]);
      expect(await ctx.store.listAuditEvents({ afterId: page2[0]!.id, limit: 2 })).toEqual([]);
      expect(
        (await ctx.store.listAuditEvents({ afterId: 0, type: 'login.ok', since: T0 + 1, limit: 10 })).map(
          (e) => e.subject,
        ),
      ).toEqual(['u2']);
    });
  });

  describe('settings', () => {
    it('sets a setting only once, and concurrent first starts agree', async () => {
      expect(await ctx.store.getSetting('secret')).toBeUndefined();
      const other = await ctx.second();
      const values = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : ctx.store).initSetting('secret', `v${i}`)),
      );
      expect(new Set(values).size).toBe(1);
      expect(await ctx.store.getSetting('secret')).toBe(values[0]);
      expect(await ctx.store.initSetting('secret', 'later')).toBe(values[0]);
    });
  });

  describe('lifecycle', () => {
    it('pings, and closes idempotently', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
      const other = await ctx.second();
      await other.close();
      await other.close();
    });
  });
}
