/**
 * Commands that read or change what a store holds refuse a data dir without one, in one line
 * naming the path, and create nothing: `users list --data-dir /typo` once answered nothing, exit 0,
 * and left an empty sesame.db there; from another folder it made ./.sesame.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

const COMMANDS = [
  ['users', 'list'],
  ['users', 'disable', 'alice'],
  ['users', 'passwd', 'alice', '--password-stdin'],
  ['clients', 'list'],
  ['clients', 'remove', 'some-client'],
  ['clients', 'permit', 'some-client', 'introspect'],
  ['users', 'scopes', 'alice', 'openid'],
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['consents', 'list', 'alice'],
];

describe('a missing store', { timeout: 120_000 }, () => {
  for (const args of COMMANDS) {
    it(`sesame ${args.join(' ')} refuses it with exit 5 and creates nothing`, async () => {
      const missing = join(tempDir(), 'no', 'such', 'dir');
      const result = await runCli([...args, '--data-dir', missing], { main: true, input: 'pw 123456789\n' });
      expect(result.code, result.stderr).toBe(5);
      expect(oneLineError(result.stderr).line).toBe(
        `error ERR_STORE_MISSING: no Sesame store at ${join(missing, 'sesame.db')}; pass the --data-dir (or SESAME_DATA_DIR) of an existing store`,
      );
      expect(result.stdout).toBe('');
      expect(existsSync(join(missing, '..'))).toBe(false);
    });
  }

  it('is not made in the working directory by a listing run from another folder', async () => {
    const elsewhere = tempDir();
    const result = await runCli(['users', 'list'], { main: true, cwd: elsewhere });
    expect(result.code, result.stderr).toBe(5);
    expect(oneLineError(result.stderr).line).toContain(join(elsewhere, '.sesame', 'sesame.db'));
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('is still created by the commands that add to it', async () => {
    const dataDir = join(tempDir(), 'new');
    const added = await runCli(['users', 'add', 'alice', '--password-stdin', '--data-dir', dataDir], {
      main: true,
      input: 'alice password 1\n',
    });
    expect(added.code, added.stderr).toBe(0);
    const listed = await runCli(['users', 'list', '--data-dir', dataDir], { main: true });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^alice\t/);
  });
});
