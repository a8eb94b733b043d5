/** Stand-ins for the revocation hub's tests: a feed in memory, timers ticked by hand. */
import type { HubTimers } from '../../src/domain/tokens/revocation-hub.js';
import type { Revocation, RevocationKind } from '../../src/store/types.js';

/** Interval timers that run only when `tick()` is called. */
export function manualTimers() {
  const running = new Map<number, () => void>();
  let next = 0;
  const timers: HubTimers = {
    setInterval(run) {
      running.set(++next, run);
      return next;
    },
    clearInterval: (handle) => running.delete(handle as number),
  };
  return {
    timers,
    /** Runs every registered interval once. */
    tick() {
      for (const run of [...running.values()]) run();
    },
    /** Intervals registered and not cleared. */
    get active() {
      return running.size;
    },
  };
}

/** Lets every promise chain of in-memory work settle (no I/O, no clock involved). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The revocation part of a store, in memory; every read is counted (and may be held). */
export function memoryFeed() {
  const entries: Revocation[] = [];
  const watchers = new Set<() => void>();
  let seq = 0;
  let holdNext = false;
  const held: Array<() => void> = [];
  const feed = {
    reads: 0,
    watchersOpen: () => watchers.size,
    add(kind: RevocationKind = 'jti', value = `token-${seq + 1}`): Revocation {
      const entry = {
        seq: ++seq,
        kind,
        value,
        issuedBefore: null,
        expiresAt: Date.now() + 3_600_000,
        createdAt: Date.now(),
      };
      entries.push(entry);
      return entry;
    },
    /** Announces an append as Redis pub/sub would. */
    push() {
      for (const watcher of watchers) watcher();
    },
    /** The next read answers what the store held at the call, but only on release(). */
    holdNextRead() {
      holdNext = true;
    },
    release() {
      for (const resume of held.splice(0)) resume();
    },
    store: {
      async listRevocations(since: number, now: number, limit: number): Promise<Revocation[]> {
        feed.reads++;
        const page = entries.filter((e) => e.seq > since && e.expiresAt > now).slice(0, limit);
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((resume) => held.push(resume));
        }
        return page;
      },
      watchRevocations(listener: () => void) {
        watchers.add(listener);
        return () => {
          watchers.delete(listener);
        };
      },
    },
  };
  return feed;
}
