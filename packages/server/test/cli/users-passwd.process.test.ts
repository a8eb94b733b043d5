import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUserService } from '../../src/domain/accounts/users.js';
import { createRefreshFamilies } from '../../src/domain/tokens/refresh-families.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runCli } from './run-cli.js';

describe('sesame users passwd', () => {
  it('ends the sessions of the user and denylists their earlier access tokens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-passwd-'));
    const file = join(dataDir, 'sesame.db');
    let store = await openSqliteStore({ file });
    const user = await createUserService({ store }).create({ username: 'alice', password: 'old password 1' });
    await createRefreshFamilies({ store }).issue({ userId: user.id, clientId: 'app', scope: 'openid' });
    await store.close();

    const result = await runCli(['users', 'passwd', 'alice', '--password-stdin'], {
      main: true,
      env: { SESAME_DATA_DIR: dataDir },
      input: 'new password 22\n',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 session\(s\) ended/);

    store = await openSqliteStore({ file });
    try {
      expect(await store.listUserFamilies(user.id, Date.now())).toEqual([]);
      const entries = await store.listRevocations(0, Date.now(), 100);
      expect(entries).toContainEqual(expect.objectContaining({ kind: 'user', value: user.id }));
    } finally {
      await store.close();
    }
  }, 60_000);
});
