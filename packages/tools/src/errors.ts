import { isJwtError } from '@sesame/jwt';

/**
 * Exit codes of every `sesame` command (and of the token and key tools they run). Scripts branch on
 * them, so they never change meaning; docs/cli.md and every command's help list them.
 *
 * @example if (process.exitCode === EXIT.rejected) console.error('the token was refused');
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

/**
 * The exit-code table as it appears at the end of every command's help.
 *
 * @example command.addHelpText('after', EXIT_HELP);
 */
export const EXIT_HELP = `
Exit codes:
  0  success
  1  refused: the token (signature, algorithm, key or claims), or the change (no such user, name taken)
  2  usage error (unknown command or option, missing or bad argument, bad configuration)
  3  unreadable input (malformed token, key file, JSON) or an output file not written
  4  network error (issuer metadata or JWKS not fetched)
  5  the store or the server cannot work (no store, database unreachable, port in use)`;

/**
 * An error of a command: a stable code, a one-line message, an exit code.
 *
 * @example throw new CliError('ERR_CLI_INPUT', 'the key file is empty', EXIT.input);
 */
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

/**
 * A usage error: the command line asks for something impossible.
 *
 * @example throw usage('give --secret or --secret-env, not both');
 */
export function usage(message: string): CliError {
  return new CliError('ERR_CLI_USAGE', message, EXIT.usage);
}

/**
 * An input error: a file, token or JSON document that cannot be used.
 *
 * @example throw badInput('the payload is not a JSON object');
 */
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
  'ERR_JWE_DECRYPTION_FAILED',
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

/**
 * The code, message and exit code of anything thrown by a command (a CliError, a @sesame/jwt error,
 * anything else), never more than one line and never a stack.
 *
 * @example const { code, message, exitCode } = describeError(error); // 'ERR_JWT_EXPIRED', …, 1
 */
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
