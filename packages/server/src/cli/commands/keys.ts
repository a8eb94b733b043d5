import type { Command } from 'commander';
import { commandGroup } from '../command-group.js';
import { commandConfig, withExistingStore, withStoreOptions } from '../context.js';

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** `sesame keys list|rotate|revoke`: the server's signing keys in the data dir. */
export function registerKeys(program: Command): void {
  const keys = commandGroup(program, 'keys', 'signing keys');

  withStoreOptions(keys.command('list'))
    .description("list the server's signing keys (no key material)")
    .option('--json', 'print JSON')
    .action(async (options: { dataDir?: string; config?: string; json?: boolean }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const list = await services.keys.list();
        if (options.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else
          for (const key of list) {
            process.stdout.write(
              `${key.kid}\t${key.alg}\t${key.state}\tcreated ${when(key.createdAt)}\texpires ${when(key.expiresAt)}\n`,
            );
          }
      });
    });

  withStoreOptions(keys.command('rotate'))
    .description(
      "one rotation step now, for the keys of every algorithm (the access tokens' and RS256): next becomes current, current retires, a new next is made",
    )
    .action(async (options: { dataDir?: string; config?: string }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        await services.keys.rotate('cli');
        const current = services.keys.list().filter((key) => key.state === 'current');
        const signing = current.map((key) => `${key.alg} ${key.kid}`).join(', ');
        process.stdout.write(`rotated; signing with ${signing || '(none)'}\n`);
      });
    });

  withStoreOptions(keys.command('revoke <kid>'))
    // A kid is a base64url thumbprint: one in 64 begins with '-', which must reach the command as
    // the kid, not fail as an unknown option (a mistyped option is then an unknown kid: one line too).
    .allowUnknownOption()
    .description(
      'withdraw a compromised key at once: unpublished, every token it signed refused (guards learn it from the revocation feed)',
    )
    .action(async (kid: string, options: { dataDir?: string; config?: string }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const alg = services.keys.list().find((key) => key.kid === kid)?.alg;
        const before = await services.keys.revoke(kid, 'cli');
        // The key that signs in its place: the current one of the same algorithm.
        const current = services.keys.list().find((key) => key.state === 'current' && key.alg === alg);
        process.stdout.write(
          before === 'revoked'
            ? `key ${kid} was already revoked\n`
            : `key ${kid} revoked (was ${before}); signing with ${current?.kid ?? '(none)'}\n`,
        );
      });
    });
}
