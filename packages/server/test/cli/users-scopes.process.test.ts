import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUserService } from '../../src/domain/accounts/users.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame users scopes', () => {
  it('adds scopes with --add, sets them, and denylists earlier tokens when one is taken away', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'sesame.db');
    let store = await openSqliteStore({ file });
    const user = await createUserService({ store }).create({
      username: 'admin',
      password: 'admin password 1',
      scopes: ['openid', 'admin'],
    });
    await store.close();
    const env = { SESAME_DATA_DIR: dataDir };

    const added = await runCli(['users', 'scopes', 'admin', '--add', 'quiz'], { main: true, env });
    expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
    expect(added.stdout).toBe('user admin scopes: openid admin quiz\n');
    store = await openSqliteStore({ file });
    expect((await store.findUserByName('admin'))?.scopes).toEqual(['openid', 'admin', 'quiz']);
    expect(await store.listRevocations(0, Date.now(), 100)).toEqual([]); // nothing taken away
    await store.close();

    const set = await runCli(['users', 'scopes', 'admin', 'openid quiz'], { main: true, env });
    expect(set.stdout).toBe('user admin scopes: openid quiz\n');
    store = await openSqliteStore({ file });
    try {
      expect((await store.findUserByName('admin'))?.scopes).toEqual(['openid', 'quiz']);
      const entries = await store.listRevocations(0, Date.now(), 100);
      expect(entries).toContainEqual(expect.objectContaining({ kind: 'user', value: user.id }));
    } finally {
      await store.close();
    }

    const both = await runCli(['users', 'scopes', 'admin', 'openid', '--add', 'quiz'], { main: true, env });
    expect(both.code).not.toBe(0);
    expect(both.code).toBe(2); // a usage mistake (docs/cli.md's exit codes)
    expect(oneLineError(both.stderr).code).toBe('ERR_CLI_USAGE');
    const nobody = await runCli(['users', 'scopes', 'nobody', '--add', 'quiz'], { main: true, env });
    expect(oneLineError(nobody.stderr).code).toBe('ERR_USER_NOT_FOUND');
  }, 90_000);
});
