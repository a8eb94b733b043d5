/**
 * The audit sink's loop (audit-sink/sink.ts) over an in-memory trail, a fake receiver and timers
 * that run when told: every event delivered once, in order, in batches; a failing receiver retried
 * with a doubling back-off and nothing skipped; a gap in the ids waited for, then passed; the
 * stored position where a new sink resumes.
 */
import { describe, expect, it } from 'vitest';
import { createAuditSink, type SinkTimers } from '../../src/audit-sink/sink.js';
import type { PostOutcome } from '../../src/audit-sink/webhook.js';
import type { AuditEvent } from '../../src/store/types.js';

const T0 = 1_700_000_000_000;

function event(id: number): AuditEvent {
  return {
    id,
    at: T0 + id,
    type: 'login.ok',
    actor: 'u',
    subject: 'u',
    clientId: null,
    ip: null,
    details: {},
  };
}

/** A trail, a stored position, a receiver answering from a script, timers run by hand. */
function rig(ids: number[], answers: PostOutcome[] = []) {
  const trail = ids.map(event);
  const stored = { cursor: 0 };
  const received: number[][] = [];
  const waits: number[] = [];
  let pending: (() => void) | undefined;
  let clock = T0;
  const timers: SinkTimers = {
    schedule(run, ms) {
      waits.push(ms);
      pending = run;
      return () => (pending = undefined);
    },
  };
  const failures: string[] = [];
  const sink = () =>
    createAuditSink({
      source: {
        list: async (afterId, limit) => trail.filter((e) => e.id > afterId).slice(0, limit),
        cursor: async () => stored.cursor,
        advance: async (lastId) => {
          stored.cursor = Math.max(stored.cursor, lastId);
        },
      },
      post: async (events) => {
        const answer = answers.shift() ?? { ok: true };
        if (answer.ok) received.push(events.map((e) => e.id));
        return answer;
      },
      batchSize: 2,
      intervalMs: 100,
      maxDelayMs: 350,
      gapWaitMs: 1000,
      now: () => clock,
      timers,
      metrics: {
        delivered: () => undefined,
        failed: (reason) => failures.push(reason),
        lag: () => undefined,
      },
    });
  /** Lets the sink's pass finish (its awaits are microtasks), then fires its timer. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const tick = async (advanceMs = 0) => {
    clock += advanceMs;
    const run = pending;
    pending = undefined;
    run?.();
    await settle();
  };
  return { trail, stored, received, waits, failures, sink, settle, tick };
}

describe('the audit sink', () => {
  it('delivers every event once, in order, in batches, and stores the position', async () => {
    const r = rig([1, 2, 3, 4, 5]);
    const sink = r.sink();
    sink.start();
    await r.settle();
    expect(r.received).toEqual([[1, 2], [3, 4], [5]]);
    expect(r.stored.cursor).toBe(5);
    r.trail.push(event(6));
    await r.tick(100);
    expect(r.received.flat()).toEqual([1, 2, 3, 4, 5, 6]);
    await sink.close();
  });

  it('retries a failing receiver with a doubling back-off, capped, and skips nothing', async () => {
    const down = { ok: false, reason: '5xx' } as const;
    const r = rig([1, 2, 3], [down, down, down, { ok: false, reason: 'timeout' }]);
    r.sink().start();
    await r.settle();
    for (let i = 0; i < 4; i++) await r.tick();
    // Four failures, then the poll interval again once delivered.
    expect(r.waits).toEqual([100, 200, 350, 350, 100]);
    expect(r.failures).toEqual(['5xx', '5xx', '5xx', 'timeout']);
    expect(r.received).toEqual([[1, 2], [3]]);
    expect(r.stored.cursor).toBe(3);
  });

  it('resumes after the stored position: a new sink sends only what the last one did not', async () => {
    const r = rig([1, 2, 3]);
    const first = r.sink();
    first.start();
    await r.settle();
    await first.close();
    r.trail.push(event(4), event(5));
    r.received.length = 0;
    r.sink().start();
    await r.settle();
    expect(r.received.flat()).toEqual([4, 5]);
  });

  it('stops at a gap in the ids until it fills, or has stayed open for gapWaitMs', async () => {
    const r = rig([1, 2, 4, 5]);
    r.sink().start();
    await r.settle();
    expect(r.received.flat()).toEqual([1, 2]);
    // 3 commits late (a slower transaction): delivered in order.
    r.trail.splice(2, 0, event(3));
    await r.tick(100);
    expect(r.received.flat()).toEqual([1, 2, 3, 4, 5]);
    // 6 never comes (a rolled-back write): 7 waits, then goes.
    r.trail.push(event(7));
    await r.tick(100);
    expect(r.received.flat()).toEqual([1, 2, 3, 4, 5]);
    await r.tick(999);
    expect(r.received.flat()).toEqual([1, 2, 3, 4, 5]);
    await r.tick(1);
    expect(r.received.flat()).toEqual([1, 2, 3, 4, 5, 7]);
  });
});
