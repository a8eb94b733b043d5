/**
 * One error system for the whole `sesame` program: the top level, `users`, `clients` and the token
 * tools all fail with one line, `error CODE: reason`, and an exit code of docs/cli.md's table.
 */

import { EXIT } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { CommandError, describeFailure } from '../../src/cli/failure.js';
import { usageLine } from '../../src/cli/lib/errors.js';
import { ConfigError } from '../../src/config/config.js';
import { AccountError } from '../../src/domain/accounts/errors.js';
import { ClientError } from '../../src/domain/clients/clients.js';
import { StoreError } from '../../src/store/errors.js';
import { oneLineError, runCli, tempDir } from './run-cli.js';

const main = { main: true };

describe('sesame: every failure is one line and a documented exit code', {
  timeout: 120_000,
}, () => {
  it('suggests the command for a mistyped one, on one line, exit 2', async () => {
    const result = await runCli(['tokn'], main);
    expect(result.code).toBe(EXIT.usage);
    expect(oneLineError(result.stderr).line).toBe(
      "error ERR_CLI_USAGE: unknown command 'tokn' (did you mean token?)",
    );
  });

  it('refuses a missing argument and an unknown option of users and clients with exit 2', async () => {
    const dataDir = tempDir();
    const noName = await runCli(['users', 'add', '--data-dir', dataDir], main);
    expect(noName.code).toBe(EXIT.usage);
    expect(oneLineError(noName.stderr).line).toBe(
      "error ERR_CLI_USAGE: missing required argument 'username'",
    );
    const neither = await runCli(['users', 'scopes', 'alice', '--data-dir', dataDir], main);
    expect(neither.code).toBe(EXIT.usage);
    expect(oneLineError(neither.stderr).code).toBe('ERR_CLI_USAGE');
    const unknown = await runCli(['clients', 'list', '--frobnicate', '--data-dir', dataDir], main);
    expect(unknown.code).toBe(EXIT.usage);
    expect(oneLineError(unknown.stderr).line).toBe("error ERR_CLI_USAGE: unknown option '--frobnicate'");
  });

  it('names a bad --grant and the valid ones, not an internal field', async () => {
    const result = await runCli(
      ['clients', 'add', 'x', '--grant', 'password,bogus_grant', '--data-dir', tempDir()],
      main,
    );
    expect(result.code).toBe(EXIT.usage);
    const { code, line } = oneLineError(result.stderr);
    expect(code).toBe('ERR_CLI_USAGE');
    expect(line).toContain('--grant "bogus_grant" is not a grant type; valid: password, client_credentials');
    expect(line).not.toContain('grantTypes');
  });

  it('refuses an unknown user with its code and exit 1, a bad config with exit 2', async () => {
    const dataDir = tempDir();
    await runCli(['users', 'add', 'alice', '--password-stdin', '--data-dir', dataDir], {
      ...main,
      input: 'alice password 1\n',
    });
    const unknownUser = await runCli(['users', 'disable', 'nobody', '--data-dir', dataDir], main);
    expect(unknownUser.code).toBe(EXIT.rejected);
    expect(oneLineError(unknownUser.stderr).line).toBe('error ERR_USER_NOT_FOUND: no user named nobody');
    const taken = await runCli(['users', 'add', 'alice', '--password-stdin', '--data-dir', dataDir], {
      ...main,
      input: 'another password 2\n',
    });
    expect(taken.code).toBe(EXIT.rejected);
    expect(oneLineError(taken.stderr).code).toBe('ERR_USERNAME_TAKEN');
    const badConfig = await runCli(['users', 'list', '--data-dir', dataDir], {
      ...main,
      env: { SESAME_PROT: '1' },
    });
    expect(badConfig.code).toBe(EXIT.usage);
    expect(oneLineError(badConfig.stderr).line).toBe(
      'error ERR_CONFIG: SESAME_PROT: unknown configuration variable',
    );
  });
});

describe('describeFailure', () => {
  it('maps each error family to its code and exit code', () => {
    expect(describeFailure(new ConfigError('port: bad'))).toEqual({
      code: 'ERR_CONFIG',
      message: 'port: bad',
      exitCode: EXIT.usage,
    });
    expect(describeFailure(new AccountError('ERR_PASSWORD_INVALID', 'too short')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new AccountError('ERR_USERNAME_TAKEN', 'taken')).exitCode).toBe(EXIT.rejected);
    expect(describeFailure(new ClientError('ERR_CLIENT_INVALID', 'bad')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new ClientError('ERR_CLIENT_NOT_FOUND', 'none')).exitCode).toBe(EXIT.rejected);
    expect(describeFailure(new StoreError('ERR_STORE_UNAVAILABLE', 'down\nat line 2'))).toEqual({
      code: 'ERR_STORE_UNAVAILABLE',
      message: 'the store failed: down',
      exitCode: EXIT.unavailable,
    });
    expect(describeFailure(new CommandError('nope')).code).toBe('ERR_CLI_REFUSED');
    expect(describeFailure(new CommandError('bad', EXIT.usage)).code).toBe('ERR_CLI_USAGE');
    const internal = describeFailure(new Error('first line\n    at stack (file.ts:1)'));
    expect(internal.message).toBe('first line');
  });

  it("makes commander's two-line messages one line", () => {
    expect(usageLine("error: unknown command 'tokn'\n(Did you mean token?)\n")).toBe(
      "unknown command 'tokn' (did you mean token?)",
    );
    expect(usageLine("error: unknown option '--x'\n")).toBe("unknown option '--x'");
  });
});
