/**
 * `sesame clients add --permission`, `permit` and `forbid`: the CLI side of client permissions
 * (what they allow is tested through the HTTP API in test/http/oauth/client-permissions.test.ts).
 */

import { EXIT } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame clients: --permission, permit, forbid', { timeout: 60_000 }, () => {
  it('adds with permissions, permits, forbids, and refuses an unknown one on one line', async () => {
    const dir = ['--data-dir', tempDir()];
    const main = { main: true };
    const added = await runCli(
      ['clients', 'add', 'rs', '--permission', 'introspect', '--json', ...dir],
      main,
    );
    expect(added.code, added.stderr).toBe(0);
    const id = JSON.parse(added.stdout).client_id as string;
    const permitted = await runCli(['clients', 'permit', id, 'revocations', 'introspect', ...dir], main);
    expect(permitted.stdout.trim()).toBe(`client ${id} permissions: introspect, revocations`);
    const forbidden = await runCli(['clients', 'forbid', id, 'introspect', ...dir], main);
    expect(forbidden.stdout.trim()).toBe(`client ${id} permissions: revocations`);
    const listed = JSON.parse((await runCli(['clients', 'list', '--json', ...dir], main)).stdout);
    expect(listed[0].permissions).toEqual(['revocations']);

    const unknown = await runCli(['clients', 'permit', id, 'everything', ...dir], main);
    expect(unknown.code).toBe(EXIT.usage);
    expect(oneLineError(unknown.stderr).line).toBe(
      'error ERR_CLI_USAGE: "everything" is not a permission; valid: introspect, revocations',
    );
    const nobody = await runCli(['clients', 'permit', 'nobody', 'introspect', ...dir], main);
    expect(oneLineError(nobody.stderr).line).toMatch(/^error ERR_CLIENT_NOT_FOUND: /);
  });
});
