import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDenylist, type Denylist } from '../../../src/domain/tokens/denylist.js';
import type { Store } from '../../../src/store/types.js';

const MINUTE = 60_000;

describe('denylist', () => {
  let store: Store;
  let clock: ReturnType<typeof testClock>;
  let denylist: Denylist;
  const make = () =>
    createDenylist({ store, now: clock.now, maxTokenLifetimeMs: 15 * MINUTE, clockToleranceMs: MINUTE });
  const secs = () => Math.floor(clock.now() / 1000);

  beforeEach(async () => {
    store = await openTempStore();
    clock = testClock();
    denylist = make();
  });
  afterEach(() => store.close());

  it('revokes one token by jti until its exp (plus tolerance), and no other', async () => {
    const exp = secs() + 600;
    const entry = await denylist.revokeToken({ jti: 'j1', exp });
    expect(entry).toMatchObject({ kind: 'jti', value: 'j1', expiresAt: exp * 1000 + MINUTE });
    expect(await store.isJtiRevoked('j1', clock.now())).toBe(true);
    expect(await denylist.isRevoked({ jti: 'j1', sub: 'u1', iat: secs() })).toBe(true);
    expect(await denylist.isRevoked({ jti: 'j2', sub: 'u1', iat: secs() })).toBe(false);
    expect(await denylist.isRevoked({})).toBe(false);
    clock.set(exp * 1000 + MINUTE);
    expect(await denylist.isRevoked({ jti: 'j1' })).toBe(false);
  });

  it('with syncIntervalMs 0 sees a revocation by another process at the next check; by default within the interval', async () => {
    const other = make();
    const lagging = make();
    const immediate = createDenylist({
      store,
      now: clock.now,
      maxTokenLifetimeMs: 15 * MINUTE,
      syncIntervalMs: 0,
    });
    const exp = secs() + 600;
    // Both mirrors have synced once, before the revocation.
    expect(await lagging.isRevoked({ jti: 'j9' })).toBe(false);
    expect(await immediate.isRevoked({ jti: 'j9' })).toBe(false);
    await other.revokeToken({ jti: 'j9', exp });
    expect(await immediate.isRevoked({ jti: 'j9' })).toBe(true);
    expect(await lagging.isRevoked({ jti: 'j9' })).toBe(false);
    clock.advance(1000);
    expect(await lagging.isRevoked({ jti: 'j9' })).toBe(true);
  });

  it('revokes every token of a session by sid', async () => {
    await denylist.revokeSession('s1');
    expect(await denylist.isRevoked({ jti: 'any', sid: 's1' })).toBe(true);
    expect(await denylist.isRevoked({ jti: 'any', sid: 's2' })).toBe(false);
    clock.advance(16 * MINUTE); // every token of the session has expired: the entry may go
    expect(await denylist.isRevoked({ sid: 's1' })).toBe(false);
  });

  it("revokes a user's tokens issued up to now, not those issued after", async () => {
    const before = secs();
    clock.advance(5000);
    await denylist.revokeUser('u1');
    expect(await denylist.isRevoked({ sub: 'u1', iat: before })).toBe(true);
    expect(await denylist.isRevoked({ sub: 'u1', iat: secs() })).toBe(true); // same second: revoked
    expect(await denylist.isRevoked({ sub: 'u1' })).toBe(true); // no iat: cannot prove it is newer
    expect(await denylist.isRevoked({ sub: 'u1', iat: secs() + 1 })).toBe(false);
    expect(await denylist.isRevoked({ sub: 'u2', iat: before })).toBe(false);
  });

  it("revokes a client's tokens issued up to now by client_id, not a user's with that id", async () => {
    const before = secs();
    clock.advance(5000);
    await denylist.revokeClient('c1');
    expect(await denylist.isRevoked({ client_id: 'c1', sub: 'u1', iat: before })).toBe(true);
    expect(await denylist.isRevoked({ client_id: 'c1', iat: secs() })).toBe(true); // same second
    expect(await denylist.isRevoked({ client_id: 'c1' })).toBe(true);
    expect(await denylist.isRevoked({ client_id: 'c1', iat: secs() + 1 })).toBe(false);
    expect(await denylist.isRevoked({ client_id: 'c2', sub: 'c1', iat: before })).toBe(false);
    expect(await make().isRevoked({ client_id: 'c1', iat: before })).toBe(true); // another process
  });

  it('revokes every token of a signing key by the kid of its header, for the longest token life', async () => {
    await denylist.revokeKid('k1');
    expect(await denylist.isRevoked({ kid: 'k1', sub: 'u1', iat: secs() + 100 })).toBe(true);
    expect(await denylist.isRevoked({ kid: 'k2', sub: 'u1', iat: secs() })).toBe(false);
    expect(await make().isRevoked({ kid: 'k1' })).toBe(true);
    clock.advance(16 * MINUTE); // every token the key signed has expired
    expect(await denylist.isRevoked({ kid: 'k1' })).toBe(false);
  });

  it('sees revocations made by another process within the sync interval', async () => {
    const other = make(); // a second instance on the same store
    expect(await denylist.isRevoked({ jti: 'j9' })).toBe(false);
    await other.revokeToken({ jti: 'j9', exp: secs() + 600 });
    await other.revokeSession('s9');
    expect(await other.isRevoked({ jti: 'j9' })).toBe(true); // its own: at once
    expect(await denylist.isRevoked({ jti: 'j9' })).toBe(false); // mirror still fresh
    clock.advance(1000);
    expect(await denylist.isRevoked({ jti: 'j9' })).toBe(true);
    expect(await denylist.isRevoked({ sid: 's9' })).toBe(true);
  });

  it('reads the whole feed on first use, page after page, but only once per interval', async () => {
    for (let i = 0; i < 1100; i++) {
      await store.addRevocation({
        kind: 'jti',
        value: `j${i}`,
        issuedBefore: null,
        expiresAt: clock.now() + MINUTE,
        createdAt: clock.now(),
      });
    }
    let reads = 0;
    const counted: Store = {
      ...store,
      listRevocations(...args) {
        reads++;
        return store.listRevocations(...args);
      },
    };
    const fresh = createDenylist({ store: counted, now: clock.now });
    const answers = await Promise.all([
      fresh.isRevoked({ jti: 'j0' }),
      fresh.isRevoked({ jti: 'j1099' }),
      fresh.isRevoked({ jti: 'x' }),
    ]);
    expect(answers).toEqual([true, true, false]);
    expect(reads).toBe(2);
    await fresh.isRevoked({ jti: 'j5' });
    expect(reads).toBe(2);
  });

  it('drops expired entries from memory at most once per purge interval, and never a live one', async () => {
    const exp = secs() + 120;
    await denylist.revokeToken({ jti: 'short', exp });
    await denylist.revokeToken({ jti: 'long', exp: secs() + 600 });
    expect(await denylist.isRevoked({ jti: 'x' })).toBe(false); // the first sync purges (nothing yet)
    expect(denylist.entries()).toBe(2);
    // 'short' has expired (exp + tolerance), but the last purge is less than a minute old...
    clock.advance(120_000 + MINUTE - 1000);
    expect(await denylist.isRevoked({ jti: 'x' })).toBe(false);
    clock.advance(1000);
    expect(await denylist.isRevoked({ jti: 'x' })).toBe(false);
    expect(denylist.entries()).toBe(2);
    // ...and it goes at the next sync a minute after that purge; 'long' stays.
    clock.set(Math.max(clock.now(), exp * 1000 + MINUTE) + MINUTE);
    expect(await denylist.isRevoked({ jti: 'x' })).toBe(false);
    expect(denylist.entries()).toBe(1);
    expect(await denylist.isRevoked({ jti: 'long' })).toBe(true);
  });

  it('holds a bounded number of entries under a steady stream of revocations', async () => {
    // One revocation a second of 60-second tokens: at most 60 + 60 (tolerance) + 60 (purge) live.
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      await denylist.revokeToken({ jti: `j${i}`, exp: secs() + 60 });
      await denylist.isRevoked({ jti: 'x' });
      most = Math.max(most, denylist.entries());
      clock.advance(1000);
    }
    expect(most).toBeGreaterThan(100);
    expect(most).toBeLessThanOrEqual(181);
  });
});
