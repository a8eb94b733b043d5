#!/usr/bin/env node
/**
 * The `sesame` command. Each command group is a module with `register(program)`; adding one is a
 * line in commands/index.ts. Every failure is one line on stderr and a non-zero exit, no stack.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { describeFailure } from './failure.js';

const program = new Command('sesame')
  .description('Sesame: a JWT authentication server and toolkit')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');
for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`sesame: ${describeFailure(error)}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
});
