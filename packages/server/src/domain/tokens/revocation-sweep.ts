/**
 * The revocation sweep: while the server runs, entries of the denylist and the revocation feed that
 * have expired are deleted from the store. An expired entry changes no answer (the denylist and the
 * feed both ignore it) but would stay on disk for ever; on a busy server the table grows without
 * bound. Deletion goes in batches of `batchSize` rows, one short transaction each, with the event
 * loop let go between them, until a batch comes back short: a backlog of a million rows never holds
 * SQLite's write lock (better-sqlite3 blocks the event loop) or a PostgreSQL transaction for long.
 *
 * Every instance sharing a store sweeps; deleting expired rows is idempotent, so concurrent sweeps
 * only share the work. The jitter keeps sibling processes started together from sweeping in step.
 */
import type { Store } from '../../store/types.js';

/** The timer functions the sweep uses (injectable: tests fire the tick by hand instead of sleeping). */
export interface SweepTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RevocationSweepOptions {
  store: Pick<Store, 'deleteExpiredRevocations'>;
  /** The clock, epoch ms: entries expired by then are deleted. */
  now?: () => number;
  /** Time between the end of one sweep and the start of the next (default 5 minutes). */
  intervalMs?: number;
  /** Up to this fraction of `intervalMs` is added at random to each wait (default 0.1). */
  jitter?: number;
  /** Rows deleted per transaction (default 1000). */
  batchSize?: number;
  timers?: SweepTimers;
  /** A number in [0, 1) (default Math.random): where in the jitter window a tick lands. */
  random?: () => number;
  /** Told once per failed sweep (the store unavailable, ...); the next tick tries again. */
  onError?: (error: unknown) => void;
  /** Told after a sweep that deleted something, with how many rows. */
  onSwept?: (deleted: number) => void;
}

export interface RevocationSweep {
  /** Deletes every entry expired by now, batch by batch; answers how many. Throws what the store throws. */
  sweep(): Promise<number>;
  /** Schedules sweeps until `stop` (a second call changes nothing). */
  start(): void;
  /** Cancels the next tick and waits for a sweep under way to end its batch (before the store closes). */
  stop(): Promise<void>;
}

export const SWEEP_INTERVAL_MS = 5 * 60_000;
export const SWEEP_BATCH = 1000;

/** Node's timers, unref'd: the sweep never keeps a process alive. */
export const realSweepTimers: SweepTimers = {
  setTimeout(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * @example
 * const sweep = createRevocationSweep({ store, onError: (err) => log.warn({ err }, 'sweep failed') });
 * sweep.start(); // ... on shutdown: await sweep.stop();
 */
export function createRevocationSweep(options: RevocationSweepOptions): RevocationSweep {
  const { store } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? SWEEP_INTERVAL_MS;
  const jitter = options.jitter ?? 0.1;
  const batchSize = options.batchSize ?? SWEEP_BATCH;
  const timers = options.timers ?? realSweepTimers;
  const random = options.random ?? Math.random;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let started = false;
  let stopped = false;

  async function sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await store.deleteExpiredRevocations(now(), batchSize);
      total += deleted;
      if (deleted < batchSize || stopped) return total;
      // Requests (and other writers) get their turn between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const schedule = () => {
    timer = timers.setTimeout(tick, intervalMs + Math.floor(random() * jitter * intervalMs));
  };

  async function run(): Promise<void> {
    try {
      const deleted = await sweep();
      if (deleted > 0) options.onSwept?.(deleted);
    } catch (error) {
      // Never thrown out of the timer: told once, and the next tick tries again.
      options.onError?.(error);
    }
  }

  function tick(): void {
    timer = undefined;
    // A listener that throws must not turn into an unhandled rejection either.
    running = run()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (started) schedule();
      });
  }

  return Object.freeze({
    sweep,
    start() {
      if (started) return;
      started = true;
      stopped = false;
      if (running === undefined) schedule();
    },
    async stop() {
      started = false;
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  });
}
