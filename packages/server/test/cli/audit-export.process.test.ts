/** `sesame audit export` on a real data dir: what the CLI did, as JSON lines, filtered and resumed. */
import { join } from 'node:path';
import { runSesame, tempDir } from '@sesame/testkit';
import { describe, expect, it } from 'vitest';

const PASSWORD = 'audit password 1';

describe('sesame audit export', () => {
  it('prints the events oldest first as JSON lines, filters by type, resumes after an id, and never prints a password', async () => {
    const dataDir = tempDir('sesame-audit-');
    const dir = ['--data-dir', dataDir];
    for (const name of ['alice', 'bob']) {
      const added = await runSesame(['users', 'add', name, '--password-stdin', ...dir], {
        stdin: `${PASSWORD}\n`,
      });
      expect(added.code, added.stderr).toBe(0);
    }
    expect((await runSesame(['users', 'disable', 'bob', ...dir])).code).toBe(0);

    const all = await runSesame(['audit', 'export', ...dir]);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; type: string; actor: string; time: string });
    expect(rows.map((row) => row.type)).toEqual([
      'admin.user.created',
      'admin.user.created',
      'admin.user.changed',
    ]);
    expect(rows.map((row) => row.id)).toEqual([...rows.map((row) => row.id)].sort((a, b) => a - b));
    expect(rows.every((row) => row.actor === 'cli' && !Number.isNaN(Date.parse(row.time)))).toBe(true);
    expect(all.stdout).not.toContain(PASSWORD);

    const created = await runSesame(['audit', 'export', '--type', 'admin.user.created', ...dir]);
    expect(created.stdout.trimEnd().split('\n')).toHaveLength(2);
    const resumed = await runSesame(['audit', 'export', '--after-id', String(rows[0]!.id), ...dir]);
    expect(resumed.stdout.trimEnd().split('\n')).toHaveLength(rows.length - 1);
    const future = await runSesame(['audit', 'export', '--since', '2999-01-01', ...dir]);
    expect([future.code, future.stdout]).toEqual([0, '']);
  }, 90_000);

  it('refuses a bad flag or a missing store in one line', async () => {
    const dataDir = tempDir('sesame-audit-refused-');
    expect(
      (
        await runSesame(['users', 'add', 'x', '--password-stdin', '--data-dir', dataDir], {
          stdin: `${PASSWORD}\n`,
        })
      ).code,
    ).toBe(0);
    for (const [args, code, pattern] of [
      [['--format', 'csv'], 2, /^error ERR_CLI_USAGE: --format csv: only jsonl/],
      [['--since', 'yesterday'], 2, /^error ERR_CLI_USAGE: --since "yesterday"/],
      [['--after-id', 'x'], 2, /^error ERR_CLI_USAGE: --after-id must be an event id/],
    ] as const) {
      const result = await runSesame(['audit', 'export', ...args, '--data-dir', dataDir]);
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(pattern);
    }
    const missing = await runSesame(['audit', 'export', '--data-dir', join(dataDir, 'nowhere')]);
    expect(missing.code).toBe(5);
    expect(missing.stderr.trim()).toMatch(/^error ERR_STORE_MISSING: /);
  }, 90_000);
});
