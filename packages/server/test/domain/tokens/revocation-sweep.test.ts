import { openTempStore } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRevocationSweep, type SweepTimers } from '../../../src/domain/tokens/revocation-sweep.js';
import type { Store } from '../../../src/store/types.js';

const T0 = 1_700_000_000_000;
const INTERVAL = 60_000;

/** Timers fired by hand: the test says when a tick happens, nothing sleeps. */
function manualTimeouts() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  const scheduledCall = nextCall<number>();
  const timers: SweepTimers = {
    setTimeout(run, ms) {
      pending.set(++next, { run, ms });
      scheduledCall.callback(ms);
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  const fire = () => {
    expect(pending.size).toBe(1);
    const [handle, timer] = [...pending][0]!;
    pending.delete(handle);
    timer.run();
  };
  return {
    timers,
    pending,
    fire,
    delays: () => [...pending.values()].map((t) => t.ms),
    /** Resolves when the next timer is set. */
    scheduled: scheduledCall.next,
  };
}

/** Resolves with the next value the callback is given. */
function nextCall<T>() {
  let resolve!: (value: T) => void;
  const seen: T[] = [];
  let waiting = new Promise<T>((r) => (resolve = r));
  return {
    seen,
    callback: (value: T) => {
      seen.push(value);
      resolve(value);
      waiting = new Promise<T>((r) => (resolve = r));
    },
    next: () => waiting,
  };
}

describe('the revocation sweep', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openTempStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const revoke = (value: string, expiresAt: number) =>
    store.addRevocation({ kind: 'jti', value, issuedBefore: null, expiresAt, createdAt: T0 - 60_000 });

  it('deletes every expired entry on a tick, batch by batch, and leaves the live ones', async () => {
    for (let i = 0; i < 7; i++) await revoke(`old-${i}`, T0 - i);
    const live = [await revoke('live-1', T0 + 1), await revoke('live-2', T0 + 60_000)];
    const calls: number[] = [];
    const counted: Pick<Store, 'deleteExpiredRevocations'> = {
      async deleteExpiredRevocations(now, limit) {
        const deleted = await store.deleteExpiredRevocations(now, limit);
        calls.push(deleted);
        return deleted;
      },
    };
    const clock = manualTimeouts();
    const swept = nextCall<number>();
    const sweep = createRevocationSweep({
      store: counted,
      now: () => T0,
      intervalMs: INTERVAL,
      batchSize: 3,
      timers: clock.timers,
      random: () => 0.5,
      onSwept: swept.callback,
    });
    sweep.start();
    // The first tick waits an interval plus its jitter (here half of 10%).
    expect(clock.delays()).toEqual([INTERVAL + INTERVAL * 0.05]);
    expect(calls).toEqual([]);
    const rescheduled = clock.scheduled();
    clock.fire();
    expect(await swept.next()).toBe(7);
    // Batches of at most 3, until one comes back short.
    expect(calls).toEqual([3, 3, 1]);
    // Read as of long ago, so an expired entry left behind would show.
    expect(await store.listRevocations(0, 0, 100)).toEqual(live);
    expect(await store.isJtiRevoked('live-1', T0)).toBe(true);
    // The next sweep is scheduled once this one is over.
    await rescheduled;
    expect(clock.delays()).toEqual([INTERVAL + INTERVAL * 0.05]);
    await sweep.stop();
    expect(clock.pending.size).toBe(0);
  });

  it('tells a failing store once per tick, never throws out of the timer, and tries again', async () => {
    await revoke('old', T0 - 1);
    let down = true;
    const flaky: Pick<Store, 'deleteExpiredRevocations'> = {
      deleteExpiredRevocations: (now, limit) =>
        down
          ? Promise.reject(Object.assign(new Error('store unavailable'), { code: 'ERR_STORE_UNAVAILABLE' }))
          : store.deleteExpiredRevocations(now, limit),
    };
    const clock = manualTimeouts();
    const failed = nextCall<unknown>();
    const swept = nextCall<number>();
    const sweep = createRevocationSweep({
      store: flaky,
      now: () => T0,
      intervalMs: INTERVAL,
      timers: clock.timers,
      onError: failed.callback,
      onSwept: swept.callback,
    });
    sweep.start();
    const rescheduled = clock.scheduled();
    clock.fire();
    expect(await failed.next()).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    // Scheduled again after the failure (an unhandled rejection would fail this test run).
    await rescheduled;
    expect(clock.pending.size).toBe(1);
    down = false;
    clock.fire();
    expect(await swept.next()).toBe(1);
    expect(failed.seen).toHaveLength(1);
    expect(await store.listRevocations(0, 0, 10)).toEqual([]);
    await sweep.stop();
  });

  it('stops: no tick after stop, and stop waits for a sweep under way', async () => {
    let release!: () => void;
    let began!: () => void;
    const started = new Promise<void>((r) => (began = r));
    const slow: Pick<Store, 'deleteExpiredRevocations'> = {
      deleteExpiredRevocations: () => {
        began();
        return new Promise<number>((r) => (release = () => r(0)));
      },
    };
    const clock = manualTimeouts();
    const sweep = createRevocationSweep({ store: slow, timers: clock.timers, intervalMs: INTERVAL });
    sweep.start();
    clock.fire();
    await started;
    let stopped = false;
    const stopping = sweep.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(clock.pending.size).toBe(0);
  });
});
