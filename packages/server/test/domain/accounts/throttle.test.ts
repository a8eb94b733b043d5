import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../../src/domain/accounts/passwords.js';
import { createLoginThrottle, type LoginThrottle } from '../../../src/domain/accounts/throttle.js';
import { createUserService } from '../../../src/domain/accounts/users.js';
import type { Store } from '../../../src/store/types.js';

describe('login throttle', () => {
  let store: Store;
  let throttle: LoginThrottle;
  let clock: ReturnType<typeof testClock>;

  beforeEach(async () => {
    store = await openTempStore();
    clock = testClock();
    throttle = createLoginThrottle({ store, now: clock.now });
  });
  afterEach(() => store.close());

  it('backs off exponentially after five free failures, capped at 15 minutes', () => {
    expect([1, 5, 6, 7, 8, 9].map(throttle.delayMs)).toEqual([0, 0, 1000, 2000, 4000, 8000]);
    expect(throttle.delayMs(15)).toBe(512_000);
    expect(throttle.delayMs(16)).toBe(900_000);
    expect(throttle.delayMs(10_000)).toBe(900_000);
  });

  it('lets the first five failures through, then answers with Retry-After', async () => {
    const keys = { username: 'alice', ip: '192.0.2.1' };
    for (let i = 0; i < 5; i++)
      expect(await throttle.recordFailure(keys)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await throttle.recordFailure(keys)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await throttle.recordFailure(keys)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(await throttle.check(keys)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(1999);
    expect(await throttle.check(keys)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(await throttle.check(keys)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('counts usernames case-insensitively and IPs separately', async () => {
    for (let i = 0; i < 6; i++) await throttle.recordFailure({ username: i % 2 ? 'Alice' : 'alice' });
    expect((await throttle.check({ username: 'ALICE' })).allowed).toBe(false);
    expect((await throttle.check({ username: 'bob' })).allowed).toBe(true);
    expect((await throttle.check({ ip: '192.0.2.1' })).allowed).toBe(true);
    // One IP spraying many usernames is held back by its own counter on every username it failed on.
    for (let i = 0; i < 6; i++) await throttle.recordFailure({ username: `user${i}`, ip: '192.0.2.9' });
    for (let i = 0; i < 6; i++)
      expect((await throttle.check({ username: `USER${i}`, ip: '192.0.2.9' })).allowed).toBe(false);
    expect((await throttle.check({ username: 'user0', ip: '192.0.2.10' })).allowed).toBe(true);
  });

  it('caps what an address imposes at 30 s, and the username counter at 15 minutes', () => {
    expect([5, 6, 7, 10, 11, 1000].map(throttle.addressDelayMs)).toEqual([
      0, 1000, 2000, 16_000, 30_000, 30_000,
    ]);
    const custom = createLoginThrottle({ store, now: clock.now, addressMaxDelayMs: 5000 });
    expect(custom.addressDelayMs(100)).toBe(5000);
    expect(custom.delayMs(100)).toBe(900_000);
  });

  it("an address's failures for made-up usernames do not lock out a real user of that address", async () => {
    const shared = '203.0.113.5'; // a NAT, or a reverse proxy without trustProxy
    for (let i = 0; i < 11; i++) {
      await throttle.recordFailure({ username: `made-up-${i}`, ip: shared });
      clock.advance(2000); // paced: each failure after the previous one's delay
    }
    expect((await throttle.check({ username: 'made-up-10', ip: shared })).allowed).toBe(false);
    expect(await throttle.check({ username: 'alice', ip: shared })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
  });

  it('a user who failed from a busy address waits at most 30 s after their own last failure', async () => {
    const shared = '203.0.113.5';
    for (let i = 0; i < 20; i++) await throttle.recordFailure({ username: `made-up-${i}`, ip: shared });
    const typo = await throttle.recordFailure({ username: 'alice', ip: shared });
    expect(typo).toEqual({ allowed: false, retryAfterSeconds: 30 });
    // The attacker keeps failing on other usernames: alice's wait does not move.
    for (let i = 0; i < 29; i++) {
      clock.advance(1000);
      await throttle.recordFailure({ username: `more-${i}`, ip: shared });
      expect((await throttle.check({ username: 'alice', ip: shared })).allowed).toBe(false);
    }
    clock.advance(1000);
    expect(await throttle.check({ username: 'alice', ip: shared })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
    // Elsewhere alice was never slowed: one failure of hers is free.
    expect((await throttle.check({ username: 'alice', ip: '198.51.100.7' })).allowed).toBe(true);
    // Her success clears the address's record of failing on her; the address's count stays.
    await throttle.recordSuccess({ username: 'alice', ip: shared });
    await throttle.recordFailure({ username: 'made-up-0', ip: shared });
    expect((await throttle.check({ username: 'alice', ip: shared })).allowed).toBe(true);
    expect((await throttle.check({ username: 'made-up-0', ip: shared })).allowed).toBe(false);
  });

  it('counts refusals per address and username, for the aggregated audit', async () => {
    const keys = { username: 'alice', ip: '192.0.2.1' };
    expect(await throttle.recordRefusal(keys)).toBe(1);
    expect(await throttle.recordRefusal({ username: 'ALICE', ip: '192.0.2.1' })).toBe(2);
    expect(await throttle.recordRefusal({ username: 'alice', ip: '192.0.2.2' })).toBe(1);
    // A refusal is not a failure: it moves no back-off.
    expect(await throttle.check(keys)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    clock.advance(60 * 60_000);
    expect(await throttle.recordRefusal(keys)).toBe(1);
  });

  it('starts over after an hour without failures', async () => {
    for (let i = 0; i < 10; i++) await throttle.recordFailure({ username: 'alice' });
    clock.advance(60 * 60_000);
    expect(await throttle.check({ username: 'alice' })).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await throttle.recordFailure({ username: 'alice' })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
  });

  it('clears the username on success but not the IP', async () => {
    const keys = { username: 'alice', ip: '192.0.2.1' };
    for (let i = 0; i < 6; i++) await throttle.recordFailure(keys);
    clock.advance(1000);
    await throttle.recordSuccess(keys);
    expect((await throttle.check({ username: 'alice' })).allowed).toBe(true);
    await throttle.recordFailure({ ip: '192.0.2.1' });
    expect((await throttle.check({ ip: '192.0.2.1' })).allowed).toBe(false);
  });

  it('never stores the username in clear (it may be a mistyped password)', async () => {
    await throttle.recordFailure({ username: 'MySecretPassword!' });
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database((store as Store & { file: string }).file, { readonly: true });
    const keys = raw.prepare('select key from login_throttle').all() as { key: string }[];
    raw.close();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.key.toLowerCase()).not.toContain('mysecretpassword');
  });

  it('cannot be used to lock a user out for good: after the back-off the right password works', async () => {
    const users = createUserService({
      store,
      passwords: createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
      now: clock.now,
    });
    await users.create({ username: 'alice', password: 'correct horse' });
    const attacker = { username: 'alice', ip: '203.0.113.66' };
    for (let i = 0; i < 40; i++) await throttle.recordFailure(attacker);
    const gate = await throttle.check({ username: 'alice', ip: '198.51.100.7' });
    expect(gate.allowed).toBe(false);
    expect(gate.retryAfterSeconds).toBeLessThanOrEqual(15 * 60); // the cap, never "forever"
    clock.advance(gate.retryAfterSeconds * 1000);
    const user = { username: 'alice', ip: '198.51.100.7' };
    expect((await throttle.check(user)).allowed).toBe(true);
    expect((await users.authenticate('alice', 'correct horse')).ok).toBe(true);
    await throttle.recordSuccess(user);
    expect((await throttle.check(user)).allowed).toBe(true);
    // The attacker's own address stays slowed down.
    expect((await throttle.check(attacker)).allowed).toBe(true); // username cleared...
    expect((await throttle.check({ ip: attacker.ip })).allowed).toBe(true); // ...and the IP's delay has run out
    expect((await throttle.recordFailure({ ip: attacker.ip })).allowed).toBe(false); // one more: 15 min again
  });
});
