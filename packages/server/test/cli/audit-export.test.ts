/** The paging and the `--since` grammar of `sesame audit export` (cli/commands/audit.ts). */
import { describe, expect, it } from 'vitest';
import { exportAuditEvents, parseSince } from '../../src/cli/commands/audit.js';
import type { AuditEvent } from '../../src/store/types.js';

const T0 = Date.UTC(2026, 11, 1, 8);
const events: AuditEvent[] = Array.from({ length: 2_500 }, (_, i) => ({
  id: i + 1,
  at: T0 + i,
  type: i % 2 === 0 ? 'login.ok' : 'login.failed',
  actor: 'cli',
  subject: `u${i}`,
  clientId: null,
  ip: null,
  details: {},
}));

/** The store's contract for afterId: larger ids, oldest first, up to the limit. */
const list = async (query: { since?: number; type?: string; afterId?: number; limit: number }) =>
  events
    .filter((e) => e.id > (query.afterId ?? 0))
    .filter((e) => query.type === undefined || e.type === query.type)
    .filter((e) => query.since === undefined || e.at >= query.since)
    .slice(0, query.limit);

async function exported(filters: Parameters<typeof exportAuditEvents>[1], pageSize?: number) {
  const lines: string[] = [];
  const count = await exportAuditEvents(list, filters, async (line) => void lines.push(line), pageSize);
  return { count, rows: lines.map((line) => JSON.parse(line) as AuditEvent & { time: string }) };
}

describe('exportAuditEvents', () => {
  it('writes every event once, oldest first, across page boundaries (2,500 events, pages of 1,000)', async () => {
    const { count, rows } = await exported({});
    expect(count).toBe(2_500);
    expect(rows.map((row) => row.id)).toEqual(events.map((e) => e.id));
    expect(rows[0]).toEqual({ ...events[0], time: '2026-12-01T08:00:00.000Z' });
  });

  it('a page exactly full asks once more and stops on the empty one', async () => {
    const { count } = await exported({}, 500);
    expect(count).toBe(2_500);
  });

  it('resumes after an id and keeps the filters on every page', async () => {
    const { rows } = await exported({ afterId: 2_000, type: 'login.failed' }, 100);
    expect(rows).toHaveLength(250);
    expect(rows.every((row) => row.type === 'login.failed' && row.id > 2_000)).toBe(true);
    const since = await exported({ since: T0 + 2_490 });
    expect(since.rows.map((row) => row.id)).toEqual([
      2_491, 2_492, 2_493, 2_494, 2_495, 2_496, 2_497, 2_498, 2_499, 2_500,
    ]);
  });
});

describe('parseSince', () => {
  const now = T0;
  it.each([
    ['24h', now - 86_400_000],
    ['30m', now - 1_800_000],
    ['7d', now - 7 * 86_400_000],
    ['2026-11-30', Date.UTC(2026, 10, 30)],
    ['2026-11-30T10:00:00Z', Date.UTC(2026, 10, 30, 10)],
    ['2026-11-30T10:00:00+02:00', Date.UTC(2026, 10, 30, 8)],
  ])('reads %s', (text, at) => {
    expect(parseSince(text, now)).toBe(at);
  });
  it.each(['yesterday', '24', '-1h', '2026-13-45', '1e3h', ''])('refuses %j with a usage error', (text) => {
    expect(() => parseSince(text, now)).toThrow(/--since .*ISO 8601/);
  });
});
