import type { Command } from 'commander';
import { validateProfileChange } from '../../domain/accounts/profile.js';
import {
  commandConfig,
  requireExistingStore,
  withExistingStore,
  withServices,
  withStoreOptions,
} from '../context.js';
import { refused, usage } from '../failure.js';
import { profileFromFlags, withProfileFlags } from '../lib/profile-flags.js';
import { scopeArgument } from '../lib/scopes.js';
import { promptPassword, readPasswordFromStdin } from '../password-input.js';

interface StoreOptions {
  dataDir?: string;
  config?: string;
}

/** The claim flags come in under commander's names (profile-flags.ts). */
type AddOptions = StoreOptions & Record<string, unknown> & { passwordStdin?: boolean; scopes: string };

async function readNewPassword(options: { passwordStdin?: boolean }): Promise<string> {
  return options.passwordStdin ? readPasswordFromStdin() : promptPassword();
}

/** `sesame users add|list|set|disable|enable|passwd|scopes`. */
export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage user accounts');

  withProfileFlags(withStoreOptions(users.command('add <username>')), { unset: false })
    .description('create a user (asks for the password, or reads it with --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--scopes <scopes>', 'scopes the user may be granted, space-separated', 'openid')
    .action(async (username: string, options: AddOptions) => {
      const config = commandConfig(options);
      const scopes = scopeArgument(options.scopes, '--scopes');
      const profile = profileFromFlags(options);
      // A bad claim is refused before the password is asked for; the step checks it again.
      if (profile !== undefined) validateProfileChange(profile);
      const password = await readNewPassword(options);
      await withServices(config, async (services) => {
        const user = await services.users.create({ username, password, scopes, profile }, 'cli');
        process.stdout.write(
          `user ${user.username} created (id ${user.id}, scopes: ${user.scopes.join(' ')})\n`,
        );
      });
    });

  withStoreOptions(users.command('list'))
    .description('list users')
    .option('--json', 'print JSON')
    .action(async (options: StoreOptions & { json?: boolean }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const list = (await services.users.list({ limit: 10_000 })).map(
          ({ passwordHash: _hidden, ...user }) => user,
        );
        if (options.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else
          for (const user of list) {
            const state = user.disabled ? 'disabled' : 'enabled';
            process.stdout.write(`${user.username}\t${user.id}\t${state}\t${user.scopes.join(' ')}\n`);
          }
      });
    });

  withProfileFlags(withStoreOptions(users.command('set <username>')), { unset: true })
    .description("set or remove a user's profile claims (OpenID Connect), e.g. --email, --unset picture")
    .action(async (username: string, options: StoreOptions & Record<string, unknown>) => {
      const profile = profileFromFlags(options);
      if (profile === undefined) throw usage('give a claim to set (--name, --email, …) or --unset CLAIM');
      await withExistingStore(commandConfig(options), async (services) => {
        const user = await services.users.find({ username });
        if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
        const { changedClaims } = await services.users.change(user, { profile }, 'cli');
        process.stdout.write(
          changedClaims.length > 0
            ? `user ${user.username} profile changed: ${changedClaims.join(' ')}\n`
            : `user ${user.username} profile unchanged\n`,
        );
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withStoreOptions(users.command(`${name} <username>`))
      .description(disabled ? 'disable a user and end every session' : 'enable a disabled user')
      .action(async (username: string, options: StoreOptions) => {
        await withExistingStore(commandConfig(options), async (services) => {
          const user = await services.users.find({ username });
          if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
          await services.users.change(user, { disabled }, 'cli');
          process.stdout.write(`user ${user.username} ${disabled ? 'disabled' : 'enabled'}\n`);
        });
      });
  }

  withStoreOptions(users.command('scopes <username> [scopes]'))
    .description("set a user's scopes (space-separated), or add some with --add")
    .option('--add <scopes>', 'scopes to add to the ones the user has')
    .action(
      async (username: string, scopes: string | undefined, options: StoreOptions & { add?: string }) => {
        if ((scopes === undefined) === (options.add === undefined))
          throw usage('give the scopes to set, or --add SCOPES, not both');
        await withExistingStore(commandConfig(options), async (services) => {
          const user = await services.users.find({ username });
          if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
          const next =
            scopes !== undefined
              ? scopeArgument(scopes, 'scopes')
              : [...new Set([...user.scopes, ...scopeArgument(options.add ?? '', '--add')])];
          // Scopes taken away: tokens issued so far are refused, as over /admin.
          await services.users.change(user, { scopes: next }, 'cli');
          process.stdout.write(`user ${user.username} scopes: ${next.join(' ')}\n`);
        });
      },
    );

  withStoreOptions(users.command('passwd <username>'))
    .description("set a user's password and end every session of the user")
    .option('--password-stdin', 'read the password from stdin')
    .action(async (username: string, options: StoreOptions & { passwordStdin?: boolean }) => {
      const config = commandConfig(options);
      requireExistingStore(config); // before asking for the password
      const password = await readNewPassword(options);
      await withExistingStore(config, async (services) => {
        const user = await services.users.find({ username });
        if (user === undefined) throw refused('ERR_USER_NOT_FOUND', `no user named ${username}`);
        // Sessions and access tokens got with the old password end now (docs/security.md).
        const { endedSessions: ended } = await services.users.change(user, { password }, 'cli');
        process.stdout.write(`password of ${user.username} changed; ${ended.length} session(s) ended\n`);
      });
    });
}
