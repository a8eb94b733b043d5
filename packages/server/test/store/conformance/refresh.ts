import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { aFamily, aUser, type ConformanceContext, DAY, hash, MINUTE, successorOf, T0 } from './fixtures.js';

const GRACE = 30_000;

/** Presents `token` at `now`, with the successor derived as the real caller derives it. */
export function present(store: Store, token: string, now: number, graceMs = GRACE) {
  return store.rotateRefreshToken({
    presentedHash: hash(token),
    nextHash: hash(successorOf(token)),
    now,
    graceMs,
    nextExpiresAt: now + 14 * DAY,
  });
}

export function refreshConformance(ctx: ConformanceContext): void {
  describe('refresh families', () => {
    it('creates a family with its first token, capped at the family expiry', async () => {
      const { family, first } = aFamily({ expiresAt: T0 + DAY });
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.findRefreshFamily(family.id)).toEqual(family);
      expect(await ctx.store.findRefreshToken(first.tokenHash)).toEqual({ ...first, expiresAt: T0 + DAY });
      expect(await ctx.store.findRefreshFamily('nope')).toBeUndefined();
      expect(await ctx.store.findRefreshToken(hash('nope'))).toBeUndefined();
    });

    it('finds a token with its family in one call, whatever their state; an unknown token finds nothing', async () => {
      const { family, first, token } = aFamily({ expiresAt: T0 + DAY, authTime: T0 - MINUTE });
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.findRefreshTokenAndFamily(first.tokenHash)).toEqual({
        token: { ...first, expiresAt: T0 + DAY },
        family,
      });
      await present(ctx.store, token, T0 + MINUTE);
      await ctx.store.revokeRefreshFamily(family.id, 'logout', T0 + 2 * MINUTE);
      const after = await ctx.store.findRefreshTokenAndFamily(first.tokenHash);
      expect(after?.token.rotatedAt).toBe(T0 + MINUTE);
      expect(after?.family).toMatchObject({
        id: family.id,
        revokedAt: T0 + 2 * MINUTE,
        revokedReason: 'logout',
      });
      expect((await ctx.store.findRefreshTokenAndFamily(hash(successorOf(token))))?.token.generation).toBe(1);
      expect(await ctx.store.findRefreshTokenAndFamily(hash('nope'))).toBeUndefined();
    });

    it("finds the family's user with them, as the user is now; none for a family without one", async () => {
      const user = aUser({ profile: { name: 'Ann', email: 'ann@example.test' } });
      await ctx.store.createUser(user);
      const { family, first } = aFamily({ userId: user.id });
      await ctx.store.createRefreshFamily(family, first);
      expect((await ctx.store.findRefreshTokenAndFamily(first.tokenHash))?.user).toEqual(user);
      await ctx.store.updateUser(user.id, { disabled: true, updatedAt: T0 + MINUTE });
      expect((await ctx.store.findRefreshTokenAndFamily(first.tokenHash))?.user).toEqual({
        ...user,
        disabled: true,
        updatedAt: T0 + MINUTE,
      });
      // A client's own session has no user; a family whose user is gone finds none either.
      const service = aFamily({ userId: null });
      await ctx.store.createRefreshFamily(service.family, service.first);
      const orphan = aFamily({ userId: 'no-such-user' });
      await ctx.store.createRefreshFamily(orphan.family, orphan.first);
      for (const { first: token } of [service, orphan]) {
        const found = await ctx.store.findRefreshTokenAndFamily(token.tokenHash);
        expect(found?.family.id).toBeDefined();
        expect(found?.user).toBeUndefined();
      }
    });

    it("keeps a family's login time (auth_time of its ID tokens) through rotation", async () => {
      const { family, first, token } = aFamily({ authTime: T0 - 3 * MINUTE });
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.findRefreshFamily(family.id)).toEqual(family);
      const rotated = await present(ctx.store, token, T0 + MINUTE);
      expect(rotated.kind === 'rotated' && rotated.family.authTime).toBe(T0 - 3 * MINUTE);
    });

    it("keeps a family's DPoP key thumbprint (RFC 9449 §5) through rotation", async () => {
      const { family, first, token } = aFamily({ dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.findRefreshFamily(family.id)).toEqual(family);
      const rotated = await present(ctx.store, token, T0 + MINUTE);
      expect(rotated.kind === 'rotated' && rotated.family.dpopJkt).toBe(family.dpopJkt);
    });

    it("keeps a family's requested claims (Core §5.5) through rotation, and none as null", async () => {
      const claims = { userinfo: ['phone_number'], idToken: ['email'] };
      const { family, first, token } = aFamily({ claims });
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.findRefreshFamily(family.id)).toEqual(family);
      const rotated = await present(ctx.store, token, T0 + MINUTE);
      expect(rotated.kind === 'rotated' && rotated.family.claims).toEqual(claims);
      const plain = aFamily();
      await ctx.store.createRefreshFamily(plain.family, plain.first);
      expect((await ctx.store.findRefreshFamily(plain.family.id))?.claims).toBeNull();
    });

    it('rotates the live token once; the successor is live and capped at the family expiry', async () => {
      const { family, first, token } = aFamily({ expiresAt: T0 + 2 * DAY });
      await ctx.store.createRefreshFamily(family, first);
      const result = await present(ctx.store, token, T0 + MINUTE);
      expect(result.kind).toBe('rotated');
      if (result.kind !== 'rotated') return;
      expect(result.family).toEqual(family);
      expect(result.previous).toEqual({ ...first, expiresAt: T0 + 2 * DAY, rotatedAt: T0 + MINUTE });
      expect(result.next).toEqual({
        tokenHash: hash(successorOf(token)),
        familyId: family.id,
        generation: 1,
        createdAt: T0 + MINUTE,
        expiresAt: T0 + 2 * DAY,
        rotatedAt: null,
      });
      expect(await ctx.store.findRefreshToken(first.tokenHash)).toMatchObject({ rotatedAt: T0 + MINUTE });
      expect((await present(ctx.store, successorOf(token), T0 + 2 * MINUTE)).kind).toBe('rotated');
    });

    it('answers invalid for an unknown or expired token, or a revoked or expired family, changing nothing', async () => {
      expect(await present(ctx.store, 'unknown', T0)).toEqual({ kind: 'invalid' });
      const expiredToken = aFamily();
      await ctx.store.createRefreshFamily(expiredToken.family, expiredToken.first);
      expect(await present(ctx.store, expiredToken.token, expiredToken.first.expiresAt)).toEqual({
        kind: 'invalid',
      });
      const expiredFamily = aFamily({ expiresAt: T0 + MINUTE });
      await ctx.store.createRefreshFamily(expiredFamily.family, expiredFamily.first);
      expect(await present(ctx.store, expiredFamily.token, T0 + MINUTE)).toEqual({ kind: 'invalid' });
      const revoked = aFamily();
      await ctx.store.createRefreshFamily(revoked.family, revoked.first);
      await ctx.store.revokeRefreshFamily(revoked.family.id, 'logout', T0);
      expect(await present(ctx.store, revoked.token, T0 + 1)).toEqual({ kind: 'invalid' });
      for (const { first } of [expiredToken, expiredFamily, revoked]) {
        expect((await ctx.store.findRefreshToken(first.tokenHash))?.rotatedAt).toBeNull();
      }
    });

    it('gives the immediately previous token the same successor within the grace window', async () => {
      const { family, first, token } = aFamily();
      await ctx.store.createRefreshFamily(family, first);
      const rotated = await present(ctx.store, token, T0 + 1000);
      const again = await present(ctx.store, token, T0 + 1000 + GRACE - 1);
      expect(again.kind).toBe('grace');
      if (again.kind !== 'grace' || rotated.kind !== 'rotated') return;
      expect(again.next).toEqual(rotated.next);
      expect(again.previous.rotatedAt).toBe(T0 + 1000);
      expect((await ctx.store.findRefreshFamily(family.id))?.revokedAt).toBeNull();
    });

    it('treats a rotated token outside the window as reuse and revokes that family only', async () => {
      const victim = aFamily({ userId: 'u-reuse' });
      const sibling = aFamily({ userId: 'u-reuse' });
      await ctx.store.createRefreshFamily(victim.family, victim.first);
      await ctx.store.createRefreshFamily(sibling.family, sibling.first);
      await present(ctx.store, victim.token, T0);
      const result = await present(ctx.store, victim.token, T0 + GRACE);
      expect(result.kind).toBe('reused');
      if (result.kind === 'reused')
        expect(result.family).toMatchObject({ id: victim.family.id, revokedAt: T0 + GRACE });
      expect(await ctx.store.findRefreshFamily(victim.family.id)).toMatchObject({
        revokedAt: T0 + GRACE,
        revokedReason: 'refresh_token_reuse',
      });
      // The successor died with its family; the user's other session lives on.
      expect((await present(ctx.store, successorOf(victim.token), T0 + GRACE + 1)).kind).toBe('invalid');
      expect((await present(ctx.store, sibling.token, T0 + GRACE + 1)).kind).toBe('rotated');
    });

    it('treats a token two generations back as reuse even within the window, and graceMs 0 as no window', async () => {
      const a = aFamily();
      await ctx.store.createRefreshFamily(a.family, a.first);
      await present(ctx.store, a.token, T0);
      await present(ctx.store, successorOf(a.token), T0 + 1);
      expect((await present(ctx.store, a.token, T0 + 2)).kind).toBe('reused');
      const b = aFamily();
      await ctx.store.createRefreshFamily(b.family, b.first);
      await present(ctx.store, b.token, T0, 0);
      expect((await present(ctx.store, b.token, T0, 0)).kind).toBe('reused');
    });

    it('revokes a family idempotently; unknown ids answer false', async () => {
      const { family, first } = aFamily();
      await ctx.store.createRefreshFamily(family, first);
      expect(await ctx.store.revokeRefreshFamily(family.id, 'logout', T0 + 5)).toBe(true);
      expect(await ctx.store.revokeRefreshFamily(family.id, 'again', T0 + 6)).toBe(false);
      expect(await ctx.store.findRefreshFamily(family.id)).toMatchObject({
        revokedAt: T0 + 5,
        revokedReason: 'logout',
      });
      expect(await ctx.store.revokeRefreshFamily('nope', 'logout', T0)).toBe(false);
    });

    it("lists and revokes a user's live families, leaving other users' alone", async () => {
      const live = aFamily({ userId: 'u-a' });
      const expired = aFamily({ userId: 'u-a', expiresAt: T0 + 10 });
      const revoked = aFamily({ userId: 'u-a' });
      const other = aFamily({ userId: 'u-b' });
      for (const f of [live, expired, revoked, other]) await ctx.store.createRefreshFamily(f.family, f.first);
      await ctx.store.revokeRefreshFamily(revoked.family.id, 'logout', T0);
      expect((await ctx.store.listUserFamilies('u-a', T0 + 10)).map((f) => f.id)).toEqual([live.family.id]);
      expect(await ctx.store.revokeUserFamilies('u-a', 'admin', T0 + 10)).toEqual([live.family.id]);
      expect(await ctx.store.revokeUserFamilies('u-a', 'admin', T0 + 11)).toEqual([]);
      expect(await ctx.store.listUserFamilies('u-a', T0 + 10)).toEqual([]);
      expect((await ctx.store.listUserFamilies('u-b', T0 + 10)).map((f) => f.id)).toEqual([other.family.id]);
      expect(await ctx.store.revokeUserFamilies('nobody', 'admin', T0)).toEqual([]);
    });

    it('keeps the browser session a family was born from, and revokes the live families of one session', async () => {
      const a1 = aFamily({ browserSid: 'sid-a', clientId: 'c-1' });
      const a2 = aFamily({ browserSid: 'sid-a', clientId: 'c-2' });
      const expired = aFamily({ browserSid: 'sid-a', expiresAt: T0 + 10 });
      const revoked = aFamily({ browserSid: 'sid-a' });
      const other = aFamily({ browserSid: 'sid-b' });
      const none = aFamily();
      for (const f of [a1, a2, expired, revoked, other, none])
        await ctx.store.createRefreshFamily(f.family, f.first);
      await ctx.store.revokeRefreshFamily(revoked.family.id, 'logout', T0);
      expect(await ctx.store.findRefreshFamily(a1.family.id)).toEqual(a1.family);
      expect(await ctx.store.findRefreshFamily(none.family.id)).toMatchObject({ browserSid: null });
      const ids = await ctx.store.revokeBrowserSessionFamilies('sid-a', 'logout', T0 + 10);
      expect(ids.sort()).toEqual([a1.family.id, a2.family.id].sort());
      expect(await ctx.store.revokeBrowserSessionFamilies('sid-a', 'logout', T0 + 11)).toEqual([]);
      expect(await ctx.store.findRefreshFamily(a2.family.id)).toMatchObject({
        revokedAt: T0 + 10,
        revokedReason: 'logout',
      });
      for (const kept of [other, none]) {
        expect(await ctx.store.findRefreshFamily(kept.family.id)).toMatchObject({ revokedAt: null });
      }
    });

    it("revokes a client's live families, leaving other clients' alone", async () => {
      const live = aFamily({ clientId: 'c-gone', userId: null });
      const expired = aFamily({ clientId: 'c-gone', expiresAt: T0 + 10 });
      const other = aFamily({ clientId: 'c-kept' });
      for (const f of [live, expired, other]) await ctx.store.createRefreshFamily(f.family, f.first);
      expect(await ctx.store.revokeClientFamilies('c-gone', 'client removed', T0 + 10)).toEqual([
        live.family.id,
      ]);
      expect(await ctx.store.revokeClientFamilies('c-gone', 'client removed', T0 + 11)).toEqual([]);
      expect(await ctx.store.findRefreshFamily(live.family.id)).toMatchObject({
        revokedAt: T0 + 10,
        revokedReason: 'client removed',
      });
      expect(await ctx.store.findRefreshFamily(other.family.id)).toMatchObject({ revokedAt: null });
    });
  });
}
