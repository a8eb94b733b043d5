import { isJwtError } from '@sesame/jwt';
import type { Command, CommanderError } from 'commander';

/**
 * Exit codes of every `sesame` command. Scripts branch on them, so they never change meaning;
 * docs/cli.md and every command's help list them.
 */
export const EXIT = Object.freeze({
  ok: 0,
  /**
   * Refused: the token was checked and refused (verify), or the store said no (no such user or
   * client, the name is taken).
   */
  rejected: 1,
  /** The command line is wrong: unknown command or option, missing argument, bad value or config. */
  usage: 2,
  /** An input could not be read, parsed or written: malformed token, key file, JSON payload. */
  input: 3,
  /** A network step failed: issuer metadata or JWKS could not be fetched. */
  network: 4,
  /** The store or the server cannot work: no store there, database unreachable, port in use. */
  unavailable: 5,
});

/** The exit-code table as it appears at the end of every command's help. */
export const EXIT_HELP = `
Exit codes:
  0  success
  1  refused: the token (signature, algorithm, key or claims), or the change (no such user, name taken)
  2  usage error (unknown command or option, missing or bad argument, bad configuration)
  3  unreadable input (malformed token, key file, JSON) or an output file not written
  4  network error (issuer metadata or JWKS not fetched)
  5  the store or the server cannot work (no store, database unreachable, port in use)`;

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

/** A refusal (exit 1) with its own code: `refused('ERR_USER_NOT_FOUND', 'no user named bob')`. */
export function refused(code: string, message: string): CliError {
  return new CliError(code, message, EXIT.rejected);
}

/** The store or the server cannot work here (exit 5): `unavailable('ERR_STORE_MISSING', …)`. */
export function unavailable(code: string, message: string): CliError {
  return new CliError(code, message, EXIT.unavailable);
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

/** The command-line flags behind @sesame/jwt's option names, so an error names what was typed. */
const FLAGS: Readonly<Record<string, { flag: string; hint?: string }>> = {
  expiresIn: { flag: '--exp', hint: 'for a token that has already expired, put "exp" in the payload' },
  notBefore: { flag: '--nbf', hint: 'for an "nbf" in the past, put it in the payload' },
  clockTolerance: { flag: '--clock-tolerance' },
  maxTokenAge: { flag: '--max-age' },
};

/** The code, message and exit code of anything thrown by a command. */
export function describeError(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof CliError)
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  if (isJwtError(error) && error.code === 'ERR_OPTION_INVALID') {
    // "expiresIn must be seconds or a duration…" is about `--exp -1m`: say --exp.
    const option = /^(\w+) /.exec(error.message)?.[1];
    const known = option === undefined ? undefined : FLAGS[option];
    if (known !== undefined) {
      const hint = known.hint === undefined ? '' : `; ${known.hint}`;
      const message = `${known.flag}${error.message.slice(option!.length)}${hint}`;
      return { code: 'ERR_CLI_USAGE', message, exitCode: EXIT.usage };
    }
  }
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
 * Commander's own error text as one line: "error: unknown command 'tokn'\n(Did you mean token?)"
 * becomes "unknown command 'tokn' (did you mean token?)".
 */
export function usageLine(text: string): string {
  return text
    .replace(/^error:\s*/, '')
    .replace(/\n\(Did you mean/g, ' (did you mean')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * Makes commander's own errors of one command (unknown command or option, missing argument) one
 * line, `error ERR_CLI_USAGE: …`, with the usage exit code 2; help and version still exit 0.
 */
export function oneLineUsageErrors(command: Command): Command {
  command.exitOverride((error: CommanderError) => {
    // Help and version are "errors" to commander; they exit 0.
    process.exit(error.exitCode === 0 ? 0 : EXIT.usage);
  });
  // No help hint on a second line: the message (with its suggestion) is the whole answer.
  command.showHelpAfterError(false);
  command.showSuggestionAfterError(true);
  command.configureOutput({
    outputError: (text, write) => write(`error ERR_CLI_USAGE: ${usageLine(text)}\n`),
  });
  return command;
}

/**
 * One-line usage errors for a command and every command below it: the whole program shares one
 * error shape. Run once all commands are registered (commander copies settings only on creation).
 *
 * @example for (const register of COMMANDS) register(program); oneLineUsageErrorsEverywhere(program);
 */
export function oneLineUsageErrorsEverywhere(command: Command): void {
  oneLineUsageErrors(command);
  for (const sub of command.commands) oneLineUsageErrorsEverywhere(sub);
}

/** One-line usage errors, plus the examples and the exit-code table in the command's help. */
export function configure(command: Command, examples: string): Command {
  oneLineUsageErrors(command);
  command.addHelpText('after', `\nExamples:\n${examples}\n${EXIT_HELP}\n`);
  return command;
}
