import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { oneLineError, runCli, tempDir } from './run-cli.js';

/** The profile in the store, and the audit events of the user, read after the CLI ran. */
async function look(file: string) {
  const store = await openSqliteStore({ file });
  try {
    const user = await store.findUserByName('dora');
    const events = await store.listAuditEvents({ limit: 100 });
    return { profile: user?.profile, events };
  } finally {
    await store.close();
  }
}

describe('sesame users add --name … and users set', () => {
  it('adds a user with claims, sets and unsets claims, and refuses bad ones in one line', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'sesame.db');
    const env = { SESAME_DATA_DIR: dataDir };
    const run = (args: string[], input = '') => runCli(args, { main: true, env, input });

    const added = await run(
      [
        ...['users', 'add', 'dora', '--password-stdin'],
        ...['--name', 'Dora Explorer', '--given-name', 'Dora', '--family-name', 'Explorer'],
        ...['--email', 'dora@example.com', '--email-verified', 'yes', '--phone', '+351912345678'],
        ...['--locale', 'pt-PT', '--picture', 'https://example.com/dora.png'],
      ],
      'dora password 1\n',
    );
    expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
    let seen = await look(file);
    expect(seen.profile).toEqual({
      name: 'Dora Explorer',
      given_name: 'Dora',
      family_name: 'Explorer',
      picture: 'https://example.com/dora.png',
      locale: 'pt-PT',
      email: 'dora@example.com',
      email_verified: true,
      phone_number: '+351912345678',
      updated_at: expect.any(Number),
    });

    const set = await run([
      'users',
      'set',
      'dora',
      '--email-verified',
      'no',
      '--unset',
      'picture',
      '--unset',
      'locale',
    ]);
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
    expect(set.stdout).toBe('user dora profile changed: picture locale email_verified\n');
    seen = await look(file);
    expect(seen.profile).toMatchObject({ email_verified: false });
    expect(seen.profile).not.toHaveProperty('picture');
    expect(seen.profile).not.toHaveProperty('locale');
    const changed = seen.events.find((event) => event.type === 'admin.user.changed');
    expect(changed).toMatchObject({ actor: 'cli', details: { changed: ['profile'] } });
    expect(JSON.stringify(seen.events)).not.toContain('dora@example.com');

    const listed = await run(['users', 'list', '--json']);
    expect(JSON.parse(listed.stdout)[0].profile).toEqual(seen.profile);

    for (const [args, code, exit] of [
      [['users', 'set', 'dora', '--email', 'not-an-email'], 'ERR_PROFILE_INVALID', 2],
      [['users', 'set', 'dora', '--email-verified', 'maybe'], 'ERR_CLI_USAGE', 2],
      [['users', 'set', 'dora', '--unset', 'favourite_colour'], 'ERR_PROFILE_INVALID', 2],
      [['users', 'set', 'dora', '--name', 'D', '--unset', 'name'], 'ERR_CLI_USAGE', 2],
      [['users', 'set', 'dora'], 'ERR_CLI_USAGE', 2],
      [['users', 'set', 'nobody', '--name', 'N'], 'ERR_USER_NOT_FOUND', 1],
      [
        ['users', 'add', 'eve', '--password-stdin', '--picture', 'javascript:alert(1)'],
        'ERR_PROFILE_INVALID',
        2,
      ],
    ] as const) {
      const result = await run([...args], 'eve password 1\n');
      expect(oneLineError(result.stderr).code, args.join(' ')).toBe(code);
      expect(result.code, args.join(' ')).toBe(exit);
    }
    expect(oneLineError((await run(['users', 'set', 'dora', '--email', 'x'])).stderr).line).toBe(
      'error ERR_PROFILE_INVALID: the profile claim email must be an email address',
    );
    expect((await look(file)).profile).toEqual(seen.profile);
  }, 120_000);
});
