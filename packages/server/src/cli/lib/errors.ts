/**
 * The CLI's one error system on top of commander: every command's failure is one line
 * `error CODE: message` and an exit code. The errors and exit codes themselves are @sesame/tools'
 * (the token and key tools throw them too): import them from there, so the list is kept once.
 */
import { describeError, EXIT, EXIT_HELP } from '@sesame/tools';
import type { Command, CommanderError } from 'commander';

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
