import type { Command } from 'commander';
import type { InitialAccessTokenInfo } from '../../domain/clients/initial-access-tokens.js';
import { commandConfig, withExistingStore, withServices, withStoreOptions } from '../context.js';
import { refused, usage } from '../failure.js';

interface StoreOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_MS = 365 * 86_400_000;

/** `--expires-in`: 30m, 12h, 7d; at most a year. */
function expiresIn(value: string): number {
  const match = /^(\d{1,6})([mhd])$/.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!(ms > 0 && ms <= MAX_MS))
    throw usage(
      `--expires-in ${JSON.stringify(value.slice(0, 40))} must be a duration such as 30m, 12h or 7d, at most 365d`,
    );
  return ms;
}

/** `--uses`: a whole number of registrations, 1 or more. */
function uses(value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1)
    throw usage(
      `--uses ${JSON.stringify(value.slice(0, 40))} must be a whole number of registrations, 1 or more`,
    );
  return Number(value);
}

const when = (ms: number) => new Date(ms).toISOString();
const line = (token: InitialAccessTokenInfo) =>
  `${token.id}\t${token.label}\texpires ${when(token.expiresAt)}\t${token.usesLeft ?? 'any'} uses left`;

/**
 * `sesame registration token create|list|revoke`: the initial access tokens that dynamic client
 * registration requires when `registration` is `token` (RFC 7591 §3). A token is printed once.
 */
export function registerRegistration(program: Command): void {
  const token = program
    .command('registration')
    .description('dynamic client registration (RFC 7591)')
    .command('token')
    .description('initial access tokens for POST /oauth/register');

  withStoreOptions(token.command('create'))
    .description('make an initial access token (printed once)')
    .requiredOption(
      '--label <text>',
      'what it is for, e.g. who it is given to (one line, up to 100 characters)',
    )
    .option('--expires-in <duration>', 'how long it is valid: 30m, 12h, 7d (default 1d)', '1d')
    .option('--uses <n>', 'how many registrations it may make (default: any number until it expires)')
    .option('--json', 'print JSON')
    .action(async (options: StoreOptions & { label: string; expiresIn: string; uses?: string }) => {
      const label = options.label.trim();
      if (label === '' || label.length > 100 || /[\p{Cc}]/u.test(label))
        throw usage('--label must be one line of 1 to 100 characters');
      const expiresInMs = expiresIn(options.expiresIn);
      const count = options.uses === undefined ? null : uses(options.uses);
      await withServices(commandConfig(options), async (services) => {
        const made = await services.initialAccessTokens.create({ label, expiresInMs, uses: count }, 'cli');
        if (options.json) {
          process.stdout.write(`${JSON.stringify(made, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `initial access token ${made.id} (${made.label}), valid until ${when(made.expiresAt)}, ` +
            `${made.usesLeft ?? 'any number of'} registration(s):\n${made.token}\n` +
            'shown once: send it as "Authorization: Bearer <token>" to POST /oauth/register\n',
        );
      });
    });

  withStoreOptions(token.command('list'))
    .description('list the initial access tokens (never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (options: StoreOptions) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const tokens = await services.initialAccessTokens.list();
        if (options.json) process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        else for (const listed of tokens) process.stdout.write(`${line(listed)}\n`);
      });
    });

  withStoreOptions(token.command('revoke <id>'))
    .description('revoke an initial access token by its id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: StoreOptions) => {
      await withExistingStore(commandConfig(options), async (services) => {
        if (!(await services.initialAccessTokens.revoke(id, 'cli')))
          throw refused(
            'ERR_REGISTRATION_TOKEN_NOT_FOUND',
            `no initial access token ${JSON.stringify(id.slice(0, 40))}`,
          );
        if (options.json) process.stdout.write(`${JSON.stringify({ id, revoked: true })}\n`);
        else process.stdout.write(`initial access token ${id} revoked\n`);
      });
    });
}
