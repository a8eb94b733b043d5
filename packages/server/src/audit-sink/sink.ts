/**
 * The audit sink: delivers the audit trail, in id order, to a receiver (the webhook), reading it
 * from the store by `afterId` as `sesame audit export` does. The trail is the queue: nothing is
 * held in memory but the batch being sent (at most `batchSize` events), so a receiver that is down
 * for hours costs no memory, and no event is dropped — the sink retries the same batch with an
 * exponential back-off (the interval, doubled up to `maxDelayMs`) until it is taken.
 *
 * After each delivered batch the position is stored (`advanceAuditCursor`), so a restart resumes
 * after the last delivered event. Delivery is at least once: a process stopped between a
 * receiver's 200 and the stored position sends that batch again; each event carries its `id`,
 * unique in the trail, for the receiver to drop a repeat.
 *
 * Ids are given when the event is written; with PostgreSQL, two transactions may become visible
 * out of id order, so a reader that went past a missing id could skip it for good. The sink stops
 * at a gap in the ids and goes past it only once it has stayed open for `gapWaitMs` (a rolled-back
 * write leaves one for ever).
 */
import { auditRecord } from '../domain/system/audit-record.js';
import type { AuditEvent } from '../store/types.js';
import type { BatchPost, PostOutcome } from './webhook.js';

/** The trail and the stored position (the store contract's methods). */
export interface AuditSource {
  list(afterId: number, limit: number): Promise<AuditEvent[]>;
  cursor(): Promise<number>;
  advance(lastId: number, at: number): Promise<void>;
}

/** The timer the sink waits on (injectable: tests run the waits at once, never sleeping). */
export interface SinkTimers {
  schedule(run: () => void, ms: number): () => void;
}

/** What the sink counts (metrics/registry.ts). */
export interface SinkMetrics {
  delivered(events: number): void;
  failed(reason: Extract<PostOutcome, { ok: false }>['reason'] | 'store'): void;
  /** Seconds since the oldest event not yet delivered was written (0: caught up). */
  lag(seconds: number): void;
}

export interface AuditSinkOptions {
  source: AuditSource;
  post: BatchPost;
  batchSize: number;
  /** How often to look for new events, and the first retry delay. */
  intervalMs: number;
  /** The longest retry delay (default 60 s). */
  maxDelayMs?: number;
  /** How long a gap in the ids may stay open before the sink goes past it (default 10 s). */
  gapWaitMs?: number;
  now: () => number;
  timers?: SinkTimers;
  metrics?: SinkMetrics;
  /** Tells a failure streak's first failure and the recovery (never an event's content). */
  log?: (message: string) => void;
}

export interface AuditSink {
  /** Delivers what is there and keeps delivering. */
  start(): void;
  /** Resolves once the events written so far are delivered (tests, and a stop that wants it). */
  caughtUp(): Promise<void>;
  /** Stops after the batch being sent, if any. */
  close(): Promise<void>;
}

const realTimers: SinkTimers = {
  schedule(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * The events of `page` that may be sent now: those following `after` without a gap, or all of them
 * once the gap before them has been open long enough.
 */
function deliverable(page: AuditEvent[], after: number, gapOpenMs: number, gapWaitMs: number) {
  const ready: AuditEvent[] = [];
  let previous = after;
  for (const event of page) {
    if (event.id !== previous + 1 && !(ready.length === 0 && gapOpenMs >= gapWaitMs)) break;
    ready.push(event);
    previous = event.id;
  }
  return ready;
}

/**
 * @example
 * const sink = createAuditSink({ source, post: webhookPost({ url, secret, timeoutMs }), batchSize: 100, intervalMs: 1000, now: Date.now });
 * sink.start(); ... await sink.close();
 */
export function createAuditSink(options: AuditSinkOptions): AuditSink {
  const { source, post, batchSize, intervalMs, now, metrics, log } = options;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const gapWaitMs = options.gapWaitMs ?? 10_000;
  const timers = options.timers ?? realTimers;
  let cursor: number | undefined;
  let failures = 0;
  let gapSince: number | undefined;
  let closed = false;
  let cancel: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let waiters: (() => void)[] = [];

  const wake = () => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };
  const schedule = (ms: number) => {
    if (!closed) cancel = timers.schedule(() => void run(), ms);
  };
  const fail = (reason: Parameters<SinkMetrics['failed']>[0]) => {
    metrics?.failed(reason);
    if (failures === 0) log?.(`audit webhook: delivery failed (${reason}); retrying with back-off`);
    failures += 1;
    schedule(Math.min(maxDelayMs, intervalMs * 2 ** (failures - 1)));
  };

  /** One pass: send batches until none is left (or one fails), then wait. */
  async function pass(): Promise<void> {
    cursor ??= await source.cursor();
    for (;;) {
      const page = await source.list(cursor, batchSize);
      // A gap before the first event opens (or keeps) the wait; none closes it.
      gapSince = page.length > 0 && page[0]!.id !== cursor + 1 ? (gapSince ?? now()) : undefined;
      const batch = deliverable(page, cursor, gapSince === undefined ? 0 : now() - gapSince, gapWaitMs);
      if (batch.length === 0) {
        metrics?.lag(page.length === 0 ? 0 : Math.max(0, (now() - page[0]!.at) / 1000));
        if (page.length === 0) wake();
        return schedule(intervalMs);
      }
      const outcome = await post(batch.map(auditRecord));
      if (!outcome.ok) {
        metrics?.lag(Math.max(0, (now() - batch[0]!.at) / 1000));
        return fail(outcome.reason);
      }
      if (failures > 0) log?.(`audit webhook: delivering again after ${failures} failed attempt(s)`);
      failures = 0;
      cursor = batch[batch.length - 1]!.id;
      metrics?.delivered(batch.length);
      await source.advance(cursor, now());
      if (batch.length === page.length && page.length < batchSize) {
        metrics?.lag(0);
        wake();
        return schedule(intervalMs);
      }
    }
  }

  async function run(): Promise<void> {
    cancel = undefined;
    if (closed || running) return;
    running = pass().catch(() => fail('store'));
    await running;
    running = undefined;
  }

  return {
    start() {
      void run();
    },
    caughtUp() {
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      cancel?.();
      await running;
    },
  };
}
