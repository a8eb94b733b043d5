import type { Command } from 'commander';
import { commandConfig, withExistingStore, withStoreOptions } from '../context.js';
import { refused } from '../failure.js';

interface StoreOptions {
  dataDir?: string;
  config?: string;
}

/** `sesame consents list|revoke`: the consents users gave on the authorization endpoint's page. */
export function registerConsents(program: Command): void {
  const consents = program.command('consents').description("users' remembered consents to clients");

  withStoreOptions(consents.command('list <username>'))
    .description('list the clients a user has consented to')
    .option('--json', 'print JSON')
    .action(async (username: string, options: StoreOptions & { json?: boolean }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const user = await services.users.find({ username });
        if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
        const list = await services.consents.list(user.id);
        if (options.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else
          for (const consent of list) {
            const when = new Date(consent.updatedAt).toISOString();
            process.stdout.write(`${consent.clientId}\t${consent.scopes.join(' ')}\t${when}\n`);
          }
      });
    });

  withStoreOptions(consents.command('revoke <username> <client_id>'))
    .description("revoke a user's consent to a client, and end their sessions with it")
    .action(async (username: string, clientId: string, options: StoreOptions) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const user = await services.users.find({ username });
        if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
        const { removed, sessions } = await services.consents.revoke(user.id, clientId, 'cli');
        if (!removed && sessions.length === 0)
          throw refused('ERR_CONSENT_NOT_FOUND', `${username} has no consent for ${clientId}`);
        process.stdout.write(
          `consent of ${username} to ${clientId} revoked (${sessions.length} session${sessions.length === 1 ? '' : 's'} ended)\n`,
        );
      });
    });
}
