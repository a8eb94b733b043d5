import type { Command } from 'commander';

/**
 * The command group of this name, made if missing, so two modules can add subcommands to one
 * group (`sesame keys list|rotate` here, `sesame keys generate|thumbprint` from the key tools).
 *
 * @example commandGroup(program, 'keys', 'signing keys').command('generate')...
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return (
    program.commands.find((command) => command.name() === name) ??
    program.command(name).description(description)
  );
}
