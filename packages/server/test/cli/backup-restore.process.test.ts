/**
 * `sesame backup` and `sesame restore` as an operator runs them: a backup of a running server's
 * store, a restore refused while it runs and done once it stopped, the replaced store kept aside,
 * and every file that must not be restored refused in one line.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, runSesame, startSesame, TEST_MASTER_KEY, tempDir } from '@sesame/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const PASSWORD = 'backup password 1';

async function sesame(args: string[], env: Record<string, string> = {}, stdin = '') {
  return runSesame(args, { env: { NO_COLOR: '', ...env }, stdin });
}

async function addUser(dataDir: string, name: string) {
  const added = await sesame(
    ['users', 'add', name, '--password-stdin', '--data-dir', dataDir],
    {},
    `${PASSWORD}\n`,
  );
  expect(added.code, added.stderr).toBe(0);
}

/** The usernames in a SQLite store file, read directly. */
function usernames(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select username from users order by username').all() as { username: string }[]).map(
      (row) => row.username,
    );
  } finally {
    db.close();
  }
}

/** A failure printed as one line `error CODE: …`, with a non-zero exit. */
function expectRefused(result: { code: number | null; stderr: string; stdout: string }, code: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(code);
}

describe('sesame backup and restore', () => {
  it('backs up a running store, refuses to restore under it, restores once stopped and keeps the old store aside', async () => {
    const dataDir = tempDir('sesame-backup-');
    const backup = join(tempDir('sesame-backup-out-'), 'sesame-backup.db');
    const port = await freePort();
    const server = await startSesame({ port, dataDir });
    try {
      await addUser(dataDir, 'before');
      const made = await sesame(['backup', backup, '--data-dir', dataDir]);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toMatch(/^backup written: .*sesame-backup\.db \(\d+ bytes, schema \d{3}_\w+\)\n$/);
      expect(statSync(backup).mode & 0o777).toBe(0o600);
      expect(usernames(backup)).toContain('before');

      expectRefused(
        await sesame(['restore', backup, '--data-dir', dataDir]),
        /^error ERR_STORE_IN_USE: a Sesame server \(pid \d+\) is running/,
      );
      // A second backup never replaces the first.
      expectRefused(await sesame(['backup', backup, '--data-dir', dataDir]), /^error ERR_BACKUP_EXISTS: /);
    } finally {
      await server.stop();
    }
    // The server's mark is gone with it: a restore is now allowed.
    expect(existsSync(join(dataDir, 'serve.pid'))).toBe(false);
    await addUser(dataDir, 'after');

    const restored = await sesame(['restore', backup, '--data-dir', dataDir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(
      /^restored .* into .*sesame\.db; the previous store is kept at .*before-restore-/,
    );
    const listed = await sesame(['users', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toMatch(/\bbefore\b/);
    expect(listed.stdout).not.toMatch(/\bafter\b/);
    // Nothing lost: the replaced store, with what was written after the backup, is whole aside.
    const aside = readdirSync(dataDir).find(
      (name) => name.startsWith('sesame.db.before-restore-') && !name.endsWith('-wal'),
    );
    expect(aside).toBeDefined();
    expect(usernames(join(dataDir, aside!))).toEqual(expect.arrayContaining(['after', 'before']));

    // The restored store serves.
    const again = await startSesame({ port: await freePort(), dataDir });
    await again.stop();
  }, 120_000);

  it('a SIGKILLed server leaves a mark that no longer counts', async () => {
    const dataDir = tempDir('sesame-backup-killed-');
    const server = await startSesame({ port: await freePort(), dataDir });
    const backup = join(tempDir('sesame-backup-out-'), 'b.db');
    expect((await sesame(['backup', backup, '--data-dir', dataDir])).code).toBe(0);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(existsSync(join(dataDir, 'serve.pid'))).toBe(true);
    const restored = await sesame(['restore', backup, '--data-dir', dataDir]);
    expect(restored.code, restored.stderr).toBe(0);
  }, 120_000);

  it('refuses what must not be restored or backed up, in one line each', async () => {
    const dataDir = tempDir('sesame-backup-refused-');
    await addUser(dataDir, 'someone');
    const out = tempDir('sesame-backup-files-');
    const dir = ['--data-dir', dataDir];

    const text = join(out, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(100));
    expectRefused(
      await sesame(['restore', text, ...dir]),
      /^error ERR_BACKUP_INVALID: .* is not a SQLite database$/,
    );

    const other = join(out, 'other.db');
    const otherDb = new Database(other);
    otherDb.exec('create table notes (body text)');
    otherDb.close();
    expectRefused(
      await sesame(['restore', other, ...dir]),
      /^error ERR_BACKUP_INVALID: .* is not a Sesame store$/,
    );

    const good = join(out, 'good.db');
    expect((await sesame(['backup', good, ...dir])).code).toBe(0);
    const newer = join(out, 'newer.db');
    copyFileSync(good, newer);
    const newerDb = new Database(newer);
    newerDb
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('999_from_the_future', new Date().toISOString());
    newerDb.close();
    expectRefused(
      await sesame(['restore', newer, ...dir]),
      /^error ERR_BACKUP_NEWER: .*newer Sesame \(schema 999_from_the_future/,
    );

    const damaged = join(out, 'damaged.db');
    const bytes = readFileSync(good);
    bytes.fill(0xa5, 4096, 8192); // the second page: a b-tree page of the schema
    writeFileSync(damaged, bytes);
    expectRefused(await sesame(['restore', damaged, ...dir]), /^error ERR_BACKUP_INVALID: /);

    expectRefused(await sesame(['restore', join(out, 'missing.db'), ...dir]), /^error ERR_BACKUP_MISSING: /);
    expectRefused(
      await sesame(['backup', join(out, 'x.db'), '--data-dir', join(out, 'nowhere')]),
      /^error ERR_STORE_MISSING: /,
    );
    expectRefused(
      await sesame(['backup', join(out, 'pg.db'), ...dir], {
        SESAME_DATABASE_URL: 'postgres://127.0.0.1:1/none',
        SESAME_MASTER_KEY: TEST_MASTER_KEY,
      }),
      /^error ERR_CLI_USAGE: backup works on the SQLite store .*pg_dump/,
    );
    // Every refusal left the store as it was.
    expect(usernames(join(dataDir, 'sesame.db'))).toEqual(['someone']);
  }, 120_000);

  it('with a master key the signing keys stay sealed in the backup (and without one they are in clear)', async () => {
    for (const masterKey of [TEST_MASTER_KEY, undefined]) {
      const dataDir = tempDir('sesame-backup-sealed-');
      const env: Record<string, string> = masterKey ? { SESAME_MASTER_KEY: masterKey } : {};
      expect((await sesame(['keys', 'rotate', '--data-dir', dataDir], env)).code).not.toBe(0); // no store yet
      expect((await sesame(['migrate', '--data-dir', dataDir], env)).code).toBe(0);
      expect((await sesame(['keys', 'rotate', '--data-dir', dataDir], env)).code).toBe(0);
      const backup = join(tempDir('sesame-backup-sealed-out-'), 'b.db');
      expect((await sesame(['backup', backup, '--data-dir', dataDir], env)).code).toBe(0);
      const clear = /"d":"/.test(readFileSync(backup).toString('latin1'));
      expect(clear, `private key members in clear with master key ${masterKey ? 'set' : 'unset'}`).toBe(
        !masterKey,
      );
    }
  }, 120_000);
});
