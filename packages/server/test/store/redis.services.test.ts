/**
 * Redis in front of PostgreSQL: the ONE conformance suite again (so counters, markers and the
 * denylist keep the Store contract when Redis serves them), then what only Redis adds — pub/sub to
 * every instance, TTL = remaining life, and the fallbacks while Redis cannot be reached (a Redis URL
 * nobody listens on stands for an outage here; the real stop/start is in the fault tests).
 */
import { randomBytes } from 'node:crypto';
import { REDIS_URL } from '@sesame/testkit';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { connectRedis } from '../../src/store/redis/connection.js';
import { withRedis } from '../../src/store/redis/store.js';
import type { Store } from '../../src/store/types.js';
import { describeWithServices, openTestPostgresStore } from '../helpers/services.js';
import { MINUTE, T0 } from './conformance/fixtures.js';
import { describeStoreConformance } from './conformance/suite.js';

const DEAD_REDIS = 'redis://127.0.0.1:1';

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A PostgreSQL store in a fresh schema with Redis in front, under a fresh key prefix. */
async function openLayered(options: { url?: string; failMode?: 'closed' | 'open' } = {}) {
  const prefix = `sesame-test:${randomBytes(6).toString('hex')}:`;
  const base = await openTestPostgresStore();
  const layer = (store: Store) =>
    withRedis(store, connectRedis({ url: options.url ?? REDIS_URL, prefix }), {
      failMode: options.failMode,
      now: () => T0,
    });
  const store = layer(base.store);
  if ((options.url ?? REDIS_URL) === REDIS_URL) await until(() => store.revocationsLive?.() === true);
  return { prefix, store, openSecond: async () => layer(await base.openSecond()) };
}

const jti = (value: string, expiresAt = T0 + MINUTE) => ({
  kind: 'jti' as const,
  value,
  issuedBefore: null,
  expiresAt,
  createdAt: T0,
});

await describeWithServices(['PostgreSQL', 'Redis'], 'Redis layer', () => {
  describeStoreConformance('postgres + redis', () => openLayered());

  it('tells the state found at start once, unless told not to (the other workers of a group)', async () => {
    const prefix = `sesame-test:${randomBytes(6).toString('hex')}:`;
    const lines: string[] = [];
    const quiet: string[] = [];
    for (const [log, announceStart] of [
      [lines, undefined],
      [quiet, false],
    ] as const) {
      const redis = connectRedis({ url: REDIS_URL, prefix });
      expect(await redis.whenUp(5000)).toBe(true);
      const base = await openTestPostgresStore();
      const store = withRedis(base.store, redis, { log: (line) => log.push(line), announceStart });
      await until(() => store.revocationsLive?.() === true);
      await store.close();
    }
    expect(lines).toEqual(['redis reachable: shared counters and denylist in use']);
    expect(quiet).toEqual([]);
  });

  it('fans a revocation out to every instance, and keeps it in Redis for its remaining life only', async () => {
    const { store, openSecond, prefix } = await openLayered();
    const other = await openSecond();
    await until(() => other.revocationsLive?.() === true);
    let heard = 0;
    other.watchRevocations?.(() => heard++);
    await store.addRevocation(jti('j1', T0 + 1500));
    await until(() => heard > 0, 2000);
    const raw = new Redis(REDIS_URL);
    const ttl = await raw.pttl(`${prefix}deny:jti:j1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1500);
    await raw.quit();
    expect(await other.isJtiRevoked('j1', T0)).toBe(true);
    await Promise.all([store.close(), other.close()]);
  });

  it('copies the denylist back into an emptied Redis before answering from it', async () => {
    const { store, openSecond, prefix } = await openLayered();
    await store.addRevocation(jti('kept'));
    const raw = new Redis(REDIS_URL);
    await raw.del(`${prefix}deny:jti:kept`); // as if Redis had restarted without persistence
    await raw.quit();
    const fresh = await openSecond(); // a (re)connection copies back from the database
    await until(() => fresh.revocationsLive?.() === true);
    expect(await fresh.isJtiRevoked('kept', T0)).toBe(true);
    await fresh.close();
    await store.close();
  });

  it('Redis unreachable: issuance-side writes still work, counters are per instance, checks fail closed', async () => {
    const { store } = await openLayered({ url: DEAD_REDIS });
    expect(store.dependencies?.()).toEqual({ redis: 'unavailable' });
    expect(store.revocationsLive?.()).toBe(false);
    expect(await store.isJtiRevoked('never-revoked', T0)).toBe(true); // closed: cannot tell, so refuse
    expect((await store.recordLoginFailure('user:x', T0, MINUTE)).failures).toBe(1);
    expect((await store.recordLoginFailure('user:x', T0, MINUTE)).failures).toBe(2);
    expect(await store.getThrottle('user:x', T0)).toEqual({ failures: 2, lastFailureAt: T0 });
    expect(await store.markUsedOnce('code:1', T0 + MINUTE, T0)).toBe(true); // the database's marker
    expect(await store.markUsedOnce('code:1', T0 + MINUTE, T0)).toBe(false);
    const entry = await store.addRevocation(jti('while-down'));
    expect(entry.seq).toBeGreaterThan(0);
    await store.close();
  });

  it('Redis unreachable: a DPoP proof cannot be remembered, so it is refused (unavailable), never accepted', async () => {
    const { store } = await openLayered({ url: DEAD_REDIS });
    const failure = await store.rememberDpopProof('proof', T0 + MINUTE, T0).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    expect(failure).toBe('ERR_STORE_UNAVAILABLE');
    await store.close();
  });

  it('Redis unreachable with failMode open: checks answer from the database', async () => {
    const { store } = await openLayered({ url: DEAD_REDIS, failMode: 'open' });
    expect(store.revocationsLive?.()).toBe(true);
    await store.addRevocation(jti('revoked'));
    expect(await store.isJtiRevoked('revoked', T0)).toBe(true);
    expect(await store.isJtiRevoked('not-revoked', T0)).toBe(false);
    await store.close();
  });
});
