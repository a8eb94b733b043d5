/**
 * The token tools' messages name what the user typed and say what to do: `--exp -1m` names --exp
 * (not the library's `expiresIn`), a too-short secret is one error (not a warning and an error),
 * and `token verify` without --aud says that the token's audience was not checked.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, runCli, tempDir } from './run-cli.js';

const strong = { S: randomBytes(48).toString('base64url') };

describe('sesame token: wording', { timeout: 120_000 }, () => {
  it('names --exp and --nbf for a bad duration, with what to do instead', async () => {
    const exp = await runCli(['token', 'sign', '--secret-env', 'S', '--exp', '-1m'], { env: strong });
    expect(exp.code).toBe(2);
    expect(oneLineError(exp.stderr).line).toBe(
      'error ERR_CLI_USAGE: --exp must be seconds or a duration such as "15m"; for a token that has already expired, put "exp" in the payload',
    );
    const nbf = await runCli(['token', 'sign', '--secret-env', 'S', '--nbf', 'soon'], { env: strong });
    expect(oneLineError(nbf.stderr).line).toMatch(/^error ERR_CLI_USAGE: --nbf must be seconds/);
    const tolerance = await runCli(
      ['token', 'verify', 'a.b.c', '--secret-env', 'S', '--clock-tolerance', 'x'],
      {
        env: strong,
      },
    );
    expect(tolerance.stderr).not.toMatch(/clockTolerance/);
  });

  it('refuses a secret shorter than the hash with one error and no warning', async () => {
    const result = await runCli(['token', 'sign', '--secret-env', 'S', '--exp', '1m'], {
      env: { S: 'shortsecret' },
    });
    expect(result.code).toBe(3);
    expect(oneLineError(result.stderr).line).toBe(
      'error ERR_JWK_INVALID: HS256 needs a secret of at least 32 bytes',
    );
  });

  it('warns when verify checked no audience and the token has one, and not when --aud was given', async () => {
    const key = join(tempDir(), 'k.pem');
    await cliOk(['keys', 'generate', '--out', key]);
    const token = (await cliOk(['token', 'sign', '--key', key, '--aud', 'api', '--exp', '5m'])).trim();
    const unchecked = await runCli(['token', 'verify', token, '--key', key]);
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout).aud).toBe('api');
    expect(unchecked.stderr).toBe(
      'warning aud-not-checked: the token\'s audience is "api"; without --aud any audience was accepted\n',
    );
    const checked = await runCli(['token', 'verify', token, '--key', key, '--aud', 'api']);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toBe('');
    const noAud = (await cliOk(['token', 'sign', '--key', key, '--exp', '5m'])).trim();
    expect((await runCli(['token', 'verify', noAud, '--key', key])).stderr).toBe('');
  });
});
