import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame registration token', () => {
  it('creates (printed once), lists without the token, revokes, and refuses bad flags in one line', async () => {
    const env = { SESAME_DATA_DIR: tempDir() };
    const run = (args: string[]) => runCli(['registration', 'token', ...args], { main: true, env });
    const made = await run(['create', '--label', 'partner', '--uses', '3', '--expires-in', '12h', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const token = JSON.parse(made.stdout);
    expect(token).toMatchObject({ label: 'partner', usesLeft: 3 });
    expect(token.expiresAt - token.createdAt).toBe(12 * 3_600_000);
    expect(token.token).toMatch(/^[\w-]{43}$/);

    const listed = await run(['list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { id: token.id, label: 'partner', createdAt: token.createdAt, expiresAt: token.expiresAt, usesLeft: 3 },
    ]);
    expect(listed.stdout).not.toContain(token.token);
    const text = await run(['list']);
    expect(text.stdout).toContain(`${token.id}\tpartner`);

    expect((await run(['revoke', token.id])).code).toBe(0);
    const again = await run(['revoke', token.id]);
    expect(again.code).toBe(1);
    expect(oneLineError(again.stderr).code).toBe('ERR_REGISTRATION_TOKEN_NOT_FOUND');

    for (const bad of [
      ['create', '--label', 'x', '--expires-in', '2y'],
      ['create', '--label', 'x', '--expires-in', '400d'],
      ['create', '--label', 'x', '--uses', '0'],
      ['create', '--label', 'x', '--uses', 'many'],
      ['create', '--label', 'one\ntwo'],
    ]) {
      const refused = await run(bad);
      expect(refused.code, bad.join(' ')).toBe(2);
      expect(oneLineError(refused.stderr).code).toBe('ERR_CLI_USAGE');
    }
  }, 120_000);
});
