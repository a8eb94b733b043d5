import { describe, expect, it } from 'vitest';
import {
  createRevocationHub,
  HUB_PAGE,
  type HubSubscriber,
} from '../../../src/domain/tokens/revocation-hub.js';
import type { Revocation } from '../../../src/store/types.js';
import { manualTimers, memoryFeed, settle } from '../../helpers/feed-fakes.js';

/** A subscriber that records what it is given. */
function recorder(options: { ready?: () => boolean } = {}) {
  const seqs: number[] = [];
  const failures: unknown[] = [];
  let drain: (() => void) | undefined;
  const subscriber: HubSubscriber = {
    deliver(entries: readonly Revocation[]) {
      for (const entry of entries) seqs.push(entry.seq);
      return options.ready?.() ?? true;
    },
    drained: () => new Promise<void>((resolve) => (drain = resolve)),
    failed: (error) => failures.push(error),
  };
  return { subscriber, seqs, failures, drain: () => drain?.() };
}

function makeHub(feed = memoryFeed(), withWatch = false) {
  const clock = manualTimers();
  const store = withWatch ? feed.store : { listRevocations: feed.store.listRevocations };
  const hub = createRevocationHub({ store, timers: clock.timers, now: Date.now });
  const tick = async () => {
    clock.tick();
    await settle();
  };
  return { hub, feed, clock, tick };
}

describe('the revocation hub', () => {
  it('reads the store once per tick whatever the number of idle subscribers (200 or 1)', async () => {
    const readsPerTenTicks = async (subscribers: number) => {
      const { hub, feed, tick } = makeHub();
      feed.add();
      for (let i = 0; i < subscribers; i++) hub.subscribe(0, recorder().subscriber);
      await settle();
      expect(hub.stats()).toMatchObject({ subscribers, live: subscribers });
      const before = feed.reads;
      for (let i = 0; i < 10; i++) await tick();
      hub.close();
      return feed.reads - before;
    };
    expect(await readsPerTenTicks(200)).toBe(10);
    expect(await readsPerTenTicks(1)).toBe(10);
  });

  it('reads nothing and keeps no timer while no stream is open', async () => {
    const { hub, feed, clock, tick } = makeHub();
    await tick();
    expect(clock.active).toBe(0);
    const end = hub.subscribe(0, recorder().subscriber);
    await settle();
    expect(clock.active).toBe(1);
    end();
    expect(clock.active).toBe(0);
    const before = feed.reads;
    await tick();
    expect(feed.reads).toBe(before);
  });

  it('fans each new entry out to every subscriber once, in order, after its own cursor', async () => {
    const { hub, feed, tick } = makeHub();
    const early = feed.add();
    const [a, b] = [recorder(), recorder()];
    hub.subscribe(0, a.subscriber);
    hub.subscribe(early.seq, b.subscriber);
    await settle();
    expect(a.seqs).toEqual([1]);
    expect(b.seqs).toEqual([]);
    feed.add();
    feed.add();
    await tick();
    await tick();
    expect(a.seqs).toEqual([1, 2, 3]);
    expect(b.seqs).toEqual([2, 3]);
  });

  it('catches a new subscriber up page by page, waiting while it is backed up', async () => {
    const { hub, feed } = makeHub();
    for (let i = 0; i < HUB_PAGE * 2 + 1; i++) feed.add();
    const slow = recorder({ ready: () => false });
    hub.subscribe(0, slow.subscriber);
    await settle();
    expect(slow.seqs).toHaveLength(HUB_PAGE);
    slow.drain();
    await settle();
    expect(slow.seqs).toHaveLength(HUB_PAGE * 2);
    slow.drain();
    await settle();
    expect(slow.seqs).toEqual(Array.from({ length: HUB_PAGE * 2 + 1 }, (_, i) => i + 1));
    expect(hub.stats().live).toBe(1);
  });

  it('takes a live subscriber that is backed up out of the fan-out until it drains, then catches it up', async () => {
    const { hub, feed, tick } = makeHub();
    let ready = true;
    const slow = recorder({ ready: () => ready });
    const fast = recorder();
    hub.subscribe(0, slow.subscriber);
    hub.subscribe(0, fast.subscriber);
    await tick();
    expect(hub.stats().live).toBe(2);
    ready = false;
    feed.add();
    await tick();
    expect(slow.seqs).toEqual([1]);
    expect(hub.stats().live).toBe(1);
    // A burst while it is backed up: none of it is handed to the slow one.
    for (let i = 0; i < HUB_PAGE + 10; i++) feed.add();
    await tick();
    expect(slow.seqs).toEqual([1]);
    expect(fast.seqs).toHaveLength(HUB_PAGE + 11);
    // Drained, it reads from its own cursor one page at a time, then rejoins the fan-out.
    slow.drain();
    await settle();
    expect(slow.seqs).toHaveLength(HUB_PAGE + 1);
    ready = true;
    slow.drain();
    await settle();
    expect(slow.seqs).toEqual(fast.seqs);
    expect(hub.stats().live).toBe(2);
    feed.add();
    await tick();
    expect(slow.seqs).toEqual(fast.seqs);
    expect(slow.seqs).toHaveLength(HUB_PAGE + 12);
  });

  it('misses nothing appended while a catch-up read was under way', async () => {
    const { hub, feed, tick } = makeHub();
    feed.add();
    const first = recorder();
    hub.subscribe(0, first.subscriber);
    await settle();
    // The newcomer's catch-up read sees the store before seq 2; the shared poll reads seq 2 (and
    // moves on) while that read is still under way: the newcomer must read again.
    feed.holdNextRead();
    const late = recorder();
    hub.subscribe(1, late.subscriber);
    await settle();
    feed.add();
    await tick();
    expect(first.seqs).toEqual([1, 2]);
    feed.release();
    await settle();
    expect(late.seqs).toEqual([2]);
    expect(hub.stats().live).toBe(2);
  });

  it('reads at once when another instance announces an append, and stops listening when idle', async () => {
    const { hub, feed } = makeHub(memoryFeed(), true);
    const a = recorder();
    const end = hub.subscribe(0, a.subscriber);
    await settle();
    expect(feed.watchersOpen()).toBe(1);
    feed.add();
    feed.push();
    await settle();
    expect(a.seqs).toEqual([1]);
    end();
    expect(feed.watchersOpen()).toBe(0);
  });

  it('tells a subscriber whose catch-up cannot read the store; a failed poll is retried', async () => {
    const feed = memoryFeed();
    let broken = true;
    const errors: unknown[] = [];
    const clock = manualTimers();
    const hub = createRevocationHub({
      store: {
        listRevocations: (...args) =>
          broken ? Promise.reject(new Error('down')) : feed.store.listRevocations(...args),
      },
      timers: clock.timers,
      onError: (error) => errors.push(error),
    });
    const a = recorder();
    hub.subscribe(0, a.subscriber);
    await settle();
    expect(a.failures).toHaveLength(1);
    expect(errors).toHaveLength(1);
    broken = false;
    const b = recorder();
    hub.subscribe(0, b.subscriber);
    await settle();
    feed.add();
    clock.tick();
    await settle();
    expect(b.seqs).toEqual([1]);
  });
});
