/**
 * The one error system of the `sesame` program: every failure, whatever command it comes from, is
 * one line on stderr, `error CODE: reason`, and an exit code of @sesame/tools' table (EXIT,
 * docs/cli.md). Domain errors keep their stable codes (ERR_USERNAME_TAKEN, ERR_CLIENT_INVALID, …);
 * the token tools' errors (CliError) and @sesame/jwt's pass through unchanged.
 */

import { CliError, describeError, EXIT } from '@sesame/tools';
import { ConfigError } from '../config/config.js';
import { AccountError } from '../domain/accounts/errors.js';
import { ClientError } from '../domain/clients/clients.js';
import { KeyringError } from '../domain/keys/errors.js';
import { isStoreError } from '../store/errors.js';

export { CliError, EXIT, refused, unavailable, usage } from '@sesame/tools';

/**
 * A failure the user can act on, printed as is on one line. The exit code picks the code:
 * 2 is ERR_CLI_USAGE, anything else ERR_CLI_REFUSED. Prefer `usage()`, `refused(code, …)` or
 * `unavailable(code, …)`, which name a precise code.
 */
export class CommandError extends CliError {
  constructor(message: string, exitCode: number = EXIT.rejected) {
    super(exitCode === EXIT.usage ? 'ERR_CLI_USAGE' : 'ERR_CLI_REFUSED', message, exitCode);
  }
}

/** Exit codes of the account errors: a bad value is a usage error, the rest are refusals. */
const ACCOUNT_EXIT: Record<AccountError['code'], number> = {
  ERR_USERNAME_INVALID: EXIT.usage,
  ERR_PASSWORD_INVALID: EXIT.usage,
  ERR_SCOPE_INVALID: EXIT.usage,
  ERR_PROFILE_INVALID: EXIT.usage,
  ERR_USERNAME_TAKEN: EXIT.rejected,
  ERR_USER_NOT_FOUND: EXIT.rejected,
};

export interface Failure {
  code: string;
  message: string;
  exitCode: number;
}

/**
 * The code, one-line message and exit code of anything a command threw. Known errors keep their
 * message (they never carry a secret); anything else shows only its first line, never a stack.
 *
 * @example const { code, message } = describeFailure(error); // 'ERR_CONFIG', 'SESAME_PROT: …'
 */
export function describeFailure(error: unknown): Failure {
  const oneLine = (message: string) => (message.split('\n')[0] ?? '').slice(0, 300);
  if (error instanceof ConfigError)
    return { code: 'ERR_CONFIG', message: error.message, exitCode: EXIT.usage };
  if (error instanceof AccountError)
    return { code: error.code, message: error.message, exitCode: ACCOUNT_EXIT[error.code] ?? EXIT.rejected };
  if (error instanceof ClientError) {
    const exitCode = error.code === 'ERR_CLIENT_INVALID' ? EXIT.usage : EXIT.rejected;
    return { code: error.code, message: error.message, exitCode };
  }
  if (isStoreError(error, 'ERR_STORE_DUPLICATE'))
    return { code: error.code, message: 'that name is already taken', exitCode: EXIT.rejected };
  // A schema message says what to do (run a newer Sesame, run `sesame migrate`): shown as it is.
  if (isStoreError(error, 'ERR_STORE_SCHEMA') && !error.message.includes('could not be migrated'))
    return { code: error.code, message: oneLine(error.message), exitCode: EXIT.unavailable };
  if (isStoreError(error))
    return {
      code: error.code,
      message: `the store failed: ${oneLine(error.message)}`,
      exitCode: EXIT.unavailable,
    };
  if (error instanceof KeyringError) {
    const exitCode = error.code === 'ERR_KEYRING_KEY_NOT_FOUND' ? EXIT.rejected : EXIT.unavailable;
    return { code: error.code, message: oneLine(error.message), exitCode };
  }
  return describeError(error);
}

/** The line printed for a failure: `error CODE: reason`. */
export function failureLine(error: unknown): string {
  const { code, message } = describeFailure(error);
  return `error ${code}: ${message}`;
}

/**
 * Prints the failure's line on stderr and sets the process exit code (a code already set by the
 * command, such as 130 for a cancelled prompt, is kept through its CliError).
 *
 * @example program.parseAsync(process.argv).catch(reportFailure);
 */
export function reportFailure(error: unknown): void {
  const { code, message, exitCode } = describeFailure(error);
  process.stderr.write(`error ${code}: ${message}\n`);
  process.exitCode = exitCode;
}
