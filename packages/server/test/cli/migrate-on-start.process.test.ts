import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('migrateOnStart: false', () => {
  it('refuses a store with pending migrations in one line until `sesame migrate` has run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-migrate-'));
    // An existing store that no migration has run on (an empty SQLite file): every one is pending.
    writeFileSync(join(dataDir, 'sesame.db'), '');
    const env = { SESAME_DATA_DIR: dataDir, SESAME_MIGRATE_ON_START: 'false' };
    const refused = await runCli(['users', 'list'], { main: true, env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/pending migration.*sesame migrate/);

    const migrated = await runCli(['migrate'], { main: true, env });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);

    const listed = await runCli(['users', 'list'], { main: true, env });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
  }, 60_000);
});
