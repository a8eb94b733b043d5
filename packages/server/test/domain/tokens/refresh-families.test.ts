import { createHash } from 'node:crypto';
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDenylist } from '../../../src/domain/tokens/denylist.js';
import { createRefreshFamilies, type RefreshFamilies } from '../../../src/domain/tokens/refresh-families.js';
import type { Store } from '../../../src/store/types.js';

const DAY = 86_400_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('refresh families', () => {
  let store: Store;
  let clock: ReturnType<typeof testClock>;
  let refresh: RefreshFamilies;
  const session = { userId: 'u1', clientId: 'c1', scope: 'openid quiz' };

  beforeEach(async () => {
    store = await openTempStore();
    clock = testClock();
    refresh = createRefreshFamilies({ store, now: clock.now, graceMs: 30_000 });
  });
  afterEach(() => store.close());

  it('issues an opaque 256-bit token stored only as its SHA-256', async () => {
    const { refreshToken, family, expiresAt } = await refresh.issue(session);
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(family).toMatchObject({ ...session, revokedAt: null, expiresAt: clock.now() + 30 * DAY });
    expect(expiresAt).toBe(clock.now() + 14 * DAY);
    expect(await store.findRefreshToken(sha256(refreshToken))).toMatchObject({
      familyId: family.id,
      generation: 0,
    });
    const raw = await import('better-sqlite3').then(
      ({ default: D }) => new D((store as Store & { file: string }).file),
    );
    const dump = JSON.stringify(raw.prepare('select * from refresh_tokens').all());
    raw.close();
    expect(dump).not.toContain(refreshToken);
    expect((await refresh.issue(session)).refreshToken).not.toBe(refreshToken);
  });

  it('rotates to a new token, and the old one no longer rotates once the window is over', async () => {
    const { refreshToken, family } = await refresh.issue(session);
    const first = await refresh.rotate(refreshToken);
    expect(first).toMatchObject({
      ok: true,
      kind: 'rotated',
      family: { id: family.id, scope: 'openid quiz' },
    });
    if (!first.ok) return;
    expect(first.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.refreshToken).not.toBe(refreshToken);
    const second = await refresh.rotate(first.refreshToken);
    expect(second.ok && second.kind).toBe('rotated');
  });

  it('gives the immediately previous token the same successor within the grace window', async () => {
    const { refreshToken } = await refresh.issue(session);
    const first = await refresh.rotate(refreshToken);
    clock.advance(29_999);
    const again = await refresh.rotate(refreshToken);
    expect(again).toMatchObject({ ok: true, kind: 'grace' });
    expect(again.ok && first.ok && again.refreshToken === first.refreshToken).toBe(true);
    // Nothing changed: the successor still rotates normally.
    const next = await refresh.rotate(first.ok ? first.refreshToken : '');
    expect(next.ok && next.kind).toBe('rotated');
  });

  it('a rotated token outside the window revokes that family only; another family of the user works', async () => {
    const denylist = createDenylist({ store, now: clock.now });
    refresh = createRefreshFamilies({ store, now: clock.now, graceMs: 30_000, denylist });
    const stolen = await refresh.issue(session);
    const other = await refresh.issue(session);
    const legit = await refresh.rotate(stolen.refreshToken);
    clock.advance(30_000);
    const reuse = await refresh.rotate(stolen.refreshToken);
    expect(reuse).toMatchObject({ ok: false, kind: 'reused', family: { id: stolen.family.id } });
    expect(await refresh.rotate(legit.ok ? legit.refreshToken : '')).toEqual({ ok: false, kind: 'invalid' });
    expect((await store.findRefreshFamily(stolen.family.id))?.revokedReason).toBe('refresh_token_reuse');
    expect(await denylist.isRevoked({ sid: stolen.family.id })).toBe(true); // its access tokens die too
    expect(await denylist.isRevoked({ sid: other.family.id })).toBe(false);
    expect((await refresh.rotate(other.refreshToken)).ok).toBe(true);
  });

  it('with graceMs 0, a concurrent second use is reuse', async () => {
    refresh = createRefreshFamilies({ store, now: clock.now, graceMs: 0 });
    const { refreshToken } = await refresh.issue(session);
    const results = await Promise.all([refresh.rotate(refreshToken), refresh.rotate(refreshToken)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['reused', 'rotated']);
  });

  it('answers invalid for unknown, malformed and expired tokens', async () => {
    expect(await refresh.rotate('A'.repeat(43))).toEqual({ ok: false, kind: 'invalid' });
    expect(await refresh.rotate('not a token')).toEqual({ ok: false, kind: 'invalid' });
    expect(await refresh.rotate(undefined as unknown as string)).toEqual({ ok: false, kind: 'invalid' });
    const { refreshToken } = await refresh.issue(session);
    clock.advance(14 * DAY);
    expect(await refresh.rotate(refreshToken)).toEqual({ ok: false, kind: 'invalid' });
  });

  it('caps every token at the family expiry, however often it rotates', async () => {
    refresh = createRefreshFamilies({ store, now: clock.now, tokenTtlMs: 20 * DAY, familyTtlMs: 21 * DAY });
    let { refreshToken } = await refresh.issue(session);
    clock.advance(20 * DAY - 1);
    const outcome = await refresh.rotate(refreshToken);
    expect(outcome.ok && outcome.expiresAt).toBe(clock.now() - (20 * DAY - 1) + 21 * DAY);
    refreshToken = outcome.ok ? outcome.refreshToken : '';
    clock.advance(DAY + 1);
    expect((await refresh.rotate(refreshToken)).kind).toBe('invalid');
  });

  it('derives the same successor in every process sharing the store (one secret, set once)', async () => {
    const { refreshToken } = await refresh.issue(session);
    const elsewhere = createRefreshFamilies({ store, now: clock.now });
    const [a, b] = await Promise.all([refresh.rotate(refreshToken), elsewhere.rotate(refreshToken)]);
    expect(a.ok && b.ok && a.refreshToken === b.refreshToken).toBe(true);
    expect([a.kind, b.kind].sort()).toEqual(['grace', 'rotated']);
  });

  it('revokes by token (any generation), by family idempotently, and all of a user', async () => {
    const denylist = createDenylist({ store, now: clock.now });
    refresh = createRefreshFamilies({ store, now: clock.now, denylist });
    const a = await refresh.issue(session);
    const b = await refresh.issue(session);
    const c = await refresh.issue({ ...session, userId: 'u2' });
    expect((await refresh.familyOf(a.refreshToken))?.id).toBe(a.family.id);
    expect(await refresh.revokeByToken(a.refreshToken, 'logout')).toBe(a.family.id);
    expect(await refresh.revokeByToken('B'.repeat(43), 'logout')).toBeUndefined();
    expect(await refresh.revokeByToken('junk', 'logout')).toBeUndefined();
    expect((await refresh.rotate(a.refreshToken)).kind).toBe('invalid');
    expect(await refresh.revokeFamily(a.family.id, 'again')).toBe(false);
    expect(await refresh.revokeUser('u1', 'admin')).toEqual([b.family.id]);
    expect(await denylist.isRevoked({ sid: b.family.id })).toBe(true);
    expect((await refresh.rotate(c.refreshToken)).ok).toBe(true);
  });
});
