import { isScopeToken } from '@sesame/protocol';
import type { Command } from 'commander';
import { commandConfig, withExistingStore, withServices, withStoreOptions } from '../context.js';
import { refused } from '../failure.js';

interface StoreOptions {
  dataDir?: string;
  config?: string;
}

const MAX_DESCRIPTION = 200;

/**
 * `sesame scopes set NAME --description TEXT` and `sesame scopes list`: what each scope lets a
 * client do, in words, as the consent page shows it to the user who is asked.
 */
export function registerScopes(program: Command): void {
  const scopes = program.command('scopes').description('describe scopes for the consent page');

  withStoreOptions(scopes.command('set <name>'))
    .description('set the description of a scope, shown on the consent page')
    .requiredOption(
      '--description <text>',
      `what the scope lets a client do (one line, up to ${MAX_DESCRIPTION} characters)`,
    )
    .action(async (name: string, options: StoreOptions & { description: string }) => {
      if (!isScopeToken(name))
        throw refused('ERR_CLI_INPUT', `"${name}" is not a scope name (RFC 6749 §3.3)`);
      const description = options.description.trim();
      if (description === '' || /[\r\n]/.test(description) || description.length > MAX_DESCRIPTION)
        throw refused(
          'ERR_CLI_INPUT',
          `the description must be one line of 1 to ${MAX_DESCRIPTION} characters`,
        );
      await withServices(commandConfig(options), async (services) => {
        await services.scopeDescriptions.describe(name, description, 'cli');
        process.stdout.write(`scope ${name}: ${description}\n`);
      });
    });

  withStoreOptions(scopes.command('list'))
    .description('list the described scopes')
    .option('--json', 'print JSON')
    .action(async (options: StoreOptions & { json?: boolean }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const described = await services.scopeDescriptions.list();
        if (options.json) process.stdout.write(`${JSON.stringify(described, null, 2)}\n`);
        else for (const [name, text] of Object.entries(described)) process.stdout.write(`${name}\t${text}\n`);
      });
    });
}
