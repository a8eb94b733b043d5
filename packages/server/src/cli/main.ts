#!/usr/bin/env node
/**
 * The `sesame` command. Each command group is a module with `register(program)`; adding one is a
 * line in commands/index.ts. Every failure, from commander or from a command, is one line on
 * stderr, `error CODE: reason`, and an exit code of docs/cli.md's table (failure.ts); no stack.
 */
import { EXIT_HELP } from '@sesame/tools';
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { reportFailure } from './failure.js';
import { oneLineUsageErrorsEverywhere } from './lib/errors.js';

const program = new Command('sesame')
  .description('Sesame: a JWT authentication server and toolkit')
  .version('0.1.0')
  .addHelpText('after', EXIT_HELP);
for (const register of COMMANDS) register(program);
oneLineUsageErrorsEverywhere(program);

program.parseAsync(process.argv).catch(reportFailure);
