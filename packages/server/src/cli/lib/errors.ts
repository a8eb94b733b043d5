import { isJwtError } from '@sesame/jwt';
import type { Command, CommanderError } from 'commander';

/**
 * Exit codes of `sesame token …` and `sesame keys generate|thumbprint|jwks`. Scripts branch on
 * them, so they never change meaning; docs/cli.md and every command's help list them.
 */
export const EXIT = Object.freeze({
  ok: 0,
  /** The token was checked and refused: signature, algorithm, key or claims (verify). */
  rejected: 1,
  /** The command line is wrong: unknown option, missing argument, bad value. */
  usage: 2,
  /** An input could not be read or parsed: malformed token, key file, JSON payload. */
  input: 3,
  /** A network step failed: issuer metadata or JWKS could not be fetched. */
  network: 4,
});

/** The exit-code table as it appears at the end of every command's help. */
export const EXIT_HELP = `
Exit codes:
  0  success
  1  the token was refused (signature, algorithm, key or claims)
  2  usage error (unknown option, missing or bad argument)
  3  unreadable input (malformed token, key file, JSON)
  4  network error (issuer metadata or JWKS not fetched)`;

/** An error of the CLI itself: a stable code, a one-line message, an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A usage error: the command line asks for something impossible. */
export function usage(message: string): CliError {
  return new CliError('ERR_CLI_USAGE', message, EXIT.usage);
}

/** An input error: a file, token or JSON document that cannot be used. */
export function badInput(message: string): CliError {
  return new CliError('ERR_CLI_INPUT', message, EXIT.input);
}

/** @sesame/jwt codes that mean "this token is refused", as opposed to "this input is unusable". */
const REJECTIONS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_NOT_YET_VALID',
  'ERR_JWT_AUDIENCE',
  'ERR_JWT_ISSUER',
  'ERR_JWT_CLAIM_INVALID',
  'ERR_JWS_SIGNATURE',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCH',
  'ERR_JWKS_MULTIPLE_MATCHES',
]);

/** The code, message and exit code of anything thrown by a command. */
export function describeError(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof CliError)
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  if (isJwtError(error)) {
    const exitCode =
      error.code === 'ERR_JWKS_FETCH' || error.code === 'ERR_JWKS_TIMEOUT'
        ? EXIT.network
        : error.code === 'ERR_OPTION_INVALID'
          ? EXIT.usage
          : REJECTIONS.has(error.code)
            ? EXIT.rejected
            : EXIT.input;
    const claim = error.claim === undefined ? '' : ` (${error.claim})`;
    return { code: error.code, message: error.message + claim, exitCode };
  }
  // Anything else is a bug or an environment failure; its message may be long or carry a path,
  // so only the first line is shown, and never a stack trace.
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return { code: 'ERR_CLI_INTERNAL', message, exitCode: EXIT.input };
}

/**
 * Wraps a command action: any error becomes one line on stderr, `error CODE: message`, and the
 * process exit code. Nothing else is printed: no stack, no token, no secret.
 */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      const { code, message, exitCode } = describeError(error);
      process.stderr.write(`error ${code}: ${message}\n`);
      process.exitCode = exitCode;
    }
  };
}

/**
 * Makes commander's own errors (unknown option, missing argument) exit with the usage code 2, and
 * adds the exit-code table and examples to the help. Applied to each command this file family adds.
 */
export function configure(command: Command, examples: string): Command {
  command.exitOverride((error: CommanderError) => {
    // Help and version are "errors" to commander; they exit 0.
    process.exit(error.exitCode === 0 ? 0 : EXIT.usage);
  });
  // Commander's own messages ("error: unknown option '--x'") get the same one-line shape as ours,
  // without the help hint a parent program may ask for on a second line.
  command.showHelpAfterError(false);
  command.configureOutput({
    outputError: (text, write) => write(`error ERR_CLI_USAGE: ${text.replace(/^error:\s*/, '').trimEnd()}\n`),
  });
  command.addHelpText('after', `\nExamples:\n${examples}\n${EXIT_HELP}\n`);
  return command;
}
