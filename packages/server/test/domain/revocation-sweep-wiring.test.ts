/**
 * The server's services run the revocation sweep: expired rows leave the store on the sweep's own
 * timer (faked here, so no test waits five minutes), and a failing store is one warning line.
 */
import { openTempStore, testClock } from '@sesame/testkit/app';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SWEEP_INTERVAL_MS } from '../../src/domain/tokens/revocation-sweep.js';
import type { Store } from '../../src/store/types.js';
import { createServices } from '../../src/wiring.js';

/** A logger whose lines are kept, with a promise for the next line carrying `msg`. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const waiting = new Map<string, (line: Record<string, unknown>) => void>();
  const log = pino(
    { level: 'debug' },
    {
      write(text: string) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        waiting.get(String(line.msg))?.(line);
      },
    },
  );
  const next = (msg: string) => new Promise<Record<string, unknown>>((resolve) => waiting.set(msg, resolve));
  return { log, lines, next };
}

describe('the revocation sweep, as the server wires it', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openTempStore();
    // Only the timers: setImmediate (between batches) and the store's I/O stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
  });

  const config = loadConfig({ values: { logLevel: 'silent' } });
  const revoke = (value: string, expiresAt: number) =>
    store.addRevocation({ kind: 'jti', value, issuedBefore: null, expiresAt, createdAt: 0 });

  it('deletes expired entries on its timer and keeps live ones; one-shot services do not sweep', async () => {
    const clock = testClock();
    await revoke('old', clock.now() - 1);
    const live = await revoke('live', clock.now() + 3_600_000);
    const quiet = await createServices({ config, store, now: clock.now, rotateKeys: false });
    await vi.advanceTimersByTimeAsync(SWEEP_INTERVAL_MS * 1.1 + 1);
    await quiet.close();
    expect(await store.listRevocations(0, 0, 10)).toHaveLength(2);

    const { log, next } = capturedLog();
    const services = await createServices({ config, store, now: clock.now, log });
    const swept = next('revocation sweep: expired entries deleted');
    await vi.advanceTimersByTimeAsync(SWEEP_INTERVAL_MS * 1.1 + 1);
    expect(await swept).toMatchObject({ deleted: 1 });
    expect(await store.listRevocations(0, 0, 10)).toEqual([live]);
    await services.close();
  });

  it('logs a failing sweep once, by code and first line, and sweeps again on the next tick', async () => {
    const clock = testClock();
    let calls = 0;
    const failing: Store = {
      ...store,
      deleteExpiredRevocations: async () => {
        calls++;
        throw Object.assign(new Error('database unavailable\npostgres://sesame:hunter2@db/sesame'), {
          code: 'ERR_STORE_UNAVAILABLE',
        });
      },
    };
    const { log, lines, next } = capturedLog();
    const services = await createServices({ config, store: failing, now: clock.now, log });
    const msg = 'revocation sweep failed; the next tick tries again';
    const first = next(msg);
    await vi.advanceTimersByTimeAsync(SWEEP_INTERVAL_MS * 1.1 + 1);
    expect(await first).toMatchObject({
      level: 40,
      code: 'ERR_STORE_UNAVAILABLE',
      reason: 'database unavailable',
    });
    const second = next(msg);
    await vi.advanceTimersByTimeAsync(SWEEP_INTERVAL_MS * 1.1 + 1);
    await second;
    await services.close();
    expect(calls).toBe(2);
    expect(lines.filter((line) => line.msg === msg)).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });
});
